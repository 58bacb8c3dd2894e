//! Report speed: 100,000 people and 1,000,000 attendances over 5,000 held sessions of one year.
//! Prints the median of several runs of the whole report (target ≤ 200 ms).
//!
//! The rows are inserted with plain SQL (generating them as ops through the API would take
//! minutes); the report reads the same tables either way. `cargo bench --bench report`.

use std::time::Instant;

use palabre::Palabre;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;
use rusqlite::params;
use uuid::Uuid;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let people = env("PEOPLE", 100_000);
    let attendances = env("ATTENDANCES", 1_000_000);
    let sessions = env("SESSIONS", 5_000);
    let dir = tempfile::tempdir().unwrap();
    let app = Palabre::open(dir.path().join("big.db")).unwrap();
    app.init("Bench").unwrap();
    const GROUPS: [&str; 5] = [
        "womens_groups",
        "youth",
        "security_actors",
        "governance_justice",
        "municipal_authorities",
    ];
    const REGIONS: [&str; 5] = ["Ségou", "Mopti", "Tombouctou", "Gao", "Koulikoro"];
    println!("filling {people} people, {sessions} sessions, {attendances} attendances…");
    app.store()
        .write(|tx| {
            let mut session_ids = Vec::with_capacity(sessions);
            {
                let mut insert = tx.prepare(
                    "INSERT INTO sessions (id, title, kind, groups, start_date, region, status, deleted)
                     VALUES (?1, ?2, 'dialogue', ?3, ?4, ?5, ?6, 0)",
                )?;
                for i in 0..sessions {
                    let id = Uuid::now_v7().to_string();
                    let groups = format!("[\"{}\",\"{}\"]", GROUPS[i % 5], GROUPS[(i + 2) % 5]);
                    let date = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
                    let status = if i % 10 == 9 { "planned" } else { "held" };
                    insert.execute(params![id, format!("Session {i}"), groups, date, REGIONS[i % 5], status])?;
                    session_ids.push((id, tx.last_insert_rowid()));
                }
            }
            let mut person_ids = Vec::with_capacity(people);
            {
                let mut insert = tx.prepare(
                    "INSERT INTO people (id, full_name, sex, birth_year, stakeholder_group, deleted)
                     VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                )?;
                for i in 0..people {
                    let id = Uuid::now_v7().to_string();
                    let sex = if i % 20 == 0 { "M" } else { "F" };
                    insert.execute(params![id, format!("Person {i}"), sex, 1950 + (i % 60) as i64, GROUPS[i % 5]])?;
                    person_ids.push((id, tx.last_insert_rowid()));
                }
            }
            // With the parents' local keys, as the merge derives them.
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO attendance (id, session_id, person_id, present, role, deleted, session_num, person_num)
                 VALUES (?1, ?2, ?3, 1, 'participant', 0, ?4, ?5)",
            )?;
            for i in 0..attendances {
                let (person, person_num) = &person_ids[i % people];
                let (session, session_num) = &session_ids[(i * 7 + i / people) % sessions];
                insert.execute(params![Uuid::now_v7().to_string(), session, person, session_num, person_num])?;
            }
            Ok(())
        })
        .unwrap();
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
