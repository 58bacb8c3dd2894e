//! The report's definitions at their edges, the demo programme's figures, and the exported files
//! read back by real readers (Python's openpyxl for XLSX).

mod common;

use std::process::Command;

use chrono::NaiveDate;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;
use palabre::{Palabre, PersonId, PersonInput, SessionId, SessionInput};
use serde_json::Value;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn period(from: &str, to: &str) -> Period {
    Period { from: Some(day(from)), to: Some(day(to)) }
}

fn held(app: &Palabre, title: &str, date: &str, groups: &[&str]) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
        status: Some("held".into()),
        groups: Some(groups.iter().map(|g| g.to_string()).collect()),
        region: Some("Ségou".into()),
        ..Default::default()
    })
    .unwrap()
}

fn born(app: &Palabre, name: &str, sex: &str, year: i32) -> PersonId {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        sex: Some(sex.into()),
        birth_year: Some(year),
        ..Default::default()
    })
    .unwrap()
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
fn the_demo_report_reads_like_the_programme_and_the_files_agree_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(common::palabre(&db, &["demo"]).status.success());
    let out = common::palabre(
        &db,
        &["report", "--from", "2024-01-01", "--to", "2024-12-31", "--json", "--lang", "en"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let total = json["people"]["total"].as_i64().unwrap();
    assert_eq!(total, 315);
    assert!(json["people"]["by_sex"]["F"].as_i64().unwrap() * 100 >= 95 * total);
    let youth = json["people"]["youth"].as_i64().unwrap() * 100 / total;
    assert!((64..=70).contains(&youth), "{youth} %");
    assert_eq!(json["activities"]["by_group"]["security_actors"], 3);
    assert_eq!(json["activities"]["by_group"]["governance_justice"], 7);
    for key in ["period", "attendances", "action_items", "summary"] {
        assert!(!json[key].is_null(), "{key}");
    }
    assert_eq!(
        json["summary"],
        "In 2024 the programme involved 315 people, almost all women, of whom two-thirds are youth. \
         It held three activities with security actors and seven with governance and justice actors."
    );

    // The XLSX, read by openpyxl, holds the same numbers; dates are dates and phones are text.
    let xlsx = dir.path().join("report.xlsx");
    assert!(
        common::palabre(
            &db,
            &[
                "report",
                "--from",
                "2024-01-01",
                "--to",
                "2024-12-31",
                "--xlsx",
                xlsx.to_str().unwrap(),
                "--lang",
                "fr",
                "--names",
                "everyone"
            ]
        )
        .status
        .success()
    );
    let script = r#"
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
sex_age = wb["Sexe et âge"]
rows = list(sex_age.iter_rows(values_only=True))
total = rows[-1]
groups = {r[0]: r[1] for r in wb["Activités par groupe"].iter_rows(min_row=2, values_only=True)}
people = list(wb["Participants"].iter_rows(min_row=2))
phones = [r[6] for r in people if r[6].value]
print(json.dumps({
  "sheets": wb.sheetnames,
  "total": total[-1], "unknown": total[-2], "women": rows[1][-1],
  "security": groups["Acteurs de sécurité"], "justice": groups["Acteurs de gouvernance et de justice"],
  "participants": len(people),
  "first_date_is_date": all(isinstance(r[7].value, datetime.datetime) for r in people),
  "phones_are_text": len(phones) > 0 and all(c.data_type == "s" for c in phones),
  "formulas": sum(1 for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"),
}))
"#;
    // Debian's Python, where the python3-openpyxl package installs.
    let read = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .arg(&xlsx)
        .output()
        .expect("python3 with openpyxl (make test installs it)");
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let x: Value = serde_json::from_slice(&read.stdout).unwrap();
    assert_eq!(x["total"], json["people"]["total"]);
    assert_eq!(x["women"], json["people"]["by_sex"]["F"]);
    assert_eq!(x["unknown"], json["people"]["by_age_band"]["unknown"]);
    assert_eq!(x["security"], 3);
    assert_eq!(x["justice"], 7);
    assert_eq!(x["participants"], json["people"]["total"]);
    assert_eq!(x["first_date_is_date"], true);
    assert_eq!(x["phones_are_text"], true);
    assert_eq!(x["formulas"], 0, "values, not formulas");
    assert_eq!(x["sheets"].as_array().unwrap().len(), 8);

    // CSV: plain UTF-8 with commas, and the French Excel flavour with a BOM and semicolons.
    let csv_dir = dir.path().join("csv");
    assert!(
        common::palabre(&db, &["report", "--csv", csv_dir.to_str().unwrap(), "--lang", "fr"])
            .status
            .success()
    );
    assert!(
        common::palabre(
            &db,
            &[
                "report",
                "--csv",
                csv_dir.to_str().unwrap(),
                "--excel-fr",
                "--lang",
                "fr",
                "--names",
                "everyone"
            ]
        )
        .status
        .success()
    );
    let plain = std::fs::read(csv_dir.join("activities_by_group.csv")).unwrap();
    assert!(!plain.starts_with(b"\xEF\xBB\xBF"));
    assert!(String::from_utf8(plain).unwrap().starts_with("Groupe d'acteurs,Nombre\r\n"));
    let fr = std::fs::read(csv_dir.join("activities_by_group.excel-fr.csv")).unwrap();
    assert!(fr.starts_with(b"\xEF\xBB\xBF"), "a byte-order mark");
    let text = String::from_utf8(fr[3..].to_vec()).unwrap();
    assert!(text.starts_with("Groupe d'acteurs;Nombre\r\n"), "{text}");
    assert!(text.contains("Acteurs de sécurité;3\r\n"), "{text}");
    let participants = std::fs::read_to_string(csv_dir.join("participants.excel-fr.csv")).unwrap();
    assert_eq!(participants.lines().count(), 316, "a header and one line per person");
}

#[test]
fn bad_periods_are_refused_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let out = common::palabre(&db, &["report", "--from", "2024-02-30"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a valid date"));
    let out = common::palabre(&db, &["report", "--from", "2024-03-01", "--to", "2024-02-01"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn attendance_merged_before_its_session_and_person_still_counts() {
    let laptop = common::app();
    let s = held(&laptop, "Dialogue", "2024-03-14", &["youth"]);
    let p = born(&laptop, "Awa", "F", 2000);
    laptop.attend(s, &[p]).unwrap();
    let mut ops = laptop.ops().unwrap();
    ops.reverse();
    let hq = Palabre::open_in_memory().unwrap();
    hq.init("HQ").unwrap();
    // Attendance first, then the person, then the session: the local keys follow.
    for op in &ops {
        hq.merge_ops(std::slice::from_ref(op)).unwrap();
    }
    let r = hq.report(Period::default(), Lang::Fr).unwrap();
    assert_eq!((r.people.total, r.attendances, r.people.youth), (1, 1, 1));
}

/// A list of names is an explicit choice: by default the files hold figures only; asked for,
/// the list leaves out people without recorded consent unless the officer asks for everyone;
/// the figures count everyone either way. Tables follow the forms' order, not the codes'.
#[test]
fn named_lists_are_opt_in_and_consent_filtered_and_tables_keep_the_forms_order() {
    use palabre::report::NamedList;
    use palabre::report::export::tables;
    let app = common::app();
    let s = held(&app, "A", "2024-02-01", &["youth", "womens_groups", "civil_society"]);
    let consenting = app
        .add_person(&PersonInput {
            full_name: Some("Awa Consentante".into()),
            consent: Some(true),
            ..Default::default()
        })
        .unwrap();
    let silent = born(&app, "Bintou Sansaccord", "F", 2000);
    app.attend(s, &[consenting, silent]).unwrap();
    let report = app.report(Period::default(), Lang::Fr).unwrap();
    assert_eq!(report.people.total, 2, "the figures count everyone");

    let none = app.participants(Period::default(), NamedList::None).unwrap();
    assert!(tables(&report, &none).iter().all(|t| t.stem != "participants"), "no names by default");
    let consented = app.participants(Period::default(), NamedList::Consented).unwrap();
    let names: Vec<_> = consented.people.iter().map(|p| p.full_name.as_str()).collect();
    assert_eq!(names, ["Awa Consentante"]);
    assert_eq!(consented.without_consent_left_out, 1);
    let everyone = app.participants(Period::default(), NamedList::Everyone).unwrap();
    assert_eq!(everyone.people.len(), 2);

    // The CLI: no flag, no names; --names consented, only her.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let cli = Palabre::open(&db).unwrap();
    cli.init("Ségou-01").unwrap();
    cli.merge_ops(&app.ops().unwrap()).unwrap();
    drop(cli);
    let out = dir.path().join("csv");
    let run = |extra: &[&str]| {
        let mut args = vec!["report", "--csv", out.to_str().unwrap(), "--lang", "fr"];
        args.extend_from_slice(extra);
        let result = common::palabre(&db, &args);
        assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    };
    run(&[]);
    assert!(!out.join("participants.csv").exists(), "figures only by default");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(!summary.contains("Awa") && !summary.contains("Bintou"), "{summary}");
    run(&["--names", "consented"]);
    let list = std::fs::read_to_string(out.join("participants.csv")).unwrap();
    assert!(list.contains("Awa Consentante") && !list.contains("Bintou"), "{list}");
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert!(
        summary
            .contains("Personnes sans consentement enregistré (absentes de la liste nominative),1"),
        "{summary}"
    );
    let refused =
        common::palabre(&db, &["report", "--csv", out.to_str().unwrap(), "--names", "all"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("none, consented, everyone"));

    // Groups in the form's order (women's groups, youth, … civil society), in files and JSON.
    let groups: Vec<String> = tables(&report, &none)
        .into_iter()
        .find(|t| t.stem == "activities_by_group")
        .unwrap()
        .rows
        .into_iter()
        .map(|row| match &row[0] {
            palabre::report::export::Cell::Text(label) => label.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let expected: Vec<String> = palabre::Group::ALL
        .iter()
        .map(|g| palabre::i18n::t(Lang::Fr, &format!("group.{g}"), &[]))
        .collect();
    assert_eq!(groups, expected);
    let json = serde_json::to_string(&report.activities.by_group).unwrap();
    assert!(json.starts_with("{\"womens_groups\":1,\"youth\":1,\"security_actors\":0"), "{json}");
    assert!(json.find("civil_society") > json.find("youth"), "{json}");
}
