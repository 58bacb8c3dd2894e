//! HQ on PostgreSQL (issue 23): several officers' desks share one HQ held by a PostgreSQL server.
//!
//! The server holds what no desk can recompute: the op journal, the laptops known and trusted,
//! the bundles received, held and refused, what was sent down, the files of paper evidence, HQ's
//! identity (its public part) and the settings HQ shares. Each desk keeps an encrypted SQLite
//! *replica* of the whole HQ, and every rule — import checks, merge, conflicts, report, search,
//! duplicates — runs on it, through the same code as a single-file HQ. What differs between the
//! two engines is here, behind `Store::write` and `Store::read`:
//!
//! - **A write** takes the server's HQ lock (an advisory lock held until the server commits), so
//!   desks write one at a time; brings the replica up to the server's head; runs the change on
//!   the replica; sends the rows it changed (captured by temporary triggers) to the server; and
//!   commits the server, then the replica. A failure anywhere rolls both back.
//! - **A read** first asks the server for its head (one round trip) and, if other desks wrote
//!   since, brings the replica up to it. Ops pulled are merged by the journal's own merge (the
//!   hook given at opening), so the tables derived from them are computed as on any copy.
//!
//! Every mirrored row on the server carries `_pos`, the position of the write that last sent it
//! (one number of one sequence per write); rows removed leave a line in `palabre.deleted`. Since
//! writers take turns, the head only grows and a replica at position P needs exactly the rows
//! above P.

use std::borrow::Cow;
use std::sync::{Mutex, MutexGuard};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type};
use postgres::{Client, IsolationLevel, NoTls};
use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use crate::error::{Error, Result};
use crate::store::bookkeeping::{self, Key};

/// Applies ops pulled from the server to the replica (the journal's merge, given by the facade:
/// the store knows nothing of ops). Each row holds the `oplog` table's columns, in order.
pub type MergeOps = fn(&Connection, &[Vec<SqlValue>]) -> Result<()>;

/// The version of the server's tables. A desk refuses a server of another version.
pub const SERVER_SCHEMA: i32 = 1;

/// The HQ lock: one number for every desk (pg_advisory_xact_lock).
const HQ_LOCK: i64 = 0x5041_4c41_4252_4531;

/// Ops are pulled and merged this many at a time (a desk joining a large HQ).
const PULL_CHUNK: usize = 50_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Text,
    Blob,
}

impl Kind {
    fn pg(self) -> &'static str {
        match self {
            Kind::Int => "BIGINT",
            // Compared byte by byte, as SQLite does: keys (UUIDs, hashes) are compared faster
            // than under the server's language collation, and sort the same on every server.
            Kind::Text => "TEXT COLLATE \"C\"",
            Kind::Blob => "BYTEA",
        }
    }

    fn pg_type(self) -> Type {
        match self {
            Kind::Int => Type::INT8,
            Kind::Text => Type::TEXT,
            Kind::Blob => Type::BYTEA,
        }
    }
}

/// A table the server holds, with the columns it mirrors (all but a replica's own, such as a
/// photo's thumbnail) and the key of its rows.
pub struct Mirrored {
    pub table: &'static str,
    pub key: &'static [&'static str],
    pub columns: &'static [(&'static str, Kind)],
    /// Rows are only ever added (never replaced or removed), and changed in place: the rows a
    /// write adds are copied straight into the server's table (the journal: a million ops).
    pub appended: bool,
}

use Kind::{Blob, Int, Text};

/// Everything HQ holds that the ops do not give, then the journal (pulled last, so that the
/// devices and files its ops need are there when they are merged). `tests/shared_hq.rs` checks
/// this list against the SQLite schema: a column added by a migration must be added here.
pub const TABLES: &[Mirrored] = &[
    Mirrored {
        table: "device",
        key: &["singleton"],
        columns: &[
            ("singleton", Int),
            ("device_id", Text),
            ("name", Text),
            ("public_key", Blob),
            ("created_at", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "settings",
        key: &["key"],
        columns: &[("key", Text), ("value", Text)],
        appended: false,
    },
    Mirrored {
        table: "devices",
        key: &["device_id"],
        columns: &[
            ("device_id", Text),
            ("name", Text),
            ("public_key", Blob),
            ("fingerprint", Text),
            ("trusted", Int),
            ("first_seen", Text),
            ("last_bundle_seq", Int),
            ("last_import_at", Text),
            ("clock_offset_s", Int),
            ("lost_at", Text),
            ("successor_of", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "imported_bundles",
        key: &["bundle_id"],
        columns: &[
            ("bundle_id", Text),
            ("device_id", Text),
            ("bundle_seq", Int),
            ("manifest_sha256", Text),
            ("op_count", Int),
            ("new_ops", Int),
            ("imported_at", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "quarantine",
        key: &["bundle_id"],
        columns: &[
            ("bundle_id", Text),
            ("device_id", Text),
            ("bundle_seq", Int),
            ("bytes", Blob),
            ("received_at", Text),
            ("reason", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "forks",
        key: &["device_id", "op_seq", "bundle_id"],
        columns: &[
            ("device_id", Text),
            ("op_seq", Int),
            ("bundle_id", Text),
            ("detected_at", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "downlinked",
        key: &["device_id", "entity", "row_id"],
        columns: &[("device_id", Text), ("entity", Text), ("row_id", Text)],
        appended: false,
    },
    Mirrored {
        table: "evidence_files",
        key: &["sha256"],
        columns: &[
            ("sha256", Text),
            ("media_type", Text),
            ("size", Int),
            ("bytes", Blob),
            ("stored_at", Text),
        ],
        appended: false,
    },
    Mirrored {
        table: "oplog",
        key: &["device_id", "op_seq"],
        columns: &[
            ("device_id", Text),
            ("op_seq", Int),
            ("hlc", Int),
            ("entity", Text),
            ("row_id", Text),
            ("field", Text),
            ("value", Text),
            ("prev_hlc", Int),
            ("prev_device", Text),
        ],
        appended: true,
    },
];

impl Mirrored {
    fn names(&self) -> Vec<&'static str> {
        self.columns.iter().map(|(c, _)| *c).collect()
    }

    fn kind(&self, column: &str) -> Kind {
        self.columns.iter().find(|(c, _)| *c == column).map(|(_, k)| *k).unwrap_or(Text)
    }

    /// Which of the table's rows are mirrored, as an SQL condition on `row` ("NEW", "OLD", a
    /// table's name or alias): only the settings HQ's desks share (`Key::shared_at_hq`); each
    /// desk keeps its own language, clock, key folder and position. None: every row.
    fn mirrored_rows(&self, row: &str) -> Option<String> {
        (self.table == "settings").then(|| format!("{row}.key IN ({})", shared_keys()))
    }

    /// The WHEN clause of a capture trigger on `row`.
    fn filter(&self, row: &str) -> String {
        self.mirrored_rows(row).map(|c| format!(" WHEN {c}")).unwrap_or_default()
    }

    fn changed(&self) -> String {
        format!("palabre_changed_{}", self.table)
    }

    /// Where the rows a write adds are noted: apart, for an appended table.
    fn added(&self) -> String {
        if self.appended { format!("palabre_new_{}", self.table) } else { self.changed() }
    }
}

/// The server's tables, made once by the first desk (or `hq migrate`).
fn server_schema() -> String {
    let mut sql = String::from(
        "CREATE SCHEMA IF NOT EXISTS palabre;
         CREATE SEQUENCE palabre.pos;
         CREATE TABLE palabre.head (
             singleton INT PRIMARY KEY CHECK (singleton = 1),
             pos BIGINT NOT NULL,
             server_schema INT NOT NULL,
             replica_schema INT NOT NULL,
             -- false while `hq migrate` copies into it and checks the copy: no desk joins it.
             ready BOOLEAN NOT NULL,
             created_at TIMESTAMPTZ NOT NULL DEFAULT now());
         -- One line per write: a desk checks that the server still holds the write it last
         -- saw (not a server restored from an older dump, nor another HQ's).
         CREATE TABLE palabre.writes (
             pos BIGINT PRIMARY KEY, token TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now());
         CREATE TABLE palabre.deleted (
             id BIGSERIAL PRIMARY KEY, pos BIGINT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL);
         CREATE INDEX deleted_by_pos ON palabre.deleted (pos);\n",
    );
    for t in TABLES {
        let columns: Vec<String> =
            t.columns.iter().map(|(c, k)| format!("{c} {}", k.pg())).collect();
        sql.push_str(&format!(
            "CREATE TABLE palabre.{table} ({columns}, _pos BIGINT NOT NULL, PRIMARY KEY ({key}));
             CREATE INDEX {table}_by_pos ON palabre.{table} USING {index} (_pos);\n",
            table = t.table,
            // An appended table (the journal) grows in position order (a blanked op moves up):
            // a block-range index finds the new rows at a fraction of a B-tree's cost per insert.
            index = if t.appended { "brin" } else { "btree" },
            columns = columns.join(", "),
            key = t.key.join(", "),
        ));
    }
    sql
}

/// The server as a desk sees it: a connection, and how to name it in messages (never with its
/// password).
pub struct Shared {
    /// Taken out only when dropped (see `Drop`); made again when the connection was lost.
    client: Mutex<Option<Client>>,
    config: postgres::Config,
    server: String,
    merge: MergeOps,
}

/// How long a desk waits for HQ's lock (another desk writing) before saying so.
const LOCK_WAIT: &str = "120s";
/// A desk that stops talking in the middle of a write (its network gone) loses its transaction,
/// and HQ's lock with it, after this long.
const IDLE_IN_WRITE: &str = "600s";

/// The connection string without its password, for messages and the Settings screen.
pub fn shown(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(config) => {
            let host = config
                .get_hosts()
                .first()
                .map(|h| match h {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    #[cfg(unix)]
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .unwrap_or_else(|| "localhost".into());
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let db = config.get_dbname().unwrap_or("");
            let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
            format!("postgres://{user}{host}:{port}/{db}")
        }
        Err(_) => "postgres://(unreadable connection string)".into(),
    }
}

/// Whether `location` names a PostgreSQL server rather than a file.
pub fn is_server(location: &str) -> bool {
    location.starts_with("postgres://") || location.starts_with("postgresql://")
}

impl Shared {
    /// Connects to the server at `url` (its password, when the string has none, from
    /// PGPASSWORD). Its tables are not touched yet.
    pub fn connect(url: &str, merge: MergeOps) -> Result<Shared> {
        let server = shown(url);
        let mut config: postgres::Config = url.parse().map_err(|_| Error::HqServer {
            server: server.clone(),
            reason: "its connection string cannot be read: write it as postgres://user@host:port/database".into(),
        })?;
        if config.get_password().is_none()
            && let Some(password) = std::env::var_os("PGPASSWORD")
        {
            config.password(password.to_string_lossy().as_bytes());
        }
        config
            .connect_timeout(std::time::Duration::from_secs(10))
            .keepalives(true)
            .keepalives_idle(std::time::Duration::from_secs(30))
            .application_name("palabre");
        let client = Self::open_client(&config, &server)?;
        Ok(Shared { client: Mutex::new(Some(client)), config, server, merge })
    }

    fn open_client(config: &postgres::Config, server: &str) -> Result<Client> {
        let mut client = config.connect(NoTls).map_err(|e| unreachable(server, &e))?;
        client
            .batch_execute(&format!(
                "SET lock_timeout = '{LOCK_WAIT}'; SET idle_in_transaction_session_timeout = '{IDLE_IN_WRITE}'"
            ))
            .map_err(|e| unreachable(server, &e))?;
        Ok(client)
    }

    pub fn server(&self) -> &str {
        &self.server
    }

    /// The connection, made again if it is known to be lost.
    fn client(&self) -> Result<MutexGuard<'_, Option<Client>>> {
        let mut guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_none_or(|c| c.is_closed()) {
            *guard = Some(Self::open_client(&self.config, &self.server)?);
        }
        Ok(guard)
    }

    /// The connection and the answer to `probe`, its first statement. A connection lost since
    /// the last one (the server restarted, the network dropped and came back) is only found
    /// out by using it: then it is made again and `probe` asked once more.
    fn connected<T>(
        &self,
        probe: impl Fn(&mut Client) -> std::result::Result<T, postgres::Error>,
    ) -> Result<(MutexGuard<'_, Option<Client>>, T)> {
        let mut guard = self.client()?;
        let first = probe(guard.as_mut().expect("connected until dropped"));
        match first {
            Ok(answer) => Ok((guard, answer)),
            Err(_) if guard.as_ref().is_some_and(|c| c.is_closed()) => {
                *guard = Some(Self::open_client(&self.config, &self.server)?);
                let answer =
                    probe(guard.as_mut().expect("just connected")).map_err(|e| self.err(e))?;
                Ok((guard, answer))
            }
            Err(e) => Err(self.err(e)),
        }
    }

    fn err(&self, e: postgres::Error) -> Error {
        unreachable(&self.server, &e)
    }

    /// Whether the server already holds a Palabre HQ (its tables exist), and of which version.
    pub fn holds_hq(&self, unfinished_too: bool) -> Result<bool> {
        let mut guard = self.client()?;
        let client = guard.as_mut().expect("connected until dropped");
        let exists: Option<String> = client
            .query_one("SELECT to_regclass('palabre.head')::text", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        if exists.is_none() {
            return Ok(false);
        }
        let row = client
            .query_opt("SELECT server_schema, replica_schema, ready FROM palabre.head", &[])
            .map_err(|e| self.err(e))?;
        let Some(row) = row else { return Ok(false) };
        let (server, replica, ready): (i32, i32, bool) = (row.get(0), row.get(1), row.get(2));
        if !ready && !unfinished_too {
            return Err(Error::HqServer {
                server: self.server.clone(),
                reason: "an HQ was being moved into it and the move did not finish (`hq migrate` stopped, or its check failed). Ask IT to empty it (DROP SCHEMA palabre CASCADE) and move HQ again".into(),
            });
        }
        if server != SERVER_SCHEMA || i64::from(replica) != super::migrations::LATEST {
            return Err(Error::HqServer {
                server: self.server.clone(),
                reason: format!(
                    "it holds an HQ of another Palabre version (server tables {server}, database version {replica}; this Palabre has {SERVER_SCHEMA} and {}). Install the same Palabre version on every HQ desk",
                    super::migrations::LATEST
                ),
            });
        }
        Ok(true)
    }

    /// Makes the server's tables if it holds none yet (in one transaction: two desks starting at
    /// once make them once).
    pub fn create_tables(&self, ready: bool) -> Result<()> {
        let mut guard = self.client()?;
        let client = guard.as_mut().expect("connected until dropped");
        let mut tx = client.transaction().map_err(|e| self.err(e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&HQ_LOCK]).map_err(|e| self.err(e))?;
        let exists: Option<String> = tx
            .query_one("SELECT to_regclass('palabre.head')::text", &[])
            .map_err(|e| self.err(e))?
            .get(0);
        if exists.is_none() {
            tx.batch_execute(&server_schema()).map_err(|e| self.err(e))?;
            let replica = super::migrations::LATEST as i32;
            tx.execute(
                "INSERT INTO palabre.head (singleton, pos, server_schema, replica_schema, ready) VALUES (1, 0, $1, $2, $3)",
                &[&SERVER_SCHEMA, &replica, &ready],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))
    }

    /// The temporary tables and triggers that note which mirrored rows a write changes: made on
    /// the replica's connection once, at opening (they live as long as it).
    pub fn capture(conn: &Connection) -> Result<()> {
        for t in TABLES {
            let key = t.key.join(", ");
            let changed = t.changed();
            let added = t.added();
            let columns = t.names().join(", ");
            // Noted once per row, by a SELECT that skips a row already noted: a statement that
            // fires the trigger with a conflict clause of its own (INSERT OR REPLACE…) would
            // impose it on an INSERT OR IGNORE here.
            let note = |into: &str, row: &str| {
                let values: Vec<String> = t.key.iter().map(|k| format!("{row}.{k}")).collect();
                let same: Vec<String> = t.key.iter().map(|k| format!("{k} IS {row}.{k}")).collect();
                format!(
                    "INSERT INTO {into} SELECT {} WHERE NOT EXISTS (SELECT 1 FROM {into} WHERE {});",
                    values.join(", "),
                    same.join(" AND ")
                )
            };
            // A row of an appended table is added once (its key is its primary key, and rows
            // are never removed): noted without looking first.
            let note_added = if t.appended {
                let values: Vec<String> = t.key.iter().map(|k| format!("NEW.{k}")).collect();
                format!("INSERT INTO {added} VALUES ({});", values.join(", "))
            } else {
                note(&added, "NEW")
            };
            conn.execute_batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {changed} ({key}, PRIMARY KEY ({key})) WITHOUT ROWID;
                 CREATE TEMP TABLE IF NOT EXISTS {added} ({key}, PRIMARY KEY ({key})) WITHOUT ROWID;
                 CREATE TEMP TRIGGER IF NOT EXISTS {changed}_i AFTER INSERT ON main.{table}{wn}
                 BEGIN {note_added} END;
                 CREATE TEMP TRIGGER IF NOT EXISTS {changed}_u AFTER UPDATE OF {columns} ON main.{table}{wn}
                 BEGIN {note_new} {note_old} END;
                 CREATE TEMP TRIGGER IF NOT EXISTS {changed}_d AFTER DELETE ON main.{table}{wo}
                 BEGIN {note_old} END;",
                table = t.table,
                wn = t.filter("NEW"),
                wo = t.filter("OLD"),
                note_new = note(&changed, "NEW"),
                note_old = note(&changed, "OLD"),
            ))?;
        }
        Ok(())
    }

    /// Runs `f` as one HQ write: under the server's lock, on a replica brought up to the
    /// server's head; the rows it changed go to the server, which commits first.
    pub fn write<T>(
        &self,
        conn: &mut Connection,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let (mut guard, ()) = self.connected(|c| c.batch_execute("SELECT 1"))?;
        let client = guard.as_mut().expect("connected until dropped");
        // Read committed whatever the server's default: once the lock is held, every statement
        // sees what the desk before committed.
        let mut server = client
            .build_transaction()
            .isolation_level(IsolationLevel::ReadCommitted)
            .start()
            .map_err(|e| self.err(e))?;
        server.execute("SELECT pg_advisory_xact_lock($1)", &[&HQ_LOCK]).map_err(|e| self.err(e))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        self.pull(&tx, &mut server)?;
        forget_changes(&tx)?;
        let value = f(&tx)?;
        self.push(&tx, &mut server)?;
        server.commit().map_err(|e| self.err(e))?;
        // Should the replica fail to commit now, its position was not saved either: the next
        // pull brings back from the server what this write sent. Not "nothing was changed".
        tx.commit().map_err(|e| Error::HqServer {
            server: self.server.clone(),
            reason: format!(
                "the change is saved on the server, but this computer's copy could not record it ({e}); it catches up at the next action, so do not make the change again"
            ),
        })?;
        Ok(value)
    }

    /// Brings the replica up to the server's head, if other desks wrote since.
    pub fn refresh(&self, conn: &mut Connection) -> Result<()> {
        let (mut guard, head) = self.connected(|c| {
            c.query_one("SELECT pos FROM palabre.head", &[]).map(|r| r.get::<_, i64>(0))
        })?;
        let client = guard.as_mut().expect("connected until dropped");
        if head == bookkeeping::number(conn, Key::SharedPos)? {
            return Ok(());
        }
        let mut server = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| self.err(e))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        self.pull(&tx, &mut server)?;
        forget_changes(&tx)?;
        tx.commit()?;
        server.commit().map_err(|e| self.err(e))
    }

    /// Sends every mirrored row of the replica to the server: `hq migrate`, into a server whose
    /// tables are empty. Returns how many rows were sent.
    pub fn publish_all(&self, conn: &mut Connection) -> Result<u64> {
        let mut guard = self.client()?;
        let client = guard.as_mut().expect("connected until dropped");
        let mut server = client.transaction().map_err(|e| self.err(e))?;
        server.execute("SELECT pg_advisory_xact_lock($1)", &[&HQ_LOCK]).map_err(|e| self.err(e))?;
        let pos: i64 =
            server.query_one("SELECT pos FROM palabre.head", &[]).map_err(|e| self.err(e))?.get(0);
        if pos != 0 {
            return Err(Error::HqServer {
                server: self.server.clone(),
                reason: "it already holds an HQ: migrate into an empty database (createdb), or open this one with --db".into(),
            });
        }
        // No desk joins it until the copy is checked (`mark_ready`).
        server.execute("UPDATE palabre.head SET ready = false", &[]).map_err(|e| self.err(e))?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let pos = self.position(&mut server)?;
        let mut sent = 0;
        for t in TABLES {
            let filter =
                t.mirrored_rows(t.table).map(|c| format!(" WHERE {c}")).unwrap_or_default();
            let rows = read_rows(
                &tx,
                t,
                &format!("SELECT {} FROM main.{}{filter}", t.names().join(", "), t.table),
            )?;
            sent += rows.len() as u64;
            self.upsert(&mut server, t, &rows, pos)?;
        }
        self.advance(&tx, &mut server, pos)?;
        server.commit().map_err(|e| self.err(e))?;
        tx.commit()?;
        Ok(sent)
    }

    /// Opens the server to desks, once `hq migrate` has checked the copy it holds.
    pub fn mark_ready(&self) -> Result<()> {
        let mut guard = self.client()?;
        let client = guard.as_mut().expect("connected until dropped");
        client.execute("UPDATE palabre.head SET ready = true", &[]).map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Removes the replica's temporary tables and triggers (it is a single file again).
    pub fn release(conn: &Connection) -> Result<()> {
        for t in TABLES {
            let changed = t.changed();
            conn.execute_batch(&format!(
                "DROP TRIGGER IF EXISTS temp.{changed}_i; DROP TRIGGER IF EXISTS temp.{changed}_u;
                 DROP TRIGGER IF EXISTS temp.{changed}_d; DROP TABLE IF EXISTS temp.{changed};
                 DROP TABLE IF EXISTS temp.{};",
                t.added()
            ))?;
        }
        Ok(())
    }

    /// The rows the server holds beyond the replica's position, applied to it.
    fn pull(&self, tx: &Connection, server: &mut postgres::Transaction<'_>) -> Result<()> {
        let head: i64 =
            server.query_one("SELECT pos FROM palabre.head", &[]).map_err(|e| self.err(e))?.get(0);
        let from = bookkeeping::number(tx, Key::SharedPos)?;
        if head == from {
            return Ok(());
        }
        if head < from {
            return Err(Error::HqServer {
                server: self.server.clone(),
                reason: format!(
                    "it is behind this desk (position {head}, this desk has seen {from}): it was restored from an older backup, or it is another HQ. This desk's copy was left as it was; ask IT which server is HQ's"
                ),
            });
        }
        if let Some(token) = bookkeeping::get(tx, Key::SharedToken)?
            && from > 0
        {
            if self.token_at(server, from)?.as_deref() != Some(token.as_str()) {
                return Err(Error::HqServer {
                    server: self.server.clone(),
                    reason: format!(
                        "it does not hold the last change this desk received from it (position {from}): it was restored from an older backup, or it is another HQ. This desk's copy was left as it was; after a restore, each officer joins the server again with a new database"
                    ),
                });
            }
        }
        let removed = server
            .query(
                "SELECT tbl, key FROM palabre.deleted WHERE pos > $1 AND pos <= $2 ORDER BY id",
                &[&from, &head],
            )
            .map_err(|e| self.err(e))?;
        for row in removed {
            let (table, key): (String, String) = (row.get(0), row.get(1));
            let Some(t) = TABLES.iter().find(|t| t.table == table) else { continue };
            let params = key_values(t, &key)?;
            let condition: Vec<String> =
                t.key.iter().enumerate().map(|(i, k)| format!("{k} = ?{}", i + 1)).collect();
            tx.execute(
                &format!("DELETE FROM main.{} WHERE {}", t.table, condition.join(" AND ")),
                rusqlite::params_from_iter(params),
            )?;
        }
        for t in TABLES {
            let names = t.names();
            // Filtered here too: a row of the server's cannot set a desk's own settings.
            let only = t.mirrored_rows(t.table).map(|c| format!(" AND {c}")).unwrap_or_default();
            let sql = format!(
                "SELECT {} FROM palabre.{table} WHERE _pos > $1 AND _pos <= $2{only} ORDER BY _pos",
                names.join(", "),
                table = t.table
            );
            let mut rows = server.query_raw(&sql, [&from, &head]).map_err(|e| self.err(e))?;
            let mut chunk: Vec<Vec<SqlValue>> = Vec::new();
            while let Some(row) = rows.next().map_err(|e| self.err(e))? {
                chunk.push(
                    t.columns
                        .iter()
                        .enumerate()
                        .map(|(i, (_, kind))| from_pg(&row, i, *kind))
                        .collect(),
                );
                if chunk.len() == PULL_CHUNK {
                    self.store_rows(tx, t, &chunk)?;
                    chunk.clear();
                }
            }
            self.store_rows(tx, t, &chunk)?;
        }
        if let Some(token) = self.token_at(server, head)? {
            bookkeeping::put(tx, Key::SharedToken, &token)?;
        }
        bookkeeping::put(tx, Key::SharedPos, &head.to_string())
    }

    /// The token the server's write at `pos` left (none before the first write).
    fn token_at(&self, server: &mut postgres::Transaction<'_>, pos: i64) -> Result<Option<String>> {
        Ok(server
            .query_opt("SELECT token FROM palabre.writes WHERE pos = $1", &[&pos])
            .map_err(|e| self.err(e))?
            .map(|r| r.get(0)))
    }

    fn store_rows(&self, tx: &Connection, t: &Mirrored, rows: &[Vec<SqlValue>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        if t.table == "oplog" {
            return (self.merge)(tx, rows);
        }
        let names = t.names();
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let set: Vec<String> = names
            .iter()
            .filter(|c| !t.key.contains(c))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let on_conflict = if set.is_empty() {
            "DO NOTHING".to_string()
        } else {
            format!("DO UPDATE SET {}", set.join(", "))
        };
        let mut stmt = tx.prepare_cached(&format!(
            "INSERT INTO main.{} ({}) VALUES ({}) ON CONFLICT ({}) {on_conflict}",
            t.table,
            names.join(", "),
            marks.join(", "),
            t.key.join(", ")
        ))?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))?;
        }
        Ok(())
    }

    /// The rows this write changed, sent to the server under one new position; the head moves
    /// to it.
    fn push(&self, tx: &Connection, server: &mut postgres::Transaction<'_>) -> Result<()> {
        let mut changes = Vec::new();
        for t in TABLES {
            let (changed, added) = (t.changed(), t.added());
            let same = |a: &str, b: &str| -> String {
                let on: Vec<String> = t.key.iter().map(|k| format!("{a}.{k} = {b}.{k}")).collect();
                on.join(" AND ")
            };
            let join = |alias: &str| same("t", alias);
            let columns: Vec<String> = t.names().iter().map(|c| format!("t.{c}")).collect();
            let columns = columns.join(", ");
            // Rows added by this write, the server has none of (the replica was up to date
            // under the lock): copied straight in.
            let new = if t.appended {
                read_rows(
                    tx,
                    t,
                    &format!(
                        "SELECT {columns} FROM temp.{added} c JOIN main.{} t ON {}",
                        t.table,
                        join("c")
                    ),
                )?
            } else {
                Vec::new()
            };
            let not_added = if t.appended {
                format!(" WHERE NOT EXISTS (SELECT 1 FROM temp.{added} n WHERE {})", same("n", "c"))
            } else {
                String::new()
            };
            let present = read_rows(
                tx,
                t,
                &format!(
                    "SELECT {columns} FROM temp.{changed} c JOIN main.{} t ON {}{not_added}",
                    t.table,
                    join("c"),
                ),
            )?;
            let keys: Vec<String> = t.key.iter().map(|k| format!("c.{k}")).collect();
            let mut stmt = tx.prepare(&format!(
                "SELECT json_array({}) FROM temp.{changed} c WHERE NOT EXISTS (SELECT 1 FROM main.{} t WHERE {})",
                keys.join(", "),
                t.table,
                join("c")
            ))?;
            let gone: Vec<String> =
                stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
            if !new.is_empty() || !present.is_empty() || !gone.is_empty() {
                changes.push((t, new, present, gone));
            }
        }
        forget_changes(tx)?;
        if changes.is_empty() {
            return Ok(());
        }
        let pos = self.position(server)?;
        for (t, new, present, gone) in changes {
            self.copy_in(server, t, &new, pos)?;
            self.upsert(server, t, &present, pos)?;
            for key in gone {
                self.remove(server, t, &key, pos)?;
            }
        }
        self.advance(tx, server, pos)
    }

    /// Copies new rows straight into the server's table, at the write's position.
    fn copy_in(
        &self,
        server: &mut postgres::Transaction<'_>,
        t: &Mirrored,
        rows: &[Vec<SqlValue>],
        pos: i64,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        self.copy(
            server,
            &format!("palabre.{} ({}, _pos)", t.table, t.names().join(", ")),
            t,
            rows,
            Some(pos),
        )
    }

    /// Binary COPY of `rows` into `target` ("table (columns)"), with `pos` as a last column.
    fn copy(
        &self,
        server: &mut postgres::Transaction<'_>,
        target: &str,
        t: &Mirrored,
        rows: &[Vec<SqlValue>],
        pos: Option<i64>,
    ) -> Result<()> {
        let mut types: Vec<Type> = t.columns.iter().map(|(_, k)| k.pg_type()).collect();
        if pos.is_some() {
            types.push(Type::INT8);
        }
        let sink = server
            .copy_in(&format!("COPY {target} FROM STDIN (FORMAT binary)"))
            .map_err(|e| self.err(e))?;
        let mut writer = BinaryCopyInWriter::new(sink, &types);
        for row in rows {
            let mut values: Vec<Pg<'_>> =
                row.iter().zip(t.columns).map(|(v, (_, kind))| to_pg(v, *kind)).collect();
            if pos.is_some() {
                values.push(Pg::Int(pos));
            }
            let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as _).collect();
            writer.write(&refs).map_err(|e| self.err(e))?;
        }
        writer.finish().map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Removes one row (its key as a JSON list) from the server, leaving a line for the desks.
    fn remove(
        &self,
        server: &mut postgres::Transaction<'_>,
        t: &Mirrored,
        key: &str,
        pos: i64,
    ) -> Result<()> {
        let values = key_values(t, key)?;
        let condition: Vec<String> =
            t.key.iter().enumerate().map(|(i, k)| format!("{k} = ${}", i + 1)).collect();
        let params: Vec<Pg<'_>> =
            t.key.iter().zip(&values).map(|(k, v)| to_pg(v, t.kind(k))).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        server
            .execute(
                &format!("DELETE FROM palabre.{} WHERE {}", t.table, condition.join(" AND ")),
                &refs,
            )
            .map_err(|e| self.err(e))?;
        server
            .execute(
                "INSERT INTO palabre.deleted (pos, tbl, key) VALUES ($1, $2, $3)",
                &[&pos, &t.table, &key],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A new position, for every row one write sends (the writer holds the HQ lock: positions
    /// are taken in commit order).
    fn position(&self, server: &mut postgres::Transaction<'_>) -> Result<i64> {
        Ok(server.query_one("SELECT nextval('palabre.pos')", &[]).map_err(|e| self.err(e))?.get(0))
    }

    /// Moves the server's head, and the replica's position, to the position of this write.
    fn advance(
        &self,
        tx: &Connection,
        server: &mut postgres::Transaction<'_>,
        pos: i64,
    ) -> Result<()> {
        let token = uuid::Uuid::now_v7().simple().to_string();
        server
            .execute("INSERT INTO palabre.writes (pos, token) VALUES ($1, $2)", &[&pos, &token])
            .map_err(|e| self.err(e))?;
        server.execute("UPDATE palabre.head SET pos = $1", &[&pos]).map_err(|e| self.err(e))?;
        bookkeeping::put(tx, Key::SharedToken, &token)?;
        bookkeeping::put(tx, Key::SharedPos, &pos.to_string())
    }

    /// Writes rows into the server's table: copied (binary COPY) into a staging table, then
    /// inserted or updated, at the write's position.
    fn upsert(
        &self,
        server: &mut postgres::Transaction<'_>,
        t: &Mirrored,
        rows: &[Vec<SqlValue>],
        pos: i64,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let names = t.names().join(", ");
        let stage = format!("palabre_stage_{}", t.table);
        server
            .batch_execute(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS {stage} AS SELECT {names} FROM palabre.{} WITH NO DATA; TRUNCATE {stage}",
                t.table
            ))
            .map_err(|e| self.err(e))?;
        self.copy(server, &format!("{stage} ({names})"), t, rows, None)?;
        let set: Vec<String> = t
            .names()
            .iter()
            .filter(|c| !t.key.contains(c))
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .chain(["_pos = EXCLUDED._pos".to_string()])
            .collect();
        server
            .execute(
                &format!(
                    "INSERT INTO palabre.{table} ({names}, _pos) SELECT {names}, $1 FROM {stage}
                     ON CONFLICT ({key}) DO UPDATE SET {set}",
                    table = t.table,
                    key = t.key.join(", "),
                    set = set.join(", ")
                ),
                &[&pos],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// The settings HQ's desks share, as an SQL list.
fn shared_keys() -> String {
    let keys: Vec<String> =
        Key::ALL.iter().filter(|k| k.shared_at_hq()).map(|k| format!("'{}'", k.name())).collect();
    keys.join(", ")
}

/// Runs `f`, which blocks on the server, where blocking is allowed. The blocking client starts a
/// small runtime of its own for each call, which cannot be done on a thread that drives a
/// runtime's tasks: the window's commands run as tasks of Tauri's (multi-threaded) runtime, so
/// there the thread is first handed over (`block_in_place`). Elsewhere (the CLI, tests) `f` runs
/// as it is.
pub(crate) fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

/// Closing the connection stops the client's own runtime, which blocks: done where allowed.
impl Drop for Shared {
    fn drop(&mut self) {
        let client = self.client.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(client) = client {
            blocking(|| drop(client));
        }
    }
}

fn forget_changes(tx: &Connection) -> Result<()> {
    for t in TABLES {
        tx.execute(&format!("DELETE FROM temp.{}", t.changed()), [])?;
        if t.appended {
            tx.execute(&format!("DELETE FROM temp.{}", t.added()), [])?;
        }
    }
    Ok(())
}

fn read_rows(conn: &Connection, t: &Mirrored, sql: &str) -> Result<Vec<Vec<SqlValue>>> {
    let mut stmt = conn.prepare(sql)?;
    let width = t.columns.len();
    let rows = stmt.query_map([], |r| (0..width).map(|i| r.get::<_, SqlValue>(i)).collect())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn from_pg(row: &postgres::Row, i: usize, kind: Kind) -> SqlValue {
    let value = match kind {
        Kind::Int => row.get::<_, Option<i64>>(i).map(SqlValue::Integer),
        Kind::Text => row.get::<_, Option<String>>(i).map(SqlValue::Text),
        Kind::Blob => row.get::<_, Option<Vec<u8>>>(i).map(SqlValue::Blob),
    };
    value.unwrap_or(SqlValue::Null)
}

/// A replica's value as the server's column type wants it, borrowed from the row where it can
/// be (a million ops are sent without copying their text).
#[derive(Debug)]
enum Pg<'a> {
    Int(Option<i64>),
    Text(Option<Cow<'a, str>>),
    Blob(Option<Cow<'a, [u8]>>),
}

impl ToSql for Pg<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        // Through the inner value's own check: a value of the wrong type for its column is an
        // error, never bytes of another type.
        match self {
            Pg::Int(v) => v.to_sql_checked(ty, out),
            Pg::Text(v) => v.as_deref().to_sql_checked(ty, out),
            Pg::Blob(v) => v.as_deref().to_sql_checked(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <&str as ToSql>::accepts(ty) || <&[u8] as ToSql>::accepts(ty)
    }

    postgres::types::to_sql_checked!();
}

/// SQLite's affinity already gives each column its type; what does not fit is sent as text, or
/// as nothing.
fn to_pg(value: &SqlValue, kind: Kind) -> Pg<'_> {
    match (kind, value) {
        (Kind::Int, SqlValue::Integer(i)) => Pg::Int(Some(*i)),
        (Kind::Int, SqlValue::Real(r)) => Pg::Int(Some(*r as i64)),
        (Kind::Int, SqlValue::Text(s)) => Pg::Int(s.trim().parse::<i64>().ok()),
        (Kind::Int, SqlValue::Null | SqlValue::Blob(_)) => Pg::Int(None),
        (Kind::Text, SqlValue::Null) => Pg::Text(None),
        (Kind::Text, SqlValue::Text(s)) => Pg::Text(Some(Cow::Borrowed(s))),
        (Kind::Text, SqlValue::Integer(i)) => Pg::Text(Some(Cow::Owned(i.to_string()))),
        (Kind::Text, SqlValue::Real(r)) => Pg::Text(Some(Cow::Owned(r.to_string()))),
        (Kind::Text, SqlValue::Blob(b)) => Pg::Text(Some(String::from_utf8_lossy(b))),
        (Kind::Blob, SqlValue::Null) => Pg::Blob(None),
        (Kind::Blob, SqlValue::Blob(b)) => Pg::Blob(Some(Cow::Borrowed(b))),
        (Kind::Blob, SqlValue::Text(s)) => Pg::Blob(Some(Cow::Borrowed(s.as_bytes()))),
        (Kind::Blob, other) => Pg::Blob(Some(Cow::Owned(format!("{other:?}").into_bytes()))),
    }
}

/// A row's key as `palabre.deleted` and the capture keep it (a JSON list, SQLite's json_array).
fn key_values(t: &Mirrored, key: &str) -> Result<Vec<SqlValue>> {
    let values: Vec<serde_json::Value> = serde_json::from_str(key)
        .map_err(|_| Error::BadOp { reason: format!("a key of {} could not be read", t.table) })?;
    Ok(values.into_iter().map(json_to_sql).collect())
}

fn json_to_sql(value: serde_json::Value) -> SqlValue {
    match value {
        serde_json::Value::Null => SqlValue::Null,
        serde_json::Value::Number(n) => n.as_i64().map(SqlValue::Integer).unwrap_or(SqlValue::Null),
        serde_json::Value::String(s) => SqlValue::Text(s),
        other => SqlValue::Text(other.to_string()),
    }
}

fn unreachable(server: &str, e: &postgres::Error) -> Error {
    // The server's own message (never a row's values: statements are sent with parameters).
    let reason = match e.as_db_error() {
        Some(db) if *db.code() == postgres::error::SqlState::LOCK_NOT_AVAILABLE => format!(
            "another officer's desk has been writing to HQ for over {LOCK_WAIT} (a long import?); try again once it has finished"
        ),
        Some(db) if *db.code() == postgres::error::SqlState::IDLE_IN_TRANSACTION_SESSION_TIMEOUT => {
            "this desk's write was stopped by the server after waiting too long in the middle of it; nothing was written. Try again".to_string()
        }
        Some(db) => db.message().to_string(),
        None => {
            let mut reason = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(cause) = source {
                reason.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            reason
        }
    };
    Error::HqServer { server: server.to_string(), reason }
}
