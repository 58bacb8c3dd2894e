//! What this database knows of each device: trusted or not, the last bundle, the highest op_seq
//! received without a hole, the holes ("ops 120–180 from Mopti-02 missing"), quarantined bundles
//! and forks.

use rusqlite::{Connection, OptionalExtension};

use crate::Palabre;
use crate::device;
use crate::error::Result;
use crate::store::bookkeeping::{self, Key};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MissingRange {
    pub from: i64,
    pub to: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceStatus {
    pub device_id: String,
    pub name: String,
    pub fingerprint: String,
    pub this_device: bool,
    pub trusted: bool,
    pub last_bundle_seq: i64,
    /// Every op from 1 to this one is here.
    pub gap_free_seq: i64,
    pub ops: i64,
    pub missing: Vec<MissingRange>,
    pub quarantined_bundles: i64,
    pub forks: i64,
    pub last_import_at: Option<String>,
    /// When the newest change received from it was made (by its own clock).
    pub last_change_at: Option<String>,
    /// The facilitator of the newest session it wrote.
    pub facilitator: Option<String>,
    /// Its clock minus this database's, in seconds, when its last bundle arrived.
    pub clock_offset_s: Option<i64>,
    /// Whether that offset is too large to be transit time (see [`clock_is_off`]).
    pub clock_off: bool,
    /// When HQ declared it lost or stolen: its key is refused since.
    pub lost_at: Option<String>,
    /// The laptop it replaces (a new laptop restored from HQ): its name.
    pub successor_of: Option<String>,
}

/// A laptop's clock this far ahead of HQ's when its bundle arrives is wrong: travelling only
/// makes a bundle look older, never newer.
pub const CLOCK_AHEAD_TOLERANCE_S: i64 = 10 * 60;
/// This far behind, its clock is wrong or the file travelled for months: said either way.
pub const CLOCK_BEHIND_TOLERANCE_S: i64 = 90 * 86_400;

/// Whether a clock offset (a laptop's clock minus HQ's) is beyond what travel explains.
pub fn clock_is_off(offset_s: i64) -> bool {
    offset_s > CLOCK_AHEAD_TOLERANCE_S || offset_s < -CLOCK_BEHIND_TOLERANCE_S
}

/// A laptop's clock offset, from the time its bundle says it was made and when it arrived.
pub fn clock_offset(created_at: &str, received: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let created = chrono::DateTime::parse_from_rfc3339(created_at).ok()?;
    Some((created.with_timezone(&chrono::Utc) - received).num_seconds())
}

/// "its clock is 3 days ahead of HQ's", for people.
pub fn clock_text(offset_s: i64) -> String {
    let span = offset_s.unsigned_abs();
    // Rounded to the nearest unit: a bundle made 3 days ahead arrives a few seconds later.
    let amount = match span {
        s if s >= 2 * 86_400 => format!("{} days", (s + 43_200) / 86_400),
        s if s >= 2 * 3_600 => format!("{} hours", (s + 1_800) / 3_600),
        s => format!("{} minutes", (s + 30) / 60),
    };
    if offset_s > 0 {
        format!(
            "its clock is {amount} ahead of this computer's: set its date and time; its changes merged, and later edits here still win"
        )
    } else {
        format!(
            "its bundle is dated {amount} before it arrived: its clock is behind (set its date and time), or the file travelled that long"
        )
    }
}

impl DeviceStatus {
    /// "ops 120–180 from Mopti-02 missing", one per hole.
    pub fn missing_text(&self) -> Vec<String> {
        self.missing
            .iter()
            .map(|m| {
                if m.from == m.to {
                    format!("op {} from {} missing", m.from, self.name)
                } else {
                    format!("ops {}–{} from {} missing", m.from, m.to, self.name)
                }
            })
            .collect()
    }
}

/// Holes in a device's op_seq, and how many ops are here.
fn holes(conn: &Connection, device_id: &str) -> Result<(Vec<MissingRange>, i64, i64)> {
    let (count, min, max): (i64, Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT count(*), min(op_seq), max(op_seq) FROM oplog WHERE device_id = ?1",
        )?
        .query_row([device_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let mut missing = Vec::new();
    if let Some(min) = min.filter(|m| *m > 1) {
        missing.push(MissingRange { from: 1, to: min - 1 });
    }
    if max.zip(min).is_some_and(|(max, min)| max - min + 1 != count) {
        let mut stmt = conn.prepare_cached(
            "SELECT op_seq + 1, next - 1 FROM (
                 SELECT op_seq, lead(op_seq) OVER (ORDER BY op_seq) AS next FROM oplog WHERE device_id = ?1
             ) WHERE next > op_seq + 1",
        )?;
        let gaps =
            stmt.query_map([device_id], |r| Ok(MissingRange { from: r.get(0)?, to: r.get(1)? }))?;
        for gap in gaps {
            missing.push(gap?);
        }
    }
    let gap_free = missing.first().map_or(max.unwrap_or(0), |m| m.from - 1);
    Ok((missing, gap_free, count))
}

/// When a device's newest change here was made, by its clock.
fn last_change(conn: &Connection, device_id: &str) -> Result<Option<String>> {
    let hlc: Option<i64> = conn
        .prepare_cached("SELECT hlc FROM oplog WHERE device_id = ?1 ORDER BY op_seq DESC LIMIT 1")?
        .query_row([device_id], |r| r.get(0))
        .optional()?;
    Ok(hlc.and_then(|h| crate::journal::hlc::Hlc(h).time()).map(|t| t.to_rfc3339()))
}

/// The facilitator named on the newest session a device created.
pub(crate) fn facilitator(conn: &Connection, device_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.facilitator FROM oplog o JOIN sessions s ON s.id = o.row_id
              WHERE o.device_id = ?1 AND o.entity = 'session' AND o.field = 'title'
                AND coalesce(s.facilitator, '') <> ''
              ORDER BY o.op_seq DESC LIMIT 1",
        )?
        .query_row([device_id], |r| r.get(0))
        .optional()?)
}

pub(crate) fn devices(app: &Palabre) -> Result<Vec<DeviceStatus>> {
    app.store().read(|c| {
        let mut out = Vec::new();
        if let Some(me) = device::load(c)? {
            let id = me.device_id.to_string();
            let (missing, gap_free_seq, ops) = holes(c, &id)?;
            let last_change_at = last_change(c, &id)?;
            out.push(DeviceStatus {
                device_id: id,
                name: me.name,
                fingerprint: me.fingerprint,
                this_device: true,
                trusted: true,
                last_bundle_seq: bookkeeping::number(c, Key::BundleSeq)?,
                gap_free_seq,
                ops,
                missing,
                quarantined_bundles: 0,
                forks: 0,
                last_import_at: None,
                last_change_at,
                facilitator: None,
                clock_offset_s: None,
                clock_off: false,
                lost_at: None,
                successor_of: None,
            });
        }
        let mut stmt = c.prepare(
            "SELECT d.device_id, d.name, d.fingerprint, d.trusted, d.last_bundle_seq, d.last_import_at,
                    (SELECT count(*) FROM quarantine q WHERE q.device_id = d.device_id),
                    (SELECT count(DISTINCT op_seq) FROM forks f WHERE f.device_id = d.device_id),
                    d.clock_offset_s, d.lost_at,
                    (SELECT o.name FROM devices o WHERE o.device_id = d.successor_of)
               FROM devices d ORDER BY d.name, d.device_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(DeviceStatus {
                    device_id: r.get(0)?,
                    name: r.get(1)?,
                    fingerprint: r.get(2)?,
                    this_device: false,
                    trusted: r.get(3)?,
                    last_bundle_seq: r.get(4)?,
                    gap_free_seq: 0,
                    ops: 0,
                    missing: Vec::new(),
                    quarantined_bundles: r.get(6)?,
                    forks: r.get(7)?,
                    last_import_at: r.get(5)?,
                    last_change_at: None,
                    facilitator: None,
                    clock_offset_s: r.get(8)?,
                    clock_off: r.get::<_, Option<i64>>(8)?.is_some_and(clock_is_off),
                    lost_at: r.get(9)?,
                    successor_of: r.get(10)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for mut device in rows {
            let (missing, gap_free_seq, ops) = holes(c, &device.device_id)?;
            device.missing = missing;
            device.gap_free_seq = gap_free_seq;
            device.ops = ops;
            device.last_change_at = last_change(c, &device.device_id)?;
            device.facilitator = facilitator(c, &device.device_id)?;
            out.push(device);
        }
        Ok(out)
    })
}

/// A live row whose parent has not arrived yet: kept, not dropped, and shown. (A row whose
/// parent was *deleted* is not waiting for anything: it simply counts nowhere.)
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Orphan {
    pub entity: String,
    pub row_id: String,
    /// What is missing: "session", "person" or "plan".
    pub missing: String,
    pub parent_id: Option<String>,
}

pub(crate) fn orphans(app: &Palabre) -> Result<Vec<Orphan>> {
    app.store().read(|c| {
        let mut stmt = c.prepare(
            "SELECT entity, row_id, missing, parent_id FROM orphans o
              WHERE NOT EXISTS (SELECT 1 FROM sessions WHERE o.missing = 'session' AND id = o.parent_id)
                AND NOT EXISTS (SELECT 1 FROM people WHERE o.missing = 'person' AND id = o.parent_id)
                AND NOT EXISTS (SELECT 1 FROM action_plans WHERE o.missing = 'plan' AND id = o.parent_id)
              ORDER BY entity, row_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Orphan {
                entity: r.get(0)?,
                row_id: r.get(1)?,
                missing: r.get(2)?,
                parent_id: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })
}

/// A bundle held here, not merged: its laptop is not trusted yet, or was declared lost.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HeldBundle {
    pub bundle_id: String,
    pub device: String,
    pub fingerprint: String,
    pub bundle_seq: i64,
    /// `untrusted` or `lost`.
    pub reason: String,
    pub received_at: String,
    /// What it says of itself (signed, but by a key that is not trusted here).
    pub ops: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub created_at: String,
}

pub(crate) fn held(app: &Palabre) -> Result<Vec<HeldBundle>> {
    let rows: Vec<(String, String, String, i64, String, String, Vec<u8>)> = app.store().read(|c| {
        let mut stmt = c.prepare(
            "SELECT q.bundle_id, d.name, d.fingerprint, q.bundle_seq, q.reason, q.received_at, q.bytes
               FROM quarantine q JOIN devices d ON d.device_id = q.device_id
              ORDER BY d.name, q.bundle_seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    })?;
    Ok(rows
        .into_iter()
        .map(|(bundle_id, device, fingerprint, bundle_seq, reason, received_at, bytes)| {
            let read = crate::exchange::bundle::read(&bytes).ok();
            let range = read.as_ref().map(|b| b.manifest.ops);
            HeldBundle {
                bundle_id,
                device,
                fingerprint,
                bundle_seq,
                reason,
                received_at,
                ops: range.map_or(0, |r| r.count),
                first_seq: range.map_or(0, |r| r.first_seq),
                last_seq: range.map_or(0, |r| r.last_seq),
                created_at: read.map(|b| b.manifest.created_at).unwrap_or_default(),
            }
        })
        .collect())
}
