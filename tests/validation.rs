//! Every refused input returns its stable code and writes nothing: not a row, not an op.

mod common;

use common::{app, person, session, state};
use palabre::{
    Error, ItemId, ItemInput, Palabre, PersonId, PersonInput, PlanId, PlanInput, SessionId,
    SessionInput,
};

/// Runs a write that must fail with `code`, and checks that the database did not change.
fn refused<T: std::fmt::Debug>(
    app: &Palabre,
    code: &str,
    write: impl FnOnce(&Palabre) -> Result<T, Error>,
) -> Error {
    let before = state(app);
    let err = write(app).expect_err("the write should be refused");
    assert_eq!(err.code(), code, "{err}");
    assert!(!err.to_string().is_empty());
    assert_eq!(state(app), before, "a refused write changed the database ({code})");
    err
}

fn session_input(title: &str, date: &str) -> SessionInput {
    SessionInput { title: Some(title.into()), start_date: Some(date.into()), ..Default::default() }
}

fn person_input(name: &str) -> PersonInput {
    PersonInput { full_name: Some(name.into()), ..Default::default() }
}

#[test]
fn empty_names_and_titles() {
    let app = app();
    let err = refused(&app, "empty_field", |a| a.add_person(&person_input("   ")));
    assert_eq!(err.field(), Some("name"));
    refused(&app, "empty_field", |a| a.add_session(&session_input("", "2024-03-01")));
    let plan =
        PlanInput { title: Some("Plan".into()), owner: Some(" ".into()), ..Default::default() };
    refused(&app, "empty_field", |a| a.add_plan(&plan));
    let id = person(&app, "Oumou Sangaré");
    refused(&app, "empty_field", |a| a.edit_person(id, &person_input("")));
}

#[test]
fn unknown_codes() {
    let app = app();
    let mut input = person_input("Awa Diarra");
    input.sex = Some("female".into());
    let err = refused(&app, "invalid_sex", |a| a.add_person(&input));
    assert!(err.to_string().contains("F, M, X"));
    let mut s = session_input("Dialogue", "2024-03-01");
    s.kind = Some("meeting".into());
    refused(&app, "invalid_kind", |a| a.add_session(&s));
    let mut s = session_input("Dialogue", "2024-03-01");
    s.groups = Some(vec!["youth".into(), "police".into()]);
    refused(&app, "invalid_group", |a| a.add_session(&s));
    let mut s = session_input("Dialogue", "2024-03-01");
    s.status = Some("done".into());
    refused(&app, "invalid_status", |a| a.add_session(&s));
}

#[test]
fn impossible_dates_and_end_before_start() {
    let app = app();
    refused(&app, "invalid_date", |a| a.add_session(&session_input("Dialogue", "2024-02-30")));
    refused(&app, "invalid_date", |a| a.add_session(&session_input("Dialogue", "15/03/2024")));
    let mut s = session_input("Dialogue", "2024-03-15");
    s.end_date = Some("2024-03-14".into());
    refused(&app, "end_before_start", |a| a.add_session(&s));
    // Also against the stored start date when only the end is edited.
    let id = session(&app, "Atelier", "2024-03-15");
    let edit = SessionInput { end_date: Some("2024-03-01".into()), ..Default::default() };
    refused(&app, "end_before_start", |a| a.edit_session(id, &edit));
}

#[test]
fn birth_year_and_age_out_of_range() {
    let app = app();
    let mut p = person_input("Hawa Touré");
    p.birth_year = Some(1850);
    refused(&app, "birth_year_out_of_range", |a| a.add_person(&p));
    p.birth_year = Some(app.today().format("%Y").to_string().parse::<i32>().unwrap() + 1);
    refused(&app, "birth_year_out_of_range", |a| a.add_person(&p));
    p.birth_year = None;
    p.age = Some(130);
    refused(&app, "age_out_of_range", |a| a.add_person(&p));
    p.birth_year = Some(1990);
    p.age = Some(30);
    refused(&app, "birth_year_and_age", |a| a.add_person(&p));
}

#[test]
fn bad_phone_and_disability_answers() {
    let app = app();
    let mut p = person_input("Rokia Konaté");
    p.phone = Some("call me".into());
    refused(&app, "invalid_phone", |a| a.add_person(&p));
    p.phone = None;
    p.disability = Some(vec!["seeing=9".into()]);
    refused(&app, "invalid_disability", |a| a.add_person(&p));
}

#[test]
fn too_long_text() {
    let app = app();
    refused(&app, "too_long", |a| a.add_person(&person_input(&"a".repeat(201))));
}

#[test]
fn unknown_and_deleted_ids() {
    let app = app();
    let s = session(&app, "Dialogue", "2024-03-01");
    let p = person(&app, "Kadiatou Cissé");
    refused(&app, "not_found", |a| a.attend(SessionId::new(), &[p]));
    // All or nothing: one unknown person among several adds nobody.
    refused(&app, "not_found", |a| a.attend(s, &[p, PersonId::new()]));
    refused(&app, "not_found", |a| a.edit_person(PersonId::new(), &person_input("X")));
    refused(&app, "not_found", |a| {
        a.add_item(
            PlanId::new(),
            &ItemInput { description: Some("x".into()), ..Default::default() },
        )
    });
    refused(&app, "not_found", |a| a.set_item_status(ItemId::new(), "done"));
    refused(&app, "not_found", |a| a.unattend(s, &[p]));
    let plan = PlanInput {
        title: Some("P".into()),
        owner: Some("O".into()),
        session_id: Some(SessionId::new().to_string()),
        ..Default::default()
    };
    refused(&app, "not_found", |a| a.add_plan(&plan));
    let bad = PlanInput {
        title: Some("P".into()),
        owner: Some("O".into()),
        session_id: Some("nope".into()),
        ..Default::default()
    };
    refused(&app, "invalid_id", |a| a.add_plan(&bad));
    app.delete_person(p).unwrap();
    refused(&app, "not_found", |a| a.attend(s, &[p]));
    refused(&app, "not_found", |a| a.delete_person(p));
    app.delete_session(s).unwrap();
    refused(&app, "not_found", |a| a.session(s));
}

#[test]
fn attending_a_cancelled_session() {
    let app = app();
    let s = session(&app, "Dialogue femmes – gendarmerie", "2024-07-04");
    let p = person(&app, "Fatoumata Diarra");
    app.edit_session(s, &SessionInput { status: Some("cancelled".into()), ..Default::default() })
        .unwrap();
    let err = refused(&app, "session_cancelled", |a| a.attend(s, &[p]));
    assert!(err.to_string().contains("gendarmerie"), "{err}");
}

#[test]
fn bad_item_status_and_due_date() {
    let app = app();
    let plan = app
        .add_plan(&PlanInput {
            title: Some("P".into()),
            owner: Some("Benkadi".into()),
            ..Default::default()
        })
        .unwrap();
    let item = app
        .add_item(plan, &ItemInput { description: Some("Plaidoyer".into()), ..Default::default() })
        .unwrap();
    refused(&app, "invalid_status", |a| a.set_item_status(item, "finished"));
    let due = ItemInput { due_date: Some("2024-13-01".into()), ..Default::default() };
    refused(&app, "invalid_date", |a| a.edit_item(item, &due));
}

#[test]
fn writes_before_init_are_refused() {
    let app = Palabre::open_in_memory().unwrap();
    let before = state(&app);
    let err = app.add_person(&person_input("Awa")).unwrap_err();
    assert_eq!(err.code(), "not_initialized");
    assert!(err.to_string().contains("palabre init"));
    assert_eq!(state(&app), before);
}
