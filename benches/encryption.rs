//! What encryption at rest costs (issue 18): the same work on an encrypted database file and on
//! a plain one, in the same run — importing signed bundles at HQ, the whole report, and person
//! search — with the difference for each. Target: at most 15 % slower.
//!
//! `cargo bench --bench encryption` (PEOPLE, ATTENDANCES, OPS scale it down). The plain
//! database is opened through a door only the benchmarks use; Palabre never makes one.

use std::time::Instant;

use palabre::Palabre;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;

mod common;

const PASSPHRASE: &str = "sable de Tombouctou";

/// The two databases, each in a folder of its own.
fn pair(dir: &std::path::Path, name: &str) -> [(&'static str, Palabre); 2] {
    let encrypted = Palabre::open(dir.join(format!("{name}-encrypted.db")), PASSPHRASE).unwrap();
    let plain = Palabre::open_unencrypted(dir.join(format!("{name}-plain.db"))).unwrap();
    for app in [&encrypted, &plain] {
        app.init("Bench").unwrap();
    }
    [("encrypted", encrypted), ("plain", plain)]
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn cost(encrypted: f64, plain: f64) -> f64 {
    100.0 * (encrypted - plain) / plain
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let ops = common::env("OPS", 200_000);
    let devices = 20;

    // Import: the same bundles into fresh HQ databases, three times each, alternating; the best
    // of three (a shared machine's speed drifts between runs).
    println!("preparing {devices} signed bundles of {} ops…", ops / devices);
    let (hellos, bundles, _) = common::signed_bundles(devices, ops / devices);
    let mut import = [f64::MAX; 2];
    for round in 0..3 {
        for (i, (_, hq)) in pair(dir.path(), &format!("hq{round}")).into_iter().enumerate() {
            import[i] = import[i].min(common::import_all(&hq, &hellos, &bundles));
        }
    }
    println!("import of {ops} ops: encrypted {:.2} s, plain {:.2} s", import[0], import[1]);

    // The report over the same generated tables.
    let (people, attendances) =
        (common::env("PEOPLE", 100_000), common::env("ATTENDANCES", 1_000_000));
    println!("filling {people} people and {attendances} attendances twice…");
    let apps = pair(dir.path(), "report");
    for (_, app) in &apps {
        common::fill_report_tables(app, people, 5_000, attendances);
        app.store().checkpoint().unwrap();
    }
    let period = Period {
        from: Some("2024-01-01".parse().unwrap()),
        to: Some("2024-12-31".parse().unwrap()),
    };
    let mut report = [Vec::new(), Vec::new()];
    for _ in 0..7 {
        for (i, (_, app)) in apps.iter().enumerate() {
            let started = Instant::now();
            app.report(period, Lang::Fr).unwrap();
            report[i].push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let report = [median(report[0].clone()), median(report[1].clone())];
    println!("report, median of 7: encrypted {:.0} ms, plain {:.0} ms", report[0], report[1]);
    drop(apps);

    // Person search, p95 over typical queries.
    let apps = pair(dir.path(), "search");
    for (_, app) in &apps {
        let device = app.device().unwrap().device_id;
        let ops = common::varied_people(device, people);
        app.merge_ops(&ops).unwrap();
    }
    let queries = common::QUERIES;
    let mut search = [Vec::new(), Vec::new()];
    for _ in 0..20 {
        for query in queries {
            for (i, (_, app)) in apps.iter().enumerate() {
                let started = Instant::now();
                app.find_people(query, 20).unwrap();
                search[i].push(started.elapsed().as_secs_f64() * 1000.0);
            }
        }
    }
    let p95 = |mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        t[(t.len() as f64 * 0.95) as usize]
    };
    let search = [p95(search[0].clone()), p95(search[1].clone())];
    println!("search p95: encrypted {:.2} ms, plain {:.2} ms", search[0], search[1]);
    println!(
        "[encryption] encryption cost (same run): import {:+.0} %, report {:+.0} %, search p95 {:+.0} % (target ≤ 15 %)",
        cost(import[0], import[1]),
        cost(report[0], report[1]),
        cost(search[0], search[1])
    );
}
