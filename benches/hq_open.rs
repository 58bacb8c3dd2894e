//! The HQ desk on ten times a programme: 1,000,000 people, 10,000,000 attendances, 50,000
//! sessions (PEOPLE, ATTENDANCES, SESSIONS to change). Times what the window does once the
//! officer has typed the passphrase: open the database with its key (schema check, settings)
//! and fetch what the HQ desk's first screen shows (HQ's status, the overview's figures, the
//! devices, the held bundles). Target ≤ 1 s. The passphrase's key derivation (scrypt, the same
//! on any database, slow on purpose) is timed and printed apart. In the same run the bare engine
//! opens the same file with the same key and counts its people and sessions: the ratio is what
//! Palabre adds. `cargo bench --bench hq_open`.

use std::time::Instant;

use palabre::Palabre;

mod common;

const PASSPHRASE: &str = "sable de Tombouctou";

fn main() {
    let people = common::env("PEOPLE", 1_000_000);
    let attendances = common::env("ATTENDANCES", 10_000_000);
    let sessions = common::env("SESSIONS", 50_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hq.db");
    {
        let app = Palabre::open(&db, PASSPHRASE).unwrap();
        app.init("HQ-Bamako").unwrap();
        app.hq_init(&dir.path().join("keys"), Some("Bench")).unwrap();
        println!("filling {people} people, {sessions} sessions, {attendances} attendances…");
        common::fill_report_tables(&app, people, sessions, attendances);
    }
    let mut kdf = Vec::new();
    let mut usable = Vec::new();
    let mut bare = Vec::new();
    for _ in 0..3 {
        // The passphrase's key derivation alone.
        let started = Instant::now();
        let key = palabre::lock::unlock(&db, PASSPHRASE).unwrap();
        let derive = started.elapsed().as_secs_f64() * 1000.0;
        kdf.push(derive);
        // The window: unlock (the derivation again, then the database), then the first screen.
        let started = Instant::now();
        let app = Palabre::open(&db, PASSPHRASE).unwrap();
        let status = app.hq_status().unwrap();
        let overview = app.overview().unwrap();
        let devices = app.devices().unwrap();
        let held = app.held_bundles().unwrap();
        usable.push(started.elapsed().as_secs_f64() * 1000.0 - derive);
        assert!(status.is_hq);
        assert!(overview.people_reached > 0 && !devices.is_empty() && held.is_empty());
        drop(app);
        // The bare engine: the same file, the same key, a count of what it holds.
        let started = Instant::now();
        let conn = rusqlite::Connection::open(&db).unwrap();
        palabre::store::cipher::apply(&conn, &key).unwrap();
        let counted: (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM sessions)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        bare.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(counted, (people as i64, sessions as i64));
    }
    let (ms, kdf_ms, bare_ms) =
        (common::median(&mut usable), common::median(&mut kdf), common::median(&mut bare));
    println!(
        "[HQ desk] the HQ desk on {people} people and {attendances} attendances: usable {ms:.0} ms after the passphrase's key derivation ({kdf_ms:.0} ms) (target ≤ 1000 ms); bare engine open and count {bare_ms:.0} ms, ratio {:.1}×",
        ms / bare_ms
    );
}
