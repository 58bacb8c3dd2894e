//! Palabre's core: every rule, SQL statement and file format of the app. The front ends — the
//! `palabre` command line (package palabre-cli) and the desktop shell — are thin: they call the
//! one facade type, [`Palabre`], which owns one database, and use only the names exported here.
//!
//! The layers, bottom up (docs/DESIGN.md §2; tests/layers.rs fails if an import runs upward):
//! - ground floor: `model` (types, codes, validation), `error`, `store` (open, pragmas,
//!   migrations, `bookkeeping`: every key the app keeps about itself), `files`, `i18n`, `logging`;
//! - `journal`: ops, the hybrid logical clock, row clocks, the allow-list of synced fields, the
//!   writer and apply — the single write path. Derived data plugs in through `journal::Derived`;
//! - the areas over it: `device`, `people`, `sessions`, `attendance`, `plans`, `search`,
//!   `duplicates`, `report`, `sheet`, `evidence`, `settings`, `backup`, `demo`, `diagnostics`;
//! - `exchange`: what every laptop does to move data (bundles, signatures, sealing to HQ, export,
//!   import, devices and trust, conflicts, HQ's enrollment and acknowledgements as received);
//! - `hq`: HQ's own work (its keys, issuing acknowledgements), above exchange.
//!
//! Modules still `pub` are reached by the integration tests and benchmarks for internals (the
//! bundle reader, key files, migrations); the front ends do not use them.

// Ground floor.
pub mod error;
pub mod files;
pub mod i18n;
pub mod logging;
pub mod model;
pub mod pdf;
pub mod store;
// The journal.
pub mod journal;
// Areas over the journal.
mod attendance;
pub mod backup;
mod demo;
pub mod device;
mod diagnostics;
pub mod duplicates;
pub mod evidence;
mod facade;
pub mod lock;
mod people;
mod plans;
pub mod report;
pub mod results;
mod search;
mod sessions;
mod settings;
pub mod sheet;
// Moving data, then HQ.
pub mod exchange;
pub mod hq;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ed25519_dalek::SigningKey;
use rusqlite::Connection;
use store::bookkeeping::{self, Key};
use store::cipher::DbKey;

// What the front ends use, by area.
pub use error::{Error, Invalid, Rejection, Result};
pub use i18n::{Lang, t as translate};

pub use model::fields::date as parse_date;
// The registry, sessions, attendance and action plans.
pub use model::attendance::{AttendanceLine, PersonSession};
pub use model::codes::{
    AttendanceRole, Group, ItemStatus, PlanStatus, SessionKind, SessionStatus, Sex,
};
pub use model::ids::{AttendanceId, DeviceId, ItemId, PersonId, PlanId, SessionId};
pub use model::person::{Person, PersonInput};
pub use model::plan::{ActionItem, ActionPlan, ItemInput, PlanInput};
pub use model::session::{Session, SessionFilter, SessionInput};
pub use people::{PeopleFound, PeoplePage, PersonDetail};
pub use sessions::SessionDetail;
// This laptop: identity, settings, backups, diagnostics, the demo programme.
pub use backup::{Backup, Restored};
pub use demo::DemoSummary;
pub use device::Device;
pub use diagnostics::Diagnostics;
pub use facade::Protection;
pub use lock::{DatabaseState, MIN_PASSPHRASE as MIN_DATABASE_PASSPHRASE, RecoveryMade};
pub use settings::{About, AppInfo, SetUp, Setting, parse_language};
// Duplicates.
pub use duplicates::{Candidates, Decision, Level, Merged, Reason, Unmerged};
// Reports and sheets.
pub use evidence::{Evidence, Filing, Unfiled};
pub use model::ids::EvidenceId;
pub use report::export::CsvFlavour;
pub use report::indicators::{Period, Place};
pub use report::{NamedList, Overview, Report};
pub use results::{Indicator, IndicatorInput, Progress};
pub use sheet::code::SheetCode;
pub use sheet::{DEFAULT_BLANK_ROWS, MAX_BLANK_ROWS};
// The journal and exchange.
pub use exchange::bundle::Bundle;
pub use exchange::conflicts::Conflict;
pub use exchange::devices::{DeviceStatus, HeldBundle, Orphan, clock_text};
pub use exchange::documents::Enrollment;
pub use exchange::downlink::{Counts as DownlinkCounts, Kind as DownlinkKind, NamedDevice, Scope};
pub use exchange::enrollment::HqStatus;
pub use exchange::export::{
    DEFAULT_CAP as DEFAULT_BUNDLE_CAP, Exported, Lock, Part as ExportedPart,
};
pub use exchange::import::{ImportOutcome, Imported, Trusted, Watch as ImportWatch};
pub use journal::oplog::{Op, OpWriter};
pub use journal::schema::Entity;
// HQ.
pub use hq::registry::{DownlinkWritten, LostMarked};
pub use hq::server::Migrated;
pub use hq::{AckWritten, HqKeys};
pub use store::Store;

/// The data derived from synced rows that the journal keeps up to date on every write, local or
/// merged: the search index, then the aliases of merged people (which reindex whom they move).
pub(crate) const DERIVED: &[&dyn journal::Derived] =
    &[&search::SearchIndex, &duplicates::links::Aliases, &report::reach::ReachCache];

/// Where the device's secret key is kept.
enum KeyStore {
    /// `<db>.key`, beside the database file.
    File(PathBuf),
    /// In-memory databases keep their key in memory.
    Memory(Mutex<Option<[u8; 32]>>),
}

/// One Palabre database and the device identity that writes to it.
pub struct Palabre {
    store: Store,
    key: KeyStore,
}

/// Opening a database, and the plumbing the areas share. What Palabre does is listed in
/// facade.rs.
impl Palabre {
    /// Where the database at `path` stands before it is opened: new, plain (made by a Palabre
    /// before encryption) or locked. The window and the CLI ask for a new passphrase (twice)
    /// for the first two, for the passphrase for the third.
    pub fn state(path: impl AsRef<Path>) -> DatabaseState {
        lock::state(&database_file(path.as_ref()))
    }

    /// Opens the database at `path` with its passphrase: creates it (encrypted, with a new
    /// random key locked with `passphrase`) if there is none, encrypts in place one made by an
    /// earlier Palabre (after an encrypted backup), and migrates an older schema. A wrong
    /// passphrase is refused with nothing touched.
    ///
    /// `path` may also name HQ's PostgreSQL server (`postgres://…`, see `store::shared`): this
    /// desk's replica of it (`database_file`) is opened, or made, with the passphrase, then kept
    /// in step with the server.
    pub fn open(path: impl AsRef<Path>, passphrase: &str) -> Result<Palabre> {
        let location = path.as_ref();
        if let Some(url) = server_url(location) {
            return Self::open_server(url, &database_file(location), passphrase);
        }
        let app = Self::open_file(location, passphrase)?;
        app.reattach()?;
        Ok(app)
    }

    /// A desk of an HQ on a server, opened by its file (or recovered): back in step with it.
    fn reattach(&self) -> Result<()> {
        if let Some(url) = self.store.read(|c| bookkeeping::get(c, Key::SharedServer))? {
            self.share_with(&url, store::Attach::Open)?;
        }
        Ok(())
    }

    /// Opens this desk's replica `replica` of the HQ on the PostgreSQL server at `url` (made,
    /// and locked with `passphrase`, if new), and brings it up to the server.
    pub fn open_server(url: &str, replica: &Path, passphrase: &str) -> Result<Palabre> {
        let app = Self::open_file(replica, passphrase)?;
        app.share_with(url, store::Attach::Open)?;
        Ok(app)
    }

    /// A desk of the HQ on the server at `url` whose replica lives in memory: rebuilt from the
    /// server at each opening (`hq migrate` checks the server's copy with one; tests use them).
    pub fn open_server_in_memory(url: &str) -> Result<Palabre> {
        let app = Self::open_in_memory()?;
        app.share_with(url, store::Attach::Open)?;
        Ok(app)
    }

    fn open_file(path: &Path, passphrase: &str) -> Result<Palabre> {
        // Making a key (or encrypting) is done by one program at a time; the state is read
        // again once the lock is held, in case another one just did it.
        let _held = match lock::state(path) {
            DatabaseState::Locked => None,
            DatabaseState::New | DatabaseState::Plain => Some(lock::hold(path)?),
        };
        let key = match lock::state(path) {
            DatabaseState::New => {
                let key = lock::create(path, passphrase)?;
                // A database that cannot be made here leaves no key file of its own behind.
                return Self::open_with_key(path, key).inspect_err(|_| {
                    if lock::state(path) == DatabaseState::New {
                        let _ = std::fs::remove_file(lock::key_file(path));
                    }
                });
            }
            DatabaseState::Plain => lock::encrypt_in_place(path, passphrase)?,
            DatabaseState::Locked if !lock::key_file(path).exists() => {
                return Err(Error::NotADatabase {
                    path: path.to_path_buf(),
                    reason: format!(
                        "it is not a plain SQLite file, and no key file ({}) is beside it to open it as an encrypted one. If it is your database, put its key file back beside it",
                        lock::key_file(path).display()
                    ),
                });
            }
            DatabaseState::Locked => lock::unlock(path, passphrase)?,
        };
        Self::open_with_key(path, key)
    }

    /// Opens the database at `path` with HQ's recovery file and the code HQ read out, and locks
    /// its key with `new_passphrase` from now on.
    pub fn recover(
        path: impl AsRef<Path>,
        recovery: &Path,
        code: &str,
        new_passphrase: &str,
    ) -> Result<Palabre> {
        let path = &database_file(path.as_ref());
        lock::check_new(new_passphrase)?;
        let key = lock::unlock_with_recovery(path, recovery, code)?;
        let app = Self::open_with_key(path, key)?;
        lock::change_passphrase(
            path,
            app.store.key().expect("a file database has a key"),
            new_passphrase,
        )?;
        tracing::info!("database key recovered through HQ; new passphrase set");
        app.reattach()?;
        Ok(app)
    }

    /// Writes this database's recovery request (for HQ) into the folder `out`. Works on a locked
    /// database: it needs no passphrase, and holds nothing but the key sealed to HQ.
    pub fn write_recovery_request(path: impl AsRef<Path>, out: &Path) -> Result<PathBuf> {
        lock::write_request(&database_file(path.as_ref()), out)
    }

    fn open_with_key(path: &Path, key: DbKey) -> Result<Palabre> {
        // A copy before changing the schema; no copy, no migration.
        let store = Store::open(path, &key, |conn, db, version| {
            backup::automatic(conn, db, &format!("migration-v{version}")).map(drop)
        })?;
        let app = Palabre { store, key: KeyStore::File(device::key_path(path)) };
        // Backups left plain by an earlier Palabre (or by an encryption cut short) are encrypted.
        if let Err(e) = lock::encrypt_plain_backups(path, &key) {
            tracing::warn!(code = e.code(), "plain backups not encrypted yet");
        }
        app.keep_recovery_copy();
        // An erasure whose copies were not all scrubbed before the app stopped. A failure here
        // (a backup that cannot be rewritten or removed) must not lock the laptop out: the mark
        // stays and the next start tries again.
        if let Err(e) = app.scrub_copies() {
            tracing::warn!(code = e.code(), "copies not scrubbed yet after an erasure");
        }
        Ok(app)
    }

    /// Once enrolled, the key file keeps a copy of the key sealed to HQ (for a forgotten
    /// passphrase). Made at enrollment and, if missing, at every opening; a failure is logged and
    /// tried again next time.
    pub(crate) fn keep_recovery_copy(&self) {
        let (Some(path), Some(key)) = (self.store.path(), self.store.key()) else { return };
        let enrollment = self.store.read(exchange::enrollment::stored);
        match enrollment {
            Ok(Some(hq)) => match lock::add_recovery(path, key, &hq.age_recipient) {
                Ok(true) => tracing::info!("recovery copy of the database key sealed to HQ"),
                Ok(false) => {}
                Err(e) => tracing::warn!(code = e.code(), "recovery copy not made"),
            },
            Ok(None) => {}
            Err(e) => tracing::warn!(code = e.code(), "enrollment unreadable"),
        }
    }

    /// Opens a database file without encryption. Only the benchmarks use it, to measure what
    /// encryption costs on the same work in the same run; Palabre never makes a plain database.
    #[doc(hidden)]
    pub fn open_unencrypted(path: impl AsRef<Path>) -> Result<Palabre> {
        let path = path.as_ref();
        let store = Store::open_unencrypted(path)?;
        Ok(Palabre { store, key: KeyStore::File(device::key_path(path)) })
    }

    pub fn open_in_memory() -> Result<Palabre> {
        Ok(Palabre { store: Store::open_in_memory()?, key: KeyStore::Memory(Mutex::new(None)) })
    }

    /// The identity and, in the same transaction, whatever `also` writes.
    pub(crate) fn make_identity(
        &self,
        name: &str,
        also: impl FnOnce(&Connection) -> Result<()>,
    ) -> Result<Device> {
        let secret = device::new_secret();
        let created = self.store.write(|tx| {
            let device = device::insert(tx, name, &secret)?;
            also(tx)?;
            if let KeyStore::File(path) = &self.key {
                device::write_key_file(path, &secret)?;
            }
            Ok(device)
        });
        match (&created, &self.key) {
            (Ok(_), KeyStore::Memory(slot)) => {
                *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(secret);
            }
            (
                Err(Error::Sqlite(_) | Error::Locked | Error::DiskFull | Error::ReadOnly),
                KeyStore::File(path),
            ) => {
                // The commit failed after the key file was written: do not leave a stray key.
                let _ = std::fs::remove_file(path);
            }
            _ => {}
        }
        created
    }

    /// The secret key that signs this device's bundles, checked against the stored public key.
    fn read_signing_key(&self) -> Result<SigningKey> {
        let public = self.store.read(device::public_key_bytes)?;
        match &self.key {
            KeyStore::File(path) => device::read_key_file(path, &public),
            KeyStore::Memory(slot) => {
                let secret =
                    slot.lock().unwrap_or_else(|p| p.into_inner()).ok_or(Error::NotInitialized)?;
                Ok(SigningKey::from_bytes(&secret))
            }
        }
    }

    /// Runs `f` with the single write path, in one transaction.
    pub(crate) fn write_ops<T>(
        &self,
        f: impl FnOnce(&Connection, &mut OpWriter<'_>) -> Result<T>,
    ) -> Result<T> {
        self.store.write(|tx| {
            let mut writer = OpWriter::begin(tx, DERIVED)?;
            let value = f(tx, &mut writer)?;
            writer.finish()?;
            Ok(value)
        })
    }

    /// Creates row `id` of `entity` with the fields of `changes` (already checked by the model).
    pub(crate) fn create_row(
        &self,
        entity: Entity,
        id: uuid::Uuid,
        changes: model::Changes,
    ) -> Result<()> {
        self.write_ops(|_, w| w.set_all(entity, id, changes.0).map(drop))
    }

    /// Edits a row of `entity` that `load` reads: `changes` says which fields the input changes
    /// (checked against the row as stored), those ops are written, and the row is read back.
    pub(crate) fn edit_row<T>(
        &self,
        entity: Entity,
        id: uuid::Uuid,
        load: impl Fn(&Connection) -> Result<T>,
        changes: impl FnOnce(&T) -> Result<model::Changes>,
    ) -> Result<T> {
        self.write_ops(|conn, w| {
            let changes = changes(&load(conn)?)?;
            w.set_all(entity, id, changes.0)?;
            load(conn)
        })
    }

    /// Deletes a row of `entity` that `load` finds (NotFound otherwise): a tombstone op, which
    /// travels to the other copies like any change.
    pub(crate) fn tombstone<T>(
        &self,
        entity: Entity,
        id: uuid::Uuid,
        load: impl FnOnce(&Connection) -> Result<T>,
    ) -> Result<()> {
        self.write_ops(|conn, w| {
            load(conn)?;
            w.set(entity, id, "deleted", true.into()).map(drop)
        })
    }

    /// After an erasure was applied (here, or merged from a bundle): scrubs the copies of the
    /// data outside the live tables — bundles held in quarantine that carry an erased person's
    /// data are dropped, every automatic backup is rewritten without it — then empties the
    /// write-ahead log. Runs after the commit; a stop in between leaves the mark, and the next
    /// `open` finishes the work.
    pub(crate) fn scrub_copies(&self) -> Result<()> {
        use journal::erasure;
        if !self.store.read(erasure::copies_to_scrub)? {
            return Ok(());
        }
        let people = self.store.read(|c| erasure::erased_rows(c, Entity::Person))?;
        self.store.write(|tx| exchange::import::forget_held(tx, &people))?;
        if let Some(db) = self.store.path() {
            backup::rewrite_backups(db, self.store.key(), &|conn| {
                erasure::scrub(conn, Entity::Person, &people)?;
                search::forget(conn, &people)?;
                exchange::import::forget_held(conn, &people)
            })?;
        }
        self.store.write(|tx| erasure::copies_scrubbed(tx))?;
        self.store.checkpoint()?;
        tracing::info!(erased = people.len(), "copies scrubbed after an erasure");
        Ok(())
    }

    /// The store, for the core's modules (and the tests and benchmarks that count rows).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Makes this database a desk of the HQ on the server at `url` (see `Store::share`).
    pub(crate) fn share_with(&self, url: &str, how: store::Attach) -> Result<()> {
        self.store.share(url, merge_pulled, how)
    }

    pub(crate) fn unshare(&self) -> Result<()> {
        self.store.unshare()
    }
}

/// Where the database lives when no path is given: `PALABRE_DB`, else the platform's data
/// folder (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on
/// macOS, `%APPDATA%` on Windows) + `palabre/palabre.db`. The CLI and the desktop share it.
pub fn default_db_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PALABRE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    data_dir().join("palabre.db")
}

/// The file holding the database at `location`: `location` itself, or, when it names HQ's
/// PostgreSQL server, this desk's replica of it: `PALABRE_REPLICA` when set, else
/// `shared-<host>-<port>-<database>.db` in the data folder. Logs, backups and the key file sit
/// beside that file, as for any database.
pub fn database_file(location: &Path) -> PathBuf {
    let Some(url) = server_url(location) else {
        return location.to_path_buf();
    };
    if let Some(path) = std::env::var_os("PALABRE_REPLICA").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let shown = store::shared::shown(url);
    let name: String = shown
        .trim_start_matches("postgres://")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '-' })
        .collect();
    data_dir().join(format!("shared-{name}.db"))
}

/// Starts the log of `program` beside the database at `location` (beside this desk's replica
/// for HQ's server): see `logging`.
pub fn start_logging(location: &Path, program: &'static str) {
    logging::init(&database_file(location), program)
}

/// How to name the database at `location` to people: its path, or HQ's server without its
/// password (`postgres://user@host:port/database`).
pub fn shown_location(location: &Path) -> String {
    match server_url(location) {
        Some(url) => store::shared::shown(url),
        None => location.display().to_string(),
    }
}

/// The connection string, when `location` names HQ's PostgreSQL server rather than a file.
fn server_url(location: &Path) -> Option<&str> {
    location.to_str().filter(|l| store::shared::is_server(l))
}

/// Applies the ops a replica pulls from HQ's server: the journal's merge, as for a bundle's.
fn merge_pulled(conn: &Connection, rows: &[Vec<rusqlite::types::Value>]) -> Result<()> {
    let ops = rows.iter().map(|r| journal::oplog::from_columns(r)).collect::<Result<Vec<_>>>()?;
    journal::oplog::merge(conn, &ops, DERIVED)?;
    Ok(())
}

/// The platform's data folder for Palabre.
fn data_dir() -> PathBuf {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("palabre")
}
