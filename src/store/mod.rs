//! The database file: one `open()` that sets every pragma and migrates, and one connection behind
//! a Mutex through which every read and write goes (several writers only earn SQLITE_BUSY).
//! `write(|tx| …)` commits only when the closure returns Ok; any error rolls everything back.

pub mod bookkeeping;
pub mod cipher;
pub mod migrations;
pub mod shared;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::error::{Error, Result};
use cipher::DbKey;

/// How a database becomes a desk of an HQ on a server (`Store::share`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attach {
    /// A desk opened, or a new database joining: the server's HQ must be ready.
    Open,
    /// `hq migrate`: this database's HQ goes to an empty server.
    Migrate,
    /// `hq migrate`'s check: a copy rebuilt from the server before it is opened to desks.
    Check,
}

pub struct Store {
    conn: Mutex<Connection>,
    path: Option<PathBuf>,
    /// The key of an encrypted file (none in memory, or for a plain file opened by a benchmark).
    key: Option<DbKey>,
    /// HQ's server, when this database is a replica of an HQ held by PostgreSQL.
    shared: RwLock<Option<Arc<shared::Shared>>>,
}

/// Called before a migration changes an existing database file, with the connection, the file and
/// the schema version found: the facade makes a backup there (no copy, no migration). The store
/// itself knows nothing of backups.
pub type BeforeMigration = fn(&Connection, &Path, i64) -> Result<()>;

impl Store {
    /// Opens (creating if needed) the encrypted database at `path` with `key`. A key that does
    /// not open it, a file that is not Palabre's, or one written by a newer Palabre, is refused
    /// before anything is written to it; an older one is migrated after `before_migration` has
    /// run.
    pub fn open(path: &Path, key: &DbKey, before_migration: BeforeMigration) -> Result<Store> {
        Self::open_file(path, Some(key), before_migration)
    }

    /// Opens a database file without encryption. Only the benchmarks use it, to measure what
    /// encryption costs; Palabre itself never writes a plain database.
    #[doc(hidden)]
    pub fn open_unencrypted(path: &Path) -> Result<Store> {
        Self::open_file(path, None, |_, _, _| Ok(()))
    }

    fn open_file(
        path: &Path,
        key: Option<&DbKey>,
        before_migration: BeforeMigration,
    ) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        }
        let conn = Connection::open(path).map_err(|e| not_a_database(path, e))?;
        if let Some(key) = key {
            cipher::apply(&conn, key)?;
            if !cipher::opens(&conn)? {
                return Err(Error::DatabaseKey {
                    path: cipher::key_file(path),
                    reason: format!(
                        "its key does not open {}: the key file belongs to another database, or the database file is damaged or not Palabre's",
                        path.display()
                    ),
                });
            }
        }
        Self::setup(conn, Some(path.to_path_buf()), key.cloned(), before_migration)
    }

    /// A private database in memory, for tests and throw-away work.
    pub fn open_in_memory() -> Result<Store> {
        Self::setup(Connection::open_in_memory()?, None, None, |_, _, _| Ok(()))
    }

    fn setup(
        mut conn: Connection,
        path: Option<PathBuf>,
        key: Option<DbKey>,
        before_migration: BeforeMigration,
    ) -> Result<Store> {
        let shown = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.create_collation(crate::model::names::COLLATION, crate::model::names::compare)?;
        crate::model::names::register_functions(&conn)?;
        migrations::check_version(&conn, &shown).map_err(|e| match e {
            Error::Sqlite(e) => not_a_database(&shown, e),
            other => other,
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted and overwritten content is zeroed in the file, not left in free space: an
        // erased person's name must not survive in a page SQLite no longer uses. Temporary
        // tables and sorts stay in memory, never in a file of the system's temp folder.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // Every page read from the file is decrypted (SQLCipher) before SQLite can use it: a
        // page cache of up to 128 MiB (2 MiB by default) keeps the pages of a whole programme's
        // report decrypted in memory between two reads, instead of decrypting them again.
        conn.pragma_update(None, "cache_size", -131_072)?;
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if let Some(db) = &path
            && version > 0
            && version < migrations::LATEST
        {
            before_migration(&conn, db, version)?;
        }
        migrations::migrate(&mut conn)?;
        Ok(Store { conn: Mutex::new(conn), path, key, shared: RwLock::new(None) })
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The key the file is encrypted with (every copy of it is encrypted with the same).
    pub fn key(&self) -> Option<&DbKey> {
        self.key.as_ref()
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (the transaction rolls back on
        // drop), so a poisoned lock is safe to reuse.
        self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes this database a replica of the HQ held by the PostgreSQL server at `url` (see
    /// shared.rs): from now on every write goes through the server, and every read first
    /// catches up with it. `merge` applies the ops pulled from it.
    ///
    /// A database already a replica of that server, or a new one (no identity yet: it receives
    /// the server's HQ, or becomes it with `init`) is accepted. A database with an identity of
    /// its own is accepted only with `migrating` (`hq migrate`), into a server that holds no HQ
    /// yet; its rows are then sent with `publish_all`.
    pub fn share(&self, url: &str, merge: shared::MergeOps, how: Attach) -> Result<()> {
        shared::blocking(|| self.share_now(url, merge, how))
    }

    fn share_now(&self, url: &str, merge: shared::MergeOps, how: Attach) -> Result<()> {
        let migrating = how == Attach::Migrate;
        let server = shared::Shared::connect(url, merge)?;
        if !server.holds_hq(how != Attach::Open)? {
            server.create_tables(!migrating)?;
        }
        {
            let conn = self.lock();
            let ours: Option<String> =
                conn.query_row("SELECT device_id FROM device", [], |r| r.get(0)).optional()?;
            let attached = bookkeeping::get(&conn, bookkeeping::Key::SharedServer)?
                .is_some_and(|u| shared::shown(&u) == shared::shown(url));
            let refuse = |reason: &str| Error::HqServer {
                server: server.server().to_string(),
                reason: reason.to_string(),
            };
            if migrating {
                if ours.is_none() {
                    return Err(Error::NotInitialized);
                }
                if attached {
                    return Err(refuse("this database is already a copy of it"));
                }
            } else if ours.is_some() && !attached {
                return Err(refuse(
                    "this database has an HQ of its own. Move it to the server with `palabre hq migrate --to`, or open the server with a new database",
                ));
            }
            shared::Shared::capture(&conn)?;
            // A migrating file becomes a desk only once the server's copy is checked
            // (`finish_migration`): stopped before, it is still a single-file HQ.
            if !migrating {
                bookkeeping::put(&conn, bookkeeping::Key::SharedServer, url)?;
            }
        }
        *self.shared.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(server));
        Ok(())
    }

    /// After `hq migrate` checked the server's copy: the server opens to desks, and this file
    /// is one of them from now on.
    pub fn finish_migration(&self, url: &str) -> Result<()> {
        let shared = self.shared().ok_or(Error::NotHq)?;
        shared::blocking(|| shared.mark_ready())?;
        let conn = self.lock();
        bookkeeping::put(&conn, bookkeeping::Key::SharedServer, url)
    }

    /// Makes this database a single file again, after a migration that did not complete.
    pub fn unshare(&self) -> Result<()> {
        let dropped = self.shared.write().unwrap_or_else(|p| p.into_inner()).take();
        shared::blocking(|| drop(dropped));
        let conn = self.lock();
        shared::Shared::release(&conn)?;
        for key in [
            bookkeeping::Key::SharedServer,
            bookkeeping::Key::SharedPos,
            bookkeeping::Key::SharedToken,
        ] {
            conn.execute("DELETE FROM settings WHERE key = ?1", [key.name()])?;
        }
        Ok(())
    }

    /// The server this database is a replica of, as shown to people (no password).
    pub fn server(&self) -> Option<String> {
        self.shared().map(|s| s.server().to_string())
    }

    fn shared(&self) -> Option<Arc<shared::Shared>> {
        self.shared.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Sends every row HQ holds to the server, which must hold none (`hq migrate`).
    pub fn publish_all(&self) -> Result<u64> {
        let shared = self.shared().ok_or(Error::NotHq)?;
        shared::blocking(|| shared.publish_all(&mut self.lock()))
    }

    /// Runs `f` in an IMMEDIATE transaction; commits on Ok, rolls back on Err. On a replica of a
    /// shared HQ, under the server's lock, and the server commits first.
    pub fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        if let Some(shared) = self.shared() {
            return shared::blocking(|| shared.write(&mut conn, f));
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Replaces the whole database with `from`, a connection to a copy encrypted with the same
    /// key (the online backup API, so this connection stays open), then migrates it to this
    /// version's schema.
    pub fn restore_from(&self, from: &Connection) -> Result<()> {
        if let Some(shared) = self.shared() {
            return Err(Error::HqServer {
                server: shared.server().to_string(),
                reason: "a desk of a shared HQ is not restored from a backup: the server is HQ's copy (restore it with pg_restore), and a desk's own copy is rebuilt from it by opening the server with a new database".into(),
            });
        }
        let mut conn = self.lock();
        {
            let backup = rusqlite::backup::Backup::new(from, &mut conn)?;
            backup.run_to_completion(256, Duration::ZERO, None)?;
        }
        migrations::migrate(&mut conn)
    }

    /// Copies the write-ahead log into the database and empties the log file, so that the pages
    /// as they were before the last writes are no longer on disk in it.
    pub fn checkpoint(&self) -> Result<()> {
        let conn = self.lock();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Runs `f` with the connection for reading (on a replica, once caught up with the server).
    pub fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let mut conn = self.lock();
        if let Some(shared) = self.shared() {
            shared::blocking(|| shared.refresh(&mut conn))?;
        }
        f(&conn)
    }
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_path_buf(),
            reason: "the file is not an SQLite database".into(),
        },
        _ => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_sets_the_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let store =
            Store::open(&dir.path().join("p.db"), &DbKey::random(), |_, _, _| Ok(())).unwrap();
        store
            .read(|c| {
                let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
                let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
                let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0))?;
                let secure: i64 = c.query_row("PRAGMA secure_delete", [], |r| r.get(0))?;
                let temp: i64 = c.query_row("PRAGMA temp_store", [], |r| r.get(0))?;
                assert_eq!((secure, temp), (1, 2), "secure delete on, temporary data in memory");
                let cache: i64 = c.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
                let checkpoint: i64 = c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?;
                assert_eq!((cache, checkpoint), (-131_072, 10_000), "decrypted pages kept");
                let cipher: String = c.query_row("PRAGMA cipher_version", [], |r| r.get(0))?;
                assert!(cipher.starts_with('4'), "SQLCipher 4 encrypts the file: {cipher}");
                let timeout: i64 = c.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
                let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
                assert_eq!((mode.as_str(), fk, sync, timeout), ("wal", 1, 1, 5000));
                assert_eq!(version, migrations::LATEST);
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn write_rolls_back_on_error() {
        let store = Store::open_in_memory().unwrap();
        let result: Result<()> = store.write(|tx| {
            tx.execute("INSERT INTO settings (key, value) VALUES ('a', 'b')", [])?;
            Err(Error::NotInitialized)
        });
        assert!(result.is_err());
        let count: i64 = store
            .read(|c| Ok(c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(count, 0);
    }
}
