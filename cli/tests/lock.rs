//! The lock on the data through the CLI (issue 18, item 1): the passphrase from
//! `PALABRE_PASSPHRASE`, a wrong one refused with nothing touched, changing it, an earlier
//! Palabre's plain database encrypted on first use, and a forgotten passphrase recovered through
//! HQ with a recovery file and a one-time code.
//!
//! Unix only: the runs are detached from any terminal with `setsid`, so that a missing passphrase
//! can never be typed in by the person running the tests.
#![cfg(unix)]

mod common;
use common::PASSPHRASE;

use std::path::Path;
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

const BIN: &str = env!("CARGO_BIN_EXE_palabre");

/// `palabre --db DB ARGS` with `passphrase` (none: the variable is unset), and extra variables.
fn run(db: &Path, passphrase: Option<&str>, vars: &[(&str, &str)], args: &[&str]) -> Output {
    // Without a controlling terminal (setsid), so that a missing passphrase can never be typed.
    let mut command = Command::new("setsid");
    command.arg("--wait").arg(BIN).arg("--db").arg(db).args(args).env_remove("PALABRE_DB");
    command.env_remove("PALABRE_PASSPHRASE").env_remove("PALABRE_NEW_PASSPHRASE");
    if let Some(passphrase) = passphrase {
        command.env("PALABRE_PASSPHRASE", passphrase);
    }
    command.envs(vars.iter().copied());
    command.output().unwrap()
}

fn ok(db: &Path, passphrase: &str, args: &[&str]) -> String {
    let out = run(db, Some(passphrase), &[], args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn refused(out: Output) -> String {
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    String::from_utf8(out.stderr).unwrap()
}

fn digest(path: &Path) -> Vec<u8> {
    Sha256::digest(std::fs::read(path).unwrap()).to_vec()
}

#[test]
fn the_passphrase_opens_the_database_a_wrong_one_touches_nothing_and_it_can_change() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let status = |db: &Path| {
        let out = run(db, None, &[], &["--json", "passphrase", "status"]);
        assert!(out.status.success());
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["state"].clone()
    };
    assert_eq!(status(&db), "new");
    // A passphrase too short makes nothing.
    let err = refused(run(&db, Some("court"), &[], &["init", "--device-name", "Kati-01"]));
    assert!(err.contains("at least 8"), "{err}");
    assert!(!db.exists());
    ok(&db, PASSPHRASE, &["init", "--device-name", "Kati-01"]);
    ok(&db, PASSPHRASE, &["person", "add", "--name", "Kadiatou Sow", "--sex", "F"]);
    assert_eq!(status(&db), "locked");
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"Kadiatou"), "the name is not in the file");

    // A wrong passphrase: exit 1, one clear line, nothing touched.
    let key_file = dir.path().join("p.db.dbkey");
    let before = (digest(&db), digest(&key_file));
    let err = refused(run(&db, Some("sable de tombouctou"), &[], &["person", "list"]));
    assert!(err.contains("does not open") && err.contains("recovery file"), "{err}");
    assert_eq!((digest(&db), digest(&key_file)), before);
    // No passphrase and no terminal to type it in: says which variable to set.
    let err = refused(run(&db, None, &[], &["person", "list"]));
    assert!(err.contains("PALABRE_PASSPHRASE"), "{err}");

    // Changing it: the current one is checked, the new one typed twice (here, given).
    let new = [("PALABRE_NEW_PASSPHRASE", "fleuve Niger à Kati")];
    let err = refused(run(&db, Some("pas la bonne phrase"), &new, &["passphrase", "change"]));
    assert!(err.contains("does not open"), "{err}");
    let out = run(&db, Some(PASSPHRASE), &new, &["passphrase", "change"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(ok(&db, "fleuve Niger à Kati", &["person", "list"]).contains("Kadiatou Sow"));
    refused(run(&db, Some(PASSPHRASE), &[], &["person", "list"]));
}

#[test]
fn a_plain_database_from_an_earlier_palabre_is_encrypted_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/db/v1.db"), &db).unwrap();
    let out = run(&db, None, &[], &["passphrase", "status"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("not encrypted"));
    let listed = ok(&db, PASSPHRASE, &["person", "list"]);
    assert!(listed.contains("Aïssata Traoré"), "{listed}");
    let bytes = std::fs::read(&db).unwrap();
    assert!(!bytes.windows(8).any(|w| w == "Aïssata".as_bytes()));
    let backups: Vec<String> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(backups.iter().any(|b| b.ends_with("-encryption.db")), "{backups:?}");
    for backup in &backups {
        let bytes = std::fs::read(dir.path().join("backups").join(backup)).unwrap();
        assert!(!bytes.windows(8).any(|w| w == "Aïssata".as_bytes()), "{backup} is plain");
    }
}

#[test]
fn hq_recovers_a_forgotten_passphrase_with_a_file_and_a_code_read_by_phone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let hq = root.join("hq.db");
    let laptop = root.join("laptop.db");
    let hq_pass = "bureau de Bamako 2026";
    ok(&hq, hq_pass, &["init", "--device-name", "HQ"]);
    ok(&hq, hq_pass, &["hq", "init", "--out", root.join("keys").to_str().unwrap()]);
    ok(&laptop, PASSPHRASE, &["init", "--device-name", "Ségou-01"]);
    ok(&laptop, PASSPHRASE, &["person", "add", "--name", "Aminata Coulibaly", "--sex", "F"]);
    let stick = root.join("stick");
    // Before enrollment HQ holds no copy: the request says so.
    let err = refused(run(
        &laptop,
        None,
        &[],
        &["passphrase", "request", "--out", stick.to_str().unwrap()],
    ));
    assert!(err.contains("enrolled"), "{err}");
    let enrollment = root.join("keys").join("enrollment.palabre-hq");
    ok(&laptop, PASSPHRASE, &["enroll", enrollment.to_str().unwrap()]);

    // She forgot it: the request needs no passphrase.
    let out = run(&laptop, None, &[], &["passphrase", "request", "--out", stick.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let request = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let answer = ok(
        &hq,
        hq_pass,
        &["--json", "hq", "recovery", &request, "--out", root.join("back").to_str().unwrap()],
    );
    let made: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let (file, code) = (made["path"].as_str().unwrap(), made["code"].as_str().unwrap());
    assert!(!std::fs::read_to_string(file).unwrap().contains(code), "the code is not in the file");
    // Another HQ (or a laptop) cannot answer it.
    let other = root.join("other-hq.db");
    ok(&other, hq_pass, &["init", "--device-name", "Autre"]);
    ok(&other, hq_pass, &["hq", "init", "--out", root.join("other-keys").to_str().unwrap()]);
    let err = refused(run(
        &other,
        Some(hq_pass),
        &[],
        &["hq", "recovery", &request, "--out", root.to_str().unwrap()],
    ));
    assert!(err.contains("another HQ key"), "{err}");

    let new = [("PALABRE_NEW_PASSPHRASE", "nouvelle phrase de Ségou")];
    let before = digest(&root.join("laptop.db.dbkey"));
    let err = refused(run(
        &laptop,
        None,
        &new,
        &["passphrase", "recover", file, "--code", "AAAA-BBBB-CCCC-DDDD"],
    ));
    assert!(err.contains("code"), "{err}");
    assert_eq!(digest(&root.join("laptop.db.dbkey")), before, "a wrong code changes nothing");
    let out = run(&laptop, None, &new, &["passphrase", "recover", file, "--code", code]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        ok(&laptop, "nouvelle phrase de Ségou", &["person", "list"]).contains("Aminata Coulibaly")
    );
    refused(run(&laptop, Some(PASSPHRASE), &[], &["person", "list"]));
}
