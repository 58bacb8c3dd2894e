//! Field clocks: for each field of a synced row, the stamp of the op that owns it, packed into the
//! row's `clocks` column (one write per row instead of one per field, which is most of what makes
//! a large import fast). Layout, per owned field, in field order: field index (u8), flags (u8),
//! hlc (i64 LE), device id (16 bytes), op_seq (i64 LE).

use uuid::Uuid;

use crate::journal::hlc::{Hlc, Stamp};
use crate::model::ids::DeviceId;

const ENTRY: usize = 1 + 1 + 8 + 16 + 8;
/// Set when two or more devices have written the field (see sync/conflicts.rs).
pub const CONTESTED: u8 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub stamp: Stamp,
    pub op_seq: i64,
    pub flags: u8,
}

impl Owner {
    pub fn contested(&self) -> bool {
        self.flags & CONTESTED != 0
    }
}

/// Owners indexed by field position (`Entity::fields()` order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowClock(pub Vec<Option<Owner>>);

impl RowClock {
    pub fn decode(bytes: Option<&[u8]>, fields: usize) -> RowClock {
        let mut owners = vec![None; fields];
        for entry in bytes.unwrap_or_default().chunks_exact(ENTRY) {
            let index = entry[0] as usize;
            if index >= fields {
                continue;
            }
            let hlc = i64::from_le_bytes(entry[2..10].try_into().expect("8 bytes"));
            let device = DeviceId(Uuid::from_bytes(entry[10..26].try_into().expect("16 bytes")));
            let op_seq = i64::from_le_bytes(entry[26..34].try_into().expect("8 bytes"));
            owners[index] =
                Some(Owner { stamp: Stamp { hlc: Hlc(hlc), device }, op_seq, flags: entry[1] });
        }
        RowClock(owners)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.iter().flatten().count() * ENTRY);
        for (index, owner) in self.0.iter().enumerate() {
            if let Some(owner) = owner {
                out.push(index as u8);
                out.push(owner.flags);
                out.extend_from_slice(&owner.stamp.hlc.0.to_le_bytes());
                out.extend_from_slice(owner.stamp.device.0.as_bytes());
                out.extend_from_slice(&owner.op_seq.to_le_bytes());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_round_trip() {
        let owner = Owner {
            stamp: Stamp { hlc: Hlc::new(5, 2), device: DeviceId(Uuid::from_u128(9)) },
            op_seq: 7,
            flags: CONTESTED,
        };
        let clock = RowClock(vec![None, Some(owner), None]);
        let bytes = clock.encode();
        assert_eq!(bytes.len(), ENTRY);
        assert_eq!(RowClock::decode(Some(&bytes), 3), clock);
        assert_eq!(RowClock::decode(None, 2), RowClock(vec![None, None]));
    }
}
