//! The donor report as a PDF over 100,000 people (PEOPLE, ATTENDANCES, SESSIONS to change):
//! 1,000,000 attendances at 5,000 sessions of one year in five regions, the built-in catalogue
//! (its region breakdowns recompute the figures per region). Prints the median of three runs
//! from the database to the PDF's bytes (target ≤ 1 s) and, in the same run, the report alone
//! (what the document adds is the ratio), then where the time goes. `cargo bench --bench
//! donor_report`.

use std::time::Instant;

use palabre::i18n::Lang;
use palabre::report::indicators::Period;
use palabre::{Palabre, Place};

mod common;

const PASSPHRASE: &str = "sable de Tombouctou";

fn main() {
    let people = common::env("PEOPLE", 100_000);
    let attendances = common::env("ATTENDANCES", 1_000_000);
    let sessions = common::env("SESSIONS", 5_000);
    let dir = tempfile::tempdir().unwrap();
    let app = Palabre::open(dir.path().join("big.db"), PASSPHRASE).unwrap();
    app.init("Bench").unwrap();
    println!("filling {people} people, {sessions} sessions, {attendances} attendances…");
    common::fill_report_tables(&app, people, sessions, attendances);
    let period = Period {
        from: Some("2024-01-01".parse().unwrap()),
        to: Some("2024-12-31".parse().unwrap()),
    };
    let everywhere = Place::default();
    let mut pdf_times = Vec::new();
    let mut report_times = Vec::new();
    let mut progress_times = Vec::new();
    let mut size = 0;
    let mut pages = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let pdf = app.report_pdf(period, &everywhere, Lang::Fr).unwrap();
        pdf_times.push(started.elapsed().as_secs_f64() * 1000.0);
        size = pdf.len();
        pages = pdf.windows(b"/Type /Page\n".len()).filter(|w| *w == b"/Type /Page\n").count();
        let started = Instant::now();
        app.report_in(period, &everywhere, Lang::Fr).unwrap();
        report_times.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        app.progress(period, &everywhere, Lang::Fr).unwrap();
        progress_times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    assert!(size > 10_000, "a PDF was made");
    let pdf = common::median(&mut pdf_times);
    let report = common::median(&mut report_times);
    let progress = common::median(&mut progress_times);
    println!(
        "  of which: the report {report:.0} ms, the logframe's progress (with the period before and five regions) {progress:.0} ms, the drawing {:.0} ms",
        pdf - report - progress
    );
    println!(
        "[donor report] the donor report as a PDF over {people} people, {attendances} attendances ({} KB, {sessions} sessions in annex{}): median {pdf:.0} ms (target ≤ 1000 ms); the report alone {report:.0} ms, ratio {:.1}×",
        size / 1024,
        if pages > 0 { format!(", {pages} pages") } else { String::new() },
        pdf / report
    );
}
