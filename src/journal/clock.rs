//! Field clocks: for each field of a synced row, the stamp of the op that owns it, packed into the
//! row's `clocks` column (one write per row instead of one per field, which is most of what makes
//! a large import fast).
//!
//! Layout (version 2, written since bundle format 3): a marker byte 0xFF; the number of distinct
//! devices (varint) and their ids (16 bytes each, in order of first use); the smallest hlc and
//! op_seq of the row (i64 LE each); then, per owned field in field order: field index (u8), flags
//! (u8), device number (varint), hlc − smallest (varint), op_seq − smallest (varint). A person
//! written by one laptop takes about 150 bytes instead of 476: the clocks were a third of what an
//! import wrote.
//!
//! Version 1 (no marker; per field: index u8, flags u8, hlc i64 LE, device 16 bytes, op_seq i64
//! LE) is still read: rows move to version 2 when next written.

use uuid::Uuid;

use crate::journal::hlc::{Hlc, Stamp};
use crate::model::ids::DeviceId;

const V1_ENTRY: usize = 1 + 1 + 8 + 16 + 8;
/// First byte of a version 2 clock (a version 1 clock starts with a field index, always smaller).
const V2: u8 = 0xFF;
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
    /// Reads either version; a damaged clock yields the fields read before the damage.
    pub fn decode(bytes: Option<&[u8]>, fields: usize) -> RowClock {
        let mut owners = vec![None; fields];
        match bytes.unwrap_or_default() {
            [V2, rest @ ..] => {
                let _ = decode_v2(rest, &mut owners);
            }
            v1 => decode_v1(v1, &mut owners),
        }
        RowClock(owners)
    }

    /// The version 2 bytes: a function of the owners only, so equal clocks are equal bytes.
    pub fn encode(&self) -> Vec<u8> {
        let owned: Vec<(usize, &Owner)> =
            self.0.iter().enumerate().filter_map(|(i, o)| Some((i, o.as_ref()?))).collect();
        if owned.is_empty() {
            return Vec::new();
        }
        let mut devices: Vec<DeviceId> = Vec::new();
        for (_, owner) in &owned {
            if !devices.contains(&owner.stamp.device) {
                devices.push(owner.stamp.device);
            }
        }
        let hlc_base = owned.iter().map(|(_, o)| o.stamp.hlc.0).min().unwrap_or(0);
        let seq_base = owned.iter().map(|(_, o)| o.op_seq).min().unwrap_or(0);
        let mut out = Vec::with_capacity(1 + 1 + 16 * devices.len() + 16 + owned.len() * 10);
        out.push(V2);
        varint(&mut out, devices.len() as u64);
        for device in &devices {
            out.extend_from_slice(device.0.as_bytes());
        }
        out.extend_from_slice(&hlc_base.to_le_bytes());
        out.extend_from_slice(&seq_base.to_le_bytes());
        for (index, owner) in owned {
            out.push(index as u8);
            out.push(owner.flags);
            let device = devices.iter().position(|d| *d == owner.stamp.device).unwrap_or(0);
            varint(&mut out, device as u64);
            varint(&mut out, owner.stamp.hlc.0.wrapping_sub(hlc_base) as u64);
            varint(&mut out, owner.op_seq.wrapping_sub(seq_base) as u64);
        }
        out
    }
}

fn decode_v1(bytes: &[u8], owners: &mut [Option<Owner>]) {
    for entry in bytes.chunks_exact(V1_ENTRY) {
        let index = entry[0] as usize;
        if index >= owners.len() {
            continue;
        }
        let hlc = i64::from_le_bytes(entry[2..10].try_into().expect("8 bytes"));
        let device = DeviceId(Uuid::from_bytes(entry[10..26].try_into().expect("16 bytes")));
        let op_seq = i64::from_le_bytes(entry[26..34].try_into().expect("8 bytes"));
        owners[index] =
            Some(Owner { stamp: Stamp { hlc: Hlc(hlc), device }, op_seq, flags: entry[1] });
    }
}

fn decode_v2(bytes: &[u8], owners: &mut [Option<Owner>]) -> Option<()> {
    let mut at = 0;
    let count = read_varint(bytes, &mut at)? as usize;
    let mut devices = Vec::with_capacity(count.min(256));
    for _ in 0..count {
        let id: [u8; 16] = bytes.get(at..at + 16)?.try_into().ok()?;
        devices.push(DeviceId(Uuid::from_bytes(id)));
        at += 16;
    }
    let hlc_base = i64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?);
    let seq_base = i64::from_le_bytes(bytes.get(at + 8..at + 16)?.try_into().ok()?);
    at += 16;
    while at < bytes.len() {
        let index = bytes[at] as usize;
        let flags = *bytes.get(at + 1)?;
        at += 2;
        let device = *devices.get(read_varint(bytes, &mut at)? as usize)?;
        let hlc = hlc_base.wrapping_add(read_varint(bytes, &mut at)? as i64);
        let op_seq = seq_base.wrapping_add(read_varint(bytes, &mut at)? as i64);
        if let Some(slot) = owners.get_mut(index) {
            *slot = Some(Owner { stamp: Stamp { hlc: Hlc(hlc), device }, op_seq, flags });
        }
    }
    Some(())
}

/// LEB128: seven bits a byte, low first.
fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        n |= u64::from(byte & 0x7F) << shift;
        if byte & 0x80 == 0 {
            return Some(n);
        }
    }
    None
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
        assert_eq!(bytes[0], V2);
        assert_eq!(RowClock::decode(Some(&bytes), 3), clock);
        assert_eq!(RowClock::decode(None, 2), RowClock(vec![None, None]));
        assert!(RowClock(vec![None, None]).encode().is_empty());
    }

    fn owner(hlc: i64, device: u128, op_seq: i64, flags: u8) -> Option<Owner> {
        Some(Owner {
            stamp: Stamp { hlc: Hlc(hlc), device: DeviceId(Uuid::from_u128(device)) },
            op_seq,
            flags,
        })
    }

    #[test]
    fn version_one_clocks_still_read_and_version_two_is_a_third_of_their_size() {
        let clock = RowClock(
            (0..14).map(|i| owner(Hlc::new(1_700_000_000_000 + i, 0).0, 7, 100 + i, 0)).collect(),
        );
        // Version 1, as databases written before hold it.
        let mut v1 = Vec::new();
        for (index, o) in clock.0.iter().enumerate() {
            let o = o.unwrap();
            v1.push(index as u8);
            v1.push(o.flags);
            v1.extend_from_slice(&o.stamp.hlc.0.to_le_bytes());
            v1.extend_from_slice(o.stamp.device.0.as_bytes());
            v1.extend_from_slice(&o.op_seq.to_le_bytes());
        }
        assert_eq!(RowClock::decode(Some(&v1), 14), clock);
        let v2 = clock.encode();
        assert_eq!(RowClock::decode(Some(&v2), 14), clock);
        assert!(v2.len() * 3 <= v1.len(), "{} bytes against {}", v2.len(), v1.len());
    }

    #[test]
    fn several_devices_extreme_values_and_damage() {
        let clock = RowClock(vec![
            owner(i64::MAX, 1, i64::MAX, CONTESTED),
            None,
            owner(0, 2, 1, 0),
            owner(-5, 1, 3, 0),
        ]);
        let bytes = clock.encode();
        assert_eq!(RowClock::decode(Some(&bytes), 4), clock);
        // A truncated clock keeps what was whole and never panics.
        for cut in 0..bytes.len() {
            let read = RowClock::decode(Some(&bytes[..cut]), 4);
            assert!(read.0.iter().flatten().all(|o| clock.0.contains(&Some(*o))));
        }
        // A field index beyond the entity's fields is skipped; a wrong device number stops.
        assert_eq!(RowClock::decode(Some(&bytes), 1).0, vec![clock.0[0]]);
        let mut bad = bytes.clone();
        let last_device_byte = bytes.len() - 3;
        bad[last_device_byte] = 9;
        let read = RowClock::decode(Some(&bad), 4);
        assert_eq!(read.0[3], None);
    }
}
