//! HQ's way down to the field: registry bundles (the people of a laptop's area, and the open
//! action plans there), lost laptops, and restore bundles for the laptop that replaces one. The
//! file format and what a laptop does with it are `exchange::downlink`'s; what goes in is
//! decided here.
//!
//! What a registry carries, for a scope of places (and optionally stakeholder groups):
//! - the people who attended a live session held there (of those groups), and the people a
//!   merge decision links to them: every field except their notes;
//! - the merge decisions between them (so a duplicate merged at HQ is merged on the laptop), and
//!   an erasure as it stands at HQ (the person erased there is erased on the laptop);
//! - the open action plans of sessions held there, their items and those sessions' records
//!   (title, dates, place — not their attendance).
//!
//! A restore adds, for the laptop it replaces, every row that laptop wrote (sessions, people,
//! attendance, plans, items; all fields, notes included: they were hers), the attendance of her
//! sessions and the people in it. Each field goes down as the op that owns it at HQ, so nothing
//! is copied under a new identity: HQ counts every person and session once.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, params};

use crate::Palabre;
use crate::device::normalize_fingerprint;
use crate::error::{Error, Invalid, Result};
use crate::exchange::documents;
use crate::exchange::downlink::{self, Counts, Kind, Manifest, NamedDevice, Scope};
use crate::exchange::seal;
use crate::files::{file_safe, write_atomically};
use crate::hq::keys;
use crate::journal::oplog::{self, Op};
use crate::journal::schema::Entity;
use crate::model::codes::Group;
use crate::store::bookkeeping::{self, Key};

/// A registry or restore file written by HQ.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DownlinkWritten {
    pub path: PathBuf,
    pub kind: Kind,
    pub serial: i64,
    pub for_device: NamedDevice,
    pub replaces: Option<NamedDevice>,
    pub scope: Scope,
    pub counts: Counts,
    pub ops: usize,
    pub bytes: usize,
}

/// A laptop HQ declared lost.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LostMarked {
    pub name: String,
    pub fingerprint: String,
    pub lost_at: String,
    /// False when it was already marked lost (the first date is kept).
    pub newly: bool,
}

/// A device known here, found by its fingerprint (as read by phone) or its exact name.
pub(crate) struct Known {
    pub id: String,
    pub name: String,
    pub fingerprint: String,
    pub public_key: Vec<u8>,
    pub trusted: bool,
    pub lost_at: Option<String>,
}

impl Known {
    fn named(&self) -> Result<NamedDevice> {
        Ok(NamedDevice {
            id: self.id.parse().map_err(|_| Error::BadOp {
                reason: "a device id stored here is damaged".into(),
            })?,
            name: self.name.clone(),
            fingerprint: self.fingerprint.clone(),
        })
    }
}

pub(crate) fn find_device(conn: &Connection, wanted: &str) -> Result<Known> {
    let fingerprint = normalize_fingerprint(wanted);
    let found: Vec<Known> = conn
        .prepare(
            "SELECT device_id, name, fingerprint, public_key, trusted, lost_at FROM devices
              WHERE fingerprint = ?1 OR name = ?2 ORDER BY fingerprint = ?1 DESC",
        )?
        .query_map(params![fingerprint, wanted.trim()], |r| {
            Ok(Known {
                id: r.get(0)?,
                name: r.get(1)?,
                fingerprint: r.get(2)?,
                public_key: r.get(3)?,
                trusted: r.get(4)?,
                lost_at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let by_fingerprint = found.iter().filter(|k| Some(&k.fingerprint) == fingerprint.as_ref());
    if by_fingerprint.count() == 1 || found.len() == 1 {
        return Ok(found.into_iter().next().expect("one found"));
    }
    if found.len() > 1 {
        return Err(Invalid::UnknownCode {
            field: "device",
            value: wanted.to_string(),
            allowed: "its fingerprint: several laptops have this name (see `palabre device list`)"
                .into(),
        }
        .into());
    }
    // A facilitator's name: the one laptop whose newest session names her.
    let ids = strings(conn, "SELECT device_id FROM devices WHERE lost_at IS NULL", [])?;
    let mut hers = Vec::new();
    for id in ids {
        let facilitator = crate::exchange::devices::facilitator(conn, &id)?;
        if facilitator.is_some_and(|f| f.trim().eq_ignore_ascii_case(wanted.trim())) {
            hers.push(id);
        }
    }
    match hers.as_slice() {
        [one] => {
            let fingerprint: String = conn.query_row(
                "SELECT fingerprint FROM devices WHERE device_id = ?1",
                [one],
                |r| r.get(0),
            )?;
            find_device(conn, &fingerprint)
        }
        [] => Err(Error::NotFound { entity: "device", id: wanted.to_string() }),
        _ => Err(Invalid::UnknownCode {
            field: "device",
            value: wanted.to_string(),
            allowed: "a laptop's fingerprint: this facilitator works on several laptops".into(),
        }
        .into()),
    }
}

/// The scope as given, trimmed, with its group codes checked.
fn checked(scope: &Scope) -> Result<Scope> {
    let clean = |list: &[String]| -> Vec<String> {
        let set: BTreeSet<String> =
            list.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        set.into_iter().collect()
    };
    let groups = clean(&scope.groups)
        .into_iter()
        .map(|g| Group::parse(&g).map(|group| group.as_str().to_string()))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Scope {
        regions: clean(&scope.regions),
        cercles: clean(&scope.cercles),
        communes: clean(&scope.communes),
        groups,
    })
}

/// The rows a file carries, by entity; `private`: the rows whose every field goes (a restore's
/// own rows), the others go without their notes.
#[derive(Default)]
struct Selection {
    people: BTreeSet<String>,
    sessions: BTreeSet<String>,
    attendance: BTreeSet<String>,
    plans: BTreeSet<String>,
    items: BTreeSet<String>,
    links: BTreeSet<String>,
    private: HashSet<String>,
}

fn strings(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A temporary table of the scope's places, lowercased, for the queries below.
fn load_places(conn: &Connection, scope: &Scope) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS scope_places (level TEXT NOT NULL, name TEXT NOT NULL);
         DELETE FROM scope_places;
         CREATE TEMP TABLE IF NOT EXISTS scope_groups (code TEXT NOT NULL);
         DELETE FROM scope_groups;",
    )?;
    let mut insert =
        conn.prepare("INSERT INTO scope_places (level, name) VALUES (?1, lower(?2))")?;
    for (level, names) in
        [("region", &scope.regions), ("cercle", &scope.cercles), ("commune", &scope.communes)]
    {
        for name in names {
            insert.execute(params![level, name])?;
        }
    }
    let mut group = conn.prepare("INSERT INTO scope_groups (code) VALUES (?1)")?;
    for code in &scope.groups {
        group.execute([code])?;
    }
    Ok(())
}

/// Sessions held in the scope's places (live ones).
const IN_PLACES: &str = "coalesce(s.deleted, 0) = 0 AND (
       lower(trim(coalesce(s.region, ''))) IN (SELECT name FROM scope_places WHERE level = 'region')
    OR lower(trim(coalesce(s.cercle, ''))) IN (SELECT name FROM scope_places WHERE level = 'cercle')
    OR lower(trim(coalesce(s.commune, ''))) IN (SELECT name FROM scope_places WHERE level = 'commune'))";

fn select_registry(conn: &Connection, scope: &Scope, into: &mut Selection) -> Result<()> {
    load_places(conn, scope)?;
    let groups = if scope.groups.is_empty() {
        ""
    } else {
        " AND p.stakeholder_group IN (SELECT code FROM scope_groups)"
    };
    into.people.extend(strings(
        conn,
        &format!(
            "SELECT DISTINCT p.id FROM attendance a
               JOIN sessions s ON s.id = a.session_id
               JOIN people p ON p.id = a.person_id
              WHERE coalesce(a.deleted, 0) = 0 AND {IN_PLACES}{groups}"
        ),
        [],
    )?);
    let plans = strings(
        conn,
        &format!(
            "SELECT pl.id FROM action_plans pl JOIN sessions s ON s.id = pl.session_id
              WHERE coalesce(pl.deleted, 0) = 0 AND coalesce(pl.status, 'active') = 'active'
                AND {IN_PLACES}"
        ),
        [],
    )?;
    for plan in plans {
        plan_rows(conn, &plan, into)?;
    }
    Ok(())
}

/// A plan, its items and its session's record.
fn plan_rows(conn: &Connection, plan: &str, into: &mut Selection) -> Result<()> {
    into.items.extend(strings(conn, "SELECT id FROM action_items WHERE plan_id = ?1", [plan])?);
    into.sessions.extend(strings(
        conn,
        "SELECT session_id FROM action_plans WHERE id = ?1 AND session_id IS NOT NULL",
        [plan],
    )?);
    into.plans.insert(plan.to_string());
    Ok(())
}

/// Everything the replaced laptop wrote, the attendance of its sessions and the people in it.
fn select_own(conn: &Connection, old: &str, into: &mut Selection) -> Result<()> {
    let mut stmt =
        conn.prepare("SELECT DISTINCT entity, row_id FROM oplog WHERE device_id = ?1")?;
    let rows: Vec<(String, String)> =
        stmt.query_map([old], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (entity, row) in rows {
        into.private.insert(row.clone());
        match Entity::parse(&entity) {
            Some(Entity::Session) => {
                into.sessions.insert(row);
            }
            Some(Entity::Person) => {
                into.people.insert(row);
            }
            Some(Entity::Attendance) => {
                into.attendance.insert(row);
            }
            Some(Entity::Plan) => plan_rows(conn, &row, into)?,
            Some(Entity::Item) => {
                into.items.insert(row);
            }
            Some(Entity::Link) => {
                into.links.insert(row);
            }
            None => {}
        }
    }
    let sessions: Vec<String> = into.sessions.iter().cloned().collect();
    for session in sessions {
        for (attendance, person) in conn
            .prepare_cached("SELECT id, person_id FROM attendance WHERE session_id = ?1")?
            .query_map([&session], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?
        {
            into.attendance.insert(attendance);
            into.people.extend(person);
        }
    }
    let attendance: Vec<String> = into.attendance.iter().cloned().collect();
    for row in attendance {
        let person: Option<Option<String>> = conn
            .prepare_cached("SELECT person_id FROM attendance WHERE id = ?1")?
            .query_row([&row], |r| r.get(0))
            .optional()?;
        into.people.extend(person.flatten());
    }
    Ok(())
}

/// The merge decisions that touch the selected people, and the people on their other side
/// (the same person under another record), until nothing new is found.
fn close_over_links(conn: &Connection, into: &mut Selection) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, keep_id, duplicate_id FROM person_links WHERE keep_id = ?1 OR duplicate_id = ?1",
    )?;
    let mut todo: Vec<String> = into.people.iter().cloned().collect();
    while let Some(person) = todo.pop() {
        let links: Vec<(String, Option<String>, Option<String>)> = stmt
            .query_map([&person], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        for (link, keep, duplicate) in links {
            into.links.insert(link);
            for other in [keep, duplicate].into_iter().flatten() {
                if into.people.insert(other.clone()) {
                    todo.push(other);
                }
            }
        }
    }
    Ok(())
}

/// For every selected row, the ops that own its fields at HQ (notes only for private rows).
fn owning_ops(conn: &Connection, selection: &Selection) -> Result<Vec<Op>> {
    let sets: [(Entity, &BTreeSet<String>); 6] = [
        (Entity::Session, &selection.sessions),
        (Entity::Person, &selection.people),
        (Entity::Attendance, &selection.attendance),
        (Entity::Plan, &selection.plans),
        (Entity::Item, &selection.items),
        (Entity::Link, &selection.links),
    ];
    let mut ops = Vec::new();
    for (entity, rows) in sets {
        for row in rows {
            let clock = oplog::row_clock(conn, entity, row)?;
            let private = selection.private.contains(row);
            for (spec, owner) in entity.fields().iter().zip(&clock.0) {
                let Some(owner) = owner else { continue };
                if entity == Entity::Person && spec.name == "notes" && !private {
                    continue;
                }
                let op = oplog::one(conn, &owner.stamp.device.to_string(), owner.op_seq)?;
                ops.extend(op);
            }
        }
    }
    // Grouped by device and number, as a log reads.
    ops.sort_by(|a, b| (a.device_id, a.op_seq).cmp(&(b.device_id, b.op_seq)));
    Ok(ops)
}

fn counts(selection: &Selection) -> Counts {
    Counts {
        people: selection.people.len() as i64,
        sessions: selection.sessions.len() as i64,
        attendance: selection.attendance.len() as i64,
        plans: selection.plans.len() as i64,
        items: selection.items.len() as i64,
        links: selection.links.len() as i64,
    }
}

/// Signs, seals to the laptop and writes a file; the serial is taken from HQ's one counter in
/// the same transaction that reads the rows.
fn write_file(
    app: &Palabre,
    kind: Kind,
    target: &Known,
    replaces: Option<&Known>,
    scope: Scope,
    out: &Path,
    select: impl FnOnce(&Connection, &mut Selection) -> Result<()>,
) -> Result<DownlinkWritten> {
    let dir = app.hq_dir()?.ok_or(Error::NotHq)?;
    let key = keys::signing_key(&dir)?;
    let enrollment_path = dir.join(keys::ENROLLMENT_FILE);
    let enrollment_bytes = std::fs::read(&enrollment_path)
        .map_err(|source| Error::Io { path: enrollment_path.clone(), source })?;
    let enrollment = documents::read_enrollment(&enrollment_bytes)?;
    let recipient = seal::device_recipient(&target.public_key)?;
    let (serial, selection, ops) = app.store().write(|tx| {
        let mut selection = Selection::default();
        select(tx, &mut selection)?;
        close_over_links(tx, &mut selection)?;
        let ops = owning_ops(tx, &selection)?;
        let serial = bookkeeping::number(tx, Key::IssuedSerial)? + 1;
        bookkeeping::put(tx, Key::IssuedSerial, &serial.to_string())?;
        Ok((serial, selection, ops))
    })?;
    let manifest = Manifest {
        format: downlink::FORMAT.into(),
        format_version: downlink::FORMAT_VERSION,
        kind,
        bundle_id: uuid::Uuid::now_v7(),
        programme: enrollment.programme.clone(),
        hq_fingerprint: enrollment.hq_fingerprint.clone(),
        serial,
        for_device: target.named()?,
        replaces: replaces.map(Known::named).transpose()?,
        scope: scope.clone(),
        counts: counts(&selection),
        op_count: 0,
        schema_version: crate::store::migrations::LATEST,
        app_version: env!("CARGO_PKG_VERSION").into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        entries: Default::default(),
    };
    let counts = manifest.counts;
    let for_device = manifest.for_device.clone();
    let replaced = manifest.replaces.clone();
    let plain = downlink::write(&key, manifest, &ops);
    let sealed = seal::seal(&plain, &recipient)?;
    let name = format!(
        "palabre-{}-{}-{serial}-{}.{}.{}",
        kind.as_str(),
        file_safe(&target.name),
        chrono::Utc::now().format("%Y%m%d"),
        downlink::EXTENSION,
        seal::EXTENSION
    );
    let path = if out.is_dir() { out.join(name) } else { out.to_path_buf() };
    write_atomically(&path, &sealed)?;
    tracing::info!(
        kind = kind.as_str(),
        serial,
        people = counts.people,
        ops = ops.len(),
        bytes = sealed.len(),
        "file for a laptop written"
    );
    Ok(DownlinkWritten {
        path,
        kind,
        serial,
        for_device,
        replaces: replaced,
        scope,
        counts,
        ops: ops.len(),
        bytes: sealed.len(),
    })
}

fn usable_target(target: &Known) -> Result<()> {
    if let Some(lost_at) = &target.lost_at {
        return Err(Error::DeviceLost {
            name: target.name.clone(),
            fingerprint: target.fingerprint.clone(),
            lost_at: lost_at.clone(),
        });
    }
    if !target.trusted {
        return Err(Error::NotTrusted {
            name: target.name.clone(),
            fingerprint: target.fingerprint.clone(),
        });
    }
    Ok(())
}

/// A registry bundle for one trusted laptop, for a scope naming at least one place.
pub(crate) fn registry(
    app: &Palabre,
    device: &str,
    scope: &Scope,
    out: &Path,
) -> Result<DownlinkWritten> {
    app.hq_dir()?.ok_or(Error::NotHq)?;
    let scope = checked(scope)?;
    if scope.has_no_place() {
        return Err(Error::NeedsScope {
            what: "Name at least one region, cercle or commune: a registry holds only the people of the laptop's area".into(),
        });
    }
    let target = app.store().read(|c| find_device(c, device))?;
    usable_target(&target)?;
    let for_scope = scope.clone();
    write_file(app, Kind::Registry, &target, None, scope, out, move |c, s| {
        select_registry(c, &for_scope, s)
    })
}

/// Declares a laptop lost or stolen: from now on its bundles are held, never merged on their own.
pub(crate) fn lost(app: &Palabre, device: &str) -> Result<LostMarked> {
    app.hq_dir()?.ok_or(Error::NotHq)?;
    let marked = app.store().write(|tx| {
        let known = find_device(tx, device)?;
        if let Some(lost_at) = known.lost_at {
            return Ok(LostMarked {
                name: known.name,
                fingerprint: known.fingerprint,
                lost_at,
                newly: false,
            });
        }
        let now = chrono::Utc::now().to_rfc3339();
        tx.execute("UPDATE devices SET lost_at = ?2 WHERE device_id = ?1", params![known.id, now])?;
        Ok(LostMarked {
            name: known.name,
            fingerprint: known.fingerprint,
            lost_at: now,
            newly: true,
        })
    })?;
    tracing::warn!(fingerprint = %marked.fingerprint, "laptop declared lost");
    Ok(marked)
}

/// A restore bundle for the laptop `new` that replaces `old`: `old` is declared lost if it is
/// not yet, `new` is recorded as its successor, and the file gives back everything `old` wrote
/// (and, with a scope, the registry of that area).
pub(crate) fn restore(
    app: &Palabre,
    new: &str,
    old: &str,
    scope: &Scope,
    out: &Path,
) -> Result<DownlinkWritten> {
    app.hq_dir()?.ok_or(Error::NotHq)?;
    let scope = checked(scope)?;
    let (target, replaced) =
        app.store().read(|c| Ok((find_device(c, new)?, find_device(c, old)?)))?;
    if target.id == replaced.id {
        return Err(Error::SameLaptop);
    }
    usable_target(&target)?;
    if replaced.lost_at.is_none() {
        lost(app, &replaced.fingerprint)?;
    }
    app.store().write(|tx| {
        tx.execute(
            "UPDATE devices SET successor_of = ?2 WHERE device_id = ?1",
            params![target.id, replaced.id],
        )?;
        Ok(())
    })?;
    let old_id = replaced.id.clone();
    let for_scope = scope.clone();
    let written =
        write_file(app, Kind::Restore, &target, Some(&replaced), scope, out, move |c, s| {
            select_own(c, &old_id, s)?;
            if !for_scope.has_no_place() {
                select_registry(c, &for_scope, s)?;
            }
            Ok(())
        })?;
    Ok(written)
}
