//! Results against the logframe (issue 22): the built-in catalogue over the demo programme
//! reproduces the programme's sentence as indicator values; targets, the period before, cuts by
//! place; the IATI export validates against the official schema (xmllint) and its totals equal
//! the report's; the XLSX read back with openpyxl holds the same targets and actuals.

use std::process::Command;

use palabre::{Lang, Palabre, Period, Place, Setting};

fn demo() -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Ségou 1").unwrap();
    app.demo(1).unwrap();
    app
}

fn year_2024() -> Period {
    Period::parse(Some("2024-01-01"), Some("2024-12-31")).unwrap()
}

fn value(p: &palabre::Progress, code: &str) -> f64 {
    p.indicators.iter().find(|i| i.code == code).unwrap_or_else(|| panic!("{code}")).actual
}

#[test]
fn the_demo_catalogue_states_the_programme_sentence() {
    let app = demo();
    let report = app.report(year_2024(), Lang::En).unwrap();
    let p = app.progress(year_2024(), &Place::default(), Lang::En).unwrap();
    // "315 people, almost all women, two-thirds youth; three activities with security actors,
    // seven with governance and justice actors".
    assert_eq!(value(&p, "PAL-1"), 315.0);
    assert!(value(&p, "PAL-2") >= 90.0, "almost all women: {}", value(&p, "PAL-2"));
    let youth = (report.people.youth as f64 * 1000.0 / 315.0).round() / 10.0;
    assert_eq!(value(&p, "PAL-3"), youth);
    assert!((youth - 66.7).abs() <= 2.0, "two-thirds youth: {youth}");
    assert_eq!(value(&p, "PAL-4"), 3.0);
    assert_eq!(value(&p, "PAL-5"), 7.0);
    assert_eq!(value(&p, "PAL-6"), report.activities.total as f64);
    let pal1 = &p.indicators[0];
    assert_eq!(pal1.target.as_ref().map(|t| (t.period.as_str(), t.value)), Some(("2024", 300)));
    assert_eq!(pal1.achieved_percent, Some(105.0));
    // Its breakdowns add up to its value.
    for b in &pal1.breakdowns {
        let sum: f64 = b.values.values().sum();
        if b.by != palabre::model::codes::Disaggregation::Region {
            assert_eq!(sum, 315.0, "by {}", b.by);
        }
    }
    // The period before 2024 is 2023, whose figures come with it.
    let before = p.previous_period.unwrap();
    assert_eq!(before, Period::parse(Some("2023-01-01"), Some("2023-12-31")).unwrap());
    let earlier = app.progress(before, &Place::default(), Lang::En).unwrap();
    assert_eq!(pal1.previous, Some(value(&earlier, "PAL-1")));
    assert_eq!(report.previous.as_ref().unwrap().people, value(&earlier, "PAL-1") as i64);
}

#[test]
fn every_figure_can_be_cut_by_place() {
    let app = demo();
    let everywhere = app.report(year_2024(), Lang::Fr).unwrap();
    let regions: Vec<String> =
        everywhere.activities.by_region.keys().filter(|r| *r != "none").cloned().collect();
    assert!(regions.len() >= 2, "the demo works in several regions: {regions:?}");
    let mut activities = 0;
    for region in &regions {
        // Accents and case do not matter.
        let typed = palabre::model::names::fold(region).to_uppercase();
        let place = Place::new(Some(&typed), None, None);
        let cut = app.report_in(year_2024(), &place, Lang::Fr).unwrap();
        assert_eq!(cut.place, place);
        assert_eq!(cut.activities.total, everywhere.activities.by_region[region], "{region}");
        assert!(cut.people.total > 0 && cut.people.total <= everywhere.people.total);
        // The same people as the plain SQL of the named list (whether the cut read its
        // sessions' lists by key or by a scan).
        let named = app.participants(year_2024(), &place, palabre::NamedList::Everyone).unwrap();
        assert_eq!(named.people.len() as i64, cut.people.total, "{region}");
        activities += cut.activities.total;
        // The logframe's region breakdown is the cut's own figure.
        let p = app.progress(year_2024(), &Place::default(), Lang::Fr).unwrap();
        let pal1 = p.indicators.iter().find(|i| i.code == "PAL-1").unwrap();
        let by_region = pal1.breakdowns.iter().find(|b| b.by.as_str() == "region").unwrap();
        assert_eq!(by_region.values[region], cut.people.total as f64, "{region}");
    }
    assert_eq!(
        activities + everywhere.activities.by_region.get("none").copied().unwrap_or(0),
        everywhere.activities.total
    );
    // Names left empty (as a window sends them) are the whole programme.
    let blank = Place { region: Some(" ".into()), cercle: Some(String::new()), commune: None };
    assert!(blank.is_everywhere());
    assert_eq!(
        app.report_in(year_2024(), &blank, Lang::Fr).unwrap().people.total,
        everywhere.people.total
    );
    // Two spellings of one region are one breakdown row.
    let other = app
        .add_session(&palabre::SessionInput {
            title: Some("Suivi".into()),
            start_date: Some("2024-06-03".into()),
            status: Some("held".into()),
            region: Some(palabre::model::names::fold(&regions[0]).to_uppercase()),
            ..Default::default()
        })
        .unwrap();
    let person = app
        .add_person(&palabre::PersonInput {
            full_name: Some("Awa Coulibaly".into()),
            ..Default::default()
        })
        .unwrap();
    app.attend(other, &[person]).unwrap();
    let p = app.progress(year_2024(), &Place::default(), Lang::Fr).unwrap();
    let pal6 = p.indicators.iter().find(|i| i.code == "PAL-6").unwrap();
    let by_region = pal6.breakdowns.iter().find(|b| b.by.as_str() == "region").unwrap();
    assert_eq!(by_region.values.len(), regions.len(), "{:?}", by_region.values);
    assert_eq!(
        by_region.values[&regions[0]],
        (everywhere.activities.by_region[&regions[0]] + 1) as f64
    );
    let nowhere =
        app.report_in(year_2024(), &Place::new(Some("Nulle-Part"), None, None), Lang::Fr).unwrap();
    assert_eq!((nowhere.people.total, nowhere.activities.total, nowhere.attendances), (0, 0, 0));
}

#[test]
fn the_iati_export_validates_and_adds_up() {
    let app = demo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("results.xml");
    // Without the identifiers, a clear refusal and no file.
    let refused = app.write_iati(year_2024(), &Place::default(), Lang::En, &file).unwrap_err();
    assert!(refused.to_string().contains("IATI organisation identifier"), "{refused}");
    assert!(!file.exists());
    app.set_setting(Setting::IatiOrg, "CH-FDJP-1234").unwrap();
    app.set_setting(Setting::IatiActivity, "CH-FDJP-1234-MLI-2024").unwrap();
    assert!(app.set_setting(Setting::IatiActivity, "CH FDJP").is_err());
    // IATI results are the whole activity's: a region's cut is refused, naming the place.
    let cut = app.write_iati(year_2024(), &Place::new(Some("Mopti"), None, None), Lang::En, &file);
    assert!(cut.unwrap_err().to_string().contains("Mopti"));
    assert!(!file.exists());
    // An open period cannot be reported.
    assert!(app.write_iati(Period::default(), &Place::default(), Lang::En, &file).is_err());
    app.write_iati(year_2024(), &Place::default(), Lang::En, &file).unwrap();
    let schema =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/iati/iati-activities-schema.xsd");
    let checked = Command::new("xmllint")
        .args(["--noout", "--schema", schema])
        .arg(&file)
        .output()
        .expect("xmllint (libxml2-utils) is installed by scripts/install-system-deps.sh");
    assert!(
        checked.status.success(),
        "the export validates: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let xml = std::fs::read_to_string(&file).unwrap();
    let report = app.report(year_2024(), Lang::En).unwrap();
    assert!(xml.contains("<iati-identifier>CH-FDJP-1234-MLI-2024</iati-identifier>"));
    assert!(xml.contains(&report.summary.replace('\'', "&apos;")) || xml.contains(&report.summary));
    // PAL-1's actual is the report's people, and its female actual the report's women.
    let pal1 = xml.split("code=\"PAL-1\"").nth(1).unwrap().split("</indicator>").next().unwrap();
    assert!(pal1.contains(&format!("<actual value=\"{}\"/>", report.people.total)));
    assert!(pal1.contains(&format!(
        "<actual value=\"{}\">\n            <dimension name=\"sex\" value=\"F\"/>",
        report.people.by_sex["F"]
    )));
    assert!(pal1.contains("<target value=\"300\"/>"));
    // A damaged file is refused by the same schema check (the test can fail).
    std::fs::write(
        &file,
        xml.replace("<iati-identifier>", "<iati-id>").replace("</iati-identifier>", "</iati-id>"),
    )
    .unwrap();
    let damaged =
        Command::new("xmllint").args(["--noout", "--schema", schema]).arg(&file).output().unwrap();
    assert!(!damaged.status.success());
}

#[test]
fn the_workbook_holds_targets_and_actuals() {
    let app = demo();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xlsx");
    app.write_report_xlsx(
        year_2024(),
        &Place::default(),
        Lang::En,
        palabre::NamedList::None,
        &file,
    )
    .unwrap();
    // Debian's Python, where the python3-openpyxl package installs.
    let read = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(
            "import json, sys, openpyxl\n\
             wb = openpyxl.load_workbook(sys.argv[1])\n\
             ws = wb['Indicators']\n\
             rows = [list(r) for r in ws.iter_rows(values_only=True)]\n\
             print(json.dumps({r[0]: [r[6], r[7]] for r in rows[1:]}))",
        )
        .arg(&file)
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", String::from_utf8_lossy(&read.stderr));
    let sheet: std::collections::BTreeMap<String, (Option<f64>, f64)> =
        serde_json::from_slice(&read.stdout).unwrap();
    let p = app.progress(year_2024(), &Place::default(), Lang::En).unwrap();
    assert_eq!(sheet.len(), p.indicators.len());
    for i in &p.indicators {
        let (target, actual) = sheet[&i.code];
        assert_eq!(actual, i.actual, "{}", i.code);
        assert_eq!(target, i.target.as_ref().map(|t| t.value as f64), "{}", i.code);
    }
}

/// HQ sets a quarter's target on a built-in indicator, changes its baseline and removes another:
/// the catalogue and the quarter's progress show it; removing the target brings back the
/// year's; a laptop's copy refuses the same edits.
#[test]
fn hq_edits_a_builtin_indicator() {
    let app = demo();
    let keys = tempfile::tempdir().unwrap();
    app.hq_init(keys.path(), None).unwrap();
    app.set_indicator_target("PAL-1", "2024-Q4", Some(90)).unwrap();
    app.save_indicator(&palabre::IndicatorInput {
        code: "PAL-4".into(),
        baseline: Some("1".into()),
        ..Default::default()
    })
    .unwrap();
    app.remove_indicator("PAL-8").unwrap();
    let list = app.indicators().unwrap();
    let pal1 = list.iter().find(|i| i.code == "PAL-1").unwrap();
    assert_eq!(pal1.targets.get("2024-Q4"), Some(&90));
    assert_eq!(pal1.targets.get("2024"), Some(&300), "the year's target is kept");
    assert_eq!(list.iter().find(|i| i.code == "PAL-4").unwrap().baseline, Some(1));
    assert!(list.iter().all(|i| i.code != "PAL-8"));
    let q4 = Period::parse(Some("2024-10-01"), Some("2024-12-31")).unwrap();
    let target = |app: &Palabre| {
        let p = app.progress(q4, &Place::default(), Lang::En).unwrap();
        p.indicators[0].target.clone().map(|t| (t.period, t.value, t.annual))
    };
    assert_eq!(target(&app), Some(("2024-Q4".into(), 90, false)));
    app.set_indicator_target("PAL-1", "2024-Q4", None).unwrap();
    assert_eq!(target(&app), Some(("2024".into(), 300, true)), "the year's, marked annual");
    // A baseline cleared stays cleared (not the built-in's 0); a count turned into a share
    // keeps no target a share cannot reach.
    app.save_indicator(&palabre::IndicatorInput {
        code: "PAL-6".into(),
        baseline: Some(String::new()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        app.indicators().unwrap().iter().find(|i| i.code == "PAL-6").unwrap().baseline,
        None
    );
    let to_share = palabre::IndicatorInput {
        code: "PAL-1".into(),
        measure: Some("share_women".into()),
        disaggregations: Some(vec![]),
        ..Default::default()
    };
    let refused = app.save_indicator(&to_share).unwrap_err();
    assert!(refused.to_string().contains("300"), "{refused}");
    // A code removed and given again starts from nothing: its old targets do not come back.
    app.set_indicator_target("PAL-4", "2025", Some(9)).unwrap();
    app.remove_indicator("PAL-4").unwrap();
    let again = app
        .save_indicator(&palabre::IndicatorInput {
            code: "PAL-4".into(),
            label_en: Some("Dialogues with the police".into()),
            measure: Some("activities_held".into()),
            ..Default::default()
        })
        .unwrap();
    assert!(again.targets.is_empty(), "{:?}", again.targets);
    assert_eq!((again.group, again.baseline, again.label_fr.as_str()), (None, None, ""));
    // An unknown code is named in the refusal.
    let missing = app.set_indicator_target("R9", "2024", Some(1)).unwrap_err();
    assert_eq!(missing.code(), "not_found");
    let laptop = demo();
    assert_eq!(laptop.remove_indicator("PAL-1").unwrap_err().code(), "hq_only");
    assert_eq!(laptop.indicators().unwrap().len(), 8, "nothing changed on the laptop");
}
