//! Newtype ids, so that a person id cannot be passed where a session id is expected. All ids are
//! UUIDv7 made on the device (time-ordered, unique without coordination), except attendance ids,
//! which are UUIDv5 of the (session, person) pair so that two laptops converge on one row.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

use crate::error::Invalid;

macro_rules! id_type {
    ($name:ident, $entity:literal) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const ENTITY: &'static str = $entity;

            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| Invalid::Id { entity: $entity, value: s.to_string() })
            }
        }
    };
}

id_type!(SessionId, "session");
id_type!(PersonId, "person");
id_type!(AttendanceId, "attendance");
id_type!(PlanId, "plan");
id_type!(ItemId, "plan item");
id_type!(DeviceId, "device");
id_type!(EvidenceId, "evidence");

/// Namespace of attendance ids. Never change it: every shipped database depends on it.
const ATTENDANCE_NAMESPACE: Uuid = Uuid::from_u128(0x6a0c_3b1e_5f4d_4e7a_9b2c_0d1e_2f3a_4b5c);

impl AttendanceId {
    /// The one id of a (session, person) pair, the same on every device.
    pub fn of(session: SessionId, person: PersonId) -> Self {
        let mut name = [0u8; 32];
        name[..16].copy_from_slice(session.0.as_bytes());
        name[16..].copy_from_slice(person.0.as_bytes());
        Self(Uuid::new_v5(&ATTENDANCE_NAMESPACE, &name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendance_id_is_a_pure_function_of_the_pair() {
        let (s, p) = (SessionId::new(), PersonId::new());
        assert_eq!(AttendanceId::of(s, p), AttendanceId::of(s, p));
        assert_ne!(AttendanceId::of(s, p), AttendanceId::of(s, PersonId::new()));
        assert_eq!(AttendanceId::of(s, p).0.get_version_num(), 5);
    }

    #[test]
    fn ids_parse_and_refuse_garbage_with_their_entity() {
        let id = PersonId::new();
        assert_eq!(id.to_string().parse::<PersonId>().unwrap(), id);
        let err = "not-an-id".parse::<SessionId>().unwrap_err();
        assert_eq!(err.code(), "invalid_id");
        assert!(err.to_string().contains("palabre session list"));
    }
}
