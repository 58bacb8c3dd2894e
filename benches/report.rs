//! Report speed at ten times a programme: 1,000,000 people and 10,000,000 attendances over
//! 50,000 sessions of one year (PEOPLE, ATTENDANCES, SESSIONS to change). Prints the median of
//! three runs of the whole report (target ≤ 1 s) and, in the same run, a plain SQL aggregate
//! over the same tables by the bare engine (people reached in the period by sex, and
//! attendances: the report's first line) with the ratio, since these machines' speed drifts.
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

fn main() {
    let people = common::env("PEOPLE", 1_000_000);
    let attendances = common::env("ATTENDANCES", 10_000_000);
    let sessions = common::env("SESSIONS", 50_000);
    let dir = tempfile::tempdir().unwrap();
    let app = Palabre::open(dir.path().join("big.db"), PASSPHRASE).unwrap();
    app.init("Bench").unwrap();
    println!("filling {people} people, {sessions} sessions, {attendances} attendances…");
    let started = Instant::now();
    common::fill_report_tables(&app, people, sessions, attendances);
    println!("  filled in {:.0} s", started.elapsed().as_secs_f64());
    let period = Period {
        from: Some("2024-01-01".parse().unwrap()),
        to: Some("2024-12-31".parse().unwrap()),
    };
    let mut times = Vec::new();
    let mut bare = Vec::new();
    let mut report = None;
    let mut plain = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        report = Some(app.report(period, Lang::Fr).unwrap());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        plain = app
            .store()
            .read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT p.sex, count(DISTINCT a.person_num), count(*)
                       FROM attendance a
                       JOIN sessions s ON s.num = a.session_num
                       JOIN people p ON p.num = a.person_num
                      WHERE a.present = 1 AND a.deleted = 0 AND s.deleted = 0 AND s.status = 'held'
                        AND s.start_date BETWEEN '2024-01-01' AND '2024-12-31'
                        AND p.deleted = 0 AND p.merged_into IS NULL
                      GROUP BY p.sex",
                )?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .unwrap();
        bare.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let report = report.unwrap();
    // The same people and attendances, counted both ways.
    let reached: i64 = plain.iter().map(|(_, people, _)| people).sum();
    let attended: i64 = plain.iter().map(|(_, _, n)| n).sum();
    assert_eq!((reached, attended), (report.people.total, report.attendances));
    println!("{}", report.summary);
    let (ms, bare_ms) = (common::median(&mut times), common::median(&mut bare));
    println!(
        "[report] whole report over {} people reached, {} attendances: median {ms:.0} ms (best {:.0} ms; target ≤ 1000 ms); plain SQL aggregate {bare_ms:.0} ms, ratio {:.2}×",
        report.people.total,
        report.attendances,
        times[0],
        ms / bare_ms
    );
}
