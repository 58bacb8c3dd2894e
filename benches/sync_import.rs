//! Import throughput: 1,000,000 ops from 100 devices merged into an HQ database, against a raw
//! bulk insert of the same op rows into a bare SQLite table (same primary key, a file encrypted
//! like Palabre's) in one transaction, in one run. Prints both and the ratio (target: import ≥ 40 % of raw).
//!
//! `cargo bench --bench sync_import` (OPS and DEVICES environment variables scale it down).

use std::time::Instant;

use palabre::ImportOutcome;
use palabre::Palabre;
use palabre::exchange::bundle;

mod common;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let total_ops = env("OPS", 1_000_000);
    let devices = env("DEVICES", 100);
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
    println!("import/raw ratio: {:.0} % (target ≥ 40 %)", 100.0 * raw_secs / import_secs);
}
