//! The way down from HQ (issue 19): registry bundles scoped by place and group (nobody outside
//! the scope reaches the laptop; later ones merge and erase what HQ merged and erased), lost
//! laptops whose later bundles are held, restore bundles for the laptop that replaces one, a
//! laptop whose clock is wrong, and every refusal of a file from HQ with nothing changed.

mod common;
use common::PASSPHRASE;

use std::path::{Path, PathBuf};
use std::time::Instant;

use palabre::exchange::downlink::{self, Kind};
use palabre::exchange::import::ImportOutcome;
use palabre::{Palabre, PersonId, PersonInput, Scope, SessionId, SessionInput};

struct World {
    _dir: tempfile::TempDir,
    root: PathBuf,
    hq: Palabre,
    enrollment: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let hq = common::open_hq(root.join("hq.db"));
    hq.init("HQ Bamako").unwrap();
    let keys = hq.hq_init(&root.join("hq-keys"), Some("Dialogues Mali")).unwrap();
    World { _dir: dir, root, hq, enrollment: keys.enrollment }
}

impl World {
    /// A laptop set up, enrolled, its first bundle imported and trusted at HQ.
    fn laptop(&self, name: &str) -> Palabre {
        let db = self.root.join(format!("{name}.db"));
        let laptop = Palabre::open(&db, PASSPHRASE).unwrap();
        laptop.init(name).unwrap();
        laptop.enroll_file(&self.enrollment).unwrap();
        self.send(&laptop);
        laptop
    }

    /// Exports the laptop's bundle and imports it at HQ (trusting the laptop on first sight).
    fn send(&self, laptop: &Palabre) -> ImportOutcome {
        let out = self.root.join("usb");
        std::fs::create_dir_all(&out).unwrap();
        let exported = laptop.export_bundle(&out).unwrap();
        let outcome = self.hq.import_bundle_file(exported.path.as_deref().unwrap()).unwrap();
        match outcome {
            ImportOutcome::Quarantined { fingerprint, .. } => {
                self.hq.trust_device(&fingerprint).unwrap().merged.remove(0)
            }
            other => other,
        }
    }

    fn out(&self) -> PathBuf {
        let out = self.root.join("down");
        std::fs::create_dir_all(&out).unwrap();
        out
    }
}

fn fingerprint(app: &Palabre) -> String {
    app.device().unwrap().fingerprint
}

fn place_session(app: &Palabre, title: &str, region: &str, commune: &str) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some("2024-03-14".into()),
        status: Some("held".into()),
        groups: Some(vec!["womens_groups".into()]),
        region: Some(region.into()),
        commune: Some(commune.into()),
        ..Default::default()
    })
    .unwrap()
}

fn attendee(app: &Palabre, session: SessionId, name: &str, group: &str, notes: &str) -> PersonId {
    let id = app
        .add_person(&PersonInput {
            full_name: Some(name.into()),
            sex: Some("F".into()),
            birth_year: Some(1990),
            group: Some(group.into()),
            phone: Some("+223 76 00 00 01".into()),
            notes: Some(notes.into()),
            ..Default::default()
        })
        .unwrap();
    app.attend(session, &[id]).unwrap();
    id
}

fn scope(regions: &[&str], groups: &[&str]) -> Scope {
    Scope {
        regions: regions.iter().map(|s| s.to_string()).collect(),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn import(app: &Palabre, path: &Path) -> ImportOutcome {
    app.import_bundle_file(path).unwrap()
}

fn code(outcome: ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Rejected { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn names(app: &Palabre, query: &str) -> Vec<String> {
    app.search_people(query, 50).unwrap().people.into_iter().map(|p| p.full_name).collect()
}

fn db_bytes(app: &Palabre) -> Vec<u8> {
    let db = app.path().unwrap().to_path_buf();
    app.store().checkpoint().unwrap();
    common::decrypted(&db, &db)
}

/// Two facilitators' laptops in two regions, their data at HQ, and a third laptop for Ségou.
struct Field {
    w: World,
    segou: Palabre,
    mopti: Palabre,
    newcomer: Palabre,
    aminata: PersonId,
    fanta: PersonId,
    youth: PersonId,
    open_plan: palabre::PlanId,
}

fn field() -> Field {
    let w = world();
    let segou = w.laptop("Ségou-01");
    let mopti = w.laptop("Mopti-02");
    let s1 = place_session(&segou, "Dialogue femmes et autorités", "Ségou", "Markala");
    let aminata = attendee(&segou, s1, "Aminata Coulibaly", "womens_groups", "Note privée Aminata");
    let fanta = attendee(&segou, s1, "Fanta Diarra", "womens_groups", "");
    let youth = attendee(&segou, s1, "Moussa Keïta", "youth", "");
    // Registered in Ségou but at no session there: not in any area.
    segou
        .add_person(&PersonInput {
            full_name: Some("Salimata Nowhere".into()),
            sex: Some("F".into()),
            ..Default::default()
        })
        .unwrap();
    let open_plan = segou
        .add_plan(&palabre::PlanInput {
            title: Some("Puits de Markala".into()),
            owner: Some("Comité des femmes".into()),
            session_id: Some(s1.to_string()),
            ..Default::default()
        })
        .unwrap();
    segou
        .add_item(
            open_plan,
            &palabre::ItemInput {
                description: Some("Réunir le conseil communal".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let s2 = place_session(&mopti, "Dialogue jeunes", "Mopti", "Sévaré");
    attendee(&mopti, s2, "Hawa Mopti-Seulement", "womens_groups", "");
    w.send(&segou);
    w.send(&mopti);
    let newcomer = w.laptop("Ségou-03");
    Field { w, segou, mopti, newcomer, aminata, fanta, youth, open_plan }
}

#[test]
fn a_registry_brings_the_people_of_its_area_and_nobody_else() {
    let f = field();
    let written =
        f.w.hq
            .hq_registry(&fingerprint(&f.newcomer), &scope(&[" ségou "], &[]), &f.w.out())
            .unwrap();
    assert_eq!(written.kind, Kind::Registry);
    assert_eq!(written.counts.people, 3, "the three who attended in Ségou");
    assert_eq!(written.counts.plans, 1);
    let bytes = std::fs::read(&written.path).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains("Coulibaly"),
        "sealed: the stick shows no names"
    );

    let outcome = import(&f.newcomer, &written.path);
    assert!(
        matches!(outcome, ImportOutcome::FromHq { kind: Kind::Registry, people: 3, .. }),
        "{outcome:?}"
    );
    assert_eq!(names(&f.newcomer, "aminata"), ["Aminata Coulibaly"]);
    assert_eq!(names(&f.newcomer, "moussa"), ["Moussa Keïta"]);
    assert!(names(&f.newcomer, "hawa").is_empty(), "Mopti's people stay off a Ségou laptop");
    assert!(names(&f.newcomer, "salimata").is_empty(), "nobody outside a session of the area");
    let person = f.newcomer.person(f.aminata).unwrap();
    assert_eq!(person.phone, "+223 76 00 00 01");
    assert_eq!(person.notes, "", "notes stay at HQ");
    let plan = f.newcomer.plan(f.open_plan).unwrap();
    assert_eq!(plan.items.len(), 1, "the open plan and its item");
    // Not one byte of the others anywhere in the laptop's database.
    let raw = db_bytes(&f.newcomer);
    for absent in ["Mopti-Seulement", "Salimata", "Note privée"] {
        assert!(!raw.windows(absent.len()).any(|w| w == absent.as_bytes()), "{absent} leaked");
    }
    drop(f.mopti);
}

#[test]
fn a_group_scope_narrows_the_people() {
    let f = field();
    let written =
        f.w.hq
            .hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &["youth"]), &f.w.out())
            .unwrap();
    assert_eq!(written.counts.people, 1);
    import(&f.newcomer, &written.path);
    assert_eq!(names(&f.newcomer, "moussa"), ["Moussa Keïta"]);
    assert!(names(&f.newcomer, "aminata").is_empty());
    let unknown = f.w.hq.hq_registry(
        &fingerprint(&f.newcomer),
        &scope(&["Ségou"], &["soldiers"]),
        &f.w.out(),
    );
    assert_eq!(unknown.unwrap_err().code(), "invalid_group");
    let nowhere = f.w.hq.hq_registry(&fingerprint(&f.newcomer), &Scope::default(), &f.w.out());
    assert_eq!(nowhere.unwrap_err().code(), "needs_scope", "a registry must name a place");
}

#[test]
fn attendance_of_a_registry_person_counts_once_at_hq() {
    let f = field();
    let before = f.w.hq.report(palabre::Period::default(), palabre::Lang::En).unwrap();
    let written =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &f.w.out()).unwrap();
    import(&f.newcomer, &written.path);
    let s = place_session(&f.newcomer, "Suivi à Markala", "Ségou", "Markala");
    let found = f.newcomer.search_people("Fanta Diarra", 5).unwrap().people;
    assert_eq!(found.len(), 1);
    f.newcomer.attend(s, &[found[0].id]).unwrap();
    assert_eq!(found[0].id, f.fanta, "the same person, not a new record");
    assert!(matches!(f.w.send(&f.newcomer), ImportOutcome::Applied { .. }));
    let after = f.w.hq.report(palabre::Period::default(), palabre::Lang::En).unwrap();
    assert_eq!(after.people.total, before.people.total, "Fanta is counted once");
    assert_eq!(f.w.hq.person_sessions(f.fanta).unwrap().len(), 2);
}

#[test]
fn a_later_registry_merges_and_erases_what_hq_did() {
    let f = field();
    let out = f.w.out();
    let first =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &out).unwrap();
    import(&f.newcomer, &first.path);
    // At HQ: Fanta and Aminata turn out to be one person; Moussa asks to be forgotten.
    f.w.hq.merge_people(f.aminata, f.fanta, &[]).unwrap();
    f.w.hq.erase_person(f.youth).unwrap();
    let second =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &out).unwrap();
    assert!(second.serial > first.serial);
    assert!(matches!(import(&f.newcomer, &second.path), ImportOutcome::FromHq { .. }));
    assert!(names(&f.newcomer, "moussa").is_empty(), "erased at HQ, erased here");
    let raw = db_bytes(&f.newcomer);
    assert!(
        !raw.windows("Moussa Keïta".len()).any(|w| w == "Moussa Keïta".as_bytes()),
        "no trace of her name"
    );
    assert_eq!(
        names(&f.newcomer, "fanta"),
        Vec::<String>::new(),
        "Fanta is an alias of Aminata now"
    );
    assert_eq!(names(&f.newcomer, "aminata"), ["Aminata Coulibaly"]);
    // And the older file, brought again, is refused with nothing changed.
    let state = common::state(&f.newcomer);
    assert_eq!(code(import(&f.newcomer, &first.path)), "registry_replayed");
    assert_eq!(code(import(&f.newcomer, &second.path)), "registry_replayed");
    assert_eq!(common::state(&f.newcomer), state);
}

#[test]
fn files_from_hq_are_refused_when_they_are_not_for_this_laptop_or_not_hqs() {
    let f = field();
    let out = f.w.out();
    let for_segou =
        f.w.hq.hq_registry(&fingerprint(&f.segou), &scope(&["Ségou"], &[]), &out).unwrap();
    let state = common::state(&f.newcomer);
    // Sealed to another laptop: it cannot even be opened here.
    assert_eq!(code(import(&f.newcomer, &for_segou.path)), "sealed_for_another");

    // The same file unsealed (someone who holds Ségou-01's key) is still for Ségou-01 only.
    let segou_key = f.segou.signing_key().unwrap();
    let sealed = std::fs::read(&for_segou.path).unwrap();
    let plain = palabre::exchange::seal::open(
        &sealed,
        palabre::exchange::seal::Keys {
            identity: Some(&palabre::exchange::seal::device_identity(&segou_key)),
            passphrase: None,
        },
        1 << 30,
    )
    .unwrap();
    assert!(downlink::is_downlink(&plain));
    assert_eq!(code(f.newcomer.import_bundle_bytes(&plain).unwrap()), "registry_other_laptop");

    // Altered after HQ signed it: one byte of its ops.
    let mut altered = plain.clone();
    let at = altered.len() - 200;
    altered[at] ^= 0x20;
    let refused = code(f.segou.import_bundle_bytes(&altered).unwrap());
    assert!(
        ["bad_registry", "bad_checksum", "not_a_bundle", "bad_contents"]
            .contains(&refused.as_str()),
        "{refused}"
    );

    // Signed by another programme's HQ, sealed to this very laptop.
    let other = tempfile::tempdir().unwrap();
    let other_keys = palabre::hq::keys::create(other.path(), "Autre programme").unwrap();
    let other_key = palabre::hq::keys::signing_key(other.path()).unwrap();
    let down = palabre::exchange::downlink::read(
        &plain,
        &f.segou.hq_status().unwrap().enrollment.unwrap(),
    )
    .unwrap();
    let mut manifest = down.manifest.clone();
    manifest.for_device.id = f.newcomer.device().unwrap().device_id;
    manifest.hq_fingerprint = other_keys.fingerprint.clone();
    let forged = downlink::write(&other_key, manifest, &down.ops);
    let recipient = palabre::exchange::seal::device_recipient(
        &palabre::exchange::minisign::public_key(&f.newcomer.device().unwrap().public_key)
            .unwrap()
            .1
            .to_bytes(),
    )
    .unwrap();
    let forged = palabre::exchange::seal::seal(&forged, &recipient).unwrap();
    assert_eq!(code(f.newcomer.import_bundle_bytes(&forged).unwrap()), "registry_not_from_hq");
    assert_eq!(common::state(&f.newcomer), state, "nothing changed on the laptop");

    // A laptop not enrolled cannot take one.
    let loose = common::app();
    assert_eq!(code(loose.import_bundle_bytes(&plain).unwrap()), "not_enrolled");
}

#[test]
fn a_lost_laptops_later_bundle_is_held_not_merged() {
    let f = field();
    let segou_fp = fingerprint(&f.segou);
    let marked = f.w.hq.hq_lost(&segou_fp).unwrap();
    assert!(marked.newly);
    assert!(!f.w.hq.hq_lost("Ségou-01").unwrap().newly, "by name too; the first date is kept");
    let hq_state = common::state(&f.w.hq);
    // Whoever holds it now writes and exports.
    let p = common::person(&f.segou, "Inconnue du voleur");
    let outcome = f.w.send(&f.segou);
    assert!(matches!(outcome, ImportOutcome::Held { .. }), "{outcome:?}");
    assert_eq!(common::state(&f.w.hq), hq_state, "nothing merged");
    assert!(f.w.hq.person(p).is_err());
    let held = f.w.hq.held_bundles().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].reason, "lost");
    assert_eq!(held[0].fingerprint, segou_fp);
    assert!(held[0].ops > 0);
    assert_eq!(f.w.hq.trust_device(&segou_fp).unwrap_err().code(), "device_lost");
    let refused = f.w.hq.hq_registry(&segou_fp, &scope(&["Ségou"], &[]), &f.w.out());
    assert_eq!(refused.unwrap_err().code(), "device_lost");
    let listed = f.w.hq.devices().unwrap();
    let segou = listed.iter().find(|d| d.fingerprint == segou_fp).unwrap();
    assert!(segou.lost_at.is_some());
    assert_eq!(segou.quarantined_bundles, 1);
    // And it is no longer acknowledged.
    let acks = f.w.hq.hq_ack(&f.w.out(), None, false).unwrap();
    assert!(acks[0].devices.iter().all(|d| d.name != "Ségou-01"));
    // The facilitator confirms she wrote it before the theft: the officer merges it.
    assert_eq!(f.w.hq.release_held_bundle("no-such-bundle").unwrap_err().code(), "not_found");
    let released = f.w.hq.release_held_bundle(&held[0].bundle_id).unwrap();
    assert!(matches!(released, ImportOutcome::Applied { .. }), "{released:?}");
    assert_eq!(f.w.hq.person(p).unwrap().full_name, "Inconnue du voleur");
    assert!(f.w.hq.held_bundles().unwrap().is_empty());
    // Its next one is held again: releasing one file trusts nothing.
    common::person(&f.segou, "Encore une");
    assert!(matches!(f.w.send(&f.segou), ImportOutcome::Held { .. }));
}

#[test]
fn a_registry_can_be_addressed_to_a_facilitator_by_name() {
    let f = field();
    f.newcomer
        .add_session(&SessionInput {
            title: Some("Première séance".into()),
            start_date: Some("2024-04-02".into()),
            status: Some("planned".into()),
            facilitator: Some("Mariam Touré".into()),
            ..Default::default()
        })
        .unwrap();
    f.w.send(&f.newcomer);
    let written =
        f.w.hq.hq_registry(" mariam touré ", &scope(&["Ségou"], &[]), &f.w.out()).unwrap();
    assert_eq!(written.for_device.name, "Ségou-03");
    let devices = f.w.hq.devices().unwrap();
    let hers = devices.iter().find(|d| d.name == "Ségou-03").unwrap();
    assert_eq!(hers.facilitator.as_deref(), Some("Mariam Touré"));
    let nobody = f.w.hq.hq_registry("Personne Inconnue", &scope(&["Ségou"], &[]), &f.w.out());
    assert_eq!(nobody.unwrap_err().code(), "not_found");
}

#[test]
fn a_new_laptop_gets_the_lost_ones_data_back_and_hq_counts_nothing_twice() {
    let f = field();
    let before = f.w.hq.report(palabre::Period::default(), palabre::Lang::En).unwrap();
    let old_sessions = f.w.hq.sessions(&Default::default()).unwrap().len();
    // Stolen at a checkpoint. A blank laptop is set up for the same facilitator.
    f.w.hq.hq_lost(&fingerprint(&f.segou)).unwrap();
    let started = Instant::now();
    let replacement = f.w.laptop("Ségou-01b");
    let written =
        f.w.hq
            .hq_restore(&fingerprint(&replacement), "Ségou-01", &scope(&["Mopti"], &[]), &f.w.out())
            .unwrap();
    assert_eq!(written.kind, Kind::Restore);
    assert_eq!(written.replaces.as_ref().unwrap().name, "Ségou-01");
    let outcome = import(&replacement, &written.path);
    let took = started.elapsed();
    assert!(matches!(outcome, ImportOutcome::FromHq { kind: Kind::Restore, .. }), "{outcome:?}");
    eprintln!("restore: blank laptop to her data back in {} ms", took.as_millis());

    // Her sessions, attendance, plans and people, notes included (they were hers).
    let session = &replacement.sessions(&Default::default()).unwrap();
    assert!(session.iter().any(|s| s.title == "Dialogue femmes et autorités"));
    let aminata = replacement.person(f.aminata).unwrap();
    assert_eq!(aminata.notes, "Note privée Aminata");
    assert_eq!(replacement.person_sessions(f.aminata).unwrap().len(), 1);
    assert_eq!(replacement.plan(f.open_plan).unwrap().items.len(), 1);
    assert_eq!(names(&replacement, "salimata"), ["Salimata Nowhere"], "she registered her");
    assert_eq!(
        names(&replacement, "hawa"),
        ["Hawa Mopti-Seulement"],
        "and the Mopti registry asked for"
    );

    // She goes on working; HQ's figures count nobody twice.
    let s = place_session(&replacement, "Suivi", "Ségou", "Markala");
    replacement.attend(s, &[f.aminata]).unwrap();
    assert!(matches!(f.w.send(&replacement), ImportOutcome::Applied { .. }));
    let after = f.w.hq.report(palabre::Period::default(), palabre::Lang::En).unwrap();
    assert_eq!(after.people.total, before.people.total);
    assert_eq!(f.w.hq.sessions(&Default::default()).unwrap().len(), old_sessions + 1);
    let devices = f.w.hq.devices().unwrap();
    let new = devices.iter().find(|d| d.name == "Ségou-01b").unwrap();
    assert_eq!(new.successor_of.as_deref(), Some("Ségou-01"));
    assert_eq!(
        f.w.hq
            .hq_restore(
                &fingerprint(&replacement),
                &fingerprint(&replacement),
                &Scope::default(),
                &f.w.out()
            )
            .unwrap_err()
            .code(),
        "same_laptop"
    );
}

/// A bundle of `laptop`'s unacknowledged ops re-signed as if its clock were `shift_ms` off.
fn bundle_with_clock(laptop: &Palabre, shift_ms: i64) -> Vec<u8> {
    use palabre::exchange::bundle;
    let me = laptop.device().unwrap();
    let ops: Vec<palabre::Op> = laptop
        .ops()
        .unwrap()
        .into_iter()
        .filter(|op| op.device_id == me.device_id)
        .map(|mut op| {
            op.hlc = palabre::journal::hlc::Hlc::new(op.hlc.wall_ms() + shift_ms, op.hlc.counter());
            op
        })
        .collect();
    let created = (chrono::Utc::now() + chrono::Duration::milliseconds(shift_ms)).to_rfc3339();
    let manifest = bundle::Manifest::for_ops(&me, &ops, 1, None, created);
    bundle::write(&laptop.signing_key().unwrap(), manifest, &ops).0
}

#[test]
fn a_laptop_whose_clock_is_ahead_is_reported_and_hq_edits_still_win() {
    let w = world();
    let laptop = common::open(w.root.join("fast.db"));
    laptop.init("Horloge-Folle").unwrap();
    let p = common::person(&laptop, "Kadiatou Samaké");
    let three_days = 3 * 86_400_000;
    let first = w.hq.import_bundle_bytes(&bundle_with_clock(&laptop, three_days)).unwrap();
    let ImportOutcome::Quarantined { fingerprint, clock_offset_s, .. } = first else {
        panic!("{first:?}")
    };
    assert!(clock_offset_s.is_some_and(|o| (o - 259_200).abs() < 60), "{clock_offset_s:?}");
    w.hq.trust_device(&fingerprint).unwrap();
    let device =
        w.hq.devices().unwrap().into_iter().find(|d| d.fingerprint == fingerprint).unwrap();
    assert!(device.clock_off);
    assert!(device.clock_offset_s.is_some_and(|o| o > 250_000));
    assert!(palabre::clock_text(device.clock_offset_s.unwrap()).contains("3 days ahead"));
    // HQ corrects her name today: HQ's edit wins over the laptop's future-dated one.
    w.hq.edit_person(
        p,
        &PersonInput { full_name: Some("Kadiatou Samake".into()), ..Default::default() },
    )
    .unwrap();
    assert_eq!(w.hq.person(p).unwrap().full_name, "Kadiatou Samake");
    // A minute ahead is within what clocks drift: no warning.
    let right = common::open(w.root.join("right.db"));
    right.init("Horloge-Juste").unwrap();
    common::person(&right, "Awa Bagayoko");
    let a_bit = w.hq.import_bundle_bytes(&bundle_with_clock(&right, 60_000)).unwrap();
    assert!(matches!(a_bit, ImportOutcome::Quarantined { clock_offset_s: None, .. }), "{a_bit:?}");
    // A clock a year behind (a dead CMOS battery) is said too.
    let slow = common::open(w.root.join("slow.db"));
    slow.init("Pile-Morte").unwrap();
    common::person(&slow, "Oumou Sangaré");
    let outcome = w.hq.import_bundle_bytes(&bundle_with_clock(&slow, -365 * 86_400_000)).unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Quarantined { clock_offset_s: Some(o), .. } if o < -300 * 86_400),
        "{outcome:?}"
    );
}

/// A whole laptop's worth — the demo programme, some 7,000 changes — back on a blank laptop: the
/// time from opening the new laptop's database to her data back (set-up, enrolment, its first
/// bundle to HQ, trust, the restore written, imported) is printed for the closing note, and the
/// report on the new laptop equals the old one's.
#[test]
fn a_whole_laptops_worth_comes_back_on_a_blank_laptop() {
    let w = world();
    let old = Palabre::open(w.root.join("old.db"), PASSPHRASE).unwrap();
    old.demo(1).unwrap();
    old.enroll_file(&w.enrollment).unwrap();
    w.send(&old);
    w.hq.hq_lost(&fingerprint(&old)).unwrap();

    let started = Instant::now();
    let new = w.laptop("Mopti-Remplaçant");
    let written =
        w.hq.hq_restore(&fingerprint(&new), &fingerprint(&old), &Scope::default(), &w.out())
            .unwrap();
    let outcome = import(&new, &written.path);
    let took = started.elapsed();
    assert!(matches!(outcome, ImportOutcome::FromHq { kind: Kind::Restore, .. }), "{outcome:?}");
    eprintln!(
        "restore of the demo laptop: {} changes, {} bytes, blank laptop to her data back in {} ms",
        written.ops,
        written.bytes,
        took.as_millis()
    );
    let report = |app: &Palabre| {
        let r = app.report(palabre::Period::default(), palabre::Lang::En).unwrap();
        (r.people.total, r.attendances, r.summary)
    };
    assert_eq!(report(&new), report(&old));
    assert_eq!(new.plans(None).unwrap().len(), old.plans(None).unwrap().len());
    assert_eq!(
        new.sessions(&Default::default()).unwrap().len(),
        old.sessions(&Default::default()).unwrap().len()
    );
}

/// A bundle signed with `laptop`'s key but under a device id never seen: what a modified build
/// on a stolen laptop sends to get past "declared lost".
fn under_a_new_id(laptop: &Palabre) -> Vec<u8> {
    use palabre::exchange::bundle;
    let mut me = laptop.device().unwrap();
    me.device_id = palabre::DeviceId(uuid::Uuid::now_v7());
    let id = uuid::Uuid::now_v7();
    let op = |seq: i64, field: &str, value: serde_json::Value| palabre::Op {
        device_id: me.device_id,
        op_seq: seq,
        hlc: palabre::journal::hlc::Hlc::new(palabre::journal::hlc::Hlc::now_ms(), seq),
        entity: palabre::Entity::Person,
        row_id: id,
        field: field.into(),
        value,
        prev_hlc: None,
        prev_device: None,
    };
    let ops = vec![op(1, "full_name", "Fausse Personne".into()), op(2, "sex", "F".into())];
    let manifest = bundle::Manifest::for_ops(&me, &ops, 1, None, chrono::Utc::now().to_rfc3339());
    bundle::write(&laptop.signing_key().unwrap(), manifest, &ops).0
}

#[test]
fn a_stolen_key_stays_held_under_any_device_id() {
    let f = field();
    let segou_fp = fingerprint(&f.segou);
    // Declared lost by mistake, then found: what the laptop sent meanwhile merges.
    f.w.hq.hq_lost(&segou_fp).unwrap();
    common::person(&f.segou, "Après la fausse alerte");
    assert!(matches!(f.w.send(&f.segou), ImportOutcome::Held { .. }));
    f.w.hq.hq_found("Ségou-01").unwrap();
    assert_eq!(names(&f.w.hq, "alerte"), ["Après la fausse alerte"]);
    assert!(f.w.hq.held_bundles().unwrap().is_empty());

    // Stolen for real: a modified build signs with its key under a new device id.
    f.w.hq.hq_lost(&segou_fp).unwrap();
    let before = common::state(&f.w.hq);
    let outcome = f.w.hq.import_bundle_bytes(&under_a_new_id(&f.segou)).unwrap();
    assert!(
        matches!(&outcome, ImportOutcome::Held { fingerprint, .. } if *fingerprint == segou_fp),
        "{outcome:?}"
    );
    assert_eq!(common::state(&f.w.hq), before, "nothing merged");
    assert!(names(&f.w.hq, "fausse personne").is_empty());
    // Its fingerprint is now that of two devices here, one of them lost: never trusted, and
    // no file is written for it.
    assert_eq!(f.w.hq.trust_device(&segou_fp).unwrap_err().code(), "device_lost");
    let refused = f.w.hq.hq_registry(&segou_fp, &scope(&["Ségou"], &[]), &f.w.out());
    assert!(refused.is_err());
    let held = f.w.hq.held_bundles().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].reason, "lost");
}

#[test]
fn a_not_the_same_person_decision_brings_nobody_from_outside_the_area() {
    let f = field();
    // At HQ: Aminata (Ségou) and Hawa (Mopti) were compared and found to be two people.
    let hawa = f.w.hq.search_people("hawa", 5).unwrap().people[0].id;
    f.w.hq.mark_distinct(f.aminata, hawa).unwrap();
    let written =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &f.w.out()).unwrap();
    assert_eq!(written.counts.people, 3, "Hawa stays at HQ");
    assert_eq!(written.counts.links, 0);
    import(&f.newcomer, &written.path);
    assert!(names(&f.newcomer, "hawa").is_empty());
}

#[test]
fn a_merge_sends_neither_the_notes_it_took_nor_hqs_notes_in_a_restore() {
    let f = field();
    // HQ merges a duplicate of Aminata, taking its notes; and writes a note of its own on Fanta.
    let dup =
        f.w.hq
            .add_person(&PersonInput {
                full_name: Some("Aminata Coulibali".into()),
                sex: Some("F".into()),
                notes: Some("Note du siège, confidentielle".into()),
                ..Default::default()
            })
            .unwrap();
    f.w.hq.merge_people(f.fanta, dup, &["notes".to_string()]).unwrap();
    f.w.hq
        .edit_person(
            f.youth,
            &PersonInput { notes: Some("Remarque du siège".into()), ..Default::default() },
        )
        .unwrap();
    let registry =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &f.w.out()).unwrap();
    assert!(registry.counts.links >= 1, "the merge goes down");
    import(&f.newcomer, &registry.path);
    let raw = db_bytes(&f.newcomer);
    for absent in ["confidentielle", "Remarque du siège", "Note privée"] {
        assert!(!raw.windows(absent.len()).any(|w| w == absent.as_bytes()), "{absent} leaked");
    }
    // A restore gives back the notes the old laptop wrote, not HQ's.
    f.w.hq.hq_lost("Ségou-01").unwrap();
    let replacement = f.w.laptop("Ségou-01b");
    let restore =
        f.w.hq
            .hq_restore(&fingerprint(&replacement), "Ségou-01", &Scope::default(), &f.w.out())
            .unwrap();
    import(&replacement, &restore.path);
    assert_eq!(replacement.person(f.aminata).unwrap().notes, "Note privée Aminata");
    assert_eq!(replacement.person(f.fanta).unwrap().notes, "", "the note HQ merged in stays at HQ");
    assert_eq!(replacement.person(f.youth).unwrap().notes, "", "HQ's note stays at HQ");
}

#[test]
fn an_erasure_at_hq_reaches_a_laptop_even_after_the_person_left_its_area() {
    let f = field();
    let out = f.w.out();
    let first =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &out).unwrap();
    import(&f.newcomer, &first.path);
    assert_eq!(names(&f.newcomer, "fanta"), ["Fanta Diarra"]);
    // Her only session in Ségou is moved to Mopti at HQ, then she asks to be forgotten.
    let session = f.w.hq.person_sessions(f.fanta).unwrap()[0].session_id;
    f.w.hq
        .edit_session(session, &SessionInput { region: Some("Mopti".into()), ..Default::default() })
        .unwrap();
    f.w.hq.erase_person(f.fanta).unwrap();
    let second =
        f.w.hq.hq_registry(&fingerprint(&f.newcomer), &scope(&["Ségou"], &[]), &out).unwrap();
    assert!(matches!(import(&f.newcomer, &second.path), ImportOutcome::FromHq { .. }));
    assert!(names(&f.newcomer, "fanta").is_empty(), "erased there too");
    let raw = db_bytes(&f.newcomer);
    assert!(!raw.windows("Fanta Diarra".len()).any(|w| w == "Fanta Diarra".as_bytes()));
    // Nobody new came with the update: Mopti's people still stay off.
    assert!(names(&f.newcomer, "hawa").is_empty());
}

#[test]
fn a_registry_and_a_restore_on_one_stick_apply_in_either_order() {
    let f = field();
    let out = f.w.out();
    f.w.hq.hq_lost("Mopti-02").unwrap();
    let replacement = f.w.laptop("Mopti-03");
    let fp = fingerprint(&replacement);
    let restore = f.w.hq.hq_restore(&fp, "Mopti-02", &Scope::default(), &out).unwrap();
    let registry = f.w.hq.hq_registry(&fp, &scope(&["Ségou"], &[]), &out).unwrap();
    assert!(registry.serial > restore.serial);
    let files = Palabre::bundle_files_in(&out).unwrap();
    assert_eq!(files.len(), 2);
    let outcomes: Vec<ImportOutcome> = files.iter().map(|p| import(&replacement, p)).collect();
    assert!(outcomes.iter().all(|o| matches!(o, ImportOutcome::FromHq { .. })), "{outcomes:?}");
    assert_eq!(names(&replacement, "hawa").len(), 1);
    assert_eq!(names(&replacement, "aminata").len(), 1);
}

#[test]
fn a_restore_that_cannot_be_written_changes_nothing_at_hq() {
    let f = field();
    let replacement = f.w.laptop("Ségou-01b");
    let keys = f.w.root.join("hq-keys");
    let away = f.w.root.join("keys-on-a-stick-not-plugged-in");
    std::fs::rename(&keys, &away).unwrap();
    let before = f.w.hq.devices().unwrap();
    let refused =
        f.w.hq.hq_restore(&fingerprint(&replacement), "Ségou-01", &Scope::default(), &f.w.out());
    assert!(refused.is_err());
    let after = f.w.hq.devices().unwrap();
    assert!(
        after.iter().all(|d| d.lost_at.is_none() && d.successor_of.is_none()),
        "not declared lost"
    );
    assert_eq!(before.len(), after.len());
    assert!(Palabre::bundle_files_in(&f.w.out()).unwrap().is_empty(), "no file");
    std::fs::rename(&away, &keys).unwrap();
    f.w.hq
        .hq_restore(&fingerprint(&replacement), "Ségou-01", &Scope::default(), &f.w.out())
        .unwrap();
}

/// The logframe's catalogue is HQ's: HQ edits it (a new indicator, a target, a label, a removal),
/// the laptop receives it in its registry file and then computes the same definitions and the
/// same values as HQ over the same sessions; the laptop cannot edit it, and its next bundle is
/// merged at HQ as usual.
#[test]
fn the_indicator_catalogue_goes_down_with_the_registry() {
    let w = world();
    let laptop = w.laptop("Ségou 1");
    let s = place_session(&laptop, "Dialogue à Markala", "Ségou", "Markala");
    let fanta = laptop
        .add_person(&PersonInput {
            full_name: Some("Fanta Diarra".into()),
            sex: Some("F".into()),
            birth_year: Some(1999),
            group: Some("womens_groups".into()),
            ..Default::default()
        })
        .unwrap();
    laptop.attend(s, &[fanta]).unwrap();
    assert!(matches!(w.send(&laptop), ImportOutcome::Applied { .. }));
    // A laptop cannot change the catalogue.
    let refused = laptop.set_indicator_target("PAL-1", "2024", Some(500)).unwrap_err();
    assert_eq!(refused.code(), "hq_only");
    // HQ: a donor's indicator, a target, a new label, a built-in one removed.
    w.hq.save_indicator(&palabre::IndicatorInput {
        code: "EU-2.1".into(),
        vocabulary: Some("EU logframe".into()),
        label_fr: Some("Femmes membres de groupements touchées".into()),
        label_en: Some("Women's group members reached".into()),
        measure: Some("people_in_group".into()),
        group: Some("womens_groups".into()),
        disaggregations: Some(vec!["region".into()]),
        baseline: Some("0".into()),
        baseline_year: Some("2023".into()),
        ..Default::default()
    })
    .unwrap();
    w.hq.set_indicator_target("EU-2.1", "2024-Q1", Some(40)).unwrap();
    w.hq.save_indicator(&palabre::IndicatorInput {
        code: "PAL-1".into(),
        label_en: Some("People reached by the community dialogues".into()),
        ..Default::default()
    })
    .unwrap();
    w.hq.remove_indicator("PAL-8").unwrap();
    let at_hq = w.hq.indicators().unwrap();
    assert!(at_hq.iter().all(|i| i.code != "PAL-8"));
    assert_ne!(laptop.indicators().unwrap(), at_hq, "not yet received");
    let written =
        w.hq.hq_registry(&fingerprint(&laptop), &scope(&["Ségou"], &[]), &w.out()).unwrap();
    assert!(matches!(import(&laptop, &written.path), ImportOutcome::FromHq { .. }));
    assert_eq!(laptop.indicators().unwrap(), at_hq, "the laptop knows HQ's catalogue");
    let q1 = palabre::Period::parse(Some("2024-01-01"), Some("2024-03-31")).unwrap();
    let everywhere = palabre::Place::default();
    let here = laptop.progress(q1, &everywhere, palabre::Lang::En).unwrap();
    let there = w.hq.progress(q1, &everywhere, palabre::Lang::En).unwrap();
    assert_eq!(here, there, "the same values from the same sessions");
    let eu = here.indicators.iter().find(|i| i.code == "EU-2.1").unwrap();
    assert_eq!((eu.actual, eu.target.as_ref().map(|t| t.value)), (1.0, Some(40)));
    assert_eq!(eu.breakdowns[0].values["Ségou"], 1.0);
    let pal1 = here.indicators.iter().find(|i| i.code == "PAL-1").unwrap();
    assert_eq!(pal1.label, "People reached by the community dialogues");
    // The laptop's next bundle carries none of HQ's definitions and merges as usual.
    laptop
        .attend(
            s,
            &[laptop
                .add_person(&PersonInput {
                    full_name: Some("Awa Coulibaly".into()),
                    ..Default::default()
                })
                .unwrap()],
        )
        .unwrap();
    assert!(matches!(w.send(&laptop), ImportOutcome::Applied { .. }));
}
