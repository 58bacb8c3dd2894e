//! The way down from HQ through the CLI (issue 19): `bundle import DIR` takes a whole stick,
//! `hq registry` scopes by place and group and refuses a registry naming no place, `hq lost`
//! holds a stolen laptop's later bundle (`hq held`, `device list`), `hq restore` gives the new
//! laptop the old one's data; every command speaks `--json`, and the log names nobody.

mod common;

use std::path::{Path, PathBuf};

use common::{palabre, palabre_text};
use serde_json::Value;

fn json(db: &Path, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let out = palabre(db, &all);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// A refused command's JSON documents on stdout: what it did (the imports, one per file) if
/// anything, then the error.
fn refused_docs(db: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = args.to_vec();
    all.push("--json");
    let out = palabre(db, &all);
    assert_eq!(out.status.code(), Some(1), "{args:?} should be refused");
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The error document of a refused command.
fn refused(db: &Path, args: &[&str]) -> Value {
    refused_docs(db, args).pop().unwrap()
}

/// The import results of a refused `bundle import`.
fn refused_import(db: &Path, args: &[&str]) -> Value {
    refused_docs(db, args).remove(0)
}

struct Desk {
    _dir: tempfile::TempDir,
    root: PathBuf,
    hq: PathBuf,
}

impl Desk {
    fn new() -> Desk {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let hq = root.join("hq.db");
        json(&hq, &["init", "--device-name", "HQ Bamako"]);
        json(&hq, &["hq", "init", "--out", root.join("keys").to_str().unwrap()]);
        Desk { _dir: dir, root, hq }
    }

    fn dir(&self, name: &str) -> PathBuf {
        let d = self.root.join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn laptop(&self, name: &str) -> PathBuf {
        let db = self.root.join(format!("{name}.db"));
        json(&db, &["init", "--device-name", name]);
        json(&db, &["enroll", self.root.join("keys/enrollment.palabre-hq").to_str().unwrap()]);
        db
    }

    /// Exports the laptop's bundle onto `stick` and returns its fingerprint.
    fn export(&self, laptop: &Path, stick: &Path) -> String {
        json(laptop, &["bundle", "export", "--out", stick.to_str().unwrap()]);
        json(laptop, &["device", "show"])["fingerprint"].as_str().unwrap().to_string()
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn hq_sends_the_registry_down_and_replaces_a_lost_laptop_from_the_command_line() {
    let d = Desk::new();
    // Ségou-01 registers and records; Ségou-02 is new in the region.
    let a = d.laptop("Ségou-01");
    let session = json(
        &a,
        &[
            "session",
            "add",
            "--title",
            "Dialogue",
            "--date",
            "2024-03-14",
            "--status",
            "held",
            "--region",
            "Ségou",
        ],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    let aminata = json(
        &a,
        &["person", "add", "--name", "Aminata Coulibaly", "--sex", "F", "--notes", "Confidentiel"],
    )["id"]
        .as_str()
        .unwrap()
        .to_string();
    json(&a, &["attend", &session, &aminata]);
    let b = d.laptop("Ségou-02");
    let stick = d.dir("stick");
    let fa = d.export(&a, &stick);
    let fb = d.export(&b, &d.dir("stick/sub"));
    // A whole stick (a subfolder too) in one command; a stray file is not a Palabre file.
    std::fs::write(stick.join("photo.jpg"), b"not a bundle").unwrap();
    let imported = json(&d.hq, &["bundle", "import", s(&stick)]);
    let outcomes: Vec<&str> = imported["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["result"]["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["quarantined", "quarantined"]);
    json(&d.hq, &["device", "trust", &fa]);
    json(&d.hq, &["device", "trust", &fb]);

    // A registry must name a place; an unknown group is refused.
    let down = d.dir("down");
    let error = refused(&d.hq, &["hq", "registry", "--for", &fb, "--out", s(&down)]);
    assert_eq!(error["error"]["code"], "needs_scope");
    let error = refused(
        &d.hq,
        &[
            "hq",
            "registry",
            "--for",
            "Ségou-02",
            "--region",
            "Ségou",
            "--group",
            "soldiers",
            "--out",
            s(&down),
        ],
    );
    assert_eq!(error["error"]["code"], "invalid_group");
    let written = json(
        &d.hq,
        &["hq", "registry", "--for", "Ségou-02", "--region", "ségou", "--out", s(&down)],
    );
    assert_eq!(written["kind"], "registry");
    assert_eq!(written["counts"]["people"], 1);
    let file = written["path"].as_str().unwrap().to_string();
    // Only Ségou-02 opens it.
    let other = refused_import(&a, &["bundle", "import", &file]);
    assert_eq!(other["imports"][0]["result"]["code"], "sealed_for_another");
    let applied = json(&b, &["bundle", "import", &file]);
    assert_eq!(applied["imports"][0]["result"]["outcome"], "from_hq");
    let found = json(&b, &["person", "find", "aminata"]);
    assert_eq!(found["people"][0]["id"], aminata.as_str());
    assert_eq!(found["people"][0]["notes"], "", "notes stay at HQ");
    let again = refused_import(&b, &["bundle", "import", &file]);
    assert_eq!(again["imports"][0]["result"]["code"], "registry_replayed");

    // Ségou-01 is stolen. Its next bundle is held, never merged.
    let lost = json(&d.hq, &["hq", "lost", &fa]);
    assert_eq!(lost["newly"], true);
    json(&a, &["person", "add", "--name", "Écrite par le voleur", "--sex", "F"]);
    let late = d.dir("late");
    d.export(&a, &late);
    let held = json(&d.hq, &["bundle", "import", s(&late)]);
    assert_eq!(held["imports"][0]["result"]["outcome"], "held");
    let listed = json(&d.hq, &["hq", "held"]);
    assert_eq!(listed["held"][0]["reason"], "lost");
    assert_eq!(refused(&d.hq, &["device", "trust", &fa])["error"]["code"], "device_lost");
    assert_eq!(refused(&d.hq, &["hq", "release", "no-such-bundle"])["error"]["code"], "not_found");
    assert_eq!(refused(&d.hq, &["hq", "found", &fb])["error"]["code"], "not_found", "not lost");
    let devices = json(&d.hq, &["device", "list"]);
    let stolen = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["device"]["fingerprint"] == fa.as_str())
        .unwrap();
    assert!(stolen["device"]["lost_at"].is_string());
    let (_, text, _) = palabre_text(&d.hq, &["device", "list"]);
    assert!(text.contains("LOST"), "{text}");
    assert!(
        !json(&d.hq, &["person", "find", "voleur"])["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|_| true)
    );

    // The replacement laptop: set up, first bundle to HQ, trusted, restored.
    let c = d.laptop("Ségou-01b");
    let first = d.dir("first");
    let fc = d.export(&c, &first);
    json(&d.hq, &["bundle", "import", s(&first)]);
    json(&d.hq, &["device", "trust", &fc]);
    let restore = d.dir("restore");
    let written = json(
        &d.hq,
        &["hq", "restore", "--for", &fc, "--replaces", "Ségou-01", "--out", s(&restore)],
    );
    assert_eq!(written["kind"], "restore");
    assert_eq!(written["replaces"]["name"], "Ségou-01");
    let back = json(&c, &["bundle", "import", s(&restore)]);
    assert_eq!(back["imports"][0]["result"]["outcome"], "from_hq");
    let person = json(&c, &["person", "show", &aminata]);
    assert_eq!(person["person"]["notes"], "Confidentiel", "her own records come back whole");
    let (_, text, _) = palabre_text(&d.hq, &["device", "list"]);
    assert!(text.contains("replaces Ségou-01"), "{text}");

    // The log of every command says what was done, never whom.
    let logs = d.root.join("logs");
    let mut all = String::new();
    for entry in std::fs::read_dir(&logs).unwrap().flatten() {
        all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    assert!(all.contains("file for a laptop written"), "the log records the registry");
    for name in ["Aminata", "Coulibaly", "Confidentiel", "voleur"] {
        assert!(!all.contains(name), "{name} in the log");
    }
}
