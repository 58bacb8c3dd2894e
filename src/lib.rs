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
//!   `duplicates`, `report`, `sheet`, `settings`, `backup`, `demo`, `diagnostics`;
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
mod people;
mod plans;
pub mod report;
mod search;
mod sessions;
mod settings;
pub mod sheet;
// Moving data, then HQ.
pub mod exchange;
pub mod hq;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use ed25519_dalek::SigningKey;
use rusqlite::Connection;

// What the front ends use, by area.
pub use error::{Error, Invalid, Rejection, Result};
pub use i18n::{Lang, t as translate};
pub use logging::init as start_logging;
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
pub use settings::{About, AppInfo, SetUp, Setting, parse_language};
// Duplicates.
pub use duplicates::{Candidates, Decision, Level, Merged, Reason, Unmerged};
// Reports and sheets.
pub use report::export::CsvFlavour;
pub use report::indicators::Period;
pub use report::{NamedList, Overview, Report};
pub use sheet::{DEFAULT_BLANK_ROWS, MAX_BLANK_ROWS};
// The journal and exchange.
pub use exchange::bundle::Bundle;
pub use exchange::conflicts::Conflict;
pub use exchange::devices::{DeviceStatus, Orphan};
pub use exchange::documents::Enrollment;
pub use exchange::enrollment::HqStatus;
pub use exchange::export::Exported;
pub use exchange::import::{ImportOutcome, Trusted};
pub use journal::oplog::{Op, OpWriter};
pub use journal::schema::Entity;
// HQ.
pub use hq::{AckWritten, HqKeys};
pub use store::Store;

/// The data derived from synced rows that the journal keeps up to date on every write, local or
/// merged: the search index, then the aliases of merged people (which reindex whom they move).
pub(crate) const DERIVED: &[&dyn journal::Derived] =
    &[&search::SearchIndex, &duplicates::links::Aliases];

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

impl Palabre {
    /// Opens or creates the database at `path` (and runs migrations).
    pub fn open(path: impl AsRef<Path>) -> Result<Palabre> {
        let path = path.as_ref();
        // A copy before changing the schema; no copy, no migration.
        let store = Store::open(path, |conn, db, version| {
            backup::automatic(conn, db, &format!("migration-v{version}")).map(drop)
        })?;
        Ok(Palabre { store, key: KeyStore::File(device::key_path(path)) })
    }

    pub fn open_in_memory() -> Result<Palabre> {
        Ok(Palabre { store: Store::open_in_memory()?, key: KeyStore::Memory(Mutex::new(None)) })
    }

    /// The database file, or None in memory.
    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// Makes this database's device identity: id, name and signing key (`set_up` also stores
    /// the first settings).
    pub fn init(&self, device_name: &str) -> Result<Device> {
        self.set_up(&SetUp { device_name: device_name.to_string(), ..SetUp::default() })
    }

    /// The identity and, in the same transaction, whatever `also` writes.
    fn make_identity(
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

    pub fn is_initialized(&self) -> Result<bool> {
        self.store.read(|c| Ok(device::load(c)?.is_some()))
    }

    /// This laptop's identity.
    pub fn device(&self) -> Result<Device> {
        self.store.read(|c| device::load(c)?.ok_or(Error::NotInitialized))
    }

    pub fn rename_device(&self, name: &str) -> Result<Device> {
        let name = device::validate_name(name)?;
        self.store.write(|tx| {
            if tx.execute("UPDATE device SET name = ?1", [&name])? == 0 {
                return Err(Error::NotInitialized);
            }
            device::load(tx)?.ok_or(Error::NotInitialized)
        })
    }

    /// The secret key that signs this device's bundles, checked against the stored public key.
    pub fn signing_key(&self) -> Result<SigningKey> {
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

    /// The key file's path (None in memory).
    pub fn key_path(&self) -> Option<&Path> {
        match &self.key {
            KeyStore::File(path) => Some(path),
            KeyStore::Memory(_) => None,
        }
    }

    /// Today on this laptop, the date against which ages, consent and overdue items are judged.
    pub fn today(&self) -> NaiveDate {
        chrono::Local::now().date_naive()
    }

    /// Runs `f` with the single write path, in one transaction.
    fn write_ops<T>(
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

    /// Every op in this database's log, in (device, op_seq) order.
    pub fn ops(&self) -> Result<Vec<Op>> {
        self.store.read(journal::oplog::all)
    }

    /// Merges ops from any device, in one transaction; returns how many were new.
    pub fn merge_ops(&self, ops: &[Op]) -> Result<usize> {
        self.store.write(|tx| journal::oplog::merge(tx, ops, DERIVED))
    }

    /// The synced tables and field clocks as JSON, rows ordered by id: two databases with equal
    /// snapshots hold the same synced data.
    pub fn synced_snapshot(&self) -> Result<serde_json::Value> {
        self.store.read(exchange::snapshot)
    }

    /// Read access for other core modules (reports, sheets, bundles).
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Where the database lives when no path is given: `PALABRE_DB`, else the platform's data
/// folder (`$XDG_DATA_HOME` or `~/.local/share` on Linux, `~/Library/Application Support` on
/// macOS, `%APPDATA%` on Windows) + `palabre/palabre.db`. The CLI and the desktop share it.
pub fn default_db_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PALABRE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let base = if cfg!(windows) {
        env("APPDATA")
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| h.join("Library/Application Support"))
    } else {
        env("XDG_DATA_HOME").or_else(|| env("HOME").map(|h| h.join(".local/share")))
    };
    base.unwrap_or_else(|| PathBuf::from(".")).join("palabre").join("palabre.db")
}
