//! Logs: both databases of an exchange keep a log in `logs/` beside them, with commands, codes,
//! counts and timings — and a participant's name, phone, community or note appears in no log
//! file and not in the diagnostics file, whatever was done with her (registered, refused, found,
//! exported, imported).

mod common;

use std::path::Path;

use common::{palabre, palabre_text};

const NAME: &str = "Zeinabou Plantedname";
const PHONE: &str = "+223 76 12 34 56";
const COMMUNITY: &str = "Kanikombolé";
const NOTE: &str = "note-plantee-xyz";

fn run(db: &Path, args: &[&str]) -> String {
    let (code, out, err) = palabre_text(db, args);
    assert_eq!(code, Some(0), "palabre {args:?}: {err}");
    out.trim().to_string()
}

/// Every log file of the database at `db`, as text.
fn logs(db: &Path) -> String {
    let dir = palabre::logging::dir_of(db);
    let mut text = String::new();
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    text
}

#[test]
fn logs_hold_codes_and_counts_and_never_a_participant() {
    let dir = tempfile::tempdir().unwrap();
    let laptop = dir.path().join("laptop/palabre.db");
    let hq = dir.path().join("hq/palabre.db");
    run(&laptop, &["init", "--device-name", "Ségou-01"]);
    run(&hq, &["init", "--device-name", "HQ"]);
    let person = run(
        &laptop,
        &[
            "person",
            "add",
            "--name",
            NAME,
            "--phone",
            PHONE,
            "--community",
            COMMUNITY,
            "--notes",
            NOTE,
        ],
    );
    let session = run(&laptop, &["session", "add", "--title", "Dialogue", "--date", "2024-03-14"]);
    run(&laptop, &["attend", &session, &person]);
    // A refusal whose sentence would quote the name: only its code may reach the log.
    let too_long = format!("{NAME} {}", "x".repeat(300));
    let refused = palabre(&laptop, &["person", "add", "--name", &too_long]);
    assert_eq!(refused.status.code(), Some(1));
    run(&laptop, &["person", "find", "plantedname"]);
    let bundle = run(&laptop, &["bundle", "export", "--out", dir.path().to_str().unwrap()]);
    run(&hq, &["bundle", "import", &bundle]);
    let fingerprint =
        serde_json::from_str::<serde_json::Value>(&run(&laptop, &["device", "show", "--json"]))
            .unwrap()["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
    run(&hq, &["device", "trust", &fingerprint]);
    assert!(run(&hq, &["person", "find", "plantedname"]).contains(NAME), "she reached HQ");
    let diagnostics = dir.path().join("diagnostics.json");
    run(&laptop, &["diagnostics", "--out", diagnostics.to_str().unwrap()]);

    let laptop_log = logs(&laptop);
    let hq_log = logs(&hq);
    let diagnostics = std::fs::read_to_string(&diagnostics).unwrap();
    // What the IT person needs is there.
    assert!(laptop_log.contains("person add") && laptop_log.contains("done"), "{laptop_log}");
    assert!(
        laptop_log.contains("code=\"too_long\"") || laptop_log.contains("code=too_long"),
        "{laptop_log}"
    );
    assert!(laptop_log.contains("bundle exported"), "{laptop_log}");
    assert!(hq_log.contains("bundle merged"), "{hq_log}");
    let json: serde_json::Value = serde_json::from_str(&diagnostics).unwrap();
    assert_eq!(json["rows"]["people"], 1);
    assert!(json["schema_version"].as_i64().unwrap() >= 2);
    assert!(!json["log"].as_array().unwrap().is_empty(), "the recent log is in the file");
    // Who she is is not.
    for (file, text) in
        [("laptop log", &laptop_log), ("HQ log", &hq_log), ("diagnostics", &diagnostics)]
    {
        for secret in ["Plantedname", "plantedname", PHONE, "76 12 34 56", COMMUNITY, NOTE] {
            assert!(!text.contains(secret), "the {file} holds {secret:?}:\n{text}");
        }
    }
}
