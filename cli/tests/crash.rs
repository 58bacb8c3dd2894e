//! Power cuts, simulated: the CLI runs in a child process and is killed with SIGKILL at a random
//! moment of its run, again and again. After every kill the database must pass SQLite's
//! integrity check, hold every write the child reported as committed, hold no half-applied
//! bundle, and keep this device's op_seq gap-free; and no half-written bundle file may exist.
//!
//! `CRASH_KILLS` kills per scenario (200 by default, the CI size); a long run:
//! `CRASH_KILLS=5000 cargo test --release -p palabre-cli --test crash`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{RngExt, SeedableRng};

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

const CLI: &str = env!("CARGO_BIN_EXE_palabre");

fn kills() -> usize {
    std::env::var("CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(200)
}

fn cli(db: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(CLI);
    command.arg("--db").arg(db).args(args).env("PALABRE_PASSPHRASE", PASSPHRASE);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    command
}

/// Median duration of a run that is not killed (the window the kills are spread over).
fn typical(mut run: impl FnMut() -> Command, times: usize) -> Duration {
    let mut durations: Vec<Duration> = (0..times)
        .map(|_| {
            let start = Instant::now();
            assert!(run().status().unwrap().success());
            start.elapsed()
        })
        .collect();
    durations.sort();
    durations[times / 2]
}

/// Starts `command`, kills it after `after`, and returns its stdout if it finished first.
fn run_and_kill(mut command: Command, after: Duration) -> Option<String> {
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + after;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut out = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut out).unwrap();
            return status.success().then_some(out);
        }
        if Instant::now() >= deadline {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

struct Checked {
    people: Vec<String>,
    device_ops: i64,
}

/// What every kill must leave: a sound file, a gap-free op_seq for every device.
fn check(db: &Path, context: &str) -> Checked {
    let key = palabre::lock::unlock(db, PASSPHRASE).unwrap();
    let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE;
    let conn =
        palabre::store::cipher::open_file(db, &key, flags).unwrap().expect("its key opens it");
    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(integrity, "ok", "{context}");
    let mut stmt = conn
        .prepare("SELECT device_id, count(*), max(op_seq) FROM oplog GROUP BY device_id")
        .unwrap();
    let mut device_ops = 0;
    for row in stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?)))
        .unwrap()
    {
        let (device, count, max) = row.unwrap();
        let own: bool = conn
            .query_row("SELECT count(*) FROM device WHERE device_id = ?1", [&device], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
            == 1;
        if own {
            assert_eq!(count, max, "{context}: this device's op_seq has a gap");
        } else {
            device_ops = count;
        }
    }
    let people = conn
        .prepare("SELECT id FROM people")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    Checked { people, device_ops }
}

fn init(db: &Path, name: &str) {
    assert!(cli(db, &["init", "--device-name", name]).status().unwrap().success());
}

#[test]
fn killed_writes_lose_nothing_that_was_committed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    init(&db, "Ségou-01");
    let mut n = 0;
    let mut add = || {
        n += 1;
        cli(&db, &["person", "add", "--name", &format!("Personne {n}"), "--phone", "76 12 34 56"])
    };
    let window = typical(&mut add, 5).mul_f64(1.3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut committed: Vec<String> = Vec::new();
    for kill in 0..kills() {
        let after = window.mul_f64(rng.random_range(0.0..1.0));
        if let Some(out) = run_and_kill(add(), after) {
            committed.push(out.trim().to_string());
        }
        let state = check(&db, &format!("kill {kill} after {after:?}"));
        for id in &committed {
            assert!(state.people.contains(id), "kill {kill}: committed person {id} is missing");
        }
    }
    assert!(
        !committed.is_empty() && committed.len() < kills(),
        "the kills hit both sides of the commit"
    );
}

/// An HQ database that trusts a laptop, and that laptop's next, big bundle.
fn hq_and_big_bundle(dir: &Path) -> (PathBuf, PathBuf, i64) {
    let laptop = dir.join("laptop.db");
    init(&laptop, "Ségou-01");
    let first = dir.join("first");
    std::fs::create_dir(&first).unwrap();
    assert!(
        cli(&laptop, &["bundle", "export", "--out", first.to_str().unwrap()])
            .status()
            .unwrap()
            .success()
    );
    let app = palabre::Palabre::open(&laptop, PASSPHRASE).unwrap();
    for i in 0..400 {
        app.add_person(&palabre::PersonInput {
            full_name: Some(format!("Participante {i}")),
            community: Some("Pelengana".into()),
            ..Default::default()
        })
        .unwrap();
    }
    let fingerprint = app.device().unwrap().fingerprint;
    let big = app.export_bundle(&dir.join("big.palabre")).unwrap();
    drop(app);
    let hq = dir.join("hq.db");
    init(&hq, "HQ");
    let first_file = std::fs::read_dir(&first).unwrap().next().unwrap().unwrap().path();
    assert!(
        cli(&hq, &["bundle", "import", first_file.to_str().unwrap()]).status().unwrap().success()
    );
    assert!(cli(&hq, &["device", "trust", &fingerprint]).status().unwrap().success());
    (hq, big.path.unwrap(), big.ops)
}

#[test]
fn a_killed_import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (template, bundle, ops) = hq_and_big_bundle(dir.path());
    let db = dir.path().join("work.db");
    let fresh = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        std::fs::copy(&template, &db).unwrap();
        // The copy opens with the template's key file beside it.
        let key_file = |db: &Path| format!("{}.dbkey", db.display());
        std::fs::copy(key_file(&template), key_file(&db)).unwrap();
    };
    let import = || cli(&db, &["bundle", "import", bundle.to_str().unwrap()]);
    let window = typical(
        || {
            fresh();
            import()
        },
        3,
    )
    .mul_f64(1.3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
    let (mut whole, mut none) = (0, 0);
    for kill in 0..kills() {
        fresh();
        let after = window.mul_f64(rng.random_range(0.0..1.0));
        let finished = run_and_kill(import(), after).is_some();
        let state = check(&db, &format!("kill {kill} after {after:?}"));
        if state.device_ops >= ops {
            whole += 1;
            assert_eq!(state.people.len(), 400, "kill {kill}: a bundle half applied");
        } else {
            none += 1;
            assert!(!finished, "kill {kill}: the import said it finished but nothing is there");
            assert!(state.people.is_empty(), "kill {kill}: a bundle half applied");
        }
    }
    assert!(
        whole > 0 && none > 0,
        "the kills hit both sides of the commit ({whole} whole, {none} none)"
    );
}

#[test]
fn a_killed_export_leaves_no_half_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("laptop.db");
    init(&db, "Ségou-01");
    let app = palabre::Palabre::open(&db, PASSPHRASE).unwrap();
    for i in 0..100 {
        app.add_person(&palabre::PersonInput {
            full_name: Some(format!("P {i}")),
            ..Default::default()
        })
        .unwrap();
    }
    drop(app);
    let out = dir.path().join("usb");
    std::fs::create_dir(&out).unwrap();
    let export = || cli(&db, &["bundle", "export", "--out", out.to_str().unwrap()]);
    let window = typical(export, 3).mul_f64(1.3);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    for kill in 0..kills() {
        let after = window.mul_f64(rng.random_range(0.0..1.0));
        run_and_kill(export(), after);
        check(&db, &format!("kill {kill}"));
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "palabre") {
                let bytes = std::fs::read(&path).unwrap();
                assert!(
                    palabre::Palabre::verify_bundle(&bytes).is_ok(),
                    "kill {kill}: {path:?} is half written"
                );
            }
        }
    }
}
