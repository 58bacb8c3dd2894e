//! Erasure: a row erased at its subject's request keeps what the counts need and loses its
//! personal data everywhere the journal holds it — the row, the values of every op in the log
//! that ever wrote those fields, the conflicts about them, and the same for rows *about* it (a
//! merge decision holds both people's values). The erasure is itself an op (`erased = true`), so
//! it travels like any change; every copy that applies it does the same scrub, and an op that
//! arrives later for an erased row is blanked as it is stored.
//!
//! Which fields are personal, which field erases, and which rows are about which is the schema's
//! word (`FieldSpec::personal`, `Entity::erasure`, `Entity::subjects`); this module knows no
//! entity by name. Blanked values are JSON null: an op keeps its device, number, stamp and field,
//! so the numbering stays gap-free and an erased history is not a fork (see [`is_blanking`]).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use crate::error::Result;
use crate::journal::oplog::Op;
use crate::journal::schema::Entity;
use crate::model::ids::DeviceId;
use crate::store::bookkeeping::{self, Key};

/// Whether `row` of `entity` is erased (false for entities that cannot be erased).
pub fn is_erased(conn: &Connection, entity: Entity, row: &str) -> Result<bool> {
    let Some(field) = entity.erasure() else { return Ok(false) };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT coalesce({field}, 0) FROM {} WHERE id = ?1",
            entity.table()
        ))?
        .query_row([row], |r| r.get::<_, bool>(0))
        .optional()?
        .unwrap_or(false))
}

/// Whether a row is about an erased row (through one of its entity's `subjects`).
pub fn is_about_erased(conn: &Connection, entity: Entity, row: &str) -> Result<bool> {
    for (field, target) in entity.subjects() {
        let Some(erased) = target.erasure() else { continue };
        let sql = format!(
            "SELECT 1 FROM {table} s JOIN {target} t ON t.id = s.{field}
              WHERE s.id = ?1 AND coalesce(t.{erased}, 0) = 1",
            table = entity.table(),
            target = target.table(),
        );
        if conn.prepare_cached(&sql)?.exists([row])? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The rows to scrub when `rows` of `entity` are erased: themselves, and the rows about them.
fn with_rows_about(
    conn: &Connection,
    entity: Entity,
    rows: &[String],
) -> Result<Vec<(Entity, Vec<String>)>> {
    let ids = serde_json::to_string(rows).unwrap_or_default();
    let mut out = vec![(entity, rows.to_vec())];
    for other in Entity::ALL {
        let about: Vec<&str> =
            other.subjects().iter().filter(|(_, t)| *t == entity).map(|(f, _)| *f).collect();
        if about.is_empty() || !table_exists(conn, other.table())? {
            continue;
        }
        let condition = about
            .iter()
            .map(|f| format!("{f} IN (SELECT value FROM json_each(?1))"))
            .collect::<Vec<_>>()
            .join(" OR ");
        let mut stmt =
            conn.prepare(&format!("SELECT id FROM {} WHERE {condition}", other.table()))?;
        let found: Vec<String> =
            stmt.query_map([&ids], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        if !found.is_empty() {
            out.push((*other, found));
        }
    }
    Ok(out)
}

fn table_exists(conn: &Connection, table: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
        .exists([table])?)
}

/// Blanks the personal data of `rows` of `entity` and of the rows about them, in the tables, in
/// every op that wrote it and in the conflicts about it. Works on any Palabre database with the
/// tables (a backup made by an older version too); does not touch derived data.
pub fn scrub(conn: &Connection, entity: Entity, rows: &[String]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    for (entity, rows) in with_rows_about(conn, entity, rows)? {
        let personal: Vec<&str> = entity.personal_fields().collect();
        if personal.is_empty() {
            continue;
        }
        let ids = serde_json::to_string(&rows).unwrap_or_default();
        let fields = serde_json::to_string(&personal).unwrap_or_default();
        let blank = blank_all(&personal);
        conn.execute(
            &format!(
                "UPDATE {} SET {blank} WHERE id IN (SELECT value FROM json_each(?1))",
                entity.table()
            ),
            [&ids],
        )?;
        conn.execute(
            "UPDATE oplog SET value = 'null'
              WHERE entity = ?1 AND value <> 'null'
                AND row_id IN (SELECT value FROM json_each(?2))
                AND field IN (SELECT value FROM json_each(?3))",
            params![entity.as_str(), ids, fields],
        )?;
        conn.execute(
            "DELETE FROM contested
              WHERE entity = ?1 AND row_id IN (SELECT value FROM json_each(?2))
                AND field IN (SELECT value FROM json_each(?3))",
            params![entity.as_str(), ids, fields],
        )?;
    }
    Ok(())
}

/// Blanks one row's personal fields and the given ops of the log (ops just merged for a row
/// that was already erased, or about one).
pub(crate) fn blank_arrivals(
    conn: &Connection,
    entity: Entity,
    row: &str,
    ops: &[(DeviceId, i64)],
) -> Result<()> {
    let personal: Vec<&str> = entity.personal_fields().collect();
    if personal.is_empty() {
        return Ok(());
    }
    let blank = blank_all(&personal);
    conn.prepare_cached(&format!("UPDATE {} SET {blank} WHERE id = ?1", entity.table()))?
        .execute([row])?;
    let mut stmt = conn
        .prepare_cached("UPDATE oplog SET value = 'null' WHERE device_id = ?1 AND op_seq = ?2")?;
    let mut contested = conn
        .prepare_cached("DELETE FROM contested WHERE entity = ?1 AND row_id = ?2 AND field = ?3")?;
    for (device, seq) in ops {
        stmt.execute(params![device.to_string(), seq])?;
    }
    for field in personal {
        contested.execute(params![entity.as_str(), row, field])?;
    }
    Ok(())
}

/// The SET clause that blanks `fields`.
fn blank_all(fields: &[&str]) -> String {
    fields.iter().map(|f| format!("{f} = NULL")).collect::<Vec<_>>().join(", ")
}

/// Records that copies outside the live tables still hold erased data (see `Key::ScrubCopies`).
pub(crate) fn mark_copies_to_scrub(conn: &Connection) -> Result<()> {
    bookkeeping::put(conn, Key::ScrubCopies, "1")
}

/// Whether an erasure is waiting for the copies outside the live tables to be scrubbed.
pub fn copies_to_scrub(conn: &Connection) -> Result<bool> {
    Ok(bookkeeping::number(conn, Key::ScrubCopies)? == 1)
}

/// The copies are scrubbed.
pub fn copies_scrubbed(conn: &Connection) -> Result<()> {
    bookkeeping::put(conn, Key::ScrubCopies, "0")
}

/// The ids of every erased row of `entity`.
pub fn erased_rows(conn: &Connection, entity: Entity) -> Result<Vec<String>> {
    let Some(field) = entity.erasure() else { return Ok(Vec::new()) };
    let mut stmt = conn.prepare(&format!("SELECT id FROM {} WHERE {field} = 1", entity.table()))?;
    let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Whether `incoming` is `stored` with its personal value blanked by an erasure, or the
/// reverse: the same op (device, number, stamp, row, field) on both sides, one of them scrubbed.
/// An import compares ops it already has with the ones a bundle brings; such a pair is the same
/// op, not a fork.
pub fn is_blanking(stored: &Op, incoming: &Op) -> bool {
    let personal = stored.entity.field(&stored.field).is_some_and(|f| f.personal);
    personal
        && (stored.value == Value::Null || incoming.value == Value::Null)
        && Op { value: Value::Null, ..stored.clone() }
            == Op { value: Value::Null, ..incoming.clone() }
}
