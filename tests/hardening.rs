//! The machine misbehaving: the database locked by another program, a read-only folder, a full
//! disk (a real tmpfs of 1 MiB, mounted by the test: the suite runs as root, as CI does), and
//! oversized input. Each gives its own clear error, and nothing already stored is lost.

mod common;
use common::PASSPHRASE;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::state;
use palabre::{Palabre, PersonInput};

/// A tmpfs mounted on a temporary folder for the life of the value.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .unwrap();
        assert!(status.success(), "mounting a tmpfs needs root (CI and `make test` run as root)");
        Tmpfs { _dir: dir, path }
    }

    fn remount_read_only(&self) {
        let status =
            Command::new("mount").args(["-o", "remount,ro"]).arg(&self.path).status().unwrap();
        assert!(status.success());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

fn add(app: &Palabre, name: &str, notes: &str) -> palabre::Result<palabre::PersonId> {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        notes: Some(notes.into()),
        ..Default::default()
    })
}

/// The names stored, read by a separate connection. `immutable`: readable even where SQLite
/// cannot create its -shm file (a read-only disk; the app checkpointed when it closed).
fn names(db: &Path, immutable: bool) -> Vec<String> {
    let uri = format!("file:{}?immutable={}", db.display(), u8::from(immutable));
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_URI;
    let key = common::key_of(db);
    let conn = palabre::store::cipher::open_file(Path::new(&uri), &key, flags).unwrap().unwrap();
    let mut stmt = conn.prepare("SELECT full_name FROM people ORDER BY num").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_database_locked_by_another_program_says_so_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    app.init("Ségou-01").unwrap();
    add(&app, "Aïssata Traoré", "").unwrap();
    let before = state(&app);
    let other = common::read_write(&db);
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let err = add(&app, "Oumou Sangaré", "").unwrap_err();
    assert_eq!(err.code(), "database_locked");
    assert!(err.to_string().contains("another program"), "{err}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(state(&app), before);
    add(&app, "Oumou Sangaré", "").unwrap();
}

#[test]
fn a_full_disk_refuses_the_change_clearly_and_loses_nothing() {
    let disk = Tmpfs::mount("1M");
    let db = disk.path.join("palabre.db");
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    app.init("Ségou-01").unwrap();
    let notes = "Notes de séance. ".repeat(500);
    let mut saved = Vec::new();
    let err = loop {
        let name = format!("Personne {}", saved.len());
        match add(&app, &name, &notes) {
            Ok(_) => saved.push(name),
            Err(e) => break e,
        }
        assert!(saved.len() < 1_000, "a 1 MiB disk cannot hold this much");
    };
    assert_eq!(err.code(), "disk_full", "{err}");
    assert!(err.to_string().contains("Free some space"), "{err}");
    assert!(!saved.is_empty());
    // Every change reported as saved is there, and the file is sound.
    assert_eq!(app.people(0, 2_000).unwrap().total as usize, saved.len());
    drop(app);
    let conn = common::read_write(&db);
    let ok: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    drop(conn);
    assert_eq!(names(&db, false), saved);
}

#[test]
fn a_read_only_folder_gives_a_clear_error_and_the_data_stays_readable() {
    let disk = Tmpfs::mount("4M");
    let db = disk.path.join("palabre.db");
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    app.init("Ségou-01").unwrap();
    add(&app, "Aïssata Traoré", "").unwrap();
    drop(app);
    disk.remount_read_only();
    let err = match Palabre::open(&db, PASSPHRASE) {
        Err(e) => e,
        Ok(app) => add(&app, "Oumou Sangaré", "").unwrap_err(),
    };
    assert_eq!(err.code(), "read_only", "{err}");
    assert!(err.to_string().contains("read-only"), "{err}");
    assert_eq!(names(&db, true), ["Aïssata Traoré"]);
}

#[test]
fn oversized_text_is_refused_with_its_limit_and_nothing_is_written() {
    let app = common::app();
    let before = state(&app);
    let err = add(&app, &"A".repeat(201), "").unwrap_err();
    assert_eq!(err.code(), "too_long");
    assert!(err.to_string().contains("at most"), "{err}");
    let err = add(&app, "Awa", &"n".repeat(10_001)).unwrap_err();
    assert_eq!(err.code(), "too_long");
    assert_eq!(state(&app), before);
}
