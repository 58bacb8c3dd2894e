//! The attendance sheet through the CLI, read back with poppler's pdftotext: a sheet written,
//! unknown sessions and bad options refused (the sheet itself is tested in tests/sheet.rs).

mod common;

use std::process::Command;

use common::pages;

#[test]
fn the_cli_writes_a_sheet_and_refuses_unknown_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let run = |args: &[&str]| common::palabre(&db, args);
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

#[test]
fn the_cli_reads_which_session_and_page_a_scanned_sheet_is() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let run = |args: &[&str]| common::palabre(&db, args);
    assert!(run(&["demo"]).status.success());
    let listed: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "session", "list"]).stdout).unwrap();
    let session = listed["sessions"][0]["id"].as_str().unwrap().to_string();
    let pdf = dir.path().join("sheet.pdf");
    assert!(run(&["sheet", &session, "--out", pdf.to_str().unwrap()]).status.success());
    // A scan of page 1, as a scanner saves it.
    let scan = dir.path().join("scan");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(&scan)
        .status()
        .unwrap();
    assert!(status.success());
    let scan = dir.path().join("scan.png");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "pas une image").unwrap();
    let read = run(&["--json", "evidence", "read", scan.to_str().unwrap()]);
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let read: serde_json::Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(read["sheets"][0]["found"], true);
    assert_eq!(read["sheets"][0]["session_id"], session.as_str());
    assert_eq!(read["sheets"][0]["page"], 1);
    let text = run(&["evidence", "read", scan.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&text.stdout).contains(&format!("session {session}")));
    let refused = run(&["evidence", "read", notes.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not a PNG or JPEG"));
}
