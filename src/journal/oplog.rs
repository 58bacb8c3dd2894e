//! The single write path of synced tables. Every create, edit and delete goes through
//! `OpWriter::set`, which in the caller's transaction (1) appends an op with the next gap-free
//! op_seq of this device and a fresh HLC stamp, and (2) applies it with `apply`, the same function
//! that merges ops from other devices. Nothing else writes `sessions`, `people`, `attendance`,
//! `action_plans`, `action_items` or their clocks; so the synced tables are always exactly what
//! replaying the oplog produces (a property test checks it).

use std::collections::HashMap;

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::journal::clock::{CONTESTED, Owner, RowClock};
use crate::journal::derived::{Derived, DerivedBatch, RowChange};
use crate::journal::erasure;
use crate::journal::hlc::{Hlc, Stamp};
use crate::journal::schema::{Entity, FieldKind, FieldSpec};
use crate::model::ids::DeviceId;
use crate::store::bookkeeping::{self, Key};

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

/// Writes ops for this device inside one transaction. Create with `begin`, end with `finish`
/// (which persists the clock); dropping it without `finish` is only safe if the transaction is
/// rolled back, which is what `Store::write` does on error.
pub struct OpWriter<'c> {
    conn: &'c Connection,
    derived: &'c [&'c dyn Derived],
    device: DeviceId,
    clock: Hlc,
    next_seq: i64,
}

impl<'c> OpWriter<'c> {
    /// Starts writing this device's ops; `derived` is refreshed as each op is applied.
    pub fn begin(conn: &'c Connection, derived: &'c [&'c dyn Derived]) -> Result<Self> {
        let device: Option<String> =
            conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).optional()?;
        let device: DeviceId = device.ok_or(Error::NotInitialized)?.parse().map_err(|_| {
            Error::BadOp { reason: "the device id stored in this database is damaged".into() }
        })?;
        let clock = load_clock(conn)?;
        let last = own_last_seq(conn)?;
        // After a restore, numbers the lost changes had are never reused.
        let floor = bookkeeping::number(conn, Key::OpSeqFloor)?;
        Ok(OpWriter { conn, derived, device, clock, next_seq: last.max(floor) + 1 })
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
        let prev = field_owner(self.conn, entity, &row.to_string(), field)?;
        // A field no op has written yet is written even if the column already holds the value.
        if !force && prev.is_some() && current.as_ref() == Some(&wanted) {
            return Ok(false);
        }
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
        apply(self.conn, &op, self.derived)?;
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

/// The highest op_seq this database's own device has in its log (0 before `init` or any write).
pub fn own_last_seq(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "SELECT coalesce(max(op_seq), 0) FROM oplog WHERE device_id = (SELECT device_id FROM device)",
        )?
        .query_row([], |r| r.get(0))?)
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

const INSERT_OP: &str = "INSERT OR IGNORE INTO oplog
       (device_id, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// Appends an op to the oplog. Returns false when that (device, op_seq) is already there.
pub fn insert(conn: &Connection, op: &Op) -> Result<bool> {
    insert_with(&mut conn.prepare_cached(INSERT_OP)?, op)
}

fn insert_with(stmt: &mut rusqlite::CachedStatement<'_>, op: &Op) -> Result<bool> {
    let mut device = uuid::Uuid::encode_buffer();
    let mut row = uuid::Uuid::encode_buffer();
    let inserted = stmt.execute(params![
        op.device_id.0.hyphenated().encode_lower(&mut device) as &str,
        op.op_seq,
        op.hlc.0,
        op.entity.as_str(),
        op.row_id.hyphenated().encode_lower(&mut row) as &str,
        op.field,
        op.value.to_string(),
        op.prev_hlc.map(|h| h.0),
        op.prev_device.map(|d| d.to_string()),
    ])?;
    Ok(inserted == 1)
}

/// The row's field clocks (empty when the row does not exist yet).
pub fn row_clock(conn: &Connection, entity: Entity, row: &str) -> Result<RowClock> {
    let bytes: Option<Option<Vec<u8>>> = conn
        .prepare_cached(&format!("SELECT clocks FROM {} WHERE id = ?1", entity.table()))?
        .query_row([row], |r| r.get(0))
        .optional()?;
    Ok(RowClock::decode(bytes.flatten().as_deref(), entity.fields().len()))
}

/// The stamp that currently owns a field, if any op has written it.
pub fn field_owner(
    conn: &Connection,
    entity: Entity,
    row: &str,
    field: &str,
) -> Result<Option<Stamp>> {
    let index = entity.fields().iter().position(|f| f.name == field);
    Ok(index.and_then(|i| row_clock(conn, entity, row).ok()?.0[i]).map(|owner| owner.stamp))
}

/// Applies one op (see `apply_all`). Returns whether it won its field.
pub fn apply(conn: &Connection, op: &Op, derived: &[&dyn Derived]) -> Result<bool> {
    Ok(apply_all(conn, &[op], derived)? == 1)
}

/// Applies ops to the synced tables: per field, the op with the highest (hlc, device id) wins
/// (last writer wins), against the stamp already owning the field. Idempotent and
/// order-independent. Work is grouped by row — one read of the row's field clocks, one upsert of
/// the row, one call of each kind of `derived` data — which is what makes importing a million ops
/// fast. Returns how many ops won their field.
pub fn apply_all(conn: &Connection, ops: &[&Op], derived: &[&dyn Derived]) -> Result<usize> {
    let mut rows: HashMap<(Entity, Uuid), Vec<&Op>> = HashMap::new();
    for op in ops {
        field_spec(op.entity, &op.field)?;
        rows.entry((op.entity, op.row_id)).or_default().push(op);
    }
    let mut won = 0;
    let mut batches: Vec<Box<dyn DerivedBatch + '_>> = derived.iter().map(|d| d.batch()).collect();
    // Rows this batch erases: scrubbed, with their whole history, once every row is written.
    let mut newly_erased: HashMap<Entity, Vec<String>> = HashMap::new();
    // The upsert of each set of written fields, made once per batch (a person's 14 fields, its
    // name alone…): building the statement's text per row cost as much as running it.
    let mut upserts: HashMap<(Entity, u64), String> = HashMap::new();
    for ((entity, row_id), row_ops) in rows {
        let row = row_id.to_string();
        let specs = entity.fields();
        let (mut clock, was_erased, existed) = row_state(conn, entity, &row)?;
        let mut winners: Vec<(usize, &Op)> = Vec::new();
        for (index, spec) in specs.iter().enumerate() {
            let field_ops: Vec<&Op> =
                row_ops.iter().copied().filter(|op| op.field == spec.name).collect();
            let Some(best) = field_ops.iter().copied().max_by_key(|op| op.stamp()) else {
                continue;
            };
            let owner = clock.0[index];
            // Contested: two or more devices wrote this field. Keep each one's latest op.
            let mut writers: Vec<&Op> = Vec::new();
            for op in &field_ops {
                match writers.iter_mut().find(|w| w.device_id == op.device_id) {
                    Some(w) if w.stamp() < op.stamp() => *w = op,
                    Some(_) => {}
                    None => writers.push(op),
                }
            }
            let other_device = |d: DeviceId| owner.is_some_and(|o| o.stamp.device != d);
            let contested = owner.is_some_and(|o| o.contested())
                || writers.len() > 1
                || writers.iter().any(|w| other_device(w.device_id));
            if contested {
                let mut record = conn.prepare_cached(
                    "INSERT INTO contested (entity, row_id, field, device_id, hlc, op_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (entity, row_id, field, device_id)
                     DO UPDATE SET hlc = excluded.hlc, op_seq = excluded.op_seq WHERE excluded.hlc > contested.hlc",
                )?;
                let previous = owner.filter(|o| !o.contested()).map(|o| (o.stamp, o.op_seq));
                let entries = writers.iter().map(|w| (w.stamp(), w.op_seq)).chain(previous);
                for (stamp, op_seq) in entries {
                    record.execute(params![
                        entity.as_str(),
                        row,
                        spec.name,
                        stamp.device.to_string(),
                        stamp.hlc.0,
                        op_seq
                    ])?;
                }
            }
            let flags = if contested { CONTESTED } else { 0 };
            if owner.is_none_or(|o| best.stamp() > o.stamp) {
                clock.0[index] = Some(Owner { stamp: best.stamp(), op_seq: best.op_seq, flags });
                winners.push((index, best));
            } else if let Some(o) = clock.0[index].as_mut() {
                o.flags |= flags;
            }
        }
        won += winners.len();
        debug_assert!(specs.len() <= 64, "a field mask is 64 bits");
        let mask = winners.iter().fold(0u64, |m, (i, _)| m | 1 << i);
        let sql = upserts.entry((entity, mask)).or_insert_with(|| {
            let columns: Vec<&str> =
                winners.iter().map(|(i, _)| specs[*i].name).chain(["clocks"]).collect();
            format!(
                "INSERT INTO {table} (id, {cols}) VALUES (?1, {marks}) ON CONFLICT (id) DO UPDATE SET {sets}",
                table = entity.table(),
                cols = columns.join(", "),
                marks =
                    (2..columns.len() + 2).map(|i| format!("?{i}")).collect::<Vec<_>>().join(", "),
                sets = columns
                    .iter()
                    .map(|c| format!("{c} = excluded.{c}"))
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        });
        let mut values: Vec<SqlValue> = Vec::with_capacity(winners.len() + 2);
        values.push(SqlValue::Text(row.clone()));
        for (index, op) in &winners {
            values.push(to_sql(specs[*index], &op.value)?);
        }
        values.push(SqlValue::Blob(clock.encode()));
        conn.prepare_cached(sql)?.execute(rusqlite::params_from_iter(values))?;
        let fields: Vec<&'static str> = winners.iter().map(|(i, _)| specs[*i].name).collect();
        // Only erased rows, and rows of entities that are about another row (merge decisions),
        // pay for this: an ordinary import reads nothing more.
        let personal = |op: &&&Op| entity.field(&op.field).is_some_and(|f| f.personal);
        let about_erased = || -> Result<bool> {
            Ok(!entity.subjects().is_empty()
                && row_ops.iter().any(|op| personal(&op))
                && erasure::is_about_erased(conn, entity, &row)?)
        };
        if was_erased || about_erased()? {
            // Ops that arrive for an erased row keep their place in the log, not their value.
            let arrivals: Vec<(DeviceId, i64)> =
                row_ops.iter().filter(personal).map(|op| (op.device_id, op.op_seq)).collect();
            erasure::blank_arrivals(conn, entity, &row, &arrivals)?;
        } else if entity.erasure().is_some_and(|f| fields.contains(&f)) {
            newly_erased.entry(entity).or_default().push(row.clone());
        }
        let linked = link_attendance(conn, entity, &row, existed, &fields)?;
        let change = RowChange { entity, row: &row, fields: &fields, arrived: !existed, linked };
        for batch in &mut batches {
            batch.row(conn, &change)?;
        }
    }
    for (entity, rows) in &newly_erased {
        erasure::scrub(conn, *entity, rows)?;
        erasure::mark_copies_to_scrub(conn)?;
    }
    for batch in &mut batches {
        batch.finish(conn)?;
    }
    Ok(won)
}

/// The row's field clocks, whether it is erased and whether it is in its table, in one read.
fn row_state(conn: &Connection, entity: Entity, row: &str) -> Result<(RowClock, bool, bool)> {
    let erased = entity.erasure().map_or("0".to_string(), |f| format!("coalesce({f}, 0)"));
    let found: Option<(Option<Vec<u8>>, bool)> = conn
        .prepare_cached(&format!("SELECT clocks, {erased} FROM {} WHERE id = ?1", entity.table()))?
        .query_row([row], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let present = found.is_some();
    let (bytes, erased) = found.unwrap_or((None, false));
    Ok((RowClock::decode(bytes.as_deref(), entity.fields().len()), erased, present))
}

/// Keeps attendance's derived `session_num`/`person_num` (the parents' local integer keys) in
/// step: when an attendance names its parents, and when a parent row first arrives. Returns
/// whether an arriving parent completed attendance rows that were waiting for it.
fn link_attendance(
    conn: &Connection,
    entity: Entity,
    row: &str,
    existed: bool,
    written: &[&str],
) -> Result<bool> {
    let sql = match entity {
        Entity::Session if !existed => {
            "UPDATE attendance SET session_num = (SELECT num FROM sessions WHERE id = ?1) WHERE session_id = ?1"
        }
        Entity::Person if !existed => {
            "UPDATE attendance SET person_num = (SELECT num FROM people WHERE id = ?1) WHERE person_id = ?1"
        }
        Entity::Attendance if written.iter().any(|f| *f == "session_id" || *f == "person_id") => {
            "UPDATE attendance SET session_num = (SELECT num FROM sessions WHERE id = attendance.session_id),
                                   person_num = (SELECT num FROM people WHERE id = attendance.person_id)
              WHERE id = ?1"
        }
        _ => return Ok(false),
    };
    let changed = conn.prepare_cached(sql)?.execute([row])?;
    Ok(changed > 0 && entity != Entity::Attendance)
}

/// Merges ops (from this or any device) into the database: stores each new op and applies the
/// new ones. Ops already present are skipped, so merging is idempotent. The local clock observes
/// every stamp so that later local writes win over what was merged.
pub fn merge(conn: &Connection, ops: &[Op], derived: &[&dyn Derived]) -> Result<usize> {
    let mut clock = load_clock(conn)?;
    let mut fresh = Vec::with_capacity(ops.len());
    let mut stmt = conn.prepare_cached(INSERT_OP)?;
    for op in ops {
        if insert_with(&mut stmt, op)? {
            fresh.push(op);
        }
        clock = clock.observe(op.hlc);
    }
    drop(stmt);
    apply_all(conn, &fresh, derived)?;
    save_clock(conn, clock)?;
    Ok(fresh.len())
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

/// One op by its (device, op_seq).
pub fn one(conn: &Connection, device: &str, op_seq: i64) -> Result<Option<Op>> {
    let mut stmt = conn.prepare_cached(
        "SELECT device_id, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device
           FROM oplog WHERE device_id = ?1 AND op_seq = ?2",
    )?;
    Ok(read_ops(&mut stmt, params![device, op_seq])?.pop())
}

fn read_ops(stmt: &mut rusqlite::Statement<'_>, params: impl rusqlite::Params) -> Result<Vec<Op>> {
    let rows = stmt.query_map(params, |r| -> rusqlite::Result<Stored> {
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
    rows.map(|row| decode(row?)).collect()
}

type Stored = (String, i64, i64, String, String, String, String, Option<i64>, Option<String>);

fn decode(row: Stored) -> Result<Op> {
    let damaged = |what: &str| Error::BadOp { reason: format!("the oplog holds a damaged {what}") };
    let (device, op_seq, hlc, entity, row_id, field, value, prev_hlc, prev_device) = row;
    Ok(Op {
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
    })
}

/// An op from the oplog's columns, in the table's order, as another copy of the journal (HQ's
/// shared server) hands them back.
pub fn from_columns(columns: &[SqlValue]) -> Result<Op> {
    let damaged = || Error::BadOp { reason: "a stored op has the wrong columns".into() };
    let text = |i: usize| match columns.get(i) {
        Some(SqlValue::Text(s)) => Ok(s.clone()),
        _ => Err(damaged()),
    };
    let int = |i: usize| match columns.get(i) {
        Some(SqlValue::Integer(n)) => Ok(*n),
        _ => Err(damaged()),
    };
    let optional = |i: usize| matches!(columns.get(i), Some(SqlValue::Null) | None);
    decode((
        text(0)?,
        int(1)?,
        int(2)?,
        text(3)?,
        text(4)?,
        text(5)?,
        text(6)?,
        if optional(7) { None } else { Some(int(7)?) },
        if optional(8) { None } else { Some(text(8)?) },
    ))
}

fn load_clock(conn: &Connection) -> Result<Hlc> {
    Ok(Hlc(bookkeeping::number(conn, Key::Hlc)?))
}

fn save_clock(conn: &Connection, clock: Hlc) -> Result<()> {
    bookkeeping::put(conn, Key::Hlc, &clock.0.to_string())
}
