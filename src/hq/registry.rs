//! HQ's way down to the field: registry bundles (the people of a laptop's area, and the open
//! action plans there), lost laptops, and restore bundles for the laptop that replaces one. The
//! file format and what a laptop does with it are `exchange::downlink`'s; what goes in is
//! decided here.
//!
//! What a registry carries, for a scope of places (and optionally stakeholder groups):
//! - the people who attended a live session held there (of those groups), and the records a
//!   merge in force links to them (the same person); every field but their notes;
//! - the merge decisions in force about them, and "not the same person" decisions between two
//!   of them (never bringing anyone in); a merge's taken values stay at HQ;
//! - the open action plans of sessions held there, their items and those sessions' records
//!   (title, dates, place — not their attendance);
//! - again, every row HQ sent that laptop before or that the laptop wrote (`downlinked`, the
//!   oplog): a merge, an erasure, a correction or a plan closed reaches it even once the row left
//!   the scope, and nothing new comes that way.
//!
//! A restore adds, for the laptop it replaces, every row that laptop wrote (sessions, people,
//! attendance, plans, items), the attendance of its sessions, the people in it and the sessions
//! of the attendance it recorded; notes and merge values go only where the old laptop wrote
//! them. Each field goes down as the op that owns it at HQ (an op missing from HQ's log is an
//! error, never a hole), so nothing is copied under a new identity: HQ counts every person and
//! session once. Selecting, recording, numbering and writing the file are one transaction.

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
use crate::model::ids::DeviceId;

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

/// A device known here.
#[derive(Clone)]
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

fn known_rows(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Known>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| {
        Ok(Known {
            id: r.get(0)?,
            name: r.get(1)?,
            fingerprint: r.get(2)?,
            public_key: r.get(3)?,
            trusted: r.get(4)?,
            lost_at: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

const KNOWN: &str =
    "SELECT device_id, name, fingerprint, public_key, trusted, lost_at FROM devices";

fn ambiguous(wanted: &str, why: &str) -> Error {
    Invalid::UnknownCode {
        field: "device",
        value: wanted.to_string(),
        allowed: format!("a laptop's fingerprint: {why} (see `palabre device list`)"),
    }
    .into()
}

/// A laptop known here, by its fingerprint (as read by phone), its name, or the name of its
/// facilitator (the one named on the newest session it created). A laptop chooses its own
/// name, so a name that is also another laptop's facilitator's is refused as ambiguous: the
/// fingerprint is what cannot be forged.
pub(crate) fn find_device(conn: &Connection, wanted: &str) -> Result<Known> {
    if let Some(fingerprint) = normalize_fingerprint(wanted) {
        let mut found =
            known_rows(conn, &format!("{KNOWN} WHERE fingerprint = ?1"), [&fingerprint])?;
        return match found.len() {
            0 => Err(Error::NotFound { entity: "device", id: wanted.to_string() }),
            1 => Ok(found.remove(0)),
            // The same key under two ids: one of them is not who it says.
            _ => Err(ambiguous(wanted, "two devices here present this key; call HQ's IT person")),
        };
    }
    let wanted_name = wanted.trim().to_lowercase();
    let all = known_rows(conn, KNOWN, [])?;
    let by_name: Vec<&Known> =
        all.iter().filter(|k| k.name.trim().to_lowercase() == wanted_name).collect();
    let mut hers: Vec<&Known> = Vec::new();
    for known in &all {
        let facilitator = crate::exchange::devices::facilitator(conn, &known.id)?;
        if facilitator.is_some_and(|f| f.trim().to_lowercase() == wanted_name) {
            hers.push(known);
        }
    }
    // Her laptop in use rather than the one she lost, when both name her.
    if hers.iter().any(|k| k.lost_at.is_none()) {
        hers.retain(|k| k.lost_at.is_none());
    }
    let mut matches: Vec<&Known> = by_name.iter().chain(hers.iter()).copied().collect();
    matches.sort_by(|a, b| a.id.cmp(&b.id));
    matches.dedup_by(|a, b| a.id == b.id);
    match matches.as_slice() {
        [] => Err(Error::NotFound { entity: "device", id: wanted.to_string() }),
        [one] => Ok((*one).clone()),
        _ => Err(ambiguous(wanted, "several laptops answer to this name")),
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

/// The rows a file carries, by entity.
#[derive(Default)]
struct Selection {
    people: BTreeSet<String>,
    sessions: BTreeSet<String>,
    attendance: BTreeSet<String>,
    plans: BTreeSet<String>,
    items: BTreeSet<String>,
    links: BTreeSet<String>,
    /// The indicator catalogue's rows: every file carries them all (see `results::catalogue`).
    indicators: BTreeSet<String>,
    /// A restore's old laptop: the fields it owns go whole (notes, the values a merge took);
    /// every other field of a person goes without her notes, of a merge without its values.
    own: Option<DeviceId>,
}

impl Selection {
    fn add(&mut self, conn: &Connection, entity: Entity, row: String) -> Result<()> {
        match entity {
            Entity::Session => self.sessions.insert(row),
            Entity::Person => self.people.insert(row),
            Entity::Attendance => self.attendance.insert(row),
            Entity::Plan => return plan_rows(conn, &row, self),
            Entity::Item => self.items.insert(row),
            Entity::Link => self.links.insert(row),
            // Photos of signed sheets stay at HQ: the field does not need other laptops' files.
            Entity::Evidence => return Ok(()),
            Entity::Indicator => self.indicators.insert(row),
        };
        Ok(())
    }

    fn sets(&self) -> [(Entity, &BTreeSet<String>); 7] {
        [
            (Entity::Indicator, &self.indicators),
            (Entity::Session, &self.sessions),
            (Entity::Person, &self.people),
            (Entity::Attendance, &self.attendance),
            (Entity::Plan, &self.plans),
            (Entity::Item, &self.items),
            (Entity::Link, &self.links),
        ]
    }
}

fn strings(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map(params, |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The live sessions held in the scope's places, into the temporary table `scope_sessions`.
/// Place names are compared trimmed and lowercased with Unicode's rules ("SÉGOU" is "Ségou"),
/// here rather than in SQL, whose `lower` knows only ASCII. A session in any of the places is in.
fn load_sessions_in_places(conn: &Connection, scope: &Scope) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS scope_sessions (id TEXT PRIMARY KEY) WITHOUT ROWID;
         DELETE FROM scope_sessions;",
    )?;
    let norm = |s: &str| s.trim().to_lowercase();
    let set = |list: &[String]| list.iter().map(|s| norm(s)).collect::<HashSet<String>>();
    let (regions, cercles, communes) =
        (set(&scope.regions), set(&scope.cercles), set(&scope.communes));
    let mut stmt = conn.prepare(
        "SELECT id, coalesce(region, ''), coalesce(cercle, ''), coalesce(commune, '') FROM sessions
          WHERE coalesce(deleted, 0) = 0",
    )?;
    let mut insert = conn.prepare("INSERT OR IGNORE INTO scope_sessions (id) VALUES (?1)")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (region, cercle, commune): (String, String, String) = (r.get(1)?, r.get(2)?, r.get(3)?);
        if regions.contains(&norm(&region))
            || cercles.contains(&norm(&cercle))
            || communes.contains(&norm(&commune))
        {
            insert.execute([r.get::<_, String>(0)?])?;
        }
    }
    Ok(())
}

/// The people who attended a live session held in the scope's places (of its groups), and the
/// open action plans of sessions held there.
fn select_registry(conn: &Connection, scope: &Scope, into: &mut Selection) -> Result<()> {
    load_sessions_in_places(conn, scope)?;
    let mut people = conn.prepare(
        "SELECT DISTINCT p.id, p.stakeholder_group FROM attendance a
           JOIN scope_sessions s ON s.id = a.session_id
           JOIN people p ON p.id = a.person_id
          WHERE coalesce(a.deleted, 0) = 0",
    )?;
    let found: Vec<(String, Option<String>)> =
        people.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    for (person, group) in found {
        if scope.groups.is_empty() || group.is_some_and(|g| scope.groups.contains(&g)) {
            into.people.insert(person);
        }
    }
    let plans = strings(
        conn,
        "SELECT pl.id FROM action_plans pl JOIN scope_sessions s ON s.id = pl.session_id
          WHERE coalesce(pl.deleted, 0) = 0 AND coalesce(pl.status, 'active') = 'active'",
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

/// Every row `device` wrote (its ops at HQ, by entity and row).
fn rows_written_by(conn: &Connection, device: &str) -> Result<Vec<(Entity, String)>> {
    let mut stmt =
        conn.prepare("SELECT DISTINCT entity, row_id FROM oplog WHERE device_id = ?1")?;
    let rows: Vec<(String, String)> =
        stmt.query_map([device], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    Ok(rows.into_iter().filter_map(|(e, row)| Some((Entity::parse(&e)?, row))).collect())
}

/// What the target laptop already has from HQ or wrote itself: a later file carries these
/// rows' changes again — a merge, an erasure, a correction, a plan closed — even when they are
/// no longer in its scope. Nothing new reaches it this way.
fn select_known_to(conn: &Connection, target: &str, into: &mut Selection) -> Result<()> {
    let mut stmt = conn.prepare("SELECT entity, row_id FROM downlinked WHERE device_id = ?1")?;
    let sent: Vec<(String, String)> =
        stmt.query_map([target], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
    let sent = sent.into_iter().filter_map(|(e, row)| Some((Entity::parse(&e)?, row)));
    for (entity, row) in sent.chain(rows_written_by(conn, target)?) {
        match entity {
            // A plan's own rows only: its items and session come with it when in scope.
            Entity::Plan => {
                into.plans.insert(row);
            }
            other => into.add(conn, other, row)?,
        }
    }
    Ok(())
}

/// Everything the replaced laptop wrote, the attendance of its sessions and the people in it,
/// and the sessions of attendance it recorded.
fn select_own(conn: &Connection, old: &str, into: &mut Selection) -> Result<()> {
    for (entity, row) in rows_written_by(conn, old)? {
        into.add(conn, entity, row)?;
    }
    let sessions: Vec<String> = into.sessions.iter().cloned().collect();
    for session in sessions {
        let mut stmt = conn.prepare_cached("SELECT id FROM attendance WHERE session_id = ?1")?;
        let rows = stmt.query_map([&session], |r| r.get::<_, String>(0))?;
        for row in rows {
            into.attendance.insert(row?);
        }
    }
    let attendance: Vec<String> = into.attendance.iter().cloned().collect();
    for row in attendance {
        let parents: Option<(Option<String>, Option<String>)> = conn
            .prepare_cached("SELECT person_id, session_id FROM attendance WHERE id = ?1")?
            .query_row([&row], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((person, session)) = parents {
            into.people.extend(person);
            into.sessions.extend(session);
        }
    }
    Ok(())
}

/// The merge decisions about the selected people. A merge in force pulls in the record on its
/// other side (the same person under another record), and so on; a decision that two records
/// are *not* the same person, or an undone merge, goes only when both are already selected —
/// it never brings anyone in.
fn close_over_links(conn: &Connection, into: &mut Selection) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT id, keep_id, duplicate_id, decision = 'merge' AND coalesce(undone, 0) = 0
           FROM person_links WHERE keep_id = ?1 OR duplicate_id = ?1",
    )?;
    let mut todo: Vec<String> = into.people.iter().cloned().collect();
    let mut other_links: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    while let Some(person) = todo.pop() {
        let links: Vec<(String, Option<String>, Option<String>, bool)> = stmt
            .query_map([&person], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        for (link, keep, duplicate, in_force) in links {
            if !in_force {
                other_links.push((link, keep, duplicate));
                continue;
            }
            into.links.insert(link);
            for other in [keep, duplicate].into_iter().flatten() {
                if into.people.insert(other.clone()) {
                    todo.push(other);
                }
            }
        }
    }
    for (link, keep, duplicate) in other_links {
        let selected = |p: &Option<String>| p.as_ref().is_some_and(|p| into.people.contains(p));
        if selected(&keep) && selected(&duplicate) {
            into.links.insert(link);
        }
    }
    Ok(())
}

/// For every selected row, the ops that own its fields at HQ, unchanged. A person's notes and a
/// merge's taken values go only when the restore's old laptop owns them.
fn owning_ops(conn: &Connection, selection: &Selection) -> Result<Vec<Op>> {
    let mut ops = Vec::new();
    for (entity, rows) in selection.sets() {
        for row in rows {
            let clock = oplog::row_clock(conn, entity, row)?;
            for (spec, owner) in entity.fields().iter().zip(&clock.0) {
                let Some(owner) = owner else { continue };
                let withheld = matches!(
                    (entity, spec.name),
                    (Entity::Person, "notes") | (Entity::Link, "taken")
                );
                if withheld && selection.own != Some(owner.stamp.device) {
                    continue;
                }
                let device = owner.stamp.device.to_string();
                let op = oplog::one(conn, &device, owner.op_seq)?.ok_or_else(|| Error::BadOp {
                    reason: format!(
                        "HQ's log lacks change {} of device {device}, which owns the field '{}' of {} {row}; nothing was written",
                        owner.op_seq,
                        spec.name,
                        entity.as_str()
                    ),
                })?;
                ops.push(op);
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

/// What a file needs of HQ's key folder, read before anything is written: a missing folder
/// (a stick not plugged in) changes nothing.
struct Signer {
    key: ed25519_dalek::SigningKey,
    enrollment: crate::exchange::documents::Enrollment,
}

fn signer(app: &Palabre) -> Result<Signer> {
    let dir = app.hq_dir()?.ok_or(Error::NotHq)?;
    let key = keys::signing_key(&dir)?;
    let enrollment_path = dir.join(keys::ENROLLMENT_FILE);
    let enrollment_bytes = std::fs::read(&enrollment_path)
        .map_err(|source| Error::Io { path: enrollment_path.clone(), source })?;
    Ok(Signer { key, enrollment: documents::read_enrollment(&enrollment_bytes)? })
}

/// Selects, signs, seals to the laptop and writes a file, in one transaction with everything it
/// records (the serial, what was sent, and what `before` writes): the file is written last,
/// inside it, so a failure anywhere leaves HQ as it was and no file.
fn write_file(
    app: &Palabre,
    kind: Kind,
    target: &Known,
    replaces: Option<&Known>,
    scope: Scope,
    out: &Path,
    select: impl FnOnce(&Connection, &mut Selection) -> Result<()>,
) -> Result<DownlinkWritten> {
    let signer = signer(app)?;
    let recipient = seal::device_recipient(&target.public_key)?;
    let for_device = target.named()?;
    let replaced = replaces.map(Known::named).transpose()?;
    let name = |serial: i64| {
        format!(
            "palabre-{}-{}-{serial}-{}.{}.{}",
            kind.as_str(),
            file_safe(&target.name),
            chrono::Utc::now().format("%Y%m%d"),
            downlink::EXTENSION,
            seal::EXTENSION
        )
    };
    let mut written_path: Option<PathBuf> = None;
    let result = app.store().write(|tx| {
        let mut selection = Selection::default();
        select(tx, &mut selection)?;
        close_over_links(tx, &mut selection)?;
        // The logframe's definitions, so that the laptop computes the same indicators.
        selection.indicators.extend(strings(tx, "SELECT id FROM indicators", [])?);
        let ops = owning_ops(tx, &selection)?;
        let serial = super::next_serial(tx)?;
        let mut record = tx.prepare(
            "INSERT OR IGNORE INTO downlinked (device_id, entity, row_id) VALUES (?1, ?2, ?3)",
        )?;
        for (entity, rows) in selection.sets() {
            for row in rows {
                record.execute(params![target.id, entity.as_str(), row])?;
            }
        }
        let manifest = Manifest {
            format: downlink::FORMAT.into(),
            format_version: downlink::FORMAT_VERSION,
            kind,
            bundle_id: uuid::Uuid::now_v7(),
            programme: signer.enrollment.programme.clone(),
            hq_fingerprint: signer.enrollment.hq_fingerprint.clone(),
            serial,
            for_device: for_device.clone(),
            replaces: replaced.clone(),
            scope: scope.clone(),
            counts: counts(&selection),
            op_count: 0,
            schema_version: crate::store::migrations::LATEST,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: chrono::Utc::now().to_rfc3339(),
            entries: Default::default(),
        };
        let counts = manifest.counts;
        let sealed = seal::seal(&downlink::write(&signer.key, manifest, &ops), &recipient)?;
        let path = if out.is_dir() { out.join(name(serial)) } else { out.to_path_buf() };
        write_atomically(&path, &sealed)?;
        written_path = Some(path.clone());
        Ok(DownlinkWritten {
            path,
            kind,
            serial,
            for_device: for_device.clone(),
            replaces: replaced.clone(),
            scope: scope.clone(),
            counts,
            ops: ops.len(),
            bytes: sealed.len(),
        })
    });
    match result {
        Ok(written) => {
            tracing::info!(
                kind = kind.as_str(),
                serial = written.serial,
                people = written.counts.people,
                ops = written.ops,
                bytes = written.bytes,
                "file for a laptop written"
            );
            Ok(written)
        }
        Err(e) => {
            // The commit failed after the file was written: no file without its record.
            if let Some(path) = written_path {
                let _ = std::fs::remove_file(path);
            }
            Err(e)
        }
    }
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

/// A registry bundle for one trusted laptop, for a scope naming at least one place: the scope's
/// rows, and again what the laptop already has from HQ or wrote (their changes since).
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
    let target_id = target.id.clone();
    write_file(app, Kind::Registry, &target, None, scope, out, move |c, s| {
        select_registry(c, &for_scope, s)?;
        select_known_to(c, &target_id, s)
    })
}

/// Declares a laptop lost or stolen, inside the caller's transaction: from now on its bundles
/// are held, never merged on their own, and those it had waiting are held as a lost laptop's.
fn mark_lost(tx: &Connection, known: &Known) -> Result<LostMarked> {
    if let Some(lost_at) = &known.lost_at {
        return Ok(LostMarked {
            name: known.name.clone(),
            fingerprint: known.fingerprint.clone(),
            lost_at: lost_at.clone(),
            newly: false,
        });
    }
    let now = chrono::Utc::now().to_rfc3339();
    tx.execute("UPDATE devices SET lost_at = ?2 WHERE device_id = ?1", params![known.id, now])?;
    tx.execute("UPDATE quarantine SET reason = 'lost' WHERE device_id = ?1", [&known.id])?;
    Ok(LostMarked {
        name: known.name.clone(),
        fingerprint: known.fingerprint.clone(),
        lost_at: now,
        newly: true,
    })
}

pub(crate) fn lost(app: &Palabre, device: &str) -> Result<LostMarked> {
    app.hq_dir()?.ok_or(Error::NotHq)?;
    let marked = app.store().write(|tx| mark_lost(tx, &find_device(tx, device)?))?;
    if marked.newly {
        tracing::warn!(fingerprint = %marked.fingerprint, "laptop declared lost");
    }
    Ok(marked)
}

/// Undoes a declaration of loss (the laptop was found, or the wrong one was declared): its held
/// bundles merge if it was trusted, or wait for the officer to trust it.
pub(crate) fn found(app: &Palabre, device: &str) -> Result<LostMarked> {
    app.hq_dir()?.ok_or(Error::NotHq)?;
    let (found, trusted) = app.store().write(|tx| {
        let known = find_device(tx, device)?;
        let Some(lost_at) = known.lost_at.clone() else {
            return Err(Error::NotFound { entity: "lost device", id: device.to_string() });
        };
        tx.execute("UPDATE devices SET lost_at = NULL WHERE device_id = ?1", [&known.id])?;
        tx.execute(
            "UPDATE quarantine SET reason = 'untrusted' WHERE device_id = ?1 AND reason = 'lost'",
            [&known.id],
        )?;
        let found =
            LostMarked { name: known.name, fingerprint: known.fingerprint, lost_at, newly: false };
        Ok((found, known.trusted))
    })?;
    tracing::warn!(fingerprint = %found.fingerprint, "laptop no longer declared lost");
    // A laptop that was trusted before: what it sent meanwhile merges now.
    if trusted {
        crate::exchange::import::trust_device(app, &found.fingerprint)?;
    }
    Ok(found)
}

/// A restore bundle for the laptop `new` (set up, its first bundle imported and trusted here)
/// that replaces `old`. In one transaction with writing the file: `old` is declared lost if it
/// was not, `new` is recorded as its successor, and the file gives back everything `old` wrote
/// (and, with a scope naming places, the registry of that area).
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
    let for_scope = scope.clone();
    let (target_id, old_known) = (target.id.clone(), replaced.clone());
    let written =
        write_file(app, Kind::Restore, &target, Some(&replaced), scope, out, move |c, s| {
            if mark_lost(c, &old_known)?.newly {
                tracing::warn!(fingerprint = %old_known.fingerprint, "laptop declared lost");
            }
            c.execute(
                "UPDATE devices SET successor_of = ?2 WHERE device_id = ?1",
                params![target_id, old_known.id],
            )?;
            s.own = old_known.id.parse().ok();
            select_own(c, &old_known.id, s)?;
            if !for_scope.has_no_place() {
                select_registry(c, &for_scope, s)?;
            }
            select_known_to(c, &target_id, s)
        })?;
    Ok(written)
}
