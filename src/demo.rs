//! `palabre demo`: a realistic programme in an empty database, built through the same write path
//! as real data (every row has its ops). The parameters — Malian names with their spellings,
//! real regions, cercles and communes, the year's sessions and the women's groups' action plans —
//! live in assets/demo/programme.json. The shape is fixed so that its 2024 report reads like the
//! programme's own: 315 people, almost all women, two-thirds youth, three activities with security
//! actors and seven with governance and justice actors. The seed varies who is who, their ages
//! within their band, phones and extra attendances; the figures above hold for every seed.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::Connection;
use serde::Deserialize;

use crate::attendance::attend_in;
use crate::error::{Error, Result};
use crate::journal::oplog::OpWriter;
use crate::journal::schema::Entity;
use crate::model::codes::{AttendanceRole, SessionStatus};
use crate::model::ids::{ItemId, PersonId, PlanId, SessionId};
use crate::model::person::PersonInput;
use crate::model::plan::{ItemInput, PlanInput};
use crate::model::session::SessionInput;
use crate::{Palabre, Setting};

const PARAMETERS: &str = include_str!("../assets/demo/programme.json");

/// Women in the programme, and how many of them are 15–35 on their first session's date.
const WOMEN: usize = 304;
const YOUNG_WOMEN: usize = 211;
/// Women whose age nobody wrote down.
const AGE_UNKNOWN: usize = 5;

#[derive(Deserialize)]
struct Parameters {
    programme: String,
    device_name: String,
    facilitators: Vec<String>,
    female_first_names: Vec<String>,
    surnames: Vec<String>,
    women_roles: Vec<String>,
    men: Vec<Man>,
    places: std::collections::BTreeMap<String, Vec<String>>,
    sessions: Vec<SessionSpec>,
    cancelled: SessionSpec,
    planned: Vec<SessionSpec>,
    plans: Vec<PlanSpec>,
}

#[derive(Deserialize)]
struct Man {
    name: String,
    role: String,
    group: String,
    age: i32,
    session: String,
}

#[derive(Deserialize, Clone)]
struct SessionSpec {
    title: String,
    kind: String,
    groups: Vec<String>,
    at: String,
    date: String,
    #[serde(default)]
    end: Option<String>,
    #[serde(default)]
    theme: String,
    #[serde(default)]
    summary: String,
}

#[derive(Deserialize)]
struct PlanSpec {
    owner: String,
    session: String,
    community: String,
    title: String,
    problem: String,
    objective: String,
    items: Vec<(String, String, String, String)>,
}

/// What the demo built, for the CLI to print.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    pub device_name: String,
    pub sessions: usize,
    pub people: usize,
    pub attendances: usize,
    pub plans: usize,
}

struct Built {
    id: SessionId,
    spec: SessionSpec,
    date: NaiveDate,
}

pub(crate) fn demo(app: &Palabre, seed: u64) -> Result<DemoSummary> {
    let params: Parameters =
        serde_json::from_str(PARAMETERS).expect("assets/demo/programme.json is valid");
    let rows: i64 = app.store().read(|c| {
        Ok(c.query_row(
            "SELECT (SELECT count(*) FROM sessions) + (SELECT count(*) FROM people)
                  + (SELECT count(*) FROM action_plans) + (SELECT count(*) FROM oplog)",
            [],
            |r| r.get(0),
        )?)
    })?;
    if rows > 0 {
        return Err(Error::NotEmpty { rows });
    }
    if !app.is_initialized()? {
        app.init(&params.device_name)?;
    }
    if app.setting(Setting::Programme)?.is_none() {
        app.set_setting(Setting::Programme, &params.programme)?;
    }
    if app.setting(Setting::Facilitator)?.is_none() {
        app.set_setting(Setting::Facilitator, &params.facilitators[0])?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let summary = app.write_ops(|conn, w| build(conn, w, &params, &mut rng))?;
    Ok(DemoSummary { device_name: app.device()?.name, ..summary })
}

fn build(
    conn: &Connection,
    w: &mut OpWriter<'_>,
    p: &Parameters,
    rng: &mut ChaCha8Rng,
) -> Result<DemoSummary> {
    let mut attendances = 0;
    let held = sessions(w, p, &p.sessions, rng)?;
    let cancelled = sessions(w, p, std::slice::from_ref(&p.cancelled), rng)?.remove(0);
    let planned = sessions(w, p, &p.planned, rng)?;

    // Women: ages shuffled so that exactly YOUNG_WOMEN are 15–35 in 2024, whoever they are.
    let mut ages: Vec<Option<i32>> = (0..WOMEN)
        .map(|i| match i {
            i if i < YOUNG_WOMEN => Some(rng.random_range(16..=34)),
            i if i < YOUNG_WOMEN + AGE_UNKNOWN => None,
            _ => Some(rng.random_range(37..=68)),
        })
        .collect();
    ages.shuffle(rng);
    let mut names = BTreeSet::new();
    let mut women = Vec::with_capacity(WOMEN);
    for (i, age) in ages.into_iter().enumerate() {
        // Spread first sessions evenly, so every held session has a room full of people.
        let first = &held[i % held.len()];
        let name = unique_name(p, rng, &mut names);
        let id = person(w, rng, p, &name, "F", age, first, None)?;
        attendances += attend_in(conn, w, first.id, &[id], AttendanceRole::Participant)?.len();
        women.push((id, first));
    }
    // Some women come back to a later session in their region; a few of those were absent.
    for (id, first) in &women {
        let home = region(&first.spec);
        let later: Vec<&Built> =
            held.iter().filter(|s| region(&s.spec) == home && s.date > first.date).collect();
        if let Some(again) = later.choose(rng).filter(|_| rng.random_bool(0.45)) {
            attendances += attend_in(conn, w, again.id, &[*id], AttendanceRole::Participant)?.len();
            if rng.random_bool(0.08) {
                w.set(
                    Entity::Attendance,
                    crate::AttendanceId::of(again.id, *id).0,
                    "present",
                    false.into(),
                )?;
            }
        }
    }
    for man in &p.men {
        let session = held
            .iter()
            .find(|s| s.spec.title == man.session)
            .expect("demo men attend listed sessions");
        let id = person(
            w,
            rng,
            p,
            &man.name,
            "M",
            Some(man.age),
            session,
            Some((&man.role, &man.group)),
        )?;
        attendances += attend_in(conn, w, session.id, &[id], AttendanceRole::Speaker)?.len();
    }
    // Registered for the Niono session before the road closed.
    let niono: Vec<PersonId> = women
        .iter()
        .filter(|(_, s)| s.spec.at.ends_with("Niono"))
        .map(|(id, _)| *id)
        .take(6)
        .collect();
    attend_in(conn, w, cancelled.id, &niono, AttendanceRole::Participant)?;
    // Pre-registered for next year's sessions: known faces and two newcomers, not yet reached.
    for session in &planned {
        let known: Vec<PersonId> = women
            .iter()
            .filter(|(_, s)| region(&s.spec) == region(&session.spec))
            .map(|(id, _)| *id)
            .take(8)
            .collect();
        attend_in(conn, w, session.id, &known, AttendanceRole::Participant)?;
        let newcomer = unique_name(p, rng, &mut names);
        let age = rng.random_range(18..=30);
        let id = person(w, rng, p, &newcomer, "F", Some(age), session, None)?;
        attend_in(conn, w, session.id, &[id], AttendanceRole::Participant)?;
    }
    // A woman registered twice by mistake; the copy was deleted.
    let (original, first) = &women[0];
    let copy_name = deunicode::deunicode(&crate::people::load(conn, *original)?.full_name);
    let copy = person(w, rng, p, &copy_name, "F", None, first, None)?;
    attend_in(conn, w, first.id, &[copy], AttendanceRole::Participant)?;
    w.set(Entity::Person, copy.0, "deleted", true.into())?;

    for s in &held {
        w.set(Entity::Session, s.id.0, "status", SessionStatus::Held.as_str().into())?;
        w.set(Entity::Session, s.id.0, "summary", summary(&s.spec).into())?;
        w.set(Entity::Session, s.id.0, "recommendations", recommendations(&s.spec))?;
    }
    w.set(Entity::Session, cancelled.id.0, "status", SessionStatus::Cancelled.as_str().into())?;

    for plan in &p.plans {
        let origin = held
            .iter()
            .find(|s| s.spec.title == plan.session)
            .expect("demo plans come from listed sessions");
        let id = PlanId::new();
        let input = PlanInput {
            title: Some(plan.title.clone()),
            owner: Some(plan.owner.clone()),
            session_id: Some(origin.id.to_string()),
            community: Some(plan.community.clone()),
            problem: Some(plan.problem.clone()),
            objective: Some(plan.objective.clone()),
            status: None,
        };
        w.set_all(Entity::Plan, id.0, input.changes(true)?.0)?;
        for (description, responsible, due, status) in &plan.items {
            let mut item = ItemInput {
                description: Some(description.clone()),
                responsible: Some(responsible.clone()),
                due_date: Some(due.clone()),
                status: Some(status.clone()),
                ..Default::default()
            }
            .changes(true)?;
            item.push("plan_id", id.to_string());
            w.set_all(Entity::Item, ItemId::new().0, item.0)?;
        }
    }
    // A woman registered again for next year on another laptop (accents dropped, names in the
    // other order): the Duplicates screen proposes the pair. She counts nowhere until she
    // attends, so the 2024 figures do not move. Last, so nothing above draws other numbers.
    let (original, _) = &women[1];
    let original = crate::people::load(conn, *original)?;
    let mut words: Vec<String> =
        deunicode::deunicode(&original.full_name).split(' ').map(str::to_string).collect();
    words.rotate_left(1);
    let twin = person(w, rng, p, &words.join(" "), "F", None, &planned[0], None)?;
    attend_in(conn, w, planned[0].id, &[twin], AttendanceRole::Participant)?;
    Ok(DemoSummary {
        device_name: String::new(),
        sessions: held.len() + 1 + planned.len(),
        people: names.len() + p.men.len() + 2,
        attendances,
        plans: p.plans.len(),
    })
}

fn region(spec: &SessionSpec) -> &str {
    spec.at.split('|').next().unwrap_or_default()
}

fn sessions(
    w: &mut OpWriter<'_>,
    p: &Parameters,
    specs: &[SessionSpec],
    rng: &mut ChaCha8Rng,
) -> Result<Vec<Built>> {
    specs
        .iter()
        .map(|spec| {
            let mut at = spec.at.split('|');
            let (region, cercle, commune) = (at.next(), at.next(), at.next());
            let place = p.places.get(&spec.at).and_then(|places| places.first()).cloned();
            let input = SessionInput {
                title: Some(spec.title.clone()),
                kind: Some(spec.kind.clone()),
                groups: Some(spec.groups.clone()),
                theme: Some(spec.theme.clone()),
                start_date: Some(spec.date.clone()),
                end_date: spec.end.clone(),
                region: region.map(str::to_string),
                cercle: cercle.map(str::to_string),
                commune: commune.map(str::to_string),
                place,
                facilitator: p.facilitators.choose(rng).cloned(),
                summary: Some(spec.summary.clone()),
                ..Default::default()
            };
            let id = SessionId::new();
            let date = spec.date.parse().expect("demo dates are valid");
            // Recorded on the day it was planned (so planned); held ones are marked held below.
            w.set_all(Entity::Session, id.0, input.changes(None, date)?.0)?;
            Ok(Built { id, spec: spec.clone(), date })
        })
        .collect()
}

fn unique_name(p: &Parameters, rng: &mut ChaCha8Rng, taken: &mut BTreeSet<String>) -> String {
    loop {
        let first = p.female_first_names.choose(rng).expect("names");
        let last = p.surnames.choose(rng).expect("surnames");
        let name = format!("{first} {last}");
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn person(
    w: &mut OpWriter<'_>,
    rng: &mut ChaCha8Rng,
    p: &Parameters,
    name: &str,
    sex: &str,
    age: Option<i32>,
    first: &Built,
    man: Option<(&String, &String)>,
) -> Result<PersonId> {
    let mut places = first.spec.at.split('|').skip(2);
    let community = p
        .places
        .get(&first.spec.at)
        .and_then(|v| v.get(1))
        .cloned()
        .or(places.next().map(str::to_string));
    // Half give an age, half a birth year; registration is on the day of their first session.
    let (birth_year, age) = match age {
        Some(age) if rng.random_bool(0.5) => {
            (Some(first.date.format("%Y").to_string().parse::<i32>().unwrap_or(2024) - age), None)
        }
        other => (None, other),
    };
    let phone = rng.random_bool(0.55).then(|| {
        format!(
            "+223 {} {:02} {:02} {:02}",
            rng.random_range(60..=99),
            rng.random_range(0..100),
            rng.random_range(0..100),
            rng.random_range(0..100)
        )
    });
    let (role, group) = match man {
        Some((role, group)) => (role.clone(), group.clone()),
        None => {
            let role = p.women_roles.choose(rng).cloned().unwrap_or_default();
            let young = age.is_some_and(|a| a <= 35) || birth_year.is_some_and(|y| y >= 1989);
            (
                role,
                if young && rng.random_bool(0.3) { "youth".into() } else { "womens_groups".into() },
            )
        }
    };
    let input = PersonInput {
        full_name: Some(name.to_string()),
        sex: Some(sex.to_string()),
        birth_year,
        age,
        role: Some(role),
        group: Some(group),
        community,
        phone,
        consent: Some(rng.random_bool(0.9)),
        ..Default::default()
    };
    let id = PersonId::new();
    w.set_all(Entity::Person, id.0, input.changes(None, first.date)?.0)?;
    Ok(id)
}

fn summary(spec: &SessionSpec) -> String {
    format!(
        "Séance tenue sur le thème « {} ». Les participantes ont analysé les obstacles et formulé des recommandations.",
        if spec.theme.is_empty() { &spec.title } else { &spec.theme }
    )
}

fn recommendations(spec: &SessionSpec) -> serde_json::Value {
    let mut list =
        vec!["Associer les femmes à la préparation des sessions du conseil communal".to_string()];
    if spec.groups.iter().any(|g| g == "security_actors") {
        list.push("Tenir une rencontre trimestrielle entre femmes et forces de sécurité".into());
    }
    if spec.groups.iter().any(|g| g == "governance_justice") {
        list.push("Faire connaître les voies de recours aux femmes des quartiers".into());
    }
    serde_json::json!(list)
}
