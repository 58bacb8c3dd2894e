//! Convergence of the merge, as properties over random histories of five laptops. The reference
//! is a plain in-memory model: for each field, the op with the highest (hlc, device) wins; a
//! conflict is a losing op from another device, with another value, that the winner had not seen.
//! SQLite must agree with it, whatever the delivery order, duplication or split.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use palabre::exchange::import::ImportOutcome;
use palabre::{Op, Palabre, PersonId, PersonInput, SessionId, SessionInput};
use proptest::prelude::*;
use serde_json::Value;

const DEVICES: usize = 5;
const NAMES: &[&str] = &["Aïssata Traoré", "Awa Diarra", "Ɲɛnɛ Kɔnɛ", "Oumou Sangaré"];
const PLACES: &[&str] = &["Sévaré", "Socoura", "Pelengana", ""];

#[derive(Debug, Clone)]
enum Step {
    /// Device `d` renames a shared person.
    Rename { d: usize, who: usize, name: usize },
    /// Device `d` changes a shared person's community.
    Move { d: usize, who: usize, place: usize },
    /// Device `d` registers someone new.
    Register { d: usize, name: usize },
    /// Device `d` records attendance of a person (shared, or registered during the history) at
    /// the shared session.
    Attend { d: usize, who: usize },
    /// Device `d` marks a shared person absent from the shared session.
    Absent { d: usize, who: usize },
    /// Device `d` takes a shared person off the shared session's list.
    Unattend { d: usize, who: usize },
    /// Device `d` removes a shared person.
    Delete { d: usize, who: usize },
    /// Device `d` erases a shared person at their request.
    Erase { d: usize, who: usize },
    /// Device `d` exports a bundle (kept for delivery).
    Export { d: usize },
    /// Device `to` imports the latest bundle of device `from` (so later edits have seen it).
    Receive { from: usize, to: usize },
}

fn step() -> impl Strategy<Value = Step> {
    let d = || 0..DEVICES;
    prop_oneof![
        3 => (d(), 0..3usize, 0..NAMES.len()).prop_map(|(d, who, name)| Step::Rename { d, who, name }),
        3 => (d(), 0..3usize, 0..PLACES.len()).prop_map(|(d, who, place)| Step::Move { d, who, place }),
        1 => (d(), 0..NAMES.len()).prop_map(|(d, name)| Step::Register { d, name }),
        2 => (d(), 0..5usize).prop_map(|(d, who)| Step::Attend { d, who }),
        1 => (d(), 0..5usize).prop_map(|(d, who)| Step::Absent { d, who }),
        1 => (d(), 0..5usize).prop_map(|(d, who)| Step::Unattend { d, who }),
        1 => (d(), 0..3usize).prop_map(|(d, who)| Step::Delete { d, who }),
        1 => (d(), 0..3usize).prop_map(|(d, who)| Step::Erase { d, who }),
        2 => d().prop_map(|d| Step::Export { d }),
        2 => (d(), d()).prop_map(|(from, to)| Step::Receive { from, to }),
    ]
}

struct World {
    devices: Vec<Palabre>,
    /// Bundles made, in the order they were made.
    bundles: Vec<Vec<u8>>,
    latest: Vec<Option<Vec<u8>>>,
    people: Vec<PersonId>,
    session: SessionId,
}

fn laptop(name: &str) -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init(name).unwrap();
    app
}

/// Imports `bytes` into `db`, which must trust its author already.
fn apply(db: &Palabre, bytes: &[u8]) {
    let outcome = db.import_bundle_bytes(bytes).unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Applied { .. } | ImportOutcome::AlreadyImported { .. }),
        "{outcome}"
    );
}

/// A database that knows and trusts every device (each sent an empty hello bundle first).
fn receiver(name: &str, hellos: &[Vec<u8>]) -> Palabre {
    let db = laptop(name);
    for hello in hellos {
        if let ImportOutcome::Quarantined { fingerprint, .. } =
            db.import_bundle_bytes(hello).unwrap()
        {
            db.trust_device(&fingerprint).unwrap();
        }
    }
    db
}

fn world(steps: &[Step]) -> (World, Vec<Vec<u8>>) {
    let names: Vec<String> = (0..DEVICES).map(|i| format!("Laptop-{i}")).collect();
    let devices: Vec<Palabre> = names.iter().map(|n| laptop(n)).collect();
    let hellos: Vec<Vec<u8>> = devices.iter().map(|d| d.export_bundle_bytes().unwrap().1).collect();
    for (i, device) in devices.iter().enumerate() {
        for (j, hello) in hellos.iter().enumerate() {
            if i != j
                && let ImportOutcome::Quarantined { fingerprint, .. } =
                    device.import_bundle_bytes(hello).unwrap()
            {
                device.trust_device(&fingerprint).unwrap();
            }
        }
    }
    // Laptop 0 registers the shared rows; everyone receives them before the random history.
    let people: Vec<PersonId> = (0..3).map(|i| common::person(&devices[0], NAMES[i])).collect();
    let session = devices[0]
        .add_session(&SessionInput {
            title: Some("Dialogue".into()),
            start_date: Some("2024-03-14".into()),
            ..Default::default()
        })
        .unwrap();
    let shared = devices[0].export_bundle_bytes().unwrap().1;
    for device in &devices[1..] {
        apply(device, &shared);
    }
    let mut w =
        World { devices, bundles: vec![shared], latest: vec![None; DEVICES], people, session };
    for step in steps {
        perform(&mut w, step);
    }
    for d in 0..DEVICES {
        perform(&mut w, &Step::Export { d });
    }
    (w, hellos)
}

fn perform(w: &mut World, step: &Step) {
    match *step {
        Step::Rename { d, who, name } => {
            let input = PersonInput { full_name: Some(NAMES[name].into()), ..Default::default() };
            let _ = w.devices[d].edit_person(w.people[who % w.people.len()], &input);
        }
        Step::Move { d, who, place } => {
            let input = PersonInput { community: Some(PLACES[place].into()), ..Default::default() };
            let _ = w.devices[d].edit_person(w.people[who % w.people.len()], &input);
        }
        Step::Register { d, name } => {
            // Others may record her attendance once they have received her.
            let id = common::person(&w.devices[d], NAMES[name]);
            w.people.push(id);
        }
        Step::Attend { d, who } => {
            let _ = w.devices[d].attend(w.session, &[w.people[who % w.people.len()]]);
        }
        Step::Absent { d, who } => {
            let _ = w.devices[d].set_present(w.session, w.people[who % w.people.len()], false);
        }
        Step::Unattend { d, who } => {
            let _ = w.devices[d].unattend(w.session, &[w.people[who % w.people.len()]]);
        }
        Step::Delete { d, who } => {
            let _ = w.devices[d].delete_person(w.people[who % w.people.len()]);
        }
        Step::Erase { d, who } => {
            let _ = w.devices[d].erase_person(w.people[who % w.people.len()]);
        }
        Step::Export { d } => {
            let bytes = w.devices[d].export_bundle_bytes().unwrap().1;
            w.latest[d] = Some(bytes.clone());
            w.bundles.push(bytes);
        }
        Step::Receive { from, to } => {
            if from != to
                && let Some(bytes) = w.latest[from].clone()
            {
                apply(&w.devices[to], &bytes);
            }
        }
    }
}

/// All ops of the world, deduplicated.
fn all_ops(w: &World) -> Vec<Op> {
    let mut ops: BTreeMap<(String, i64), Op> = BTreeMap::new();
    for device in &w.devices {
        for op in device.ops().unwrap() {
            ops.insert((op.device_id.to_string(), op.op_seq), op);
        }
    }
    ops.into_values().collect()
}

/// Whether the op writes a personal field of a row that some op erases.
fn blanked(op: &Op, erased: &BTreeSet<String>) -> bool {
    erased.contains(&op.row_id.to_string())
        && op.entity.field(&op.field).is_some_and(|f| f.personal)
}

/// The rows some op erases.
fn erased_rows(ops: &[Op]) -> BTreeSet<String> {
    ops.iter().filter(|op| op.field == "erased").map(|op| op.row_id.to_string()).collect()
}

/// The reference model: winning value of every field; an erased row's personal fields are
/// blank whoever won them.
fn expected_fields(ops: &[Op]) -> BTreeMap<(String, String, String), Value> {
    let erased = erased_rows(ops);
    let mut winners: BTreeMap<(String, String, String), &Op> = BTreeMap::new();
    for op in ops {
        let key = (op.entity.table().to_string(), op.row_id.to_string(), op.field.clone());
        let better =
            winners.get(&key).is_none_or(|w| (op.hlc, op.device_id) > (w.hlc, w.device_id));
        if better {
            winners.insert(key, op);
        }
    }
    winners
        .into_iter()
        .map(|(k, op)| (k, if blanked(op, &erased) { Value::Null } else { op.value.clone() }))
        .collect()
}

/// The reference model of conflicts: for each field, the latest op of every other device that
/// wrote it, if the winner had not seen it and it holds another value.
/// Returns (entity, row, field, losing device, losing hlc).
/// No conflict is kept about an erased row's personal fields (there is nothing left to choose).
fn expected_conflicts(ops: &[Op]) -> BTreeSet<(String, String, String, String, i64)> {
    let erased = erased_rows(ops);
    let mut by_field: BTreeMap<(String, String, String), Vec<&Op>> = BTreeMap::new();
    for op in ops.iter().filter(|op| !blanked(op, &erased)) {
        by_field
            .entry((op.entity.as_str().to_string(), op.row_id.to_string(), op.field.clone()))
            .or_default()
            .push(op);
    }
    let mut out = BTreeSet::new();
    for ((entity, row, field), list) in by_field {
        let winner = list.iter().max_by_key(|o| (o.hlc, o.device_id)).unwrap();
        let mut latest: BTreeMap<String, &Op> = BTreeMap::new();
        for op in &list {
            let entry = latest.entry(op.device_id.to_string()).or_insert(op);
            if op.hlc > entry.hlc {
                *entry = op;
            }
        }
        for (device, op) in latest {
            let unseen = winner.prev().is_none_or(|prev| op.stamp() > prev);
            if op.device_id != winner.device_id && op.value != winner.value && unseen {
                out.insert((entity.clone(), row.clone(), field.clone(), device, op.hlc.0));
            }
        }
    }
    out
}

fn conflicts_of(db: &Palabre) -> BTreeSet<(String, String, String, String, i64)> {
    db.conflicts()
        .unwrap()
        .into_iter()
        .flat_map(|c| {
            c.others.into_iter().map(move |o| {
                (
                    c.entity.as_str().to_string(),
                    c.row_id.to_string(),
                    c.field.clone(),
                    o.device_id,
                    o.hlc.0,
                )
            })
        })
        .collect()
}

/// The synced tables of a database in the model's terms: every field that has an owner.
fn fields_of(db: &Palabre) -> BTreeMap<(String, String, String), Value> {
    let snapshot = db.synced_snapshot().unwrap();
    let mut out = BTreeMap::new();
    for entity in palabre::journal::schema::Entity::ALL {
        for row in snapshot[entity.table()].as_array().unwrap() {
            let id = row["id"].as_str().unwrap().to_string();
            let bytes: Vec<u8> = row["clocks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_u64().unwrap() as u8)
                .collect();
            let clock =
                palabre::journal::clock::RowClock::decode(Some(&bytes), entity.fields().len());
            for (owner, spec) in clock.0.iter().zip(entity.fields()) {
                if owner.is_some() {
                    out.insert(
                        (entity.table().to_string(), id.clone(), spec.name.to_string()),
                        row[spec.name].clone(),
                    );
                }
            }
        }
    }
    out
}

/// An op value as its column stores it (booleans as 0/1, lists and maps as JSON text).
fn stored(value: &Value) -> Value {
    match value {
        Value::Bool(b) => Value::from(i64::from(*b)),
        Value::Array(_) | Value::Object(_) => Value::from(value.to_string()),
        other => other.clone(),
    }
}

/// Each session's counted people, from the lists the merge keeps or computed afresh.
fn reach_lists(db: &Palabre, cached: bool) -> Vec<(i64, Vec<i64>)> {
    db.store().read(|c| palabre::report::reach::lists(c, cached)).unwrap()
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn hq_converges_whatever_the_delivery(
        steps in proptest::collection::vec(step(), 0..14),
        order in any::<proptest::sample::Index>(),
        duplicate in any::<proptest::sample::Index>(),
        split in any::<proptest::sample::Index>(),
    ) {
        let (w, hellos) = world(&steps);
        let ops = all_ops(&w);
        let expected = expected_fields(&ops);
        let expected_conflicts = expected_conflicts(&ops);

        // HQ 1: bundles in the order they were made.
        let hq1 = receiver("HQ-1", &hellos);
        for b in &w.bundles {
            apply(&hq1, b);
        }
        // HQ 2: another order, with one bundle delivered twice.
        let hq2 = receiver("HQ-2", &hellos);
        let mut shuffled = w.bundles.clone();
        let n = shuffled.len();
        shuffled.rotate_left(order.index(n));
        shuffled.swap(0, split.index(n));
        shuffled.push(w.bundles[duplicate.index(n)].clone());
        for b in &shuffled {
            apply(&hq2, b);
        }
        // HQ 3: a subset first, then everything.
        let hq3 = receiver("HQ-3", &hellos);
        for b in shuffled.iter().take(split.index(n)) {
            apply(&hq3, b);
        }
        for b in w.bundles.iter().rev() {
            apply(&hq3, b);
        }

        let model: BTreeMap<_, _> = expected.iter().map(|(k, v)| (k.clone(), stored(v))).collect();
        prop_assert_eq!(&fields_of(&hq1), &model);
        let snapshot = hq1.synced_snapshot().unwrap();
        prop_assert_eq!(&hq2.synced_snapshot().unwrap(), &snapshot);
        prop_assert_eq!(&hq3.synced_snapshot().unwrap(), &snapshot);
        prop_assert_eq!(conflicts_of(&hq1), expected_conflicts.clone());
        prop_assert_eq!(conflicts_of(&hq2), expected_conflicts.clone());
        prop_assert_eq!(conflicts_of(&hq3), expected_conflicts);
        // Search, derived from the same ops, agrees too.
        let found = |db: &Palabre| db.find_people("a", 100).unwrap().into_iter().map(|p| p.id).collect::<Vec<_>>();
        prop_assert_eq!(found(&hq2), found(&hq1));
        // The report's per-session lists (derived by the merge) equal a count made afresh from
        // the attendance table, on every copy, and so do the reports.
        for db in [&hq1, &hq2, &hq3].into_iter().chain(&w.devices) {
            prop_assert_eq!(reach_lists(db, true), reach_lists(db, false));
        }
        let people = |db: &Palabre| {
            let r = db.report(Default::default(), palabre::i18n::Lang::Fr).unwrap();
            (r.people.total, r.attendances)
        };
        prop_assert_eq!(people(&hq2), people(&hq1));
        prop_assert_eq!(people(&hq3), people(&hq1));
    }
}
