//! The CLI contract (docs/DESIGN.md §8): names, `--db`/`PALABRE_DB`, `--json`, ids alone on stdout,
//! exit codes 0 / 1 (refused, one line on stderr) / 2 (usage).

mod common;

use std::path::Path;
use std::process::Command;

use common::palabre;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_palabre");

fn ok(db: &Path, args: &[&str]) -> String {
    let out = palabre(db, args);
    assert!(
        out.status.success(),
        "palabre {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(db: &Path, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    serde_json::from_str(&ok(db, &args)).unwrap()
}

/// Runs a command that must be refused: exit 1, one line on stderr, nothing on stdout.
fn refused(db: &Path, args: &[&str]) -> String {
    let out = palabre(db, args);
    assert_eq!(out.status.code(), Some(1), "palabre {args:?}");
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("palabre: "), "{err}");
    err
}

fn id(stdout: &str) -> String {
    let id = stdout.trim();
    assert_eq!(stdout.lines().count(), 1, "an id alone: {stdout:?}");
    uuid::Uuid::parse_str(id).unwrap_or_else(|_| panic!("not an id: {id:?}"));
    id.to_string()
}

#[test]
fn a_facilitator_day_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let device =
        json(&db, &["init", "--device-name", "Mopti-02", "--facilitator", "Mariam Sidibé"]);
    for key in ["device_id", "name", "fingerprint", "public_key"] {
        assert!(device[key].is_string(), "device has {key}: {device}");
    }
    let shown = json(&db, &["device", "show"]);
    assert_eq!(shown["fingerprint"], device["fingerprint"]);

    let s = id(&ok(
        &db,
        &[
            "session",
            "add",
            "--title",
            "Dialogue femmes – forces de sécurité",
            "--date",
            "2024-03-14",
            "--kind",
            "dialogue",
            "--group",
            "womens_groups",
            "--group",
            "security_actors",
            "--region",
            "Mopti",
            "--commune",
            "Mopti",
            "--place",
            "Sévaré",
            "--facilitator",
            "Mariam Sidibé",
        ],
    ));
    let a = id(&ok(
        &db,
        &["person", "add", "--name", "Aïssata Traoré", "--sex", "F", "--age", "24", "--consent"],
    ));
    let b = id(&ok(
        &db,
        &[
            "person",
            "add",
            "--name",
            "Kadiatou Cissé",
            "--sex",
            "F",
            "--birth-year",
            "1985",
            "--phone",
            "+223 76 12 34 56",
        ],
    ));
    let attended = ok(&db, &["attend", &s, &a, &b]);
    assert_eq!(attended.lines().count(), 2);

    let found = json(&db, &["person", "find", "aissata"]);
    assert_eq!(found["people"][0]["id"], a.as_str());
    assert_eq!(found["people"][0]["full_name"], "Aïssata Traoré");

    let session = json(&db, &["session", "show", &s]);
    assert_eq!(
        session["session"]["groups"],
        serde_json::json!(["womens_groups", "security_actors"])
    );
    assert_eq!(session["attendance"].as_array().unwrap().len(), 2);
    assert_eq!(session["attendance"][1]["age"], 39, "Kadiatou is 39 on 2024-03-14");

    ok(&db, &["session", "edit", &s, "--status", "held", "--end", "2024-03-15"]);
    let listed = json(&db, &["session", "list", "--status", "held"]);
    assert_eq!(listed["sessions"].as_array().unwrap().len(), 1);
    assert!(
        json(&db, &["session", "list", "--status", "planned"])["sessions"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let p = id(&ok(
        &db,
        &[
            "plan",
            "add",
            "--title",
            "Deux femmes au conseil",
            "--owner",
            "Groupement Benkadi",
            "--session",
            &s,
        ],
    ));
    let i = id(&ok(
        &db,
        &["plan", "item", "add", &p, "--action", "Rencontrer le maire", "--due", "2024-06-30"],
    ));
    ok(&db, &["plan", "item", "status", &i, "done"]);
    let plan = json(&db, &["plan", "show", &p]);
    assert_eq!(plan["plan"]["items"][0]["status"], "done");
    assert_eq!(plan["plan"]["items"][0]["overdue"], false);

    ok(&db, &["unattend", &s, &b]);
    assert_eq!(json(&db, &["session", "show", &s])["attendance"].as_array().unwrap().len(), 1);
    ok(&db, &["person", "edit", &b, "--community", "Socoura"]);
    ok(&db, &["person", "delete", &b]);
    refused(&db, &["person", "show", &b]);
    assert_eq!(json(&db, &["person", "list"])["total"], 1);
}

#[test]
fn refused_input_exits_1_with_one_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--device-name", "Kati-01"]);
    let before = json(&db, &["person", "list"]);
    let err = refused(&db, &["person", "add", "--name", "  "]);
    assert!(err.contains("name is empty"), "{err}");
    refused(&db, &["person", "add", "--name", "Awa", "--sex", "female"]);
    refused(&db, &["session", "add", "--title", "x", "--date", "2024-02-30"]);
    assert_eq!(json(&db, &["person", "list"]), before);

    // With --json the error is also a document a script can switch on.
    let out = palabre(&db, &["person", "add", "--name", "", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "empty_field");
    assert_eq!(doc["error"]["field"], "name");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    assert_eq!(palabre(&db, &["session", "frobnicate"]).status.code(), Some(2));
    assert_eq!(palabre(&db, &["attend"]).status.code(), Some(2));
    assert_eq!(palabre(&db, &["session", "show", "not-an-id"]).status.code(), Some(2));
}

#[test]
fn palabre_db_environment_variable_is_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("env.db");
    let out = Command::new(BIN)
        .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
        .args(["init", "--device-name", "Env-01"])
        .env("PALABRE_DB", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(db.exists());
    assert!(dir.path().join("env.db.key").exists());
}

#[test]
fn commands_before_init_and_demo_twice_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let err = refused(&db, &["person", "add", "--name", "Awa"]);
    assert!(err.contains("palabre init"), "{err}");
    let demo = json(&db, &["demo", "--seed", "3"]);
    assert_eq!(demo["people"], 319);
    let err = refused(&db, &["demo"]);
    assert!(err.contains("empty database"), "{err}");
}

/// The README's CLI tour, pasted into bash, runs to the end.
#[test]
fn readme_tour_runs() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme.find("<!-- tour:start -->").expect("README has a tour");
    let end = readme.find("<!-- tour:end -->").expect("README tour ends");
    let script: String = readme[start..end]
        .lines()
        .skip_while(|l| !l.starts_with("```sh"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(script.contains("palabre init"), "tour script: {script}");
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tour failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Aïssata Traoré"), "{stdout}");
}

/// The CLI says what the window says: how many match a search, who already has a name like a
/// new person's, which planned sessions have a past date; a session recorded after the fact is
/// held.
#[test]
fn search_counts_namesakes_and_late_planned_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--device-name", "Ségou-01"]);
    for surname in ["Traoré", "Cissé", "Diarra"] {
        ok(&db, &["person", "add", "--name", &format!("Aïssata {surname}"), "--sex", "F"]);
    }
    let out = palabre(&db, &["person", "find", "aissata", "--limit", "2"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 shown of 3"), "{err}");
    let found = json(&db, &["person", "find", "aissata", "--limit", "2"]);
    assert_eq!((found["total"].as_u64(), found["people"].as_array().unwrap().len()), (Some(3), 2));

    let out = palabre(&db, &["person", "add", "--name", "Aissata TRAORE", "--sex", "F"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim().len(), 36, "the id alone on stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 other record(s) already have a name like this one"), "{err}");
    assert!(err.contains("Aïssata Traoré"), "{err}");
    let added = json(&db, &["person", "add", "--name", "Aïssata Diarra"]);
    assert_eq!(added["registered_under_a_like_name"][0]["full_name"], "Aïssata Diarra");

    let held = json(&db, &["session", "add", "--title", "Après coup", "--date", "2024-03-14"]);
    let id = held["id"].as_str().unwrap();
    assert_eq!(json(&db, &["session", "show", id])["session"]["status"], "held");
    ok(
        &db,
        &["session", "add", "--title", "Oubliée", "--date", "2024-04-01", "--status", "planned"],
    );
    let out = palabre(&db, &["session", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let late: Vec<_> = text.lines().filter(|l| l.contains("! date passed")).collect();
    assert_eq!(late.len(), 1, "{text}");
    assert!(late[0].contains("Oubliée"));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("1 planned session(s) have a date in the past")
    );
}

/// The registry says who has no recorded consent (they stay out of named exports).
#[test]
fn the_registry_shows_who_has_no_recorded_consent() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    assert!(palabre(&db, &["init", "--device-name", "Ségou-01"]).status.success());
    assert!(palabre(&db, &["person", "add", "--name", "Awa Diallo", "--consent"]).status.success());
    assert!(palabre(&db, &["person", "add", "--name", "Binta Sow"]).status.success());
    let list = String::from_utf8(palabre(&db, &["person", "list"]).stdout).unwrap();
    let line = |name: &str| list.lines().find(|l| l.contains(name)).unwrap().to_string();
    assert!(line("Binta Sow").ends_with("(no consent recorded)"), "{list}");
    assert!(!line("Awa Diallo").contains("no consent"), "{list}");
}

#[test]
fn person_erase_forgets_a_person_and_asks_for_confirmation() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--device-name", "Kati-01"]);
    let p = id(&ok(
        &db,
        &["person", "add", "--name", "Fanta Camara", "--sex", "F", "--phone", "76 55 44 33"],
    ));
    // Without --yes nothing happens: a usage error.
    let out = palabre(&db, &["person", "erase", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert_eq!(json(&db, &["person", "show", &p])["person"]["full_name"], "Fanta Camara");

    let text = ok(&db, &["person", "erase", &p, "--yes"]);
    assert!(text.contains("Erased (1 record)"), "{text}");
    let shown = json(&db, &["person", "show", &p])["person"].clone();
    assert_eq!((shown["erased"].as_bool(), shown["full_name"].as_str()), (Some(true), Some("")));
    assert_eq!(shown["phone"], "");
    assert!(ok(&db, &["person", "show", &p]).starts_with("(erased at their request)"));
    assert_eq!(json(&db, &["person", "list"])["total"], 0);
    let err = refused(&db, &["person", "edit", &p, "--name", "Fanta"]);
    assert!(err.contains("erased at their request"), "{err}");
    let err = refused(&db, &["person", "erase", &p, "--yes"]);
    assert!(err.contains("erased at their request"), "{err}");
}

#[test]
fn a_plain_export_warns_and_a_passphrase_locks_the_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    ok(&db, &["init", "--device-name", "Kati-01"]);
    ok(&db, &["person", "add", "--name", "Kadiatou Sow", "--sex", "F"]);
    let out = palabre(&db, &["bundle", "export", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(warning.contains("warning: this bundle is not encrypted"), "{warning}");
    assert!(warning.contains("--passphrase"), "{warning}");

    let locked = Command::new(BIN)
        .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
        .args(["--db", db.to_str().unwrap(), "bundle", "export", "--passphrase", "--out"])
        .arg(dir.path())
        .env("PALABRE_BUNDLE_PASSPHRASE", "sable chaud de Mopti")
        .output()
        .unwrap();
    assert!(locked.status.success(), "{}", String::from_utf8_lossy(&locked.stderr));
    let path = String::from_utf8(locked.stdout).unwrap().trim().to_string();
    assert!(path.ends_with(".palabre.age"), "{path}");
    let said = String::from_utf8_lossy(&locked.stderr);
    assert!(!said.contains("not encrypted") && said.contains("give it to HQ by phone"), "{said}");

    let hq = dir.path().join("hq.db");
    ok(&hq, &["init", "--device-name", "HQ"]);
    let refused = palabre(&hq, &["bundle", "import", &path]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("locked with a passphrase"));
    let opened = Command::new(BIN)
        .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
        .args(["--db", hq.to_str().unwrap(), "bundle", "import", "--passphrase", &path])
        .env("PALABRE_BUNDLE_PASSPHRASE", "sable chaud de Mopti")
        .output()
        .unwrap();
    assert!(opened.status.success(), "{}", String::from_utf8_lossy(&opened.stderr));
    assert!(String::from_utf8_lossy(&opened.stdout).contains("quarantined"), "{opened:?}");
}
