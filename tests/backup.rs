//! Backups and restore: rotation, the copies made before imports and migrations and at start,
//! restore round trips that never reuse a change number, and files that are refused untouched.

mod common;
use common::PASSPHRASE;

use std::path::Path;

use common::{person, state};
use palabre::Palabre;

fn laptop(dir: &Path) -> Palabre {
    let app = Palabre::open(dir.join("palabre.db"), PASSPHRASE).unwrap();
    app.init("Ségou-01").unwrap();
    app
}

fn names(app: &Palabre) -> Vec<String> {
    app.people(0, 100).unwrap().people.into_iter().map(|p| p.full_name).collect()
}

#[test]
fn automatic_backups_rotate_and_the_start_backup_is_daily() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path());
    assert!(app.backup_if_stale().unwrap().is_some(), "no backup yet: one at start");
    assert!(app.backup_if_stale().unwrap().is_none(), "a fresh one exists");
    for i in 0..9 {
        person(&app, &format!("Personne {i}"));
        app.auto_backup("manual").unwrap().unwrap();
    }
    let backups = app.backups().unwrap();
    assert_eq!(backups.len(), palabre::backup::KEEP);
    assert!(backups.windows(2).all(|w| w[0].file_name > w[1].file_name), "newest first");
    assert!(backups.iter().all(|b| b.reason == "manual" && b.bytes > 0));
    // The newest holds the last person, encrypted with the database's key.
    assert_eq!(Palabre::state(&backups[0].path), palabre::DatabaseState::Locked);
    let newest = common::read_copy(&dir.path().join("palabre.db"), &backups[0].path);
    let found: i64 = newest
        .query_row("SELECT count(*) FROM people WHERE full_name = 'Personne 8'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(found, 1);
}

#[test]
fn restore_brings_back_the_copy_keeps_the_current_one_and_never_reuses_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path());
    person(&app, "Aïssata Traoré");
    let copy = dir.path().join("copy.db");
    app.backup_to(&copy).unwrap();
    assert_eq!(app.backup_to(&copy).unwrap_err().code(), "io", "never overwrites a file");
    person(&app, "Oumou Sangaré");
    let written = app.ops().unwrap().len();

    // The copy on the stick is encrypted, and carries the key file locked with the passphrase:
    // it opens as a database of its own with the passphrase, and only with it.
    assert_eq!(Palabre::state(&copy), palabre::DatabaseState::Locked);
    let stick = dir.path().join("stick");
    std::fs::create_dir(&stick).unwrap();
    std::fs::copy(&copy, stick.join("palabre.db")).unwrap();
    std::fs::copy(dir.path().join("copy.db.dbkey"), stick.join("palabre.db.dbkey")).unwrap();
    assert_eq!(
        Palabre::open(stick.join("palabre.db"), "pas la bonne phrase").err().unwrap().code(),
        "wrong_passphrase"
    );
    assert_eq!(
        names(&Palabre::open(stick.join("palabre.db"), PASSPHRASE).unwrap()),
        ["Aïssata Traoré"]
    );

    let restored = app.restore(&copy).unwrap();
    assert_eq!(names(&app), ["Aïssata Traoré"]);
    let previous =
        common::read_copy(&dir.path().join("palabre.db"), &restored.previous.unwrap().path);
    let kept: i64 = previous.query_row("SELECT count(*) FROM people", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 2, "the replaced data is kept");
    // The next change takes a number after every change ever written here.
    person(&app, "Hawa Diallo");
    let me = app.device().unwrap().device_id;
    let max =
        app.ops().unwrap().iter().filter(|o| o.device_id == me).map(|o| o.op_seq).max().unwrap();
    assert!(max > written as i64, "{max} > {written}");
}

#[test]
fn restore_refuses_files_that_are_not_this_computers_palabre_database() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path());
    person(&app, "Aïssata Traoré");
    let before = state(&app);
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "not a database").unwrap();
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let other_laptop = laptop(&other);
    person(&other_laptop, "Quelqu'un d'autre");
    drop(other_laptop);
    // A backup of a database before it was set up: same key, no identity.
    let early = dir.path().join("early");
    std::fs::create_dir(&early).unwrap();
    let unset = Palabre::open(early.join("palabre.db"), PASSPHRASE).unwrap();
    let blank = unset.auto_backup("start").unwrap().unwrap().path;
    unset.init("Ségou-09").unwrap();
    let err = unset.restore(&blank).unwrap_err();
    assert_eq!(err.code(), "backup_before_set_up", "{err}");
    assert!(err.to_string().contains("before this computer was set up"), "{err}");
    // Each refusal says its own reason: another computer's backup (encrypted with another key)
    // is not "another program's file".
    for (file, code, why) in [
        (text.as_path(), "not_a_database", "does not open with this database's key"),
        (foreign.as_path(), "not_a_database", "another program"),
        (other.join("palabre.db").as_path(), "not_a_database", "a copy of another database"),
        (dir.path().join("missing.db").as_path(), "not_a_database", "no such file"),
    ] {
        let err = app.restore(file).unwrap_err();
        assert_eq!(err.code(), code, "{file:?}");
        assert!(err.to_string().contains(why), "{err}");
    }
    assert_eq!(state(&app), before);
    assert!(app.backups().unwrap().is_empty(), "nothing was replaced, so nothing was copied");
}

#[test]
fn imports_and_migrations_are_preceded_by_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path());
    let other = common::app();
    person(&other, "Awa Keïta");
    let (_, bundle) = other.export_bundle_bytes().unwrap();
    app.import_bundle_bytes(&bundle).unwrap();
    assert_eq!(app.backups().unwrap()[0].reason, "import");

    // A database of schema version 1 (the frozen SQL of that version) is copied before it is
    // upgraded, and the copy is still version 1.
    let old = dir.path().join("old").join("palabre.db");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    let sql = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/schema/v1.sql"
    ))
    .unwrap();
    let conn = rusqlite::Connection::open(&old).unwrap();
    conn.execute_batch(&sql).unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
    drop(conn);
    let upgraded = Palabre::open(&old, PASSPHRASE).unwrap();
    let backups = upgraded.backups().unwrap();
    let reasons: Vec<&str> = backups.iter().map(|b| b.reason.as_str()).collect();
    assert_eq!(reasons, ["migration-v1", "encryption"], "encrypted first, then upgraded");
    for backup in &backups {
        let version: i64 = common::read_copy(&old, &backup.path)
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, 1, "{}", backup.file_name);
    }
}

/// A backup an earlier Palabre made (plain, on a stick) is restored into the encrypted database,
/// which stays encrypted.
#[test]
fn a_plain_backup_from_before_encryption_restores_and_stays_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/db/v3.db");
    let db = dir.path().join("palabre.db");
    std::fs::copy(fixture, &db).unwrap();
    let stick = dir.path().join("stick-backup.db");
    std::fs::copy(fixture, &stick).unwrap();
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    let before = names(&app);
    person(&app, "Oumou Sangaré");
    let restored = app.restore(&stick).unwrap();
    assert!(restored.previous.is_some());
    assert_eq!(names(&app), before);
    app.store().checkpoint().unwrap();
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(8).any(|w| w == "Aïssata".as_bytes()), "the database stays encrypted");
    assert_eq!(Palabre::state(&db), palabre::DatabaseState::Locked);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "no temporary copy left: {leftovers:?}");
}

#[test]
fn two_databases_in_one_folder_keep_their_backups_apart() {
    let dir = tempfile::tempdir().unwrap();
    let laptop_db = Palabre::open(dir.path().join("palabre.db"), PASSPHRASE).unwrap();
    laptop_db.init("Ségou-01").unwrap();
    let demo = Palabre::open(dir.path().join("demo.db"), PASSPHRASE).unwrap();
    demo.init("Démo").unwrap();
    let mine = laptop_db.auto_backup("manual").unwrap().unwrap();
    let theirs = demo.auto_backup("manual").unwrap().unwrap();
    assert_eq!(mine.path.parent(), theirs.path.parent(), "one backups/ folder");
    let listed = |app: &Palabre| -> Vec<String> {
        app.backups().unwrap().into_iter().map(|b| b.file_name).collect()
    };
    assert_eq!(listed(&laptop_db), [mine.file_name.clone()]);
    assert_eq!(listed(&demo), [theirs.file_name.clone()]);
    let err = laptop_db.restore(&theirs.path).unwrap_err();
    assert_eq!(err.code(), "not_a_database", "{err}");
    assert!(err.to_string().contains("another database"), "{err}");
}
