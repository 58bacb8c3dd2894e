//! Merge, unmerge and "not the same person", as rows of `person_links` written through the single
//! write path — so they travel in bundles like any edit — and the derived `people.merged_into`
//! that readers count through.
//!
//! A merge changes no attendance: the duplicate becomes an alias, and `relink` (run by the merge
//! of ops whenever a link or a linked person arrives) points it at its kept person. So an unmerge
//! restores every attendance exactly, and whatever order the link ops arrive in, every copy
//! computes the same aliases from the same links.

use std::collections::{BTreeMap, HashMap};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::error::{Invalid, Result};
use crate::journal::oplog::{OpWriter, field_spec};
use crate::journal::schema::{Entity, FieldKind};
use crate::journal::{Derived, DerivedBatch, RowChange};
use crate::model::ids::PersonId;
use crate::search;
use crate::store::bookkeeping::{self, Key};

/// Person fields a merge can take from the duplicate; a field's companions travel with it.
pub const TAKEABLE: &[(&str, &[&str])] = &[
    ("full_name", &[]),
    ("sex", &[]),
    ("birth_year", &["birth_year_estimated"]),
    ("role", &[]),
    ("stakeholder_group", &[]),
    ("community", &[]),
    ("phone", &[]),
    ("disability", &[]),
    ("consent", &["consent_date"]),
    ("notes", &[]),
];

/// Namespace of "distinct" decisions: one row per pair, whoever decides it.
const DISTINCT_NAMESPACE: Uuid = Uuid::from_u128(0x2b8e_51c4_7a0d_4f63_8e19_c3d5_a7f0_1b24);

fn distinct_id(a: PersonId, b: PersonId) -> Uuid {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    let mut name = [0u8; 32];
    name[..16].copy_from_slice(low.0.as_bytes());
    name[16..].copy_from_slice(high.0.as_bytes());
    Uuid::new_v5(&DISTINCT_NAMESPACE, &name)
}

/// A column of a synced row as the JSON value an op would carry.
fn column(conn: &Connection, entity: Entity, row: &str, field: &str) -> Result<Value> {
    let spec = field_spec(entity, field)?;
    let value: Option<SqlValue> = conn
        .prepare_cached(&format!("SELECT {field} FROM {} WHERE id = ?1", entity.table()))?
        .query_row([row], |r| r.get(0))
        .optional()?;
    Ok(match (spec.kind, value.unwrap_or(SqlValue::Null)) {
        (_, SqlValue::Null) => Value::Null,
        (FieldKind::Bool, SqlValue::Integer(n)) => Value::Bool(n != 0),
        (FieldKind::Json, SqlValue::Text(s)) => serde_json::from_str(&s).unwrap_or(Value::Null),
        (_, SqlValue::Integer(n)) => Value::from(n),
        (_, SqlValue::Text(s)) => Value::from(s),
        (_, SqlValue::Real(x)) => Value::from(x),
        (_, SqlValue::Blob(_)) => Value::Null,
    })
}

/// The fields named by `take`, with their companions, or an error naming the allowed ones.
pub fn expand_take(take: &[String]) -> Result<Vec<&'static str>, Invalid> {
    let mut fields = Vec::new();
    for name in take.iter().flat_map(|t| t.split(',')).map(str::trim).filter(|t| !t.is_empty()) {
        let name = if name == "group" { "stakeholder_group" } else { name };
        let Some((field, companions)) = TAKEABLE.iter().find(|(f, _)| *f == name) else {
            return Err(Invalid::UnknownCode {
                field: "field to take",
                value: name.to_string(),
                allowed: TAKEABLE.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "),
            });
        };
        for f in std::iter::once(field).chain(companions.iter()) {
            if !fields.contains(f) {
                fields.push(*f);
            }
        }
    }
    Ok(fields)
}

/// Who is deciding: the facilitator's name and this laptop's name.
pub fn decided_by(conn: &Connection) -> Result<String> {
    let facilitator = bookkeeping::get(conn, Key::Facilitator)?.unwrap_or_default();
    let device: String = conn.query_row("SELECT name FROM device", [], |r| r.get(0))?;
    Ok(if facilitator.trim().is_empty() {
        device
    } else {
        format!("{} ({device})", facilitator.trim())
    })
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Writes a merge: copies the chosen fields from the duplicate onto the kept person (recording
/// what they replaced) and the link row. Callers have checked both people. Returns the link's id
/// and the fields whose value was taken (those that differed).
pub fn merge(
    conn: &Connection,
    w: &mut OpWriter<'_>,
    keep: PersonId,
    duplicate: PersonId,
    fields: &[&'static str],
) -> Result<(Uuid, Vec<String>)> {
    let (keep_row, dup_row) = (keep.to_string(), duplicate.to_string());
    let mut taken = Map::new();
    for &field in fields {
        let before = column(conn, Entity::Person, &keep_row, field)?;
        let after = column(conn, Entity::Person, &dup_row, field)?;
        if before != after {
            w.set(Entity::Person, keep.0, field, after.clone())?;
            taken.insert(field.to_string(), json!({ "before": before, "after": after }));
        }
    }
    let id = Uuid::now_v7();
    let by = decided_by(conn)?;
    let fields_taken = taken.keys().cloned().collect();
    w.set_all(
        Entity::Link,
        id,
        vec![
            ("decision", "merge".into()),
            ("keep_id", keep_row.into()),
            ("duplicate_id", dup_row.into()),
            ("taken", Value::Object(taken)),
            ("decided_by", by.into()),
            ("decided_at", now().into()),
            ("undone", false.into()),
        ],
    )?;
    Ok((id, fields_taken))
}

/// The active merges whose duplicate is `duplicate`: (link id, keep id, taken).
pub fn active_merges_of(
    conn: &Connection,
    duplicate: PersonId,
) -> Result<Vec<(String, String, Value)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, keep_id, taken FROM person_links
          WHERE duplicate_id = ?1 AND decision = 'merge' AND coalesce(undone, 0) = 0
          ORDER BY decided_at, id",
    )?;
    let rows = stmt.query_map([duplicate.to_string()], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get::<_, Option<String>>(2)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, keep, taken) = row?;
        out.push((
            id,
            keep,
            taken.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(json!({})),
        ));
    }
    Ok(out)
}

/// Undoes the active merges of `duplicate`: marks them undone and puts back every field the
/// merge copied, unless it was edited since (those edits are kept and returned).
pub fn unmerge(
    conn: &Connection,
    w: &mut OpWriter<'_>,
    duplicate: PersonId,
) -> Result<Vec<String>> {
    let by = decided_by(conn)?;
    let mut kept_edits = Vec::new();
    for (id, keep, taken) in active_merges_of(conn, duplicate)? {
        let link: Uuid =
            id.parse().map_err(|_| crate::Error::BadOp { reason: "damaged link id".into() })?;
        let keep_id: Uuid =
            keep.parse().map_err(|_| crate::Error::BadOp { reason: "damaged link".into() })?;
        if let Value::Object(fields) = taken {
            for (field, change) in fields {
                let Ok(spec) = field_spec(Entity::Person, &field) else { continue };
                let name = spec.name;
                let current = column(conn, Entity::Person, &keep, name)?;
                if current == change["after"] {
                    w.set(Entity::Person, keep_id, name, change["before"].clone())?;
                } else {
                    kept_edits.push(name.to_string());
                }
            }
        }
        w.set_all(
            Entity::Link,
            link,
            vec![
                ("undone", true.into()),
                ("undone_by", by.clone().into()),
                ("undone_at", now().into()),
            ],
        )?;
    }
    Ok(kept_edits)
}

/// Records that two people are not the same person (one row per pair, whoever decides).
pub fn mark_distinct(
    conn: &Connection,
    w: &mut OpWriter<'_>,
    a: PersonId,
    b: PersonId,
) -> Result<()> {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    w.set_all(
        Entity::Link,
        distinct_id(a, b),
        vec![
            ("decision", "distinct".into()),
            ("keep_id", low.to_string().into()),
            ("duplicate_id", high.to_string().into()),
            ("taken", json!({})),
            ("decided_by", decided_by(conn)?.into()),
            ("decided_at", now().into()),
            ("undone", false.into()),
        ],
    )?;
    Ok(())
}

/// Pairs marked "not the same person", as (lower id, higher id).
pub fn distinct_pairs(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT keep_id, duplicate_id FROM person_links
          WHERE decision = 'distinct' AND coalesce(undone, 0) = 0
            AND keep_id IS NOT NULL AND duplicate_id IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows
        .map(|r| r.map(|(a, b)| if a < b { (a, b) } else { (b, a) }))
        .collect::<Result<Vec<_>, _>>()?)
}

/// The aliases of merged people as derived data: recomputed once, after a batch of writes, when
/// a link changed or a person that a link names has just arrived.
pub struct Aliases;

struct AliasesBatch {
    relink: bool,
    /// Whether any link exists at all (asked once per batch, when a person arrives).
    any_links: Option<bool>,
}

impl Derived for Aliases {
    fn batch(&self) -> Box<dyn DerivedBatch + '_> {
        Box::new(AliasesBatch { relink: false, any_links: None })
    }
}

impl DerivedBatch for AliasesBatch {
    fn row(&mut self, conn: &Connection, change: &RowChange<'_>) -> Result<()> {
        match change.entity {
            Entity::Link if !change.fields.is_empty() => self.relink = true,
            Entity::Person if change.arrived && !self.relink => {
                let any = match self.any_links {
                    Some(any) => any,
                    None => *self.any_links.insert(conn.query_row(
                        "SELECT EXISTS (SELECT 1 FROM person_links)",
                        [],
                        |r| r.get(0),
                    )?),
                };
                self.relink = any && is_linked(conn, change.row)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn finish(&mut self, conn: &Connection) -> Result<()> {
        if self.relink { relink(conn) } else { Ok(()) }
    }
}

/// Whether a person row is named by any link (so its arrival may change the aliases).
pub fn is_linked(conn: &Connection, person: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM person_links WHERE keep_id = ?1)
                 OR EXISTS (SELECT 1 FROM person_links WHERE duplicate_id = ?1)",
        )?
        .query_row([person], |r| r.get(0))?)
}

/// Recomputes `people.merged_into` from the links: active merges are taken in decision order
/// (decided_at, then id); a merge whose duplicate is already an alias, or that would close a
/// cycle (A into B on one laptop, B into A on another), is ignored; chains resolve to their end;
/// a person whose kept person has not arrived stays itself until it does. A pure function of the
/// links and of which people exist, so every copy computes the same aliases.
pub fn relink(conn: &Connection) -> Result<()> {
    let mut parent: HashMap<String, String> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT keep_id, duplicate_id FROM person_links
              WHERE decision = 'merge' AND coalesce(undone, 0) = 0
                AND keep_id IS NOT NULL AND duplicate_id IS NOT NULL
              ORDER BY decided_at, id",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (keep, dup) = row?;
            if keep == dup || parent.contains_key(&dup) {
                continue;
            }
            let mut root = keep.as_str();
            let mut cycle = false;
            while let Some(next) = parent.get(root) {
                if next == &dup {
                    cycle = true;
                    break;
                }
                root = next;
            }
            if !cycle && root != dup {
                parent.insert(dup, keep);
            }
        }
    }
    let exists = |id: &str| -> Result<bool> {
        Ok(conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM people WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?)
    };
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for dup in parent.keys() {
        let mut root = dup.as_str();
        while let Some(next) = parent.get(root) {
            root = next;
        }
        if exists(root)? {
            wanted.insert(dup.clone(), root.to_string());
        }
    }
    let current: BTreeMap<String, String> = conn
        .prepare_cached("SELECT id, merged_into FROM people WHERE merged_into IS NOT NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut changed: Vec<&String> = Vec::new();
    for (id, into) in &current {
        if wanted.get(id) != Some(into) {
            changed.push(id);
        }
    }
    for (id, into) in &wanted {
        if current.get(id) != Some(into) {
            changed.push(id);
        }
    }
    for id in changed {
        conn.prepare_cached("UPDATE people SET merged_into = ?2 WHERE id = ?1")?
            .execute(params![id, wanted.get(id)])?;
        search::reindex_person(conn, id)?;
    }
    Ok(())
}

/// One merge or "not the same person" decision, for the history.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub id: String,
    /// "merge" or "distinct".
    pub decision: String,
    pub keep_id: String,
    pub keep_name: String,
    pub duplicate_id: String,
    pub duplicate_name: String,
    /// Fields the merge took from the duplicate.
    pub taken: Vec<String>,
    pub decided_by: String,
    pub decided_at: String,
    pub undone: bool,
    pub undone_by: Option<String>,
    pub undone_at: Option<String>,
}

pub fn history(conn: &Connection) -> Result<Vec<Decision>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.id, l.decision, l.keep_id, coalesce(k.full_name, ''), l.duplicate_id,
                coalesce(d.full_name, ''), l.taken, coalesce(l.decided_by, ''),
                coalesce(l.decided_at, ''), coalesce(l.undone, 0), l.undone_by, l.undone_at
           FROM person_links l
           LEFT JOIN people k ON k.id = l.keep_id LEFT JOIN people d ON d.id = l.duplicate_id
          ORDER BY l.decided_at DESC, l.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let taken: Option<String> = r.get(6)?;
        let taken = taken
            .and_then(|t| serde_json::from_str::<Map<String, Value>>(&t).ok())
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        Ok(Decision {
            id: r.get(0)?,
            decision: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            keep_id: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            keep_name: r.get(3)?,
            duplicate_id: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
            duplicate_name: r.get(5)?,
            taken,
            decided_by: r.get(7)?,
            decided_at: r.get(8)?,
            undone: r.get(9)?,
            undone_by: r.get(10)?,
            undone_at: r.get(11)?,
        })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}
