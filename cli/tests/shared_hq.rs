//! HQ on PostgreSQL from the command line (issue 23): `hq migrate --to`, a second officer's desk
//! on `--db postgres://…` with `hq join`, and two officers importing at the same time. Needs the
//! tests' throwaway server (scripts/with-postgres.sh, started by `make test`).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::PASSPHRASE;

/// `palabre --db <db> …` in `root`, with this desk's replica at `replica` when `db` is a server.
fn cli(root: &Path, db: &str, replica: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palabre"));
    command
        .env("PALABRE_PASSPHRASE", PASSPHRASE)
        .env("PALABRE_REPLICA", root.join(replica))
        .env_remove("PALABRE_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .current_dir(root);
    command
}

fn ok(out: Output, what: &str) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{what}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn run(root: &Path, db: &str, args: &[&str]) -> serde_json::Value {
    ok(cli(root, db, "unused.db", args).output().unwrap(), &format!("{db} {args:?}"))
}

#[test]
fn officers_move_hq_to_the_server_and_import_at_the_same_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let url = common::fresh_server_db();
    run(root, "hq.db", &["init", "--device-name", "HQ Bamako"]);
    run(root, "hq.db", &["hq", "init", "--out", "keys", "--programme", "Dialogues"]);
    // Two enrolled laptops, each with a first bundle HQ trusts, then two more bundles each.
    let mut later = Vec::new();
    for (laptop, people) in [("segou.db", 6), ("mopti.db", 4)] {
        run(root, laptop, &["init", "--device-name", laptop]);
        run(root, laptop, &["enroll", "keys/enrollment.palabre-hq"]);
        let usb = format!("usb-{laptop}");
        for bundle in 0..3 {
            for i in 0..people {
                let name = format!("Awa {laptop} {bundle} {i}");
                run(root, laptop, &["person", "add", "--name", &name, "--sex", "F"]);
            }
            let out = format!("{usb}/{bundle}");
            std::fs::create_dir_all(root.join(&out)).unwrap();
            run(root, laptop, &["bundle", "export", "--out", &out]);
        }
        run(root, "hq.db", &["bundle", "import", &format!("{usb}/0")]);
        let devices = run(root, laptop, &["--json", "device", "list"]);
        let fingerprint = devices["devices"][0]["device"]["fingerprint"].as_str().unwrap();
        run(root, "hq.db", &["device", "trust", fingerprint]);
        later.push((format!("{usb}/1"), format!("{usb}/2")));
    }

    let migrated = run(root, "hq.db", &["--json", "hq", "migrate", "--to", &url]);
    assert_eq!(migrated["same_report"], true);
    assert_eq!(migrated["same_snapshot"], true);
    assert_eq!(migrated["devices"], 3, "{migrated}");
    // Migrating again is refused.
    let again = cli(root, "hq.db", "unused.db", &["hq", "migrate", "--to", &url]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already a copy"));

    // A password in the connection string is never printed.
    for args in [&["passphrase", "status"][..], &["--json", "passphrase", "status"], &["report"]] {
        let with_password = "postgres://palabre:s3cret-word@127.0.0.1:1/hq";
        let out = cli(root, with_password, "desk-x.db", args).output().unwrap();
        let printed = [out.stdout, out.stderr].concat();
        let printed = String::from_utf8_lossy(&printed);
        assert!(!printed.contains("s3cret"), "{args:?}: {printed}");
        assert!(printed.contains("127.0.0.1:1/hq") || printed.contains("desk-x.db"), "{printed}");
    }

    // A second officer: a desk of the server, with a copy of the keys.
    ok(cli(root, &url, "desk-b.db", &["hq", "join", "--keys", "keys"]).output().unwrap(), "join");
    let status =
        ok(cli(root, &url, "desk-b.db", &["--json", "hq", "status"]).output().unwrap(), "status");
    assert!(status["server"].as_str().unwrap().ends_with(url.rsplit_once('/').unwrap().1));
    assert!(status["is_hq"].as_bool().unwrap());

    // Both officers import at the same time: each laptop's two later bundles, one officer each.
    let (segou, mopti) = (&later[0], &later[1]);
    let a =
        cli(root, "hq.db", "unused.db", &["bundle", "import", &segou.0, &segou.1]).spawn().unwrap();
    let b =
        cli(root, &url, "desk-b.db", &["bundle", "import", &mopti.0, &mopti.1]).spawn().unwrap();
    ok(a.wait_with_output().unwrap(), "officer A");
    ok(b.wait_with_output().unwrap(), "officer B");

    // A third desk, from the server alone, has everything: 18 + 12 people and every bundle.
    let people = ok(
        cli(root, &url, "desk-c.db", &["--json", "person", "list", "--limit", "1000"])
            .output()
            .unwrap(),
        "people",
    );
    assert_eq!(people["total"], 30);
    assert_eq!(people["people"].as_array().map(Vec::len), Some(30));
    let devices = ok(
        cli(root, &url, "desk-c.db", &["--json", "device", "list"]).output().unwrap(),
        "devices",
    );
    let mut seqs: Vec<(String, i64)> = devices["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["device"]["this_device"] == false)
        .map(|d| {
            (
                d["device"]["name"].as_str().unwrap().to_string(),
                d["device"]["last_bundle_seq"].as_i64().unwrap(),
            )
        })
        .collect();
    seqs.sort();
    assert_eq!(seqs, vec![("mopti.db".to_string(), 3), ("segou.db".to_string(), 3)]);
    // Both officers see the same report as the third desk.
    let report = |db: &str, replica: &str| {
        ok(cli(root, db, replica, &["--json", "report"]).output().unwrap(), "report")
    };
    assert_eq!(report("hq.db", "unused.db"), report(&url, "desk-c.db"));
    assert_eq!(report(&url, "desk-b.db"), report(&url, "desk-c.db"));
}
