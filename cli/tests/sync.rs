//! Bundles through the CLI: several files imported one line each, a quarantined laptop trusted,
//! a file imported twice and a bundle verified (the rest of the exchange is tested in
//! tests/sync.rs).

mod common;

use std::process::Command;

#[test]
fn the_cli_imports_several_files_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_palabre");
    let run = |db: &str, args: &[&str]| {
        Command::new(bin)
            .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
            .arg("--db")
            .arg(dir.path().join(db))
            .args(args)
            .output()
            .unwrap()
    };
    run("a.db", &["init", "--device-name", "Mopti-02"]);
    run("a.db", &["person", "add", "--name", "Kadiatou Cissé"]);
    run("hq.db", &["init", "--device-name", "HQ"]);
    let out = run("a.db", &["bundle", "export", "--out", dir.path().to_str().unwrap()]);
    let file = String::from_utf8(out.stdout).unwrap().trim().to_string();
    std::fs::write(dir.path().join("junk.palabre"), "junk").unwrap();
    let junk = dir.path().join("junk.palabre");
    let out = run("hq.db", &["bundle", "import", &file, junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a rejected file makes the command fail");
    let lines = String::from_utf8(out.stdout).unwrap();
    assert!(
        lines.lines().next().unwrap().contains("quarantined: unknown device Mopti-02"),
        "{lines}"
    );
    assert!(
        lines.lines().nth(1).unwrap().contains("rejected: it is not a Palabre bundle"),
        "{lines}"
    );
    let fingerprint = serde_json::from_slice::<serde_json::Value>(
        &run("a.db", &["device", "show", "--json"]).stdout,
    )
    .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let trusted = run("hq.db", &["device", "trust", &fingerprint]);
    assert!(String::from_utf8(trusted.stdout).unwrap().contains("applied"));
    let again = run("hq.db", &["bundle", "import", &file]);
    assert!(String::from_utf8(again.stdout).unwrap().contains("already imported"));
    assert!(run("a.db", &["bundle", "verify", &file]).status.success());
}
