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

#[test]
fn the_cli_files_a_folder_of_photos_by_their_codes_asks_about_the_rest_and_exports_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let run = |args: &[&str]| common::palabre(&db, args);
    assert!(run(&["demo"]).status.success());
    let listed: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "session", "list", "--status", "held"]).stdout)
            .unwrap();
    let session = listed["sessions"][0]["id"].as_str().unwrap().to_string();
    let other = listed["sessions"][1]["id"].as_str().unwrap().to_string();
    let pdf = dir.path().join("sheet.pdf");
    assert!(run(&["sheet", &session, "--out", pdf.to_str().unwrap()]).status.success());
    // A phone's folder: page 1 of the sheet in DCIM/Camera, a photo of something else, a note.
    let phone = dir.path().join("phone");
    let camera = phone.join("DCIM").join("Camera");
    std::fs::create_dir_all(&camera).unwrap();
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&pdf)
        .arg(camera.join("IMG_0001"))
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("convert")
        .args(["-size", "640x480", "xc:gray80"])
        .arg(camera.join("IMG_0002.jpg"))
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(phone.join("notes.txt"), "pas une image").unwrap();

    let added = run(&["--json", "evidence", "add", phone.to_str().unwrap()]);
    assert_eq!(added.status.code(), Some(1), "one file is left to file by hand");
    // The files' lines, then (exit status 1) the error that says what is left to do.
    let mut values = serde_json::Deserializer::from_slice(&added.stdout).into_iter();
    let added: serde_json::Value = values.next().unwrap().unwrap();
    let error: serde_json::Value = values.next().unwrap().unwrap();
    assert!(error.to_string().contains("1 of 2 files not attached"), "{error}");
    let files = added["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "the two pictures, not the note: {added}");
    assert_eq!(files[0]["result"]["outcome"], "filed");
    assert_eq!(files[0]["result"]["evidence"]["session_id"], session.as_str());
    assert_eq!(files[0]["result"]["evidence"]["page"], 1);
    assert_eq!(files[1]["result"]["outcome"], "needs_session");
    assert_eq!(files[1]["result"]["reason"], "no_code");
    // Answered: `evidence add SESSION FILE --page N`.
    let photo = camera.join("IMG_0002.jpg");
    let (code, out, err) = common::palabre_text(
        &db,
        &["evidence", "add", &other, photo.to_str().unwrap(), "--page", "2"],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains("attached to") && out.contains("page 2") && out.contains("as asked"),
        "{out}"
    );
    // The sheet of one session given to another is refused, naming the right one.
    let sheet_photo = camera.join("IMG_0001.png");
    let (code, out, _) =
        common::palabre_text(&db, &["evidence", "add", &other, sheet_photo.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(out.contains("another session"), "{out}");

    let list: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "evidence", "list", &session]).stdout).unwrap();
    let kept = &list["evidence"][0];
    assert_eq!(kept["page"], 1);
    assert_eq!(kept["filed_by_code"], true);
    let id = kept["id"].as_str().unwrap();
    let copy = dir.path().join("copy.jpg");
    assert!(run(&["evidence", "save", id, "--out", copy.to_str().unwrap()]).status.success());
    assert_eq!(std::fs::metadata(&copy).unwrap().len(), kept["size"].as_u64().unwrap());

    // The report lists held sessions still without a signed sheet.
    let (_, report, _) = common::palabre_text(&db, &["report"]);
    assert!(report.contains("signed sheets   2 of "), "{report}");
    assert!(report.contains("held sessions without a signed sheet:"), "{report}");
    assert!(!report.contains(&session), "the session with its sheet is not listed");

    // Exported with the files; removed, and the removal travels too.
    let usb = dir.path().join("usb");
    std::fs::create_dir(&usb).unwrap();
    let exported: serde_json::Value = serde_json::from_slice(
        &run(&["--json", "bundle", "export", "--out", usb.to_str().unwrap(), "--max-size", "1"])
            .stdout,
    )
    .unwrap();
    assert_eq!(exported["evidence"], 2, "{exported}");
    assert!(exported["parts"].as_array().unwrap().len() >= 1);
    assert!(run(&["evidence", "remove", id]).status.success());
    let after: serde_json::Value =
        serde_json::from_slice(&run(&["--json", "evidence", "list", &session]).stdout).unwrap();
    assert!(after["evidence"].as_array().unwrap().is_empty());
    assert_eq!(run(&["evidence", "remove", id]).status.code(), Some(1));
    assert_eq!(run(&["bundle", "export", "--max-size", "0"]).status.code(), Some(2));
}
