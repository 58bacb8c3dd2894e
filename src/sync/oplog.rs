//! The single write path of synced tables. Every create, edit and delete goes through
//! `OpWriter::set`, which in the caller's transaction (1) appends an op with the next gap-free
//! op_seq of this device and a fresh HLC stamp, and (2) applies it with `apply`, the same function
//! that merges ops from other devices. Nothing else writes `sessions`, `people`, `attendance`,
//! `action_plans`, `action_items` or `field_clock`; so the synced tables are always exactly what
//! replaying the oplog produces (a property test checks it).

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::model::ids::DeviceId;
use crate::search;
use crate::sync::hlc::{Hlc, Stamp};
use crate::sync::schema::{Entity, FieldKind, FieldSpec};

/// One field write: the unit of sync. In bundles, one JSON object per line of ops.jsonl; unknown
/// keys are refused.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Op {
    pub device_id: DeviceId,
    pub op_seq: i64,
    pub hlc: Hlc,
    pub entity: Entity,
    pub row_id: Uuid,
    pub field: String,
    pub value: Value,
    /// The stamp that owned the field when this op was written: what its author had seen.
    #[serde(default)]
    pub prev_hlc: Option<Hlc>,
    #[serde(default)]
    pub prev_device: Option<DeviceId>,
}

impl Op {
    pub fn stamp(&self) -> Stamp {
        Stamp { hlc: self.hlc, device: self.device_id }
    }

    pub fn prev(&self) -> Option<Stamp> {
        Some(Stamp { hlc: self.prev_hlc?, device: self.prev_device? })
    }
}

const CLOCK_KEY: &str = "hlc";

/// Writes ops for this device inside one transaction. Create with `begin`, end with `finish`
/// (which persists the clock); dropping it without `finish` is only safe if the transaction is
/// rolled back, which is what `Store::write` does on error.
pub struct OpWriter<'c> {
    conn: &'c Connection,
    device: DeviceId,
    clock: Hlc,
    next_seq: i64,
}

impl<'c> OpWriter<'c> {
    pub fn begin(conn: &'c Connection) -> Result<Self> {
        let device: Option<String> =
            conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).optional()?;
        let device: DeviceId = device.ok_or(Error::NotInitialized)?.parse().map_err(|_| {
            Error::BadOp { reason: "the device id stored in this database is damaged".into() }
        })?;
        let clock = load_clock(conn)?;
        let last: i64 = conn.query_row(
            "SELECT coalesce(max(op_seq), 0) FROM oplog WHERE device_id = ?1",
            [device.to_string()],
            |r| r.get(0),
        )?;
        Ok(OpWriter { conn, device, clock, next_seq: last + 1 })
    }

    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// Writes one field of a row, unless the row already holds that value. Returns whether an
    /// op was written.
    pub fn set(
        &mut self,
        entity: Entity,
        row: Uuid,
        field: &'static str,
        value: Value,
    ) -> Result<bool> {
        self.write(entity, row, field, value, false)
    }

    /// Writes one field even if it already holds the value: resolving a conflict in favour of
    /// the current value is still a decision that other copies must learn.
    pub fn set_forced(
        &mut self,
        entity: Entity,
        row: Uuid,
        field: &'static str,
        value: Value,
    ) -> Result<()> {
        self.write(entity, row, field, value, true).map(drop)
    }

    fn write(
        &mut self,
        entity: Entity,
        row: Uuid,
        field: &'static str,
        value: Value,
        force: bool,
    ) -> Result<bool> {
        let spec = field_spec(entity, field)?;
        let wanted = to_sql(spec, &value)?;
        let current: Option<SqlValue> = self
            .conn
            .prepare_cached(&format!("SELECT {field} FROM {} WHERE id = ?1", entity.table()))?
            .query_row([row.to_string()], |r| r.get(0))
            .optional()?;
        if !force && current.as_ref() == Some(&wanted) {
            return Ok(false);
        }
        let prev = field_owner(self.conn, entity, &row.to_string(), field)?;
        self.clock = self.clock.tick(Hlc::now_ms());
        let op = Op {
            device_id: self.device,
            op_seq: self.next_seq,
            hlc: self.clock,
            entity,
            row_id: row,
            field: field.to_string(),
            value,
            prev_hlc: prev.map(|p| p.hlc),
            prev_device: prev.map(|p| p.device),
        };
        insert(self.conn, &op)?;
        apply(self.conn, &op)?;
        self.next_seq += 1;
        Ok(true)
    }

    /// Writes several fields of one row; returns how many ops were written.
    pub fn set_all(
        &mut self,
        entity: Entity,
        row: Uuid,
        changes: Vec<(&'static str, Value)>,
    ) -> Result<usize> {
        let mut written = 0;
        for (field, value) in changes {
            written += usize::from(self.set(entity, row, field, value)?);
        }
        Ok(written)
    }

    pub fn finish(self) -> Result<()> {
        save_clock(self.conn, self.clock)
    }
}

pub fn field_spec(entity: Entity, field: &str) -> Result<FieldSpec> {
    entity.field(field).ok_or_else(|| Error::BadOp {
        reason: format!("'{field}' is not a field of {}", entity.as_str()),
    })
}

/// Converts an op's JSON value to the column's SQL value, refusing values of the wrong type.
pub fn to_sql(spec: FieldSpec, value: &Value) -> Result<SqlValue> {
    let wrong = || Error::BadOp { reason: format!("field '{}' cannot hold {value}", spec.name) };
    Ok(match (spec.kind, value) {
        (_, Value::Null) => SqlValue::Null,
        (FieldKind::Text, Value::String(s)) => SqlValue::Text(s.clone()),
        (FieldKind::Int, Value::Number(n)) => SqlValue::Integer(n.as_i64().ok_or_else(wrong)?),
        (FieldKind::Bool, Value::Bool(b)) => SqlValue::Integer(i64::from(*b)),
        (FieldKind::Json, v @ (Value::Array(_) | Value::Object(_))) => {
            SqlValue::Text(v.to_string())
        }
        _ => return Err(wrong()),
    })
}

/// Appends an op to the oplog. Returns false when that (device, op_seq) is already there.
pub fn insert(conn: &Connection, op: &Op) -> Result<bool> {
    let inserted = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO oplog
               (device_id, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            op.device_id.to_string(),
            op.op_seq,
            op.hlc.0,
            op.entity.as_str(),
            op.row_id.to_string(),
            op.field,
            op.value.to_string(),
            op.prev_hlc.map(|h| h.0),
            op.prev_device.map(|d| d.to_string()),
        ])?;
    Ok(inserted == 1)
}

/// The stamp that currently owns a field, if any op has written it.
pub fn field_owner(
    conn: &Connection,
    entity: Entity,
    row: &str,
    field: &str,
) -> Result<Option<Stamp>> {
    let owner: Option<(i64, String)> = conn
        .prepare_cached("SELECT hlc, device_id FROM field_clock WHERE entity = ?1 AND row_id = ?2 AND field = ?3")?
        .query_row(params![entity.as_str(), row, field], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    owner
        .map(|(hlc, device)| {
            let device = device.parse().map_err(|_| Error::BadOp {
                reason: "a field clock holds a damaged device id".into(),
            })?;
            Ok(Stamp { hlc: Hlc(hlc), device })
        })
        .transpose()
}

/// Applies an op to the synced tables if it beats the stamp that owns the field (last writer
/// wins, by (hlc, device id)). Idempotent and order-independent. Returns whether it won.
pub fn apply(conn: &Connection, op: &Op) -> Result<bool> {
    let spec = field_spec(op.entity, &op.field)?;
    let value = to_sql(spec, &op.value)?;
    let row = op.row_id.to_string();
    let device = op.device_id.to_string();
    let owner: Option<(i64, String)> = conn
        .prepare_cached("SELECT hlc, device_id FROM field_clock WHERE entity = ?1 AND row_id = ?2 AND field = ?3")?
        .query_row(params![op.entity.as_str(), row, op.field], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some(owner) = owner
        && owner >= (op.hlc.0, device.clone())
    {
        return Ok(false);
    }
    conn.prepare_cached(
        "INSERT INTO field_clock (entity, row_id, field, hlc, device_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (entity, row_id, field) DO UPDATE SET hlc = excluded.hlc, device_id = excluded.device_id",
    )?
    .execute(params![op.entity.as_str(), row, op.field, op.hlc.0, device])?;
    let table = op.entity.table();
    conn.prepare_cached(&format!(
        "INSERT INTO {table} (id) VALUES (?1) ON CONFLICT (id) DO NOTHING"
    ))?
    .execute([&row])?;
    conn.prepare_cached(&format!("UPDATE {table} SET {} = ?1 WHERE id = ?2", spec.name))?
        .execute(params![value, row])?;
    if op.entity == Entity::Person && search::INDEXED_FIELDS.contains(&spec.name) {
        search::reindex_person(conn, &row)?;
    }
    Ok(true)
}

/// Merges ops (from this or any device) into the database: stores each new op and applies it.
/// Ops already present are skipped, so merging is idempotent. The local clock observes every
/// stamp so that later local writes win over what was merged.
pub fn merge(conn: &Connection, ops: &[Op]) -> Result<usize> {
    let mut clock = load_clock(conn)?;
    let mut added = 0;
    for op in ops {
        if insert(conn, op)? {
            apply(conn, op)?;
            added += 1;
        }
        clock = clock.observe(op.hlc);
    }
    save_clock(conn, clock)?;
    Ok(added)
}

/// Every op in the log, in (device, op_seq) order.
pub fn all(conn: &Connection) -> Result<Vec<Op>> {
    let mut stmt = conn.prepare(
        "SELECT device_id, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device
           FROM oplog ORDER BY device_id, op_seq",
    )?;
    read_ops(&mut stmt, [])
}

/// The ops of one device with op_seq in `from..=to`, in op_seq order.
pub fn of_device(conn: &Connection, device: DeviceId, from: i64, to: i64) -> Result<Vec<Op>> {
    let mut stmt = conn.prepare_cached(
        "SELECT device_id, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device
           FROM oplog WHERE device_id = ?1 AND op_seq BETWEEN ?2 AND ?3 ORDER BY op_seq",
    )?;
    read_ops(&mut stmt, params![device.to_string(), from, to])
}

fn read_ops(stmt: &mut rusqlite::Statement<'_>, params: impl rusqlite::Params) -> Result<Vec<Op>> {
    type Row = (String, i64, i64, String, String, String, String, Option<i64>, Option<String>);
    let rows = stmt.query_map(params, |r| -> rusqlite::Result<Row> {
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
    })?;
    let damaged = |what: &str| Error::BadOp { reason: format!("the oplog holds a damaged {what}") };
    let mut ops = Vec::new();
    for row in rows {
        let (device, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device) = row?;
        ops.push(Op {
            device_id: device.parse().map_err(|_| damaged("device id"))?,
            op_seq,
            hlc: Hlc(hlc),
            entity: Entity::parse(&entity).ok_or_else(|| damaged("entity"))?,
            row_id: row_id.parse().map_err(|_| damaged("row id"))?,
            field,
            value: serde_json::from_str(&value).map_err(|_| damaged("value"))?,
            prev_hlc: prev_hlc.map(Hlc),
            prev_device: prev_device
                .map(|d| d.parse())
                .transpose()
                .map_err(|_| damaged("device id"))?,
        });
    }
    Ok(ops)
}

fn load_clock(conn: &Connection) -> Result<Hlc> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([CLOCK_KEY], |r| r.get(0))
        .optional()?;
    Ok(Hlc(stored.and_then(|s| s.parse().ok()).unwrap_or(0)))
}

fn save_clock(conn: &Connection, clock: Hlc) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![CLOCK_KEY, clock.0.to_string()])?;
    Ok(())
}
