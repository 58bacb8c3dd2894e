//! Duplicate people: candidates with their reasons, "not the same person", merge and unmerge
//! (report totals drop by one and come back; everything is restored exactly), bad requests that
//! change nothing, merges travelling in bundles, and concurrent or crossing merges converging
//! whatever the order (property test).

mod common;

use common::state;
use palabre::exchange::import::ImportOutcome;
use palabre::i18n::Lang;
use palabre::report::indicators::Period;
use palabre::{Palabre, PersonId, PersonInput, SessionId, SessionInput};
use proptest::prelude::*;

fn laptop(name: &str) -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init(name).unwrap();
    app
}

fn held(app: &Palabre, title: &str, date: &str, commune: &str) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
        status: Some("held".into()),
        groups: Some(vec!["womens_groups".into()]),
        commune: Some(commune.into()),
        ..Default::default()
    })
    .unwrap()
}

fn register(app: &Palabre, name: &str, year: i32, community: &str, phone: &str) -> PersonId {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        sex: Some("F".into()),
        birth_year: Some(year),
        community: Some(community.into()),
        phone: Some(phone.into()),
        ..Default::default()
    })
    .unwrap()
}

fn reached(app: &Palabre) -> i64 {
    app.report(Period::default(), Lang::En).unwrap().people.total
}

/// Two facilitators met the same woman in two communes, a month apart; a third person is
/// someone else with a common name.
struct Programme {
    app: Palabre,
    segou: PersonId,
    markala: PersonId,
    other: PersonId,
    s1: SessionId,
    s2: SessionId,
}

fn programme() -> Programme {
    let app = common::app();
    let s1 = held(&app, "Dialogue femmes et autorités", "2024-03-14", "Ségou");
    let s2 = held(&app, "Atelier médiation", "2024-04-18", "Markala");
    let segou = register(&app, "Aïssata Traoré", 1990, "Ségou", "");
    let markala = register(&app, "Aissata Traore", 1990, "Markala", "+223 76 12 34 56");
    let other = register(&app, "Oumou Sangaré", 1985, "Ségou", "");
    app.attend(s1, &[segou, other]).unwrap();
    app.attend(s2, &[markala]).unwrap();
    Programme { app, segou, markala, other, s1, s2 }
}

#[test]
fn the_same_woman_registered_twice_is_proposed_with_reasons_until_marked_distinct() {
    let p = programme();
    let found = p.app.duplicates(10).unwrap();
    assert_eq!(found.total, 1, "{found:?}");
    let pair = &found.pairs[0];
    let ids = [pair.a.id, pair.b.id];
    assert!(ids.contains(&p.segou) && ids.contains(&p.markala));
    let codes: Vec<&str> = pair.reasons.iter().map(|r| r.code).collect();
    assert_eq!(codes, ["same_name_folded", "same_sex", "birth_year_close", "other_community"]);
    assert_eq!(pair.level, palabre::duplicates::Level::Likely);

    p.app.mark_distinct(p.markala, p.segou).unwrap();
    assert_eq!(p.app.duplicates(10).unwrap().total, 0);
    // Marking it again (from either side) is the same decision, not a second one.
    p.app.mark_distinct(p.segou, p.markala).unwrap();
    let history = p.app.merge_history().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].decision, "distinct");
    assert!(history[0].decided_by.contains("Ségou-01"), "{:?}", history[0]);
}

#[test]
fn a_merge_counts_her_once_and_an_unmerge_restores_everything_exactly() {
    let p = programme();
    let app = &p.app;
    let before_people = (app.person(p.segou).unwrap(), app.person(p.markala).unwrap());
    let before_lines = (app.attendance(p.s1).unwrap(), app.attendance(p.s2).unwrap());
    let before_total = reached(app);
    assert_eq!(before_total, 3);
    assert_eq!(app.people(0, 100).unwrap().total, 3);

    let merged = app.merge_people(p.segou, p.markala, &["phone".into()]).unwrap();
    assert_eq!(merged.taken, ["phone"]);
    assert_eq!(merged.keep.phone, "+223 76 12 34 56");
    // Reports count her once, with both sessions; lists and search show one record.
    assert_eq!(reached(app), before_total - 1);
    let report = app.report(Period::default(), Lang::En).unwrap();
    assert_eq!(report.people.by_sex["F"], 2);
    assert_eq!(app.people(0, 100).unwrap().total, 2);
    let found: Vec<PersonId> =
        app.find_people("aissata", 10).unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(found, [p.segou]);
    let sessions: Vec<SessionId> =
        app.person_sessions(p.segou).unwrap().into_iter().map(|s| s.session_id).collect();
    assert_eq!(sessions, [p.s2, p.s1]);
    let line = &app.attendance(p.s2).unwrap()[0];
    assert_eq!(line.full_name, "Aïssata Traoré", "the duplicate shows as the kept person");
    assert_eq!(app.person(p.markala).unwrap().merged_into, Some(p.segou));
    assert_eq!(app.duplicates(10).unwrap().total, 0);

    let undone = app.unmerge_person(p.markala).unwrap();
    assert!(undone.kept_edits.is_empty());
    assert_eq!(reached(app), before_total);
    assert_eq!((app.person(p.segou).unwrap(), app.person(p.markala).unwrap()), before_people);
    assert_eq!((app.attendance(p.s1).unwrap(), app.attendance(p.s2).unwrap()), before_lines);
    assert_eq!(app.people(0, 100).unwrap().total, 3);
    assert_eq!(app.find_people("aissata", 10).unwrap().len(), 2);

    let history = app.merge_history().unwrap();
    assert_eq!(history.len(), 1);
    let h = &history[0];
    assert_eq!((h.decision.as_str(), h.undone), ("merge", true));
    assert_eq!(
        (h.keep_name.as_str(), h.duplicate_name.as_str()),
        ("Aïssata Traoré", "Aissata Traore")
    );
    assert!(h.undone_by.as_deref().is_some_and(|b| b.contains("Ségou-01")));
    assert!(
        h.decided_at.starts_with("20")
            && h.undone_at.as_deref().is_some_and(|t| t >= &h.decided_at[..])
    );
    // Proposed again once unmerged, since nobody said they are different people.
    assert_eq!(app.duplicates(10).unwrap().total, 1);
}

#[test]
fn an_edit_made_after_the_merge_survives_the_unmerge() {
    let p = programme();
    p.app.merge_people(p.segou, p.markala, &["phone".into()]).unwrap();
    p.app
        .edit_person(
            p.segou,
            &PersonInput { phone: Some("66 00 00 00".into()), ..Default::default() },
        )
        .unwrap();
    let undone = p.app.unmerge_person(p.markala).unwrap();
    assert_eq!(undone.kept_edits, ["phone"]);
    assert_eq!(p.app.person(p.segou).unwrap().phone, "66 00 00 00");
}

#[test]
fn bad_merge_requests_are_refused_and_change_nothing() {
    let p = programme();
    let app = &p.app;
    let before = state(app);
    fn code<T>(r: palabre::Result<T>) -> &'static str {
        r.map(drop).unwrap_err().code()
    }
    assert_eq!(code(app.merge_people(p.segou, p.segou, &[])), "same_person");
    assert_eq!(code(app.merge_people(p.segou, p.markala, &["shoe_size".into()])), "invalid_code");
    assert_eq!(code(app.merge_people(p.segou, PersonId::new(), &[])), "not_found");
    assert_eq!(code(app.unmerge_person(p.markala)), "not_merged");
    assert_eq!(code(app.mark_distinct(p.other, p.other)), "same_person");
    assert_eq!(state(app), before);

    app.merge_people(p.segou, p.markala, &[]).unwrap();
    let before = state(app);
    let err = app.merge_people(p.other, p.markala, &[]).unwrap_err();
    assert_eq!(err.code(), "already_merged");
    assert!(err.to_string().contains("Aïssata Traoré"), "{err}");
    assert_eq!(code(app.merge_people(p.markala, p.other, &[])), "already_merged");
    assert_eq!(state(app), before);
}

#[test]
fn a_merge_at_hq_travels_back_to_the_laptops_in_a_bundle() {
    let laptop_a = laptop("Ségou-01");
    let laptop_b = laptop("Markala-02");
    let s1 = held(&laptop_a, "Dialogue", "2024-03-14", "Ségou");
    let a = register(&laptop_a, "Aïssata Traoré", 1990, "Ségou", "");
    laptop_a.attend(s1, &[a]).unwrap();
    let s2 = held(&laptop_b, "Atelier", "2024-04-18", "Markala");
    let b = register(&laptop_b, "Aissata Traore", 1990, "Markala", "");
    laptop_b.attend(s2, &[b]).unwrap();

    let hq = common::memory_hq();
    hq.init("HQ Bamako").unwrap();
    let deliver = |to: &Palabre, from: &Palabre| {
        let bytes = from.export_bundle_bytes().unwrap().1;
        match to.import_bundle_bytes(&bytes).unwrap() {
            ImportOutcome::Quarantined { fingerprint, .. } => {
                to.trust_device(&fingerprint).unwrap();
            }
            ImportOutcome::Applied { .. } | ImportOutcome::AlreadyImported { .. } => {}
            other => panic!("{other:?}"),
        }
    };
    deliver(&hq, &laptop_a);
    deliver(&hq, &laptop_b);
    assert_eq!(reached(&hq), 2);
    hq.merge_people(a, b, &[]).unwrap();
    assert_eq!(reached(&hq), 1);

    // The laptop that registered the duplicate learns the merge; until the kept person's own
    // record reaches it, the duplicate stays herself there, and becomes an alias when it does.
    deliver(&laptop_b, &hq);
    assert_eq!(laptop_b.person(b).unwrap().merged_into, None);
    assert_eq!(reached(&laptop_b), 1);
    deliver(&laptop_b, &laptop_a);
    assert_eq!(laptop_b.person(b).unwrap().merged_into, Some(a));
    assert_eq!(reached(&laptop_b), 1);
    // Unmerged at HQ, unmerged everywhere.
    hq.unmerge_person(b).unwrap();
    deliver(&laptop_b, &hq);
    assert_eq!(laptop_b.person(b).unwrap().merged_into, None);
    assert_eq!(reached(&laptop_b), 2);
}

// ---- Convergence: merges decided on several copies, delivered in any order ----

#[derive(Debug, Clone)]
enum Action {
    Merge {
        at: usize,
        keep: usize,
        dup: usize,
        take_phone: bool,
    },
    Unmerge {
        at: usize,
        dup: usize,
    },
    Distinct {
        at: usize,
        a: usize,
        b: usize,
    },
    EditPhone {
        at: usize,
        who: usize,
        phone: u8,
    },
    /// Copy `to` receives every op `from` has (in one merge).
    Sync {
        from: usize,
        to: usize,
    },
}

const COPIES: usize = 3;
const PEOPLE: usize = 4;

fn action() -> impl Strategy<Value = Action> {
    let copy = 0..COPIES;
    let who = 0..PEOPLE;
    prop_oneof![
        3 => (copy.clone(), who.clone(), who.clone(), any::<bool>())
            .prop_map(|(at, keep, dup, take_phone)| Action::Merge { at, keep, dup, take_phone }),
        2 => (copy.clone(), who.clone()).prop_map(|(at, dup)| Action::Unmerge { at, dup }),
        1 => (copy.clone(), who.clone(), who.clone()).prop_map(|(at, a, b)| Action::Distinct { at, a, b }),
        1 => (copy.clone(), who.clone(), any::<u8>()).prop_map(|(at, who, phone)| Action::EditPhone { at, who, phone }),
        3 => (copy.clone(), copy).prop_map(|(from, to)| Action::Sync { from, to }),
    ]
}

/// What every copy must agree on: the synced tables and who is an alias of whom.
fn outcome(app: &Palabre, people: &[PersonId]) -> (serde_json::Value, Vec<Option<PersonId>>, i64) {
    let aliases = people.iter().map(|&p| app.person(p).unwrap().merged_into).collect();
    (app.synced_snapshot().unwrap(), aliases, reached(app))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn merges_converge_whatever_the_order(actions in proptest::collection::vec(action(), 1..25), orders in proptest::collection::vec(Just((0..COPIES).collect::<Vec<usize>>()).prop_shuffle(), COPIES)) {
        // Copy 0 registers everyone and a session; the others start from its ops.
        let copies: Vec<Palabre> = (0..COPIES).map(|i| laptop(&format!("HQ-{i}"))).collect();
        let s = held(&copies[0], "Dialogue", "2024-03-14", "Ségou");
        let people: Vec<PersonId> = (0..PEOPLE)
            .map(|i| register(&copies[0], "Aïssata Traoré", 1990, "Ségou", &format!("7600000{i}")))
            .collect();
        copies[0].attend(s, &people).unwrap();
        let seed = copies[0].ops().unwrap();
        for copy in &copies[1..] {
            copy.merge_ops(&seed).unwrap();
        }
        for action in &actions {
            // Refusals (already merged, not merged, same person) are part of the game.
            let _ = match *action {
                Action::Merge { at, keep, dup, take_phone } => {
                    let take = if take_phone { vec!["phone".to_string()] } else { vec![] };
                    copies[at].merge_people(people[keep], people[dup], &take).map(drop)
                }
                Action::Unmerge { at, dup } => copies[at].unmerge_person(people[dup]).map(drop),
                Action::Distinct { at, a, b } => copies[at].mark_distinct(people[a], people[b]),
                Action::EditPhone { at, who, phone } => copies[at]
                    .edit_person(people[who], &PersonInput { phone: Some(format!("66 {phone:03}")), ..Default::default() })
                    .map(drop),
                Action::Sync { from, to } => {
                    let ops = copies[from].ops().unwrap();
                    copies[to].merge_ops(&ops).map(drop)
                }
            };
        }
        // Every copy gets every op, each in its own order of sources.
        let all: Vec<Vec<palabre::Op>> = copies.iter().map(|c| c.ops().unwrap()).collect();
        for (copy, order) in copies.iter().zip(&orders) {
            for &source in order {
                copy.merge_ops(&all[source]).unwrap();
            }
        }
        let first = outcome(&copies[0], &people);
        // An alias always points at a person who is not an alias.
        for alias in first.1.iter().flatten() {
            prop_assert_eq!(copies[0].person(*alias).unwrap().merged_into, None);
        }
        let reached_people = people.len() as i64 - first.1.iter().flatten().count() as i64;
        prop_assert_eq!(first.2, reached_people);
        for copy in &copies[1..] {
            prop_assert_eq!(&outcome(copy, &people), &first);
        }
    }
}
