//! Shared by the benchmarks: registering many people the way an HQ import does, through the
//! merge of ops, so that the tables and the search index are the real ones.
#![allow(dead_code)]

use palabre::journal::hlc::Hlc;
use palabre::journal::schema::Entity;
use palabre::{DeviceId, Op, Palabre};
use rusqlite::params;
use serde_json::{Value, json};
use uuid::Uuid;

/// A size from the environment (PEOPLE=…, OPS=…), or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The median of timings (sorts them).
pub fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Appends the ops that register one person with these fields; returns the person's row id.
pub fn register(ops: &mut Vec<Op>, device: DeviceId, fields: Vec<(&str, Value)>) -> Uuid {
    let row = Uuid::now_v7();
    for (field, value) in fields {
        let seq = ops.len() as i64 + 1;
        ops.push(Op {
            device_id: device,
            op_seq: seq,
            hlc: Hlc::new(1_700_000_000_000 + seq, 0),
            entity: Entity::Person,
            row_id: row,
            field: field.into(),
            value,
            prev_hlc: None,
            prev_device: None,
        });
    }
    row
}

/// A fresh in-memory database and its device.
pub fn database() -> (Palabre, DeviceId) {
    let app = Palabre::open_in_memory().unwrap();
    let me = app.init("Bench").unwrap();
    (app, me.device_id)
}

/// Fills the tables the report reads with plain SQL (generating them as ops through the API
/// would take minutes; the report reads the same tables either way): `people` people,
/// `sessions` sessions of 2024 (one in ten planned, the rest held) and `attendances`
/// attendances spread over them.
pub fn fill_report_tables(app: &Palabre, people: usize, sessions: usize, attendances: usize) {
    const GROUPS: [&str; 5] = [
        "womens_groups",
        "youth",
        "security_actors",
        "governance_justice",
        "municipal_authorities",
    ];
    const REGIONS: [&str; 5] = ["Ségou", "Mopti", "Tombouctou", "Gao", "Koulikoro"];
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
            // With the parents' local keys, as the merge derives them. The indexes are dropped
            // and made again after (the same definitions): ten million random inserts into
            // three indexes take many minutes, one sort each takes seconds.
            let indexes: Vec<String> = tx
                .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'attendance' AND sql IS NOT NULL")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            tx.execute_batch(
                "DROP INDEX attendance_by_session; DROP INDEX attendance_by_person; DROP INDEX attendance_counted;",
            )?;
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO attendance (id, session_id, person_id, present, role, deleted, session_num, person_num)
                 VALUES (?1, ?2, ?3, 1, 'participant', 0, ?4, ?5)",
            )?;
            for i in 0..attendances {
                let (person, person_num) = &person_ids[i % people];
                let (session, session_num) = &session_ids[(i * 7 + i / people) % sessions];
                insert.execute(params![Uuid::now_v7().to_string(), session, person, session_num, person_num])?;
            }
            drop(insert);
            assert_eq!(indexes.len(), 3, "the attendance indexes are the three dropped");
            for sql in &indexes {
                tx.execute_batch(sql)?;
            }
            // The report's per-session lists, which the merge keeps when rows come as ops.
            palabre::report::reach::rebuild(tx)?;
            Ok(())
        })
        .unwrap();
}

/// Ops a laptop would write registering people: 14 fields each.
pub fn person_ops(device: DeviceId, count: usize, start_ms: i64) -> Vec<Op> {
    let mut ops = Vec::with_capacity(count);
    let mut seq = 0;
    while ops.len() < count {
        let row = Uuid::now_v7();
        let fields: [(&str, serde_json::Value); 14] = [
            ("full_name", json!(format!("Aïssata Traoré {seq}"))),
            ("sex", json!("F")),
            ("birth_year", json!(1990 + (seq % 30) as i64)),
            ("birth_year_estimated", json!(false)),
            ("role", json!("Membre de groupement")),
            ("stakeholder_group", json!("womens_groups")),
            ("community", json!("Pelengana")),
            ("phone", json!("+223 76 12 34 56")),
            ("disability", json!(null)),
            ("consent", json!(true)),
            ("consent_date", json!("2024-03-14")),
            ("notes", json!("")),
            ("registered_on", json!("2024-03-14")),
            ("deleted", json!(false)),
        ];
        for (field, value) in fields {
            if ops.len() == count {
                break;
            }
            seq += 1;
            ops.push(Op {
                device_id: device,
                op_seq: seq as i64,
                hlc: Hlc::new(start_ms + seq as i64, 0),
                entity: Entity::Person,
                row_id: row,
                field: field.to_string(),
                value,
                prev_hlc: None,
                prev_device: None,
            });
        }
    }
    ops
}

/// `devices` laptops, each with `per_device` ops registering people: their first (hello)
/// bundles, to trust them, and their signed bundles of those ops.
pub fn signed_bundles(devices: usize, per_device: usize) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Op>) {
    use palabre::exchange::bundle::{self, Manifest};
    let mut hellos = Vec::new();
    let mut bundles = Vec::new();
    let mut all_ops = Vec::new();
    for d in 0..devices {
        let laptop = Palabre::open_in_memory().unwrap();
        let me = laptop.init(&format!("Laptop-{d:03}")).unwrap();
        hellos.push(laptop.export_bundle_bytes().unwrap().1);
        let ops = person_ops(me.device_id, per_device, 1_700_000_000_000 + d as i64);
        let manifest = Manifest::for_ops(&me, &ops, 2, None, "2024-03-14T00:00:00Z".into());
        bundles.push(bundle::write(&laptop.signing_key().unwrap(), manifest, &ops).0);
        all_ops.extend(ops);
    }
    (hellos, bundles, all_ops)
}

/// Imports the hello bundles (trusting each laptop), then times the import of `bundles`.
pub fn import_all(hq: &Palabre, hellos: &[Vec<u8>], bundles: &[Vec<u8>]) -> f64 {
    use palabre::ImportOutcome;
    for hello in hellos {
        if let ImportOutcome::Quarantined { fingerprint, .. } =
            hq.import_bundle_bytes(hello).unwrap()
        {
            hq.trust_device(&fingerprint).unwrap();
        }
    }
    let started = std::time::Instant::now();
    for outcome in hq.import_bundles(bundles).unwrap() {
        assert!(matches!(outcome, ImportOutcome::Applied { .. }), "{outcome}");
    }
    started.elapsed().as_secs_f64()
}

pub const FIRST: &[&str] = &[
    "Aïssata",
    "Fatoumata",
    "Mariam",
    "Oumou",
    "Kadiatou",
    "Aminata",
    "Hawa",
    "Djénéba",
    "Ɲɛnɛ",
    "Bintou",
];
pub const LAST: &[&str] = &[
    "Traoré",
    "Diarra",
    "Coulibaly",
    "Keïta",
    "Cissé",
    "Touré",
    "Konaté",
    "Sangaré",
    "Diallo",
    "Maïga",
];
pub const PLACES: &[&str] =
    &["Pelengana", "Sébougou", "Socoura", "Sévaré", "Kati", "Gao", "Djenné", "Niono"];

/// The ops registering `people` people with varied names and communities (ten first names, ten
/// surnames, eight places), as the search benchmark types them.
pub fn varied_people(device: DeviceId, people: usize) -> Vec<Op> {
    let mut ops = Vec::with_capacity(people * 3);
    for i in 0..people {
        let name = format!("{} {} {}", FIRST[i % FIRST.len()], LAST[(i / 10) % LAST.len()], i);
        register(
            &mut ops,
            device,
            vec![
                ("full_name", json!(name)),
                ("community", json!(PLACES[i % PLACES.len()])),
                ("deleted", json!(false)),
            ],
        );
    }
    ops
}

/// What a facilitator types in the search box.
pub const QUERIES: [&str; 10] = [
    "aissata",
    "nene",
    "cisse",
    "ke",
    "fatou trao",
    "mariam kei",
    "pelengana",
    "a",
    "oumou sangare 12",
    "djeneba",
];
