//! Opening databases: migrations upgrade every frozen old schema to the same schema as a fresh
//! database; files that are newer, foreign or not SQLite are refused without being touched.

use palabre::Palabre;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";
use palabre::store::migrations::{self, LATEST, schema_dump};
use rusqlite::Connection;
use sha2::{Digest, Sha256};

/// A connection to the encrypted database at `path`, with its key.
fn open_raw(path: &std::path::Path) -> Connection {
    let key = palabre::lock::unlock(path, PASSPHRASE).unwrap();
    palabre::store::cipher::open_file(path, &key, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE)
        .unwrap()
        .expect("its key opens it")
}

/// The frozen SQL of each shipped version, as it was shipped (tests/fixtures/schema/vN.sql).
fn frozen(version: i64) -> String {
    let path = format!("{}/tests/fixtures/schema/v{version}.sql", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} — freeze every shipped migration"))
}

fn fresh_dump(dir: &std::path::Path) -> Vec<String> {
    let path = dir.join("fresh.db");
    drop(Palabre::open(&path, PASSPHRASE).unwrap());
    schema_dump(&open_raw(&path)).unwrap()
}

#[test]
fn every_frozen_version_upgrades_to_the_fresh_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dump(dir.path());
    for old in 1..=LATEST {
        let path = dir.path().join(format!("v{old}.db"));
        {
            let conn = Connection::open(&path).unwrap();
            // The migrations use Palabre's SQL functions, as the store registers them.
            palabre::model::names::register_functions(&conn).unwrap();
            for version in 1..=old {
                conn.execute_batch(&frozen(version)).unwrap();
                conn.pragma_update(None, "user_version", version).unwrap();
            }
        }
        drop(Palabre::open(&path, PASSPHRASE).unwrap());
        let upgraded = schema_dump(&open_raw(&path)).unwrap();
        assert_eq!(upgraded, fresh, "schema upgraded from v{old} differs from a fresh one");
    }
}

/// Frozen databases written by each released version (tests/fixtures/db/vN.db: a held session,
/// people with accents and an estimated age, attendance, a deleted person, an action plan; v2
/// adds a merged duplicate). Each is upgraded, compared with a fresh schema, and its data read
/// back through today's code. Each is also encrypted in place on the way (they are plain, as
/// every earlier Palabre wrote them), after an encrypted backup that holds the same data.
#[test]
fn every_frozen_database_upgrades_with_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = fresh_dump(dir.path());
    for version in 1..=LATEST {
        let fixture = format!("{}/tests/fixtures/db/v{version}.db", env!("CARGO_MANIFEST_DIR"));
        let folder = dir.path().join(format!("v{version}"));
        std::fs::create_dir(&folder).unwrap();
        let path = folder.join("palabre.db");
        std::fs::copy(&fixture, &path).unwrap_or_else(|e| {
            panic!("{fixture}: {e} — freeze a database of every released schema")
        });
        let before: i64 = Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(before, version);
        assert_eq!(Palabre::state(&path), palabre::DatabaseState::Plain);
        let plain_bytes = std::fs::read(&path).unwrap();
        assert!(plain_bytes.windows(8).any(|w| w == "Aïssata".as_bytes()), "the fixture is plain");
        let app = Palabre::open(&path, PASSPHRASE).unwrap();
        assert_eq!(Palabre::state(&path), palabre::DatabaseState::Locked, "v{version} encrypted");
        for file in std::fs::read_dir(&folder)
            .unwrap()
            .chain(std::fs::read_dir(folder.join("backups")).unwrap())
        {
            let file = file.unwrap().path();
            if file.is_file() {
                let bytes = std::fs::read(&file).unwrap();
                assert!(
                    !bytes.windows(8).any(|w| w == "Aïssata".as_bytes()),
                    "{file:?} shows a name"
                );
            }
        }
        assert_eq!(schema_dump(&open_raw(&path)).unwrap(), fresh, "v{version}");
        let report = app
            .report(palabre::report::indicators::Period::default(), palabre::i18n::Lang::Fr)
            .unwrap();
        assert_eq!(
            report.people.total, 2,
            "v{version}: two women reached (a man was deleted; v2's duplicate is merged)"
        );
        assert_eq!(report.people.by_sex["F"], 2, "v{version}");
        let names: Vec<String> =
            app.people(0, 10).unwrap().people.into_iter().map(|p| p.full_name).collect();
        assert_eq!(names, ["Aïssata Traoré", "Ɲɛnɛ Kɔnatɛ"], "v{version}");
        // Search finds them by the folded prefixes of their words (the index that v7 rebuilt
        // with the journal's folding): "nene kona" is Ɲɛnɛ Kɔnatɛ.
        for query in ["aissata", "trao", "nene kona", "konate"] {
            assert_eq!(app.find_people(query, 10).unwrap().len(), 1, "v{version}: {query}");
        }
        assert_eq!(
            app.plans(None).unwrap()[0].items[0].responsible,
            "Aïssata Traoré",
            "v{version}"
        );
        // Every key an earlier version kept about itself is one today's bookkeeping knows.
        let keys: Vec<String> = open_raw(&path)
            .prepare("SELECT key FROM settings")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(!keys.is_empty(), "v{version}: no settings");
        for key in &keys {
            assert!(
                palabre::store::bookkeeping::Key::from_name(key).is_some(),
                "v{version}: settings key '{key}' is unknown to store::bookkeeping"
            );
        }
        let me = app.device().unwrap().device_id;
        let ops: Vec<i64> =
            app.ops().unwrap().iter().filter(|o| o.device_id == me).map(|o| o.op_seq).collect();
        assert_eq!(ops, (1..=ops.len() as i64).collect::<Vec<_>>(), "v{version}: op_seq gap-free");
        // The encryption and an upgrade are each preceded by a copy of the old file, encrypted
        // with the same key; the first holds the data as it was.
        let copies = app.backups().unwrap();
        let reasons: Vec<&str> = copies.iter().map(|c| c.reason.as_str()).collect();
        let migration = format!("migration-v{version}");
        let expected: Vec<&str> =
            if version < LATEST { vec![&migration, "encryption"] } else { vec!["encryption"] };
        assert_eq!(reasons, expected, "v{version}");
        let first = copies.last().unwrap();
        let key = palabre::lock::unlock(&path, PASSPHRASE).unwrap();
        let copy = palabre::store::cipher::open_file(
            &first.path,
            &key,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap()
        .expect("the backup opens with the database's key");
        let (people, old_version): (i64, i64) = copy
            .query_row("SELECT (SELECT count(*) FROM people), (SELECT user_version FROM pragma_user_version)", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(old_version, version, "v{version}: the copy is of the file as it was");
        assert!(people >= 3, "v{version}: the copy holds the people ({people})");
    }
}

#[test]
fn shipped_migrations_are_frozen() {
    for (index, sql) in migrations::MIGRATIONS.iter().enumerate() {
        assert_eq!(
            *sql,
            frozen(index as i64 + 1),
            "migration v{} was edited after shipping",
            index + 1
        );
    }
}

fn digest(path: &std::path::Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn a_database_from_a_newer_palabre_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    drop(Palabre::open(&path, PASSPHRASE).unwrap());
    {
        let conn = open_raw(&path);
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1).unwrap();
    }
    let before = digest(&path);
    let err = Palabre::open(&path, PASSPHRASE).err().expect("must refuse");
    assert_eq!(err.code(), "schema_too_new");
    assert!(err.to_string().contains("newer version of Palabre"), "{err}");
    assert_eq!(digest(&path), before, "the refused file was modified");
}

#[test]
fn foreign_files_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.db");
    std::fs::write(&text, "this is not a database at all, just some text that is long enough")
        .unwrap();
    let before = digest(&text);
    assert_eq!(Palabre::open(&text, PASSPHRASE).err().unwrap().code(), "not_a_database");
    assert_eq!(digest(&text), before);

    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); PRAGMA journal_mode=DELETE;")
        .unwrap();
    let before = digest(&other);
    let err = Palabre::open(&other, PASSPHRASE).err().unwrap();
    assert_eq!(err.code(), "not_a_database");
    assert!(err.to_string().contains("another program"), "{err}");
    assert_eq!(digest(&other), before);
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let id = {
        let app = Palabre::open(&path, PASSPHRASE).unwrap();
        app.init("Mopti-02").unwrap();
        app.add_person(&palabre::PersonInput {
            full_name: Some("Djénéba Koné".into()),
            ..Default::default()
        })
        .unwrap()
    };
    let app = Palabre::open(&path, PASSPHRASE).unwrap();
    assert_eq!(app.person(id).unwrap().full_name, "Djénéba Koné");
    assert_eq!(app.device().unwrap().name, "Mopti-02");
}
