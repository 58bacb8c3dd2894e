//! Report speed: 100,000 people and 1,000,000 attendances over 5,000 held sessions of one year.
//! Prints the median of several runs of the whole report (target ≤ 200 ms).
//!
//! The rows are inserted with plain SQL (generating them as ops through the API would take
//! minutes); the report reads the same tables either way. `cargo bench --bench report`.

use std::time::Instant;

use palabre::Palabre;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;

mod common;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let people = env("PEOPLE", 100_000);
    let attendances = env("ATTENDANCES", 1_000_000);
    let sessions = env("SESSIONS", 5_000);
    let dir = tempfile::tempdir().unwrap();
    let app = Palabre::open(dir.path().join("big.db"), PASSPHRASE).unwrap();
    app.init("Bench").unwrap();
    println!("filling {people} people, {sessions} sessions, {attendances} attendances…");
    common::fill_report_tables(&app, people, sessions, attendances);
    let period = Period {
        from: Some("2024-01-01".parse().unwrap()),
        to: Some("2024-12-31".parse().unwrap()),
    };
    let mut times = Vec::new();
    let mut report = None;
    for _ in 0..7 {
        let started = Instant::now();
        report = Some(app.report(period, Lang::Fr).unwrap());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let report = report.unwrap();
    println!("{}", report.summary);
    println!(
        "report over {} people reached, {} attendances: median {:.0} ms (best {:.0} ms; target ≤ 200 ms)",
        report.people.total,
        report.attendances,
        times[times.len() / 2],
        times[0]
    );
}
