//! "No write without an op": after any sequence of API calls, replaying the oplog alone into an
//! empty database rebuilds exactly the same synced rows and field clocks; op_seq is gap-free.

mod common;

use palabre::{
    AttendanceRole, ItemId, ItemInput, Palabre, PersonId, PersonInput, PlanId, PlanInput,
    SessionId, SessionInput,
};
use proptest::prelude::*;

const NAMES: &[&str] = &["Aïssata Traoré", "Ɲɛnɛ Kɔnɛ", "Oumou Sangaré", "", "Cisse\u{301} Awa"];
const DATES: &[&str] = &["2024-01-15", "2024-06-30", "2024-02-30", "2024-12-31"];
const CODES: &[&str] = &["youth", "security_actors", "governance_justice", "nonsense"];
const STATUSES: &[&str] = &["planned", "held", "cancelled"];
const ITEM_STATUSES: &[&str] = &["not_started", "in_progress", "done", "blocked", "bad"];

/// One call a user (or the UI) could make. Indices pick among the rows made so far.
#[derive(Debug, Clone)]
enum Call {
    AddSession { title: usize, date: usize, group: usize },
    EditSession { s: usize, status: usize, end: usize },
    DeleteSession { s: usize },
    AddPerson { name: usize, age: Option<i32>, phone: bool },
    EditPerson { p: usize, name: usize, consent: bool },
    DeletePerson { p: usize },
    Attend { s: usize, p: usize },
    Unattend { s: usize, p: usize },
    Present { s: usize, p: usize, present: bool },
    Speaker { s: usize, p: usize },
    AddPlan { s: Option<usize> },
    AddItem { plan: usize, date: usize },
    ItemStatus { item: usize, status: usize },
    DeleteItem { item: usize },
    DeletePlan { plan: usize },
}

fn call() -> impl Strategy<Value = Call> {
    let i = || 0usize..8;
    prop_oneof![
        3 => (i(), i(), i()).prop_map(|(title, date, group)| Call::AddSession { title, date, group }),
        2 => (i(), i(), i()).prop_map(|(s, status, end)| Call::EditSession { s, status, end }),
        1 => i().prop_map(|s| Call::DeleteSession { s }),
        3 => (i(), proptest::option::of(-2i32..130), any::<bool>()).prop_map(|(name, age, phone)| Call::AddPerson { name, age, phone }),
        2 => (i(), i(), any::<bool>()).prop_map(|(p, name, consent)| Call::EditPerson { p, name, consent }),
        1 => i().prop_map(|p| Call::DeletePerson { p }),
        4 => (i(), i()).prop_map(|(s, p)| Call::Attend { s, p }),
        1 => (i(), i()).prop_map(|(s, p)| Call::Unattend { s, p }),
        1 => (i(), i(), any::<bool>()).prop_map(|(s, p, present)| Call::Present { s, p, present }),
        1 => (i(), i()).prop_map(|(s, p)| Call::Speaker { s, p }),
        1 => proptest::option::of(i()).prop_map(|s| Call::AddPlan { s }),
        2 => (i(), i()).prop_map(|(plan, date)| Call::AddItem { plan, date }),
        2 => (i(), i()).prop_map(|(item, status)| Call::ItemStatus { item, status }),
        1 => i().prop_map(|item| Call::DeleteItem { item }),
        1 => i().prop_map(|plan| Call::DeletePlan { plan }),
    ]
}

#[derive(Default)]
struct Made {
    sessions: Vec<SessionId>,
    people: Vec<PersonId>,
    plans: Vec<PlanId>,
    items: Vec<ItemId>,
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    (!v.is_empty()).then(|| v[i % v.len()])
}

/// Performs a call; refused calls (bad input, deleted rows) are part of the test too.
fn perform(app: &Palabre, made: &mut Made, call: &Call) {
    let at = |list: &[&str], i: usize| list[i % list.len()].to_string();
    match *call {
        Call::AddSession { title, date, group } => {
            let input = SessionInput {
                title: Some(format!("Session {}", at(NAMES, title))),
                start_date: Some(at(DATES, date)),
                groups: Some(vec![at(CODES, group)]),
                ..Default::default()
            };
            if let Ok(id) = app.add_session(&input) {
                made.sessions.push(id);
            }
        }
        Call::EditSession { s, status, end } => {
            if let Some(id) = pick(&made.sessions, s) {
                let input = SessionInput {
                    status: Some(at(STATUSES, status)),
                    end_date: Some(at(DATES, end)),
                    ..Default::default()
                };
                let _ = app.edit_session(id, &input);
            }
        }
        Call::DeleteSession { s } => {
            if let Some(id) = pick(&made.sessions, s) {
                let _ = app.delete_session(id);
            }
        }
        Call::AddPerson { name, age, phone } => {
            let input = PersonInput {
                full_name: Some(at(NAMES, name)),
                sex: Some("F".into()),
                age,
                phone: phone.then(|| "+223 76 12 34 56".to_string()),
                ..Default::default()
            };
            if let Ok(id) = app.add_person(&input) {
                made.people.push(id);
            }
        }
        Call::EditPerson { p, name, consent } => {
            if let Some(id) = pick(&made.people, p) {
                let input = PersonInput {
                    full_name: Some(at(NAMES, name)),
                    consent: Some(consent),
                    ..Default::default()
                };
                let _ = app.edit_person(id, &input);
            }
        }
        Call::DeletePerson { p } => {
            if let Some(id) = pick(&made.people, p) {
                let _ = app.delete_person(id);
            }
        }
        Call::Attend { s, p } => {
            if let (Some(s), Some(p)) = (pick(&made.sessions, s), pick(&made.people, p)) {
                let _ = app.attend(s, &[p]);
            }
        }
        Call::Unattend { s, p } => {
            if let (Some(s), Some(p)) = (pick(&made.sessions, s), pick(&made.people, p)) {
                let _ = app.unattend(s, &[p]);
            }
        }
        Call::Present { s, p, present } => {
            if let (Some(s), Some(p)) = (pick(&made.sessions, s), pick(&made.people, p)) {
                let _ = app.set_present(s, p, present);
            }
        }
        Call::Speaker { s, p } => {
            if let (Some(s), Some(p)) = (pick(&made.sessions, s), pick(&made.people, p)) {
                let _ = app.set_attendance_role(s, p, AttendanceRole::Speaker);
            }
        }
        Call::AddPlan { s } => {
            let session = s.and_then(|s| pick(&made.sessions, s)).map(|s| s.to_string());
            let input = PlanInput {
                title: Some("Plan".into()),
                owner: Some("Benkadi".into()),
                session_id: session,
                ..Default::default()
            };
            if let Ok(id) = app.add_plan(&input) {
                made.plans.push(id);
            }
        }
        Call::AddItem { plan, date } => {
            if let Some(plan) = pick(&made.plans, plan) {
                let input = ItemInput {
                    description: Some("Plaidoyer".into()),
                    due_date: Some(at(DATES, date)),
                    ..Default::default()
                };
                if let Ok(id) = app.add_item(plan, &input) {
                    made.items.push(id);
                }
            }
        }
        Call::ItemStatus { item, status } => {
            if let Some(id) = pick(&made.items, item) {
                let _ = app.set_item_status(id, &at(ITEM_STATUSES, status));
            }
        }
        Call::DeleteItem { item } => {
            if let Some(id) = pick(&made.items, item) {
                let _ = app.delete_item(id);
            }
        }
        Call::DeletePlan { plan } => {
            if let Some(id) = pick(&made.plans, plan) {
                let _ = app.delete_plan(id);
            }
        }
    }
}

/// 1,000 cases in CI; `PROPTEST_CASES=N` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn replaying_the_oplog_rebuilds_the_synced_tables(calls in proptest::collection::vec(call(), 0..40)) {
        let app = common::app();
        let mut made = Made::default();
        for call in &calls {
            perform(&app, &mut made, call);
        }
        let ops = app.ops().unwrap();
        // Gap-free op_seq for the one device.
        for (i, op) in ops.iter().enumerate() {
            prop_assert_eq!(op.op_seq, i as i64 + 1);
        }
        // HLC strictly increases with op_seq on one device.
        prop_assert!(ops.windows(2).all(|w| w[0].hlc < w[1].hlc));
        let rebuilt = Palabre::open_in_memory().unwrap();
        rebuilt.merge_ops(&ops).unwrap();
        prop_assert_eq!(rebuilt.synced_snapshot().unwrap(), app.synced_snapshot().unwrap());
        // Search is derived from the same ops, so it agrees too.
        for query in ["aissata", "nene", "cisse"] {
            let ids = |a: &Palabre| a.find_people(query, 50).unwrap().into_iter().map(|p| p.id).collect::<Vec<_>>();
            prop_assert_eq!(ids(&rebuilt), ids(&app));
        }
    }
}

#[test]
fn replay_in_reverse_order_gives_the_same_state() {
    let app = common::app();
    let s = common::session(&app, "Dialogue", "2024-03-01");
    let p = common::person(&app, "Aïssata Traoré");
    app.attend(s, &[p]).unwrap();
    app.edit_person(
        p,
        &PersonInput { full_name: Some("Aïssata Traoré Diallo".into()), ..Default::default() },
    )
    .unwrap();
    app.unattend(s, &[p]).unwrap();
    let mut ops = app.ops().unwrap();
    ops.reverse();
    let rebuilt = Palabre::open_in_memory().unwrap();
    rebuilt.merge_ops(&ops).unwrap();
    assert_eq!(rebuilt.synced_snapshot().unwrap(), app.synced_snapshot().unwrap());
    // Merging the same ops again is a no-op.
    assert_eq!(rebuilt.merge_ops(&ops).unwrap(), 0);
    assert_eq!(rebuilt.synced_snapshot().unwrap(), app.synced_snapshot().unwrap());
}

#[test]
fn an_unchanged_field_writes_no_op() {
    let app = common::app();
    let p = common::person(&app, "Oumou Sangaré");
    let before = app.ops().unwrap().len();
    app.edit_person(
        p,
        &PersonInput { full_name: Some("Oumou Sangaré".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(app.ops().unwrap().len(), before);
    app.edit_person(
        p,
        &PersonInput { full_name: Some("Oumou Sangaré Diarra".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(app.ops().unwrap().len(), before + 1);
}

#[test]
fn local_writes_win_over_merged_ops_with_an_older_clock() {
    // Another device's op from the past must not overwrite a newer local edit, and a later local
    // write must beat a merged op even if the local wall clock is behind it.
    let a = common::app();
    let b = common::app();
    let p = common::person(&a, "Awa Diarra");
    b.merge_ops(&a.ops().unwrap()).unwrap();
    b.edit_person(
        p,
        &PersonInput { full_name: Some("Awa Diarra (B)".into()), ..Default::default() },
    )
    .unwrap();
    a.merge_ops(&b.ops().unwrap()).unwrap();
    assert_eq!(a.person(p).unwrap().full_name, "Awa Diarra (B)");
    a.edit_person(
        p,
        &PersonInput { full_name: Some("Awa Diarra (A)".into()), ..Default::default() },
    )
    .unwrap();
    b.merge_ops(&a.ops().unwrap()).unwrap();
    assert_eq!(b.person(p).unwrap().full_name, "Awa Diarra (A)");
    assert_eq!(a.synced_snapshot().unwrap(), b.synced_snapshot().unwrap());
}
