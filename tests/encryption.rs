//! Encryption at rest (issue 18, item 1): no file of the data folder — database, write-ahead
//! log, automatic backups, a manual backup — shows a planted name, phone or note, even while the
//! app is open; a wrong passphrase or a foreign key file is refused with nothing touched; a
//! passphrase forgotten on an enrolled laptop is recovered through HQ; search, export and import
//! work on encrypted databases; an encryption cut short is finished with the same key.

mod common;
use common::PASSPHRASE;

use std::path::{Path, PathBuf};

use common::{deliver, export, held};
use palabre::{Palabre, PersonInput};

const TRACES: &[&str] = &[
    "Fatoumata Dembélé",
    "Fatoumata",
    "dembele",
    "65 12 48 90",
    "65124890",
    "Niamakoro",
    "enceinte",
];

fn planted() -> PersonInput {
    PersonInput {
        full_name: Some("Fatoumata Dembélé".into()),
        sex: Some("F".into()),
        birth_year: Some(1998),
        group: Some("womens_groups".into()),
        community: Some("Niamakoro".into()),
        phone: Some("65 12 48 90".into()),
        notes: Some("enceinte, préfère les réunions du matin".into()),
        consent: Some(true),
        ..Default::default()
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { stack.push(path) } else { out.push(path) }
        }
    }
    out.sort();
    out
}

/// Every trace found in the bytes of a file under `dir`, as stored.
fn traces_in(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for path in files_under(dir) {
        let bytes = std::fs::read(&path).unwrap();
        for trace in TRACES {
            if bytes.windows(trace.len()).any(|w| w == trace.as_bytes()) {
                found.push(format!("{trace} in {}", path.display()));
            }
        }
    }
    found
}

fn digests(dir: &Path) -> Vec<(PathBuf, String)> {
    files_under(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, palabre::files::sha256_hex(&bytes))
        })
        .collect()
}

#[test]
fn a_copy_of_the_data_folder_reveals_no_name_phone_or_note() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    app.init("Bamako-01").unwrap();
    let fatoumata = app.add_person(&planted()).unwrap();
    let session = held(&app, "Causerie", "2026-11-20", &["womens_groups"]);
    app.attend(session, &[fatoumata]).unwrap();
    app.auto_backup("start").unwrap();
    app.backup_to(&dir.path().join("stick").join("copie.db")).unwrap();
    app.edit_person(
        fatoumata,
        &PersonInput { notes: Some("enceinte (7 mois)".into()), ..Default::default() },
    )
    .unwrap();
    // Open, with the latest changes still in the write-ahead log.
    let wal = dir.path().join("palabre.db-wal");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0, "the log holds the latest writes");
    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
    // What the files hold, decrypted with the key: the test plants what it looks for.
    let plain = common::decrypted(&db, &db);
    assert!(plain.windows(9).any(|w| w == b"Fatoumata"));
    // Search reads the encrypted index.
    assert_eq!(app.find_people("fatou", 5).unwrap().len(), 1);
    drop(app);
    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    assert_eq!(app.find_people("dembele", 5).unwrap().len(), 1);
    assert_eq!(app.person(fatoumata).unwrap().notes, "enceinte (7 mois)");
}

#[test]
fn a_wrong_passphrase_or_a_foreign_key_file_is_refused_and_nothing_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    app.init("Bamako-01").unwrap();
    app.add_person(&planted()).unwrap();
    drop(app);
    let before = digests(dir.path());
    let err = Palabre::open(&db, "sable de tombouctou").err().unwrap();
    assert_eq!(err.code(), "wrong_passphrase");
    assert!(err.to_string().contains("recovery file"), "{err}");
    assert_eq!(err.field(), Some("passphrase"));
    assert_eq!(Palabre::open(&db, "").err().unwrap().code(), "wrong_passphrase");
    assert_eq!(digests(dir.path()), before, "a refusal writes nothing");

    // Another database's key file, put beside this one.
    let other = tempfile::tempdir().unwrap();
    drop(Palabre::open(other.path().join("palabre.db"), PASSPHRASE).unwrap());
    let key_file = dir.path().join("palabre.db.dbkey");
    std::fs::copy(other.path().join("palabre.db.dbkey"), &key_file).unwrap();
    let err = Palabre::open(&db, PASSPHRASE).err().unwrap();
    assert_eq!(err.code(), "database_key", "{err}");
    assert!(err.to_string().contains("belongs to another database"), "{err}");
    // Without a key file at all, the file cannot be told from a foreign one: said so.
    std::fs::remove_file(&key_file).unwrap();
    let err = Palabre::open(&db, PASSPHRASE).err().unwrap();
    assert_eq!(err.code(), "not_a_database");
    assert!(err.to_string().contains("put its key file back"), "{err}");
}

#[test]
fn a_forgotten_passphrase_is_recovered_through_hq() {
    let dir = tempfile::tempdir().unwrap();
    let hq = Palabre::open(dir.path().join("hq.db"), "bureau de Bamako").unwrap();
    hq.init("HQ").unwrap();
    let keys = hq.hq_init(&dir.path().join("keys"), Some("Mali")).unwrap();
    let db = dir.path().join("laptop").join("palabre.db");
    let laptop = Palabre::open(&db, PASSPHRASE).unwrap();
    laptop.init("Ségou-01").unwrap();
    let fatoumata = laptop.add_person(&planted()).unwrap();
    assert!(!laptop.protection().recovery_copy);
    assert_eq!(Palabre::write_recovery_request(&db, dir.path()).unwrap_err().code(), "no_recovery");
    laptop.enroll_file(&keys.enrollment).unwrap();
    assert!(laptop.protection().recovery_copy, "enrolling seals a copy of the key to HQ");
    drop(laptop);

    // Forgotten: the request is written without the passphrase and holds no data.
    let request = Palabre::write_recovery_request(&db, &dir.path().join("stick")).unwrap();
    let text = std::fs::read_to_string(&request).unwrap();
    assert!(TRACES.iter().all(|t| !text.contains(t)));
    // A laptop is not HQ: it cannot answer.
    let other = Palabre::open(dir.path().join("other.db"), PASSPHRASE).unwrap();
    other.init("Kati-01").unwrap();
    assert_eq!(other.hq_answer_recovery(&request, dir.path()).unwrap_err().code(), "not_hq");
    let made = hq.hq_answer_recovery(&request, &dir.path().join("back")).unwrap();

    let key_file = db.with_file_name("palabre.db.dbkey");
    let before = std::fs::read(&key_file).unwrap();
    let err =
        Palabre::recover(&db, &made.path, "2345-6789-ABCD-EFGH", "nouvelle phrase").err().unwrap();
    assert_eq!(err.code(), "bad_recovery");
    let err = Palabre::recover(&db, &made.path, &made.code, "court").err().unwrap();
    assert_eq!(err.code(), "passphrase_too_short");
    assert_eq!(std::fs::read(&key_file).unwrap(), before, "refusals change nothing");
    let laptop = Palabre::recover(&db, &made.path, &made.code, "nouvelle phrase").unwrap();
    assert_eq!(laptop.person(fatoumata).unwrap().full_name, "Fatoumata Dembélé");
    assert!(laptop.protection().recovery_copy, "HQ's copy is kept");
    drop(laptop);
    assert_eq!(Palabre::open(&db, PASSPHRASE).err().unwrap().code(), "wrong_passphrase");
    assert!(Palabre::open(&db, "nouvelle phrase").is_ok());
}

#[test]
fn encrypted_laptops_export_and_import_and_hq_searches_what_it_merged() {
    let dirs: Vec<_> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let laptop = Palabre::open(dirs[0].path().join("palabre.db"), PASSPHRASE).unwrap();
    laptop.init("Ségou-01").unwrap();
    let hq = Palabre::open(dirs[1].path().join("palabre.db"), "une autre phrase").unwrap();
    hq.init("HQ").unwrap();
    laptop.add_person(&planted()).unwrap();
    let bundle = export(&laptop);
    assert!(matches!(deliver(&hq, &bundle), palabre::ImportOutcome::Applied { .. }));
    assert_eq!(hq.find_people("fatoumata dem", 5).unwrap().len(), 1);
    for dir in &dirs {
        assert_eq!(traces_in(dir.path()), Vec::<String>::new(), "{}", dir.path().display());
    }
}

#[test]
fn an_encryption_cut_short_is_finished_with_the_same_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/db/v2.db"), &db).unwrap();
    // The key file was written, then the laptop's battery died: the database is still plain.
    let first = palabre::lock::create(&db, PASSPHRASE).unwrap();
    assert_eq!(Palabre::state(&db), palabre::DatabaseState::Plain);
    let app = Palabre::open(&db, PASSPHRASE).unwrap();
    assert_eq!(common::key_of(&db).bytes(), first.bytes(), "the same key, so earlier copies open");
    assert_eq!(app.people(0, 10).unwrap().total, 2);
    // With another passphrase typed this time, the leftover key is set aside, not lost.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/db/v2.db"), &db).unwrap();
    palabre::lock::create(&db, PASSPHRASE).unwrap();
    drop(Palabre::open(&db, "une autre phrase secrète").unwrap());
    let aside = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".dbkey.replaced-"))
        .count();
    assert_eq!(aside, 1);
}
