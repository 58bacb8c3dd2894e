//! The report's definitions at their edges. The demo programme's figures, the exported files
//! read back by real readers (Python's openpyxl for XLSX) and named lists are tested through the
//! CLI, in cli/tests/report.rs.

mod common;

use chrono::NaiveDate;
use common::{born, held};
use palabre::SessionInput;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn period(from: &str, to: &str) -> Period {
    Period { from: Some(day(from)), to: Some(day(to)) }
}

#[test]
fn youth_is_15_to_35_on_the_first_session_of_the_period() {
    let app = common::app();
    let s2024 = held(&app, "Dialogue", "2024-03-14", &["womens_groups"]);
    let s2023 = held(&app, "Atelier", "2023-12-31", &["youth"]);
    let fifteen = born(&app, "Awa", "F", 2009);
    let thirty_five = born(&app, "Bintou", "F", 1989);
    let fourteen = born(&app, "Coumba", "F", 2010);
    let thirty_six = born(&app, "Djénéba", "F", 1988);
    app.attend(s2024, &[fifteen, thirty_five, fourteen, thirty_six]).unwrap();
    let r = app.report(period("2024-01-01", "2024-12-31"), Lang::Fr).unwrap();
    assert_eq!(r.people.total, 4);
    assert_eq!(r.people.youth, 2, "15 and 35 are youth, 14 and 36 are not");
    assert_eq!(r.people.by_age_band["0-14"], 1);
    assert_eq!(r.people.by_age_band["15-24"], 1);
    assert_eq!(r.people.by_age_band["25-35"], 1);
    assert_eq!(r.people.by_age_band["36-59"], 1);
    // Djénéba was 35 at a session on 31/12/2023: counted from then, she is youth.
    app.attend(s2023, &[thirty_six]).unwrap();
    let r = app.report(period("2023-12-31", "2024-12-31"), Lang::Fr).unwrap();
    assert_eq!(r.people.youth, 3);
}

#[test]
fn people_count_once_and_only_for_present_live_attendance_at_held_sessions() {
    let app = common::app();
    let a = held(&app, "A", "2024-02-01", &["womens_groups", "security_actors"]);
    let b = held(&app, "B", "2024-05-01", &["governance_justice"]);
    let cancelled = held(&app, "C", "2024-06-01", &["security_actors"]);
    let deleted = held(&app, "D", "2024-07-01", &["security_actors"]);
    let planned = app
        .add_session(&SessionInput {
            title: Some("P".into()),
            start_date: Some("2024-08-01".into()),
            status: Some("planned".into()),
            ..Default::default()
        })
        .unwrap();
    let twice = born(&app, "Awa", "F", 2000);
    let absent = born(&app, "Bintou", "F", 2000);
    let gone = born(&app, "Coumba", "M", 1970);
    let only_cancelled = born(&app, "Fanta", "F", 1990);
    let only_planned = born(&app, "Hawa", "F", 1990);
    app.attend(a, &[twice, absent, gone]).unwrap();
    app.attend(b, &[twice]).unwrap();
    app.attend(cancelled, &[only_cancelled]).unwrap();
    app.attend(deleted, &[only_cancelled]).unwrap();
    app.attend(planned, &[only_planned]).unwrap();
    app.edit_session(
        cancelled,
        &SessionInput { status: Some("cancelled".into()), ..Default::default() },
    )
    .unwrap();
    app.delete_session(deleted).unwrap();
    app.set_present(a, absent, false).unwrap();
    app.delete_person(gone).unwrap();
    let r = app.report(Period::default(), Lang::En).unwrap();
    assert_eq!(r.people.total, 1, "{:?}", r.people);
    assert_eq!(r.attendances, 2, "Awa's two present attendances");
    assert_eq!(r.activities.total, 2);
    assert_eq!(
        r.activities.by_group["security_actors"], 1,
        "cancelled and deleted sessions never count"
    );
    assert_eq!(r.activities.by_group["womens_groups"], 1);
    assert_eq!(
        r.activities.by_group["governance_justice"], 1,
        "a session with two groups counts in each"
    );
    assert_eq!(r.activities.by_region["Ségou"], 2);
    assert_eq!(r.activities.planned.len(), 1, "planned sessions are listed apart");
    assert!(
        r.summary.starts_with("Overall the programme involved 1 person, all women"),
        "{}",
        r.summary
    );
}

#[test]
fn period_boundaries_are_inclusive() {
    let app = common::app();
    let p = born(&app, "Awa", "F", 2000);
    for date in ["2024-01-31", "2024-02-01", "2024-02-29", "2024-03-01"] {
        let s = held(&app, date, date, &["youth"]);
        app.attend(s, &[p]).unwrap();
    }
    let r = app.report(period("2024-02-01", "2024-02-29"), Lang::Fr).unwrap();
    assert_eq!((r.activities.total, r.attendances, r.people.total), (2, 2, 1));
    assert!(Period::parse(Some("2024-03-01"), Some("2024-02-01")).is_err(), "end before start");
    assert_eq!(Period::parse(Some(""), None).unwrap(), Period::default());
}

#[test]
fn the_sentence_has_correct_plurals_and_shares() {
    let app = common::app();
    let s = held(&app, "A", "2024-02-01", &["security_actors"]);
    let one = born(&app, "Awa", "F", 2000);
    app.attend(s, &[one]).unwrap();
    let fr = app.report(period("2024-01-01", "2024-12-31"), Lang::Fr).unwrap().summary;
    assert_eq!(
        fr,
        "En 2024, le programme a touché 1 personne, toutes des femmes, dont 100\u{202f}% de jeunes. \
         Il a tenu une activité avec les acteurs de sécurité, et aucune avec les acteurs de gouvernance et de justice."
    );
    let empty = app.report(period("2025-01-01", "2025-12-31"), Lang::Fr).unwrap().summary;
    assert_eq!(empty, "En 2025, le programme n'a tenu aucune activité.");
    let empty = app.report(period("2025-01-01", "2025-12-31"), Lang::En).unwrap().summary;
    assert_eq!(empty, "In 2025 the programme held no activities.");
    let justice = held(&app, "B", "2023-05-01", &["governance_justice"]);
    app.attend(justice, &[one]).unwrap();
    let fr = app.report(period("2023-01-01", "2023-12-31"), Lang::Fr).unwrap().summary;
    assert!(
        fr.ends_with("Il a tenu une activité avec les acteurs de gouvernance et de justice, et aucune avec les acteurs de sécurité."),
        "{fr}"
    );
    let youth_only = held(&app, "C", "2022-05-01", &["youth"]);
    app.attend(youth_only, &[one]).unwrap();
    let en = app.report(period("2022-01-01", "2022-12-31"), Lang::En).unwrap().summary;
    assert!(
        en.ends_with(
            "It held no activities with security actors or with governance and justice actors."
        ),
        "{en}"
    );
    assert!(!en.contains("zero") && !fr.contains("zéro"));
    let men: Vec<_> = (0..3).map(|i| born(&app, &format!("Moussa {i}"), "M", 1960)).collect();
    app.attend(s, &men).unwrap();
    let en = app.report(period("2024-02-01", "2024-06-30"), Lang::En).unwrap().summary;
    assert!(en.starts_with("From 01/02/2024 to 30/06/2024 the programme involved 4 people, 25% of them women, of whom a quarter are youth."), "{en}");
}

#[test]
fn attendance_merged_before_its_session_and_person_still_counts() {
    let laptop = common::app();
    let s = held(&laptop, "Dialogue", "2024-03-14", &["youth"]);
    let p = born(&laptop, "Awa", "F", 2000);
    laptop.attend(s, &[p]).unwrap();
    let mut ops = laptop.ops().unwrap();
    ops.reverse();
    let hq = common::memory_hq();
    hq.init("HQ").unwrap();
    // Attendance first, then the person, then the session: the local keys follow.
    for op in &ops {
        hq.merge_ops(std::slice::from_ref(op)).unwrap();
    }
    let r = hq.report(Period::default(), Lang::Fr).unwrap();
    assert_eq!((r.people.total, r.attendances, r.people.youth), (1, 1, 1));
}
