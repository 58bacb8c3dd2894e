//! Backups and restore: rotation, the copies made before imports and migrations and at start,
//! restore round trips that never reuse a change number, and files that are refused untouched.

mod common;

use std::path::Path;

use common::{person, state};
use palabre::Palabre;

fn laptop(dir: &Path) -> Palabre {
    let app = Palabre::open(dir.join("palabre.db")).unwrap();
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
    // The newest holds the last person.
    let newest = Palabre::open(&backups[0].path).unwrap();
    assert!(names(&newest).contains(&"Personne 8".to_string()));
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

    let restored = app.restore(&copy).unwrap();
    assert_eq!(names(&app), ["Aïssata Traoré"]);
    let previous = Palabre::open(&restored.previous.unwrap().path).unwrap();
    assert_eq!(names(&previous).len(), 2, "the replaced data is kept");
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
    let blank = dir.path().join("blank.db");
    drop(Palabre::open(&blank).unwrap());
    // Each refusal says its own reason: another computer's backup is not "not a Palabre file".
    for (file, code, why) in [
        (text.as_path(), "not_a_database", "not an SQLite database"),
        (foreign.as_path(), "not_a_database", "another program"),
        (other.join("palabre.db").as_path(), "other_computer", "another computer"),
        (blank.as_path(), "backup_before_set_up", "before this computer was set up"),
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
    let upgraded = Palabre::open(&old).unwrap();
    let backups = upgraded.backups().unwrap();
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].reason, "migration-v1");
    let version: i64 = rusqlite::Connection::open(&backups[0].path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn two_databases_in_one_folder_keep_their_backups_apart() {
    let dir = tempfile::tempdir().unwrap();
    let laptop_db = Palabre::open(dir.path().join("palabre.db")).unwrap();
    laptop_db.init("Ségou-01").unwrap();
    let demo = Palabre::open(dir.path().join("demo.db")).unwrap();
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
    assert_eq!(err.code(), "other_computer", "{err}");
}
