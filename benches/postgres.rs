//! HQ on PostgreSQL against HQ in one SQLite file, in the same run (issue 23), on a throwaway
//! PostgreSQL server with its default, durable settings (`scripts/with-postgres.sh` with
//! PALABRE_PG_DURABLE=1; `make bench` starts it). Four lines:
//!
//! - **import**: 1,000,000 ops from 100 laptops' signed bundles merged by an HQ desk on the
//!   server, against the same bundles into a single-file HQ. On the server, every bundle also
//!   travels to it (binary COPY) under the HQ lock, in the bundle's transaction.
//! - **new desk**: a second officer's desk built from the server alone (its replica in memory):
//!   every row pulled and every op merged.
//! - **report**: the whole report over 1,000,000 people and 10,000,000 attendances, on a desk of
//!   the server and on a single file. A desk computes it on its replica after asking the server
//!   whether anything changed (one round trip): that is what the server costs a report.
//! - **search**: person search p95 over 1,000,000 people (registered as ops, which also go to
//!   the server), same queries as `benches/search.rs`.
//!
//! `scripts/with-postgres.sh cargo bench --bench postgres` (OPS, DEVICES, PEOPLE, ATTENDANCES,
//! SESSIONS scale it down).

use std::time::Instant;

use palabre::Palabre;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;

mod common;

const PASSPHRASE: &str = "sable de Tombouctou";

/// A new database on the benchmark's server.
fn fresh_db(base: &str, name: &str) -> String {
    let mut client = postgres::Client::connect(base, postgres::NoTls).unwrap();
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    client.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    format!("{}/{name}", base.rsplit_once('/').unwrap().0)
}

/// Drops a database of the benchmark's server, and removes a replica or file with its key and
/// write-ahead files: the stages' data would not all fit on this machine's disk at once.
fn discard(base: &str, name: Option<&str>, files: &[std::path::PathBuf]) {
    if let Some(name) = name {
        let mut client = postgres::Client::connect(base, postgres::NoTls).unwrap();
        client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    }
    for file in files {
        for suffix in ["", "-wal", "-shm", ".dbkey", ".key"] {
            let mut path = file.as_os_str().to_owned();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
    if let Some(backups) = files.first().and_then(|f| f.parent()).map(|d| d.join("backups")) {
        let _ = std::fs::remove_dir_all(backups);
    }
}

fn p(times: &mut [f64], q: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() as f64 * q) as usize).min(times.len() - 1)]
}

fn main() {
    let base = std::env::var("PALABRE_TEST_POSTGRES")
        .expect("run through scripts/with-postgres.sh (make bench does), which starts the server");
    let total_ops = common::env("OPS", 1_000_000);
    let devices = common::env("DEVICES", 100);
    let people = common::env("PEOPLE", 1_000_000);
    let attendances = common::env("ATTENDANCES", 10_000_000);
    let sessions = common::env("SESSIONS", 50_000);
    let dir = tempfile::tempdir().unwrap();

    // Import.
    println!("preparing {devices} signed bundles of {} ops…", total_ops / devices);
    let (hellos, bundles, all_ops) = common::signed_bundles(devices, total_ops / devices);
    let file = Palabre::open(dir.path().join("hq.db"), PASSPHRASE).unwrap();
    file.init("HQ").unwrap();
    let file_secs = common::import_all(&file, &hellos, &bundles);
    drop(file);
    let url = fresh_db(&base, "bench_import");
    let desk = Palabre::open_server(&url, &dir.path().join("desk.db"), PASSPHRASE).unwrap();
    desk.init("HQ").unwrap();
    let server_secs = common::import_all(&desk, &hellos, &bundles);
    println!(
        "[postgres import] import of {} ops from {devices} devices: HQ on PostgreSQL {server_secs:.2} s, HQ in one SQLite file {file_secs:.2} s: {:.2}× (target ≤ 2×)",
        all_ops.len(),
        server_secs / file_secs
    );
    drop(bundles);

    // A new desk, from the server alone.
    let started = Instant::now();
    let second = Palabre::open_server_in_memory(&url).unwrap();
    let ops = second.ops().unwrap().len();
    let join_secs = started.elapsed().as_secs_f64();
    assert_eq!(ops, desk.ops().unwrap().len());
    println!(
        "[postgres desk] a second officer's desk built from the server: {ops} ops pulled and merged in {join_secs:.2} s; the same ops imported into one file {file_secs:.2} s: {:.2}× (target ≤ 2×)",
        join_secs / file_secs
    );
    drop((second, desk, all_ops, hellos));
    discard(&base, Some("bench_import"), &[dir.path().join("hq.db"), dir.path().join("desk.db")]);

    // Report.
    println!("filling {people} people, {sessions} sessions, {attendances} attendances, twice…");
    let period = Period {
        from: Some("2024-01-01".parse().unwrap()),
        to: Some("2024-12-31".parse().unwrap()),
    };
    let report_ms = |app: &Palabre| {
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                let started = Instant::now();
                app.report(period, Lang::Fr).unwrap();
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        common::median(&mut times)
    };
    let file = Palabre::open(dir.path().join("report.db"), PASSPHRASE).unwrap();
    file.init("HQ").unwrap();
    common::fill_report_tables(&file, people, sessions, attendances);
    let file_ms = report_ms(&file);
    let expected = file.report(period, Lang::Fr).unwrap();
    drop(file);
    discard(&base, None, &[dir.path().join("report.db")]);
    let desk = Palabre::open_server(
        &fresh_db(&base, "bench_report"),
        &dir.path().join("report-desk.db"),
        PASSPHRASE,
    )
    .unwrap();
    desk.init("HQ").unwrap();
    common::fill_report_tables(&desk, people, sessions, attendances);
    let desk_ms = report_ms(&desk);
    let report = desk.report(period, Lang::Fr).unwrap();
    assert_eq!(
        (report.people.total, report.attendances),
        (expected.people.total, expected.attendances)
    );
    println!(
        "[postgres report] whole report over {} people reached, {} attendances: on a desk of HQ on PostgreSQL {desk_ms:.0} ms, on one SQLite file {file_ms:.0} ms: {:.2}× (target ≤ 1.1×)",
        report.people.total,
        report.attendances,
        desk_ms / file_ms
    );
    drop(desk);
    discard(&base, Some("bench_report"), &[dir.path().join("report-desk.db")]);

    // Search.
    println!("registering {people} people on both…");
    let search_p95 = |app: &Palabre| {
        for query in common::QUERIES {
            app.find_people(query, 20).unwrap();
        }
        let mut times = Vec::new();
        for _ in 0..20 {
            for query in common::QUERIES {
                let started = Instant::now();
                let found = app.find_people(query, 20).unwrap();
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                assert!(!found.is_empty(), "{query} found nobody");
            }
        }
        (times.len(), p(&mut times, 0.95))
    };
    let file = Palabre::open(dir.path().join("search.db"), PASSPHRASE).unwrap();
    let device = file.init("HQ").unwrap().device_id;
    let ops = common::varied_people(device, people);
    file.merge_ops(&ops).unwrap();
    let (count, file_p95) = search_p95(&file);
    drop(file);
    discard(&base, None, &[dir.path().join("search.db")]);
    let desk = Palabre::open_server(
        &fresh_db(&base, "bench_search"),
        &dir.path().join("search-desk.db"),
        PASSPHRASE,
    )
    .unwrap();
    let device = desk.init("HQ").unwrap().device_id;
    let ops = common::varied_people(device, people);
    let started = Instant::now();
    desk.merge_ops(&ops).unwrap();
    println!(
        "  {} ops merged on the desk and sent to the server in {:.1} s",
        ops.len(),
        started.elapsed().as_secs_f64()
    );
    let (_, desk_p95) = search_p95(&desk);
    println!(
        "[postgres search] person search over {people} people, {count} queries: p95 on a desk of HQ on PostgreSQL {desk_p95:.2} ms, on one SQLite file {file_p95:.2} ms: {:.2}× (target p95 ≤ 2 ms on both)",
        desk_p95 / file_p95
    );
}
