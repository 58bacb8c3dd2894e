//! The report through the CLI: the demo programme's figures, the exported files read back by
//! real readers (Python's openpyxl for XLSX), bad periods refused, and named lists that are opt-in
//! and consent-filtered (the report's definitions at their edges are in tests/report.rs).

mod common;
use common::PASSPHRASE;

use std::process::Command;

use common::{born, held};
use palabre::i18n::Lang;
use palabre::report::indicators::Period;
use palabre::{Palabre, PersonInput};
use serde_json::Value;

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
    let sheets = x["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), 11, "{sheets:?}");
    assert_eq!(sheets[1], "Indicateurs", "the logframe follows the summary: {sheets:?}");
    assert_eq!(sheets[2], "Ventilations", "{sheets:?}");
    assert!(
        sheets.iter().any(|s| s == "Séances tenues" || s == "Held sessions"),
        "the held sessions with their signed sheets: {sheets:?}"
    );

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

    let none =
        app.participants(Period::default(), &palabre::Place::default(), NamedList::None).unwrap();
    assert!(tables(&report, &none).iter().all(|t| t.stem != "participants"), "no names by default");
    let consented = app
        .participants(Period::default(), &palabre::Place::default(), NamedList::Consented)
        .unwrap();
    let names: Vec<_> = consented.people.iter().map(|p| p.full_name.as_str()).collect();
    assert_eq!(names, ["Awa Consentante"]);
    assert_eq!(consented.without_consent_left_out, 1);
    let everyone = app
        .participants(Period::default(), &palabre::Place::default(), NamedList::Everyone)
        .unwrap();
    assert_eq!(everyone.people.len(), 2);

    // The CLI: no flag, no names; --names consented, only her.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    let cli = Palabre::open(&db, PASSPHRASE).unwrap();
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

/// The logframe through the CLI: the catalogue and progress as JSON, the donor report as a PDF
/// whose text holds every indicator with its target and actual, the IATI file once the
/// identifiers are set, and a laptop's attempt to edit the catalogue refused with its code.
#[test]
fn the_logframe_reaches_the_pdf_and_iati_and_only_hq_edits_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(common::palabre(&db, &["demo"]).status.success());
    let year = ["--from", "2024-01-01", "--to", "2024-12-31"];
    let list = common::palabre(&db, &["--json", "indicator", "list"]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list["indicators"][0]["code"], "PAL-1");
    let progress = common::palabre(
        &db,
        &[&["--json", "indicator", "progress", "--lang", "en"][..], &year].concat(),
    );
    assert!(progress.status.success(), "{}", String::from_utf8_lossy(&progress.stderr));
    let progress: Value = serde_json::from_slice(&progress.stdout).unwrap();
    let rows = progress["indicators"].as_array().unwrap();
    assert_eq!(rows[0]["actual"], 315.0);
    // A region cut, typed without its accent.
    let segou =
        common::palabre(&db, &[&["--json", "report", "--region", "segou"][..], &year].concat());
    let segou: Value = serde_json::from_slice(&segou.stdout).unwrap();
    assert_eq!(segou["place"]["region"], "segou");
    assert!(segou["people"]["total"].as_i64().unwrap() < 315);
    assert!(segou["people"]["total"].as_i64().unwrap() > 0);
    // The donor PDF: every indicator, its target and its actual, in French.
    let pdf = dir.path().join("donor.pdf");
    let made = common::palabre(
        &db,
        &[&["report", "--lang", "fr", "--pdf", pdf.to_str().unwrap()][..], &year].concat(),
    );
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let text =
        Command::new("pdftotext").args(["-layout", pdf.to_str().unwrap(), "-"]).output().unwrap();
    let text =
        String::from_utf8_lossy(&text.stdout).replace('\u{202f}', " ").replace('\u{a0}', " ");
    assert!(text.contains("Rapport d'avancement sur le cadre logique"), "{text}");
    assert!(text.contains("le programme a touché 315 personnes"), "{text}");
    let fr = common::palabre(
        &db,
        &[&["--json", "indicator", "progress", "--lang", "fr"][..], &year].concat(),
    );
    let fr: Value = serde_json::from_slice(&fr.stdout).unwrap();
    for row in fr["indicators"].as_array().unwrap() {
        let code = row["code"].as_str().unwrap();
        let line =
            text.lines().find(|l| l.contains(code)).unwrap_or_else(|| panic!("{code} in {text}"));
        let actual = row["actual"].as_f64().unwrap();
        let shown = if actual.fract() == 0.0 {
            format!("{actual:.0}")
        } else {
            format!("{actual:.1}").replace('.', ",")
        };
        assert!(line.contains(&shown), "{code}: actual {shown} in {line:?}");
        if let Some(target) = row["target"]["value"].as_i64() {
            assert!(line.contains(&target.to_string()), "{code}: target {target} in {line:?}");
        }
    }
    assert!(text.contains("Annexe : séances tenues"), "{text}");
    // The CSV files carry the logframe's tables too, decimals with a comma for French Excel.
    let csv = dir.path().join("csv");
    let made = common::palabre(
        &db,
        &[&["report", "--lang", "fr", "--excel-fr", "--csv", csv.to_str().unwrap()][..], &year]
            .concat(),
    );
    assert!(made.status.success());
    let indicators = std::fs::read_to_string(csv.join("indicators.excel-fr.csv")).unwrap();
    let pal2 = indicators.lines().find(|l| l.starts_with("PAL-2;")).unwrap();
    let share = fr["indicators"][1]["actual"].as_f64().unwrap();
    assert!(pal2.contains(&format!(";{}", share.to_string().replace('.', ","))), "{pal2}");
    assert!(csv.join("indicator_breakdowns.excel-fr.csv").exists());
    // IATI: refused until the identifiers are set, then written.
    let xml = dir.path().join("results.xml");
    let refused = common::palabre(
        &db,
        &[&["--json", "report", "--iati", xml.to_str().unwrap()][..], &year].concat(),
    );
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("IATI"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(
        common::palabre(
            &db,
            &["settings", "--iati-org", "CH-FDJP-1234", "--iati-activity", "CH-FDJP-1234-MLI"]
        )
        .status
        .success()
    );
    assert!(
        common::palabre(&db, &[&["report", "--iati", xml.to_str().unwrap()][..], &year].concat())
            .status
            .success()
    );
    assert!(
        std::fs::read_to_string(&xml)
            .unwrap()
            .contains("<iati-identifier>CH-FDJP-1234-MLI</iati-identifier>")
    );
    // The demo database is a laptop: the catalogue is HQ's.
    let edit = common::palabre(&db, &["--json", "indicator", "target", "PAL-1", "2025", "400"]);
    assert!(!edit.status.success());
    assert!(
        String::from_utf8_lossy(&edit.stdout).contains("hq_only")
            || String::from_utf8_lossy(&edit.stderr).contains("hq_only"),
        "{} {}",
        String::from_utf8_lossy(&edit.stdout),
        String::from_utf8_lossy(&edit.stderr)
    );
}
