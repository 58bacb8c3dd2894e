//! Concurrent edits. Every op records the stamp that owned its field when it was written (what
//! its author had seen). A field is in conflict when its winning op did not see another device's
//! op that wrote a different value — computed from the set of ops alone, so every copy that holds
//! the same ops shows the same conflicts, whatever order they arrived in. Resolving is a new
//! write, made after seeing all the values, so it ends the conflict everywhere it travels.

use rusqlite::Connection;
use serde_json::Value;
use uuid::Uuid;

use crate::Palabre;
use crate::error::{Error, Invalid, Result};
use crate::sync::hlc::Hlc;
use crate::sync::schema::Entity;

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
        Entity::Attendance => {
            "SELECT coalesce(p.full_name, '?') || ' @ ' || coalesce(s.title, '?') FROM attendance a
               LEFT JOIN people p ON p.id = a.person_id LEFT JOIN sessions s ON s.id = a.session_id
              WHERE a.id = ?1"
        }
    };
    conn.query_row(sql, [row], |r| r.get::<_, Option<String>>(0)).ok().flatten().unwrap_or_default()
}

fn version(conn: &Connection, device: String, hlc: i64, value: String) -> Result<Version> {
    let hlc = Hlc(hlc);
    Ok(Version {
        value: serde_json::from_str(&value).unwrap_or(Value::Null),
        device_name: device_name(conn, &device)?,
        device_id: device,
        hlc,
        time: hlc.time().map(|t| t.to_rfc3339()).unwrap_or_default(),
    })
}

pub fn list(conn: &Connection) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare(
        "SELECT fc.entity, fc.row_id, fc.field, w.device_id, w.hlc, w.value, l.device_id, l.hlc, l.value
           FROM field_clock fc
           JOIN oplog w ON w.entity = fc.entity AND w.row_id = fc.row_id AND w.field = fc.field
                       AND w.hlc = fc.hlc AND w.device_id = fc.device_id
           JOIN oplog l ON l.entity = fc.entity AND l.row_id = fc.row_id AND l.field = fc.field
                       AND l.device_id <> fc.device_id AND l.value <> w.value
          WHERE w.prev_hlc IS NULL OR l.hlc > w.prev_hlc OR (l.hlc = w.prev_hlc AND l.device_id > w.prev_device)
          ORDER BY fc.entity, fc.row_id, fc.field, l.hlc, l.device_id",
    )?;
    type Row = (String, String, String, String, i64, String, String, i64, String);
    let rows = stmt
        .query_map([], |r| -> rusqlite::Result<Row> {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out: Vec<Conflict> = Vec::new();
    for (entity, row, field, w_dev, w_hlc, w_val, l_dev, l_hlc, l_val) in rows {
        let other = version(conn, l_dev, l_hlc, l_val)?;
        match out.last_mut() {
            Some(c)
                if c.entity.as_str() == entity
                    && c.row_id.to_string() == row
                    && c.field == field =>
            {
                c.others.push(other);
            }
            _ => {
                let entity = Entity::parse(&entity)
                    .ok_or_else(|| Error::BadOp { reason: "unknown entity".into() })?;
                out.push(Conflict {
                    entity,
                    row_id: row
                        .parse()
                        .map_err(|_| Error::BadOp { reason: "bad row id".into() })?,
                    label: label(conn, entity, &row),
                    field,
                    current: version(conn, w_dev, w_hlc, w_val)?,
                    others: vec![other],
                });
            }
        }
    }
    Ok(out)
}

impl Palabre {
    /// Fields edited concurrently on two devices and not resolved since.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        self.store().read(list)
    }

    /// Resolves a conflict by writing one of its values (the current one or another) again.
    pub fn resolve_conflict(
        &self,
        entity: Entity,
        row: Uuid,
        field: &str,
        value: &Value,
    ) -> Result<()> {
        let spec = entity.field(field).ok_or_else(|| Error::NotFound {
            entity: "conflict",
            id: format!("{}/{row}/{field}", entity.as_str()),
        })?;
        self.write_ops(|conn, w| {
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
}
