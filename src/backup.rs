//! Local backups. Laptops run on generators and tired batteries; HQ imports files from sticks
//! that went through many machines. So the database is copied (SQLite's `VACUUM INTO`: a
//! consistent, compact copy taken while the app runs) into `backups/` beside it: when the
//! desktop starts and the last copy is older than a day, before every import, before every
//! migration and before a restore. The newest `KEEP` copies are kept.
//!
//! A restore copies a backup back into the open database (SQLite's online backup API, so the app
//! keeps its connection), after checking that the file is a Palabre database of this computer
//! and keeping a copy of the current one first.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OpenFlags};

use crate::Palabre;
use crate::error::{Error, Result};
use crate::files::through_partial;
use crate::journal::erasure;
use crate::journal::schema::{ERASED, Entity};
use crate::store::bookkeeping::{self, Key};
use crate::store::cipher::{self, DbKey, FileKind};
use crate::store::migrations;

/// How many automatic backups are kept.
pub const KEEP: usize = 7;
/// At start, a backup is made if the newest is older than this.
pub const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// One backup file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backup {
    pub path: PathBuf,
    pub file_name: String,
    /// Why it was made: start, import, migration, restore, manual.
    pub reason: String,
    pub created_at: String,
    pub bytes: u64,
}

/// The backup folder of a database: `backups/` beside it.
pub fn dir_of(db: &Path) -> PathBuf {
    db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("backups")
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

/// Copies the database behind `conn` to `target` (which must not exist), whole or not at all.
fn vacuum_into(conn: &Connection, target: &Path) -> Result<()> {
    if target.exists() {
        return Err(Error::Io {
            path: target.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file already exists; choose another name",
            ),
        });
    }
    through_partial(target, |partial| {
        conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()])?;
        Ok(())
    })
}

/// The start of the names of `db`'s backups: its file stem (`palabre` for `palabre.db`), so
/// that two databases sharing a folder (a laptop's and the demo, say) keep their backups apart.
fn stem_of(db: &Path) -> String {
    db.file_stem().and_then(|s| s.to_str()).unwrap_or("palabre").to_string()
}

/// Makes an automatic backup of the database at `db` through `conn`, then keeps the newest
/// `KEEP`. File names sort by time: `palabre-20261128-101500123-import.db` (for `palabre.db`).
pub(crate) fn automatic(conn: &Connection, db: &Path, reason: &str) -> Result<Backup> {
    let dir = dir_of(db);
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let name = automatic_name(db, reason);
    let path = dir.join(&name);
    vacuum_into(conn, &path)?;
    tracing::info!(reason, "automatic backup made");
    let all = list(db)?;
    for old in all.iter().skip(KEEP) {
        let _ = std::fs::remove_file(&old.path);
    }
    Ok(describe(&path, &stem_of(db)).unwrap_or(Backup {
        path: path.clone(),
        file_name: name,
        reason: reason.into(),
        created_at: String::new(),
        bytes: 0,
    }))
}

/// The name of a new automatic backup of `db` made for `reason`.
pub(crate) fn automatic_name(db: &Path, reason: &str) -> String {
    format!("{}-{}-{reason}.db", stem_of(db), chrono::Utc::now().format("%Y%m%d-%H%M%S%3f"))
}

fn describe(path: &Path, db_stem: &str) -> Option<Backup> {
    let file_name = path.file_name()?.to_str()?.to_string();
    let stem = file_name.strip_prefix(db_stem)?.strip_prefix('-')?.strip_suffix(".db")?;
    let (date, rest) = stem.split_at_checked(8)?;
    if !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (time, reason) = rest.strip_prefix('-')?.split_once('-')?;
    let when = chrono::NaiveDateTime::parse_from_str(
        &format!("{date}{}", &time[..6.min(time.len())]),
        "%Y%m%d%H%M%S",
    )
    .ok()?;
    let reason = reason.to_string();
    Some(Backup {
        path: path.to_path_buf(),
        file_name: file_name.clone(),
        reason,
        created_at: when.and_utc().to_rfc3339(),
        bytes: std::fs::metadata(path).ok()?.len(),
    })
}

/// The automatic backups of the database at `db` (not those of other databases in the same
/// folder), newest first.
pub fn list(db: &Path) -> Result<Vec<Backup>> {
    let dir = dir_of(db);
    let stem = stem_of(db);
    let Ok(entries) = std::fs::read_dir(&dir) else { return Ok(Vec::new()) };
    let mut found: Vec<Backup> =
        entries.filter_map(|e| e.ok()).filter_map(|e| describe(&e.path(), &stem)).collect();
    found.sort_by(|a, b| b.file_name.cmp(&a.file_name));
    Ok(found)
}

/// Rewrites every automatic backup of the database at `db` through `scrub` (after an erasure:
/// see `Palabre::scrub_copies`): each file is changed in one transaction whose rollback journal
/// stays in memory, with deleted content zeroed, then compacted into a new file with
/// `VACUUM INTO`, which replaces it. A backup that cannot be rewritten is deleted rather than
/// kept with the data.
pub(crate) fn rewrite_backups(
    db: &Path,
    key: Option<&DbKey>,
    scrub: &dyn Fn(&Connection) -> Result<()>,
) -> Result<()> {
    for backup in list(db)? {
        if let Err(e) = rewrite_one(&backup.path, key, scrub) {
            tracing::warn!(file = %backup.file_name, code = e.code(), "backup deleted: it could not be scrubbed");
            std::fs::remove_file(&backup.path).map_err(io(&backup.path))?;
        }
    }
    Ok(())
}

fn rewrite_one(
    path: &Path,
    key: Option<&DbKey>,
    scrub: &dyn Fn(&Connection) -> Result<()>,
) -> Result<()> {
    through_partial(path, |partial| {
        // The connection is closed when this returns, before the copy replaces the file.
        let mut conn = open_copy(path, key, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        conn.pragma_update(None, "journal_mode", "MEMORY")?;
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let tx = conn.transaction()?;
        scrub(&tx)?;
        tx.commit()?;
        conn.execute("VACUUM INTO ?1", [partial.to_string_lossy()])?;
        Ok(())
    })
}

/// What a file offered for restore holds, once checked.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Checked {
    pub schema_version: i64,
    pub device_id: Option<String>,
}

/// Opens a copy of the database (a backup) with the database's key, or without one when it is
/// plain (made by a Palabre before encryption).
fn open_copy(path: &Path, key: Option<&DbKey>, flags: OpenFlags) -> Result<Connection> {
    let refused = || {
        Error::NotADatabase {
        path: path.to_path_buf(),
        reason: "it does not open with this database's key: it is a copy of another database, or damaged".into(),
    }
    };
    match key {
        Some(key) => cipher::open_file(path, key, flags)?.ok_or_else(refused),
        None if cipher::kind(path) == FileKind::Plain => {
            Ok(Connection::open_with_flags(path, flags)?)
        }
        None => Err(refused()),
    }
}

/// Checks that `path` is a sound Palabre database this version can open with `key` (or a
/// plain one made before encryption), without writing to it.
pub fn check(path: &Path, key: Option<&DbKey>) -> Result<Checked> {
    let refuse =
        |reason: &str| Error::NotADatabase { path: path.to_path_buf(), reason: reason.to_string() };
    if !path.is_file() {
        return Err(refuse("there is no such file"));
    }
    let conn = open_copy(path, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version = migrations::check_version(&conn, path).map_err(|e| match e {
        Error::Sqlite(_) => refuse("the file is not an SQLite database"),
        other => other,
    })?;
    if version == 0 {
        return Err(refuse("it is an empty database, not a Palabre one"));
    }
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|_| refuse("it is damaged"))?;
    if integrity != "ok" {
        return Err(refuse(&format!("it is damaged ({integrity})")));
    }
    let device_id = conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).ok();
    Ok(Checked { schema_version: version, device_id })
}

/// What a restore did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Restored {
    pub from: PathBuf,
    /// The copy of the database as it was before the restore.
    pub previous: Option<Backup>,
}

/// A backup to a file of the person's choosing (a USB stick): encrypted like the database, with
/// a copy of the key file beside it (`<file>.dbkey`, locked with the passphrase), so that the
/// copy can be opened again if the laptop is lost — by whoever knows the passphrase, and no one
/// else.
pub(crate) fn backup_to(app: &Palabre, out: &Path) -> Result<PathBuf> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    app.store().read(|c| vacuum_into(c, out))?;
    if let Some(db) = app.path() {
        let key_file = cipher::key_file(db);
        if key_file.exists() {
            let beside = cipher::key_file(out);
            through_partial(&beside, |partial| {
                std::fs::copy(&key_file, partial).map(drop).map_err(io(&beside))
            })?;
        }
    }
    Ok(out.to_path_buf())
}

pub(crate) fn auto_backup(app: &Palabre, reason: &str) -> Result<Option<Backup>> {
    let Some(db) = app.path().map(Path::to_path_buf) else { return Ok(None) };
    app.store().read(|c| automatic(c, &db, reason)).map(Some)
}

pub(crate) fn backup_if_stale(app: &Palabre) -> Result<Option<Backup>> {
    let Some(db) = app.path() else { return Ok(None) };
    let newest = list(db)?.into_iter().next();
    let fresh = newest
        .and_then(|b| std::fs::metadata(&b.path).ok()?.modified().ok())
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .is_some_and(|age| age < STALE_AFTER);
    if fresh { Ok(None) } else { app.auto_backup("start") }
}

pub(crate) fn backups(app: &Palabre) -> Result<Vec<Backup>> {
    match app.path() {
        Some(db) => list(db),
        None => Ok(Vec::new()),
    }
}

pub(crate) fn restore(app: &Palabre, file: &Path) -> Result<Restored> {
    let key = app.store().key();
    let checked = check(file, key)?;
    let me = app.store().read(crate::device::load)?;
    if let Some(me) = &me {
        match &checked.device_id {
            None => return Err(Error::BackupBeforeSetUp { path: file.to_path_buf() }),
            Some(theirs) if me.device_id.to_string() != *theirs => {
                return Err(Error::OtherComputer {
                    path: file.to_path_buf(),
                    theirs: theirs.clone(),
                    ours: me.device_id.to_string(),
                });
            }
            Some(_) => {}
        }
    }
    let previous = app.auto_backup("restore")?;
    // People erased here stay erased whatever the backup holds.
    let erased = app.store().read(|c| erasure::erased_rows(c, Entity::Person))?;
    let floor = app.store().read(|c| {
        let written = crate::journal::oplog::own_last_seq(c)?;
        Ok(written.max(bookkeeping::number(c, Key::OpSeqFloor)?))
    })?;
    // A plain backup (an earlier Palabre's) is restored through an encrypted copy, so that no
    // page of it reaches the database unencrypted.
    match key {
        Some(key) if cipher::kind(file) == FileKind::Plain => {
            let db = app.path().expect("a keyed database has a file");
            let copy =
                dir_of(db).join(format!(".restore-{}.db", chrono::Utc::now().timestamp_millis()));
            let restored = cipher::encrypt_copy(file, &copy, key).and_then(|()| {
                let source = open_copy(&copy, Some(key), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                app.store().restore_from(&source)
            });
            let _ = std::fs::remove_file(&copy);
            restored?;
        }
        _ => {
            let source = open_copy(file, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
            app.store().restore_from(&source)?;
        }
    }
    if floor > 0 {
        app.store().write(|tx| {
            let kept = bookkeeping::number(tx, Key::OpSeqFloor)?;
            bookkeeping::put(tx, Key::OpSeqFloor, &floor.max(kept).to_string())
        })?;
    }
    if !erased.is_empty() {
        app.write_ops(|conn, w| {
            for id in &erased {
                let Ok(row) = id.parse() else { continue };
                // Also when the copy predates her: the erasure must still travel, and any
                // change about her that arrives later is then stored blanked.
                if !erasure::is_erased(conn, Entity::Person, id)? {
                    w.set(Entity::Person, row, ERASED, true.into())?;
                }
            }
            Ok(())
        })?;
        app.scrub_copies()?;
    }
    Ok(Restored { from: file.to_path_buf(), previous })
}
