//! Import throughput: 1,000,000 ops from 100 devices merged into an HQ database, against a raw
//! bulk insert of the same op rows into a bare SQLite table (same primary key, a file encrypted
//! like Palabre's) in one transaction, in one run. Prints both and the ratio (target: import ≥ 70 % of raw).
//!
//! `cargo bench --bench sync_import` (OPS and DEVICES environment variables scale it down).

use std::time::Instant;

use palabre::ImportOutcome;
use palabre::Palabre;
use palabre::exchange::bundle;

mod common;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

fn main() {
    let total_ops = common::env("OPS", 1_000_000);
    let devices = common::env("DEVICES", 100);
    let per_device = total_ops / devices;
    let dir = tempfile::tempdir().unwrap();

    println!("preparing {devices} signed bundles of {per_device} ops…");
    let (hellos, bundles, all_ops) = common::signed_bundles(devices, per_device);

    // Raw: the same op rows, one prepared INSERT, one transaction, a bare table — in a file
    // encrypted like Palabre's (the same engine, SQLCipher): the ratio is Palabre's own work
    // over the engine's; what encryption itself costs is benches/encryption.rs's line.
    let mut raw = rusqlite::Connection::open(dir.path().join("raw.db")).unwrap();
    palabre::store::cipher::apply(&raw, &palabre::store::cipher::DbKey::random()).unwrap();
    raw.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE ops (device_id TEXT NOT NULL, op_seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
                           entity TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,
                           PRIMARY KEY (device_id, op_seq)) WITHOUT ROWID;",
    )
    .unwrap();
    let started = Instant::now();
    let tx = raw.transaction().unwrap();
    {
        let mut insert = tx.prepare("INSERT INTO ops VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)").unwrap();
        for op in &all_ops {
            insert
                .execute(rusqlite::params![
                    op.device_id.to_string(),
                    op.op_seq,
                    op.hlc.0,
                    op.entity.as_str(),
                    op.row_id.to_string(),
                    op.field,
                    op.value.to_string()
                ])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let raw_secs = started.elapsed().as_secs_f64();

    // Palabre: verify, decode and merge every bundle at HQ (devices trusted beforehand), as
    // `palabre bundle import FILE...` does.
    let hq = Palabre::open(dir.path().join("hq.db"), PASSPHRASE).unwrap();
    hq.init("HQ").unwrap();
    for hello in &hellos {
        if let ImportOutcome::Quarantined { fingerprint, .. } =
            hq.import_bundle_bytes(hello).unwrap()
        {
            hq.trust_device(&fingerprint).unwrap();
        }
    }
    let started = Instant::now();
    for bytes in &bundles {
        bundle::read(bytes).unwrap();
    }
    let read_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut merged = 0;
    for outcome in hq.import_bundles(&bundles).unwrap() {
        match outcome {
            ImportOutcome::Applied { new_ops, .. } => merged += new_ops,
            other => panic!("{other}"),
        }
    }
    let import_secs = started.elapsed().as_secs_f64();
    assert_eq!(merged, all_ops.len());

    let n = all_ops.len() as f64;
    println!(
        "raw bulk insert : {:>9.0} ops/s ({raw_secs:.2} s for {} ops)",
        n / raw_secs,
        all_ops.len()
    );
    println!(
        "bundle import   : {:>9.0} ops/s ({import_secs:.2} s, {devices} bundles)",
        n / import_secs
    );
    println!(
        "  reading and checking the bundles alone: {read_secs:.2} s (overlapped with merging on a second core)"
    );

    // Stopping: a second HQ takes the same bundles as files, as the window and the CLI do, with
    // progress after each; the officer stops it halfway.
    let files: Vec<std::path::PathBuf> = bundles
        .iter()
        .enumerate()
        .map(|(i, bytes)| {
            let file = dir.path().join(format!("bundle-{i:03}.palabre"));
            std::fs::write(&file, bytes).unwrap();
            file
        })
        .collect();
    drop(hq);
    let second = Palabre::open(dir.path().join("second.db"), PASSPHRASE).unwrap();
    second.init("HQ-2").unwrap();
    for hello in &hellos {
        if let ImportOutcome::Quarantined { fingerprint, .. } =
            second.import_bundle_bytes(hello).unwrap()
        {
            second.trust_device(&fingerprint).unwrap();
        }
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let half = devices / 2;
    let mut steps = 0;
    let mut asked = None;
    let mut progress = |done: usize, _total: usize, _outcome: &ImportOutcome| {
        steps += 1;
        if done == half {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            asked = Some(Instant::now());
        }
    };
    let imported = second
        .import_bundle_files_watched(
            &paths,
            None,
            palabre::ImportWatch { progress: &mut progress, stop: &stop },
        )
        .unwrap();
    let stop_ms = asked.expect("the stop was asked").elapsed().as_secs_f64() * 1000.0;
    let people_expected = half * per_device.div_ceil(14);
    let people_merged = second.people(0, 1).unwrap().total as usize;
    assert!(imported.stopped && imported.outcomes.len() == half && steps == half);
    assert_eq!(people_merged, people_expected, "whole bundles only");

    println!(
        "[merge] import of {} ops from {devices} devices: {import_secs:.2} s; raw bulk insert of the same rows {raw_secs:.2} s: {:.0} % of raw (target ≥ 70 %)",
        all_ops.len(),
        100.0 * raw_secs / import_secs
    );
    println!(
        "[import stop] {devices} bundle files with a progress step after each; stopped after the {half}th: returned {stop_ms:.0} ms later with {half} bundles merged whole and none of the others (target: nothing half-merged)"
    );
}
