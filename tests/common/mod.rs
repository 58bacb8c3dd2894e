//! Shared fixtures of the integration tests (the CLI's tests include them too, from
//! cli/tests/common/mod.rs, beside their runners of the `palabre` binary).
#![allow(dead_code)]

use std::process::Command;

use palabre::{Palabre, PersonId, PersonInput, SessionId, SessionInput};

/// The passphrase the tests lock their databases with.
pub const PASSPHRASE: &str = "sable de Tombouctou";

/// Opens (or creates) the encrypted database at `path` with the tests' passphrase.
pub fn open(path: impl AsRef<std::path::Path>) -> Palabre {
    Palabre::open(path, PASSPHRASE).unwrap()
}

/// The key of the database at `db`, unlocked with the tests' passphrase.
pub fn key_of(db: &std::path::Path) -> palabre::store::cipher::DbKey {
    palabre::lock::unlock(db, PASSPHRASE).unwrap()
}

/// A read-only connection to a copy of the database at `db` (one of its backups), opened with
/// its key: what someone holding the unlocked laptop could read in it.
pub fn read_copy(db: &std::path::Path, copy: &std::path::Path) -> rusqlite::Connection {
    palabre::store::cipher::open_file(copy, &key_of(db), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .expect("the database's key opens its copy")
}

/// Another connection to the database at `db`, opened with its key (as another program holding
/// the key would).
pub fn read_write(db: &std::path::Path) -> rusqlite::Connection {
    palabre::store::cipher::open_file(db, &key_of(db), rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .unwrap()
        .expect("the key opens the database")
}

/// The content of the encrypted database file `file` (the database at `db` or one of its
/// copies) as plain SQLite bytes: exported page by page into a plain file with the key, so that
/// a test can search it for a name.
pub fn decrypted(db: &std::path::Path, file: &std::path::Path) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.db");
    let conn = rusqlite::Connection::open(&plain).unwrap();
    palabre::store::cipher::register_collation(&conn).unwrap();
    let hex: String = key_of(db).bytes().iter().map(|b| format!("{b:02x}")).collect();
    conn.execute_batch(&format!(
        "ATTACH DATABASE '{}' AS encrypted KEY \"x'{hex}'\"; SELECT sqlcipher_export('main', 'encrypted'); DETACH DATABASE encrypted;",
        file.to_string_lossy().replace('\'', "''")
    ))
    .unwrap();
    drop(conn);
    std::fs::read(&plain).unwrap()
}

/// A fresh in-memory database with a device identity.
pub fn app() -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Ségou-01").unwrap();
    app
}

/// Everything a write could change: the synced tables, field clocks and the oplog.
pub fn state(app: &Palabre) -> (serde_json::Value, usize) {
    (app.synced_snapshot().unwrap(), app.ops().unwrap().len())
}

/// A bundle of everything `app` has not had acknowledged, in memory.
pub fn export(app: &Palabre) -> Vec<u8> {
    app.export_bundle_bytes().unwrap().1
}

/// Imports a bundle into `to`, trusting its laptop on first sight.
pub fn deliver(to: &Palabre, bytes: &[u8]) -> palabre::ImportOutcome {
    match to.import_bundle_bytes(bytes).unwrap() {
        palabre::ImportOutcome::Quarantined { fingerprint, .. } => {
            to.trust_device(&fingerprint).unwrap().merged.into_iter().next().unwrap()
        }
        other => other,
    }
}

/// A *planned* session (the status given: a past date alone would now default to held).
pub fn session(app: &Palabre, title: &str, date: &str) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
        status: Some("planned".into()),
        ..Default::default()
    })
    .unwrap()
}

pub fn person(app: &Palabre, name: &str) -> PersonId {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        sex: Some("F".into()),
        ..Default::default()
    })
    .unwrap()
}

/// A *held* session of `groups`, in the Ségou region.
pub fn held(app: &Palabre, title: &str, date: &str, groups: &[&str]) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
        status: Some("held".into()),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        region: Some("Ségou".into()),
        ..Default::default()
    })
    .unwrap()
}

/// A person of the given sex and birth year.
pub fn born(app: &Palabre, name: &str, sex: &str, year: i32) -> PersonId {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        sex: Some(sex.into()),
        birth_year: Some(year),
        ..Default::default()
    })
    .unwrap()
}

/// pdftotext -layout of a PDF, one string per page.
pub fn pages(pdf: &[u8]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext is missing (poppler-utils; make test installs it)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    text.split('\u{c}').filter(|p| !p.trim().is_empty()).map(str::to_string).collect()
}

// HQ on either engine (issue 23). `make test` runs the HQ tests twice: on SQLite files, then with
// PALABRE_TEST_ENGINE=postgres, where every HQ they make is a desk of a new HQ on the tests'
// throwaway PostgreSQL server (scripts/with-postgres.sh). The tests themselves do not change.

/// Whether this run puts HQ on PostgreSQL.
pub fn hq_on_postgres() -> bool {
    std::env::var("PALABRE_TEST_ENGINE").as_deref() == Ok("postgres")
}

/// The tests' PostgreSQL server (its `postgres` database), started by scripts/with-postgres.sh.
pub fn postgres_server() -> String {
    std::env::var("PALABRE_TEST_POSTGRES").expect(
        "PALABRE_TEST_POSTGRES is not set: run the tests with `make test`, or through scripts/with-postgres.sh, which starts a throwaway PostgreSQL server",
    )
}

/// A new, empty database on the tests' server (one per HQ): its connection string.
pub fn fresh_server_db() -> String {
    let base = postgres_server();
    let mut client = postgres::Client::connect(&base, postgres::NoTls).unwrap();
    let name = format!("hq_{}", uuid::Uuid::now_v7().simple());
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

/// HQ's database: the file `path`, or (PostgreSQL run) a desk of a new HQ on the tests' server,
/// whose replica is the file `path`.
pub fn open_hq(path: impl AsRef<std::path::Path>) -> Palabre {
    if hq_on_postgres() {
        Palabre::open_server(&fresh_server_db(), path.as_ref(), PASSPHRASE).unwrap()
    } else {
        Palabre::open(path, PASSPHRASE).unwrap()
    }
}

/// An HQ kept in memory, or (PostgreSQL run) a desk with a replica in memory of a new HQ on the
/// tests' server. Not set up (no identity).
pub fn memory_hq() -> Palabre {
    if hq_on_postgres() {
        Palabre::open_server_in_memory(&fresh_server_db()).unwrap()
    } else {
        Palabre::open_in_memory().unwrap()
    }
}
