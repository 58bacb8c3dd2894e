//! The attendance sheet through the CLI, read back with poppler's pdftotext: a sheet written,
//! unknown sessions and bad options refused (the sheet itself is tested in tests/sheet.rs).

mod common;

use std::process::Command;

use common::pages;

#[test]
fn the_cli_writes_a_sheet_and_refuses_unknown_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let bin = env!("CARGO_BIN_EXE_palabre");
    let run = |args: &[&str]| {
        Command::new(bin)
            .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
            .arg("--db")
            .arg(&db)
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["demo"]).status.success());
    let out = dir.path().join("blank.pdf");
    assert!(
        run(&["sheet", "--out", out.to_str().unwrap(), "--lang", "en", "--blank-rows", "5"])
            .status
            .success()
    );
    assert!(pages(&std::fs::read(&out).unwrap())[0].contains("ATTENDANCE SHEET"));
    let missing =
        run(&["sheet", &palabre::SessionId::new().to_string(), "--out", out.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(run(&["sheet", "--out", "x.pdf", "--blank-rows", "501"]).status.code(), Some(2));
}
