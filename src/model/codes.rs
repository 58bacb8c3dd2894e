//! The stable codes (docs/DESIGN.md §3). They are written into the database, the oplog, JSON, CSV
//! headers and bundles, so a code, once shipped, is never renamed.

use crate::error::Invalid;

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(value: &str) -> Result<Self, Invalid> {
                match value.trim() {
                    $($code => Ok($name::$variant),)+
                    _ => Err(Invalid::UnknownCode {
                        field: $field,
                        value: value.to_string(),
                        allowed: [$($code),+].join(", "),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Invalid;
            fn from_str(s: &str) -> Result<Self, Invalid> {
                Self::parse(s)
            }
        }
    };
}

code_enum!(
    /// What kind of activity a session is.
    SessionKind, "kind" {
        Dialogue = "dialogue",
        Workshop = "workshop",
        Training = "training",
        MultiStakeholder = "multi_stakeholder",
        FollowUp = "follow_up",
        Other = "other",
    }
);

code_enum!(
    /// The stakeholder groups a session works with, and the group a person belongs to.
    Group, "stakeholder group" {
        WomensGroups = "womens_groups",
        Youth = "youth",
        SecurityActors = "security_actors",
        GovernanceJustice = "governance_justice",
        MunicipalAuthorities = "municipal_authorities",
        TraditionalLeaders = "traditional_leaders",
        ReligiousLeaders = "religious_leaders",
        CivilSociety = "civil_society",
        Other = "other",
    }
);

code_enum!(
    /// F, M, or X for "not stated".
    Sex, "sex" { F = "F", M = "M", X = "X" }
);

code_enum!(
    SessionStatus, "status" { Planned = "planned", Held = "held", Cancelled = "cancelled" }
);

code_enum!(
    ItemStatus, "status" {
        NotStarted = "not_started",
        InProgress = "in_progress",
        Done = "done",
        Blocked = "blocked",
    }
);

code_enum!(
    PlanStatus, "status" { Active = "active", Completed = "completed", Abandoned = "abandoned" }
);

code_enum!(
    /// What an indicator of the logframe counts (see `results::catalogue`): each is one of the
    /// report's own figures for the period and place.
    Measure, "measure" {
        PeopleReached = "people_reached",
        WomenReached = "women_reached",
        YouthReached = "youth_reached",
        PeopleInGroup = "people_in_group",
        Attendances = "attendances",
        ActivitiesHeld = "activities_held",
        ActivitiesWithGroup = "activities_with_group",
        ItemsDone = "items_done",
        ShareWomen = "share_women",
        ShareYouth = "share_youth",
        SessionsWithEvidence = "sessions_with_evidence",
        ShareWithEvidence = "share_with_evidence",
    }
);

code_enum!(
    /// How an indicator's value is broken down in the donor's table.
    Disaggregation, "disaggregation" {
        Sex = "sex",
        Age = "age",
        Group = "group",
        Region = "region",
    }
);

code_enum!(
    /// What a person did in a session.
    AttendanceRole, "role" {
        Participant = "participant",
        Speaker = "speaker",
        Facilitator = "facilitator",
    }
);

code_enum!(
    /// The six domains of the Washington Group short set on functioning.
    WgDomain, "disability domain" {
        Seeing = "seeing",
        Hearing = "hearing",
        Walking = "walking",
        Cognition = "cognition",
        SelfCare = "self_care",
        Communication = "communication",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_name_the_allowed_ones() {
        for group in Group::ALL {
            assert_eq!(Group::parse(group.as_str()).unwrap(), *group);
        }
        let err = Sex::parse("female").unwrap_err();
        assert_eq!(err.code(), "invalid_sex");
        assert!(err.to_string().contains("F, M, X"), "{err}");
        assert_eq!(Group::parse("soldiers").unwrap_err().code(), "invalid_group");
        assert_eq!(SessionKind::parse("party").unwrap_err().code(), "invalid_kind");
    }

    #[test]
    fn serde_uses_the_stable_codes() {
        assert_eq!(
            serde_json::to_string(&Group::GovernanceJustice).unwrap(),
            "\"governance_justice\""
        );
        let kind: SessionKind = serde_json::from_str("\"multi_stakeholder\"").unwrap();
        assert_eq!(kind, SessionKind::MultiStakeholder);
    }
}
