//! Concurrent edits. Every op records the stamp that owned its field when it was written (what
//! its author had seen). A field is in conflict when its winning op did not see the latest op of
//! another device that wrote a different value — computed from the set of ops alone, so every copy that holds
//! the same ops shows the same conflicts, whatever order they arrived in. Resolving is a new
//! write, made after seeing all the values, so it ends the conflict everywhere it travels.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use crate::Palabre;
use crate::error::{Error, Invalid, Result};
use crate::journal::hlc::Hlc;
use crate::journal::oplog::{self, Op};
use crate::journal::schema::Entity;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Version {
    pub value: Value,
    pub device_id: String,
    pub device_name: String,
    pub hlc: Hlc,
    /// When it was written (UTC, from the author's clock).
    pub time: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Conflict {
    pub entity: Entity,
    pub row_id: Uuid,
    pub field: String,
    /// What the row is, for people: a name or a title.
    pub label: String,
    /// The value in force (highest stamp).
    pub current: Version,
    /// Values written concurrently on other devices, which lost.
    pub others: Vec<Version>,
}

fn device_name(conn: &Connection, id: &str) -> Result<String> {
    let name: Option<String> = conn
        .query_row(
            "SELECT name FROM device WHERE device_id = ?1 UNION ALL SELECT name FROM devices WHERE device_id = ?1",
            [id],
            |r| r.get(0),
        )
        .ok();
    Ok(name.unwrap_or_else(|| id.to_string()))
}

fn label(conn: &Connection, entity: Entity, row: &str) -> String {
    let sql = match entity {
        Entity::Session => "SELECT title FROM sessions WHERE id = ?1",
        Entity::Person => "SELECT full_name FROM people WHERE id = ?1",
        Entity::Plan => "SELECT title FROM action_plans WHERE id = ?1",
        Entity::Item => "SELECT description FROM action_items WHERE id = ?1",
        Entity::Link => {
            "SELECT coalesce(k.full_name, '?') || ' = ' || coalesce(d.full_name, '?') FROM person_links l
               LEFT JOIN people k ON k.id = l.keep_id LEFT JOIN people d ON d.id = l.duplicate_id
              WHERE l.id = ?1"
        }
        Entity::Evidence => {
            "SELECT 'p. ' || coalesce(e.page, '?') || ' @ ' || coalesce(s.title, '?') FROM evidence e
               LEFT JOIN sessions s ON s.id = e.session_id WHERE e.id = ?1"
        }
        Entity::Indicator => "SELECT code FROM indicators WHERE id = ?1",
        Entity::Attendance => {
            "SELECT coalesce(p.full_name, '?') || ' @ ' || coalesce(s.title, '?') FROM attendance a
               LEFT JOIN people p ON p.id = a.person_id LEFT JOIN sessions s ON s.id = a.session_id
              WHERE a.id = ?1"
        }
    };
    conn.query_row(sql, [row], |r| r.get::<_, Option<String>>(0)).ok().flatten().unwrap_or_default()
}

fn version(conn: &Connection, op: &Op) -> Result<Version> {
    let device = op.device_id.to_string();
    Ok(Version {
        value: op.value.clone(),
        device_name: device_name(conn, &device)?,
        device_id: device,
        hlc: op.hlc,
        time: op.hlc.time().map(|t| t.to_rfc3339()).unwrap_or_default(),
    })
}

/// Every field in conflict: its winning op, and the latest op of each other device that wrote it
/// with another value without the winner having seen it.
pub fn list(conn: &Connection) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare(
        "SELECT entity, row_id, field, device_id, op_seq FROM contested ORDER BY entity, row_id, field, hlc, device_id",
    )?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let damaged =
        |what: &str| Error::BadOp { reason: format!("the contested fields hold a damaged {what}") };
    /// (entity, row, field) and the (device, op_seq) of each device's latest op on it.
    type Writers = ((String, String, String), Vec<(String, i64)>);
    let mut groups: Vec<Writers> = Vec::new();
    for (entity, row, field, device, op_seq) in rows {
        let key = (entity, row, field);
        match groups.last_mut() {
            Some((k, writers)) if *k == key => writers.push((device, op_seq)),
            _ => groups.push((key, vec![(device, op_seq)])),
        }
    }
    let mut out = Vec::new();
    for ((entity, row, field), writers) in groups {
        let entity = Entity::parse(&entity).ok_or_else(|| damaged("entity"))?;
        let Some(owner) = oplog::field_owner(conn, entity, &row, &field)? else { continue };
        let owner_device = owner.device.to_string();
        let winner_seq = oplog::row_clock(conn, entity, &row)?
            .0
            .iter()
            .zip(entity.fields())
            .find(|(_, spec)| spec.name == field)
            .and_then(|(o, _)| o.map(|o| o.op_seq))
            .ok_or_else(|| damaged("clock"))?;
        let winner =
            oplog::one(conn, &owner_device, winner_seq)?.ok_or_else(|| damaged("winner"))?;
        let mut others = Vec::new();
        for (device, op_seq) in writers {
            if device == owner_device {
                continue;
            }
            let Some(op) = oplog::one(conn, &device, op_seq)? else { continue };
            let unseen = winner.prev().is_none_or(|prev| op.stamp() > prev);
            if unseen && op.value != winner.value {
                others.push(version(conn, &op)?);
            }
        }
        if !others.is_empty() {
            out.push(Conflict {
                entity,
                row_id: row.parse().map_err(|_| damaged("row id"))?,
                label: label(conn, entity, &row),
                field,
                current: version(conn, &winner)?,
                others,
            });
        }
    }
    Ok(out)
}

pub(crate) fn conflicts(app: &Palabre) -> Result<Vec<Conflict>> {
    app.store().read(list)
}

pub(crate) fn resolve_conflict(
    app: &Palabre,
    entity: Entity,
    row: Uuid,
    field: &str,
    value: &Value,
) -> Result<()> {
    let spec = entity.field(field).ok_or_else(|| Error::NotFound {
        entity: "conflict",
        id: format!("{}/{row}/{field}", entity.as_str()),
    })?;
    app.write_ops(|conn, w| {
        // The indicator catalogue is HQ's: a laptop that wrote one of its ops would have every
        // later bundle refused at HQ.
        if entity == Entity::Indicator
            && crate::store::bookkeeping::get(conn, crate::store::bookkeeping::Key::HqDir)?
                .is_none()
        {
            return Err(Error::HqOnly { what: "the indicator catalogue" });
        }
        let conflict = list(conn)?
            .into_iter()
            .find(|c| c.entity == entity && c.row_id == row && c.field == field)
            .ok_or_else(|| Error::NotFound {
                entity: "conflict",
                id: format!("{}/{row}/{field}", entity.as_str()),
            })?;
        let allowed: Vec<&Value> = std::iter::once(&conflict.current.value)
            .chain(conflict.others.iter().map(|v| &v.value))
            .collect();
        if !allowed.contains(&value) {
            return Err(Invalid::UnknownCode {
                field: "value",
                value: value.to_string(),
                allowed: allowed.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(", "),
            }
            .into());
        }
        w.set_forced(entity, row, spec.name, value.clone())
    })
}
