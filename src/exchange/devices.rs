//! What this database knows of each device: trusted or not, the last bundle, the highest op_seq
//! received without a hole, the holes ("ops 120–180 from Mopti-02 missing"), quarantined bundles
//! and forks.

use rusqlite::Connection;

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

pub(crate) fn devices(app: &Palabre) -> Result<Vec<DeviceStatus>> {
    app.store().read(|c| {
        let mut out = Vec::new();
        if let Some(me) = device::load(c)? {
            let id = me.device_id.to_string();
            let (missing, gap_free_seq, ops) = holes(c, &id)?;
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
            });
        }
        let mut stmt = c.prepare(
            "SELECT d.device_id, d.name, d.fingerprint, d.trusted, d.last_bundle_seq, d.last_import_at,
                    (SELECT count(*) FROM quarantine q WHERE q.device_id = d.device_id),
                    (SELECT count(DISTINCT op_seq) FROM forks f WHERE f.device_id = d.device_id)
               FROM devices d ORDER BY d.name, d.device_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, i64>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        for (device_id, name, fingerprint, trusted, last_bundle_seq, last_import_at, quarantined_bundles, forks) in rows {
            let (missing, gap_free_seq, ops) = holes(c, &device_id)?;
            out.push(DeviceStatus {
                device_id,
                name,
                fingerprint,
                this_device: false,
                trusted,
                last_bundle_seq,
                gap_free_seq,
                ops,
                missing,
                quarantined_bundles,
                forks,
                last_import_at,
            });
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
