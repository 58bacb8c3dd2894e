//! Forgetting a person (issue 18, item 3): after `erase_person`, her name, phone, community and
//! notes are in no file of the data folder — database, write-ahead log, automatic backups —
//! on the laptop, at HQ or on another laptop that received the erasure, nor in the bundle that
//! carried it; the counts do not move; an erased history is not a fork.

mod common;
use common::PASSPHRASE;

use std::path::Path;

use common::{deliver, export, held};
use palabre::exchange::import::ImportOutcome;
use palabre::{Error, Palabre, Period, PersonInput};

/// What must disappear: the name as typed, folded as the search index keeps it, the phone
/// (spaced and as digits), the community and the notes.
const TRACES: &[&str] = &[
    "Zénabou Kouyaté",
    "Zénabou",
    "zenabou",
    "kouyate",
    "Kouyaté",
    "76 41 93 27",
    "76419327",
    "Kalabancoro",
    "kalabancoro",
    "veuve depuis",
];

fn planted() -> PersonInput {
    PersonInput {
        full_name: Some("Zénabou Kouyaté".into()),
        sex: Some("F".into()),
        birth_year: Some(1994),
        group: Some("womens_groups".into()),
        community: Some("Kalabancoro".into()),
        phone: Some("76 41 93 27".into()),
        notes: Some("veuve depuis 2021, parle bambara".into()),
        consent: Some(true),
        ..Default::default()
    }
}

/// Every file under `dir` that holds one of the traces, with the trace: its bytes as stored
/// (encrypted, they must show nothing even before an erasure) and, for the database and its
/// backups, their content decrypted with the key (what someone holding the unlocked laptop
/// reads).
fn traces_in(dir: &Path) -> Vec<String> {
    let db = dir.join("palabre.db");
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let encrypted_db = path.extension().is_some_and(|e| e == "db")
                && palabre::store::cipher::kind(&path)
                    == palabre::store::cipher::FileKind::Encrypted;
            let mut views = vec![("stored", bytes)];
            if encrypted_db {
                views.push(("decrypted", common::decrypted(&db, &path)));
            }
            for (view, bytes) in views {
                for trace in TRACES {
                    if bytes.windows(trace.len()).any(|w| w == trace.as_bytes()) {
                        found.push(format!("{trace} in {} ({view})", path.display()));
                    }
                }
            }
        }
    }
    found
}

fn laptop(dir: &Path, name: &str) -> Palabre {
    let app = Palabre::open(dir.join("palabre.db"), PASSPHRASE).unwrap();
    app.init(name).unwrap();
    app
}

/// Laptop A registers her (with her name, phone, community and notes) and her attendance at a
/// held session, and exports; HQ and a second laptop, `other`, import that first bundle. Each has its own data folder.
struct Copies {
    dirs: Vec<tempfile::TempDir>,
    a: Palabre,
    hq: Palabre,
    other: Palabre,
    zenabou: palabre::PersonId,
    first: Vec<u8>,
}

fn copies(other: &str) -> Copies {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let a = laptop(dirs[0].path(), "Ségou-01");
    let hq = common::open_hq(dirs[1].path().join("palabre.db"));
    hq.init("HQ").unwrap();
    let other = laptop(dirs[2].path(), other);
    let zenabou = a.add_person(&planted()).unwrap();
    let session = held(&a, "Dialogue", "2026-10-02", &["womens_groups"]);
    a.attend(session, &[zenabou]).unwrap();
    let first = export(&a);
    applied(deliver(&hq, &first));
    applied(deliver(&other, &first));
    Copies { dirs, a, hq, other, zenabou, first }
}

fn applied(outcome: ImportOutcome) {
    assert!(matches!(outcome, ImportOutcome::Applied { .. }), "{outcome}");
}

/// The figures an erasure must not move: attendances, people, by sex, youth, by group.
fn counts(app: &Palabre) -> String {
    let report = app.report(Period { from: None, to: None }, palabre::Lang::En).unwrap();
    let p = &report.people;
    format!("{} {} {:?} {} {:?}", report.attendances, p.total, p.by_sex, p.youth, p.by_group)
}

#[test]
fn a_forgotten_person_leaves_no_trace_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path(), "Ségou-01");
    let session = held(&app, "Dialogue intercommunautaire", "2026-10-02", &["womens_groups"]);
    let zenabou = app.add_person(&planted()).unwrap();
    let other = common::person(&app, "Awa Diarra");
    app.attend(session, &[zenabou, other]).unwrap();
    app.auto_backup("start").unwrap();
    // Her history holds an older spelling too.
    app.edit_person(
        zenabou,
        &PersonInput { full_name: Some("Zénabou Kouyaté ".into()), ..Default::default() },
    )
    .unwrap();
    app.auto_backup("import").unwrap();
    let found = traces_in(dir.path());
    assert!(!found.is_empty(), "the test plants what it then looks for");
    assert!(found.iter().all(|t| t.ends_with("(decrypted)")), "encrypted as stored: {found:?}");
    let before = counts(&app);

    assert_eq!(app.erase_person(zenabou).unwrap(), 1);

    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
    assert_eq!(app.backups().unwrap().len(), 2, "the backups are rewritten, not lost");
    assert_eq!(counts(&app), before, "the counts keep her");
    let erased = app.person(zenabou).unwrap();
    assert!(erased.erased);
    assert_eq!((erased.full_name.as_str(), erased.phone.as_str()), ("", ""));
    assert_eq!((erased.sex, erased.birth_year), (palabre::Sex::F, Some(1994)));
    assert!(app.find_people("zenabou", 10).unwrap().is_empty());
    assert_eq!(app.people(0, 10).unwrap().total, 1, "the registry no longer lists her");
    let lines = app.attendance(session).unwrap();
    assert_eq!(lines.iter().filter(|l| l.erased).count(), 1, "her attendance stays, nameless");
    for op in app.ops().unwrap().iter().filter(|op| op.row_id == zenabou.0) {
        let value = op.value.to_string();
        assert!(TRACES.iter().all(|t| !value.contains(t)), "{} kept {value}", op.field);
    }
    // Nothing can give her data back or add to it.
    let refused = |e: Error| assert_eq!(e.code(), "person_erased", "{e}");
    refused(app.edit_person(zenabou, &planted()).unwrap_err());
    refused(app.attend(session, &[zenabou]).unwrap_err());
    refused(app.erase_person(zenabou).unwrap_err());
    // A restart keeps it so (and finds nothing left to scrub).
    drop(app);
    let app = Palabre::open(dir.path().join("palabre.db"), PASSPHRASE).unwrap();
    assert!(app.person(zenabou).unwrap().erased);
    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
}

#[test]
fn the_erasure_travels_to_hq_and_another_laptop_and_leaves_nothing_anywhere() {
    let Copies { dirs, a, hq, other: b, zenabou, first } = copies("Ségou-02");
    // Laptop B renames her too: a change of its own, about her, that HQ has.
    b.edit_person(
        zenabou,
        &PersonInput { full_name: Some("Zénabou Kouyaté (Kala)".into()), ..Default::default() },
    )
    .unwrap();
    let renamed = export(&b);
    applied(deliver(&hq, &renamed));
    let hq_before = counts(&hq);
    assert!(!traces_in(dirs[1].path()).is_empty());

    a.erase_person(zenabou).unwrap();
    let carrier = export(&a);
    // The bundle that carries the erasure carries none of her data: its ops, read back, and its
    // bytes. (HQ has not acknowledged anything, so it repeats A's earlier changes, blanked.)
    let bundle = Palabre::verify_bundle(&carrier).unwrap();
    assert!(bundle.ops.iter().any(|op| op.field == "erased"));
    assert!(bundle.ops.iter().any(|op| op.field == "full_name" && op.value.is_null()));
    for op in &bundle.ops {
        let value = op.value.to_string();
        assert!(TRACES.iter().all(|t| !value.contains(t)), "{} carried {value}", op.field);
    }
    // An erased history is not a fork: HQ had those numbers with her name.
    applied(deliver(&hq, &carrier));
    applied(deliver(&b, &carrier));

    for (dir, who) in dirs.iter().zip(["laptop A", "HQ", "laptop B"]) {
        assert_eq!(traces_in(dir.path()), Vec::<String>::new(), "{who}");
    }
    assert_eq!(counts(&hq), hq_before);
    assert!(hq.person(zenabou).unwrap().erased && b.person(zenabou).unwrap().erased);
    assert!(hq.conflicts().unwrap().is_empty(), "no conflict is left about a blank name");

    // An old stick: the first bundle again, or B's rename, bring nothing back.
    assert!(matches!(
        hq.import_bundle_bytes(&first).unwrap(),
        ImportOutcome::AlreadyImported { .. }
    ));
    let fresh = tempfile::tempdir().unwrap();
    let c = laptop(fresh.path(), "Ségou-03");
    applied(deliver(&c, &carrier));
    applied(deliver(&c, &first));
    // B's rename reaches C only now: a change that still carries her name. C does not know
    // laptop B yet: refused, not held; once B is trusted it merges, stored blanked.
    let refused = c.import_bundle_bytes(&renamed).unwrap();
    assert!(matches!(&refused, ImportOutcome::Rejected { code, .. } if code == "about_erased"));
    c.trust_device(&b.device().unwrap().fingerprint).unwrap();
    applied(c.import_bundle_bytes(&renamed).unwrap());
    assert!(c.ops().unwrap().iter().any(|op| op.field == "full_name"
        && op.row_id == zenabou.0
        && op.device_id == b.device().unwrap().device_id));
    assert!(c.person(zenabou).unwrap().erased);
    assert_eq!(c.person(zenabou).unwrap().full_name, "");
    drop(c);
    assert_eq!(traces_in(fresh.path()), Vec::<String>::new(), "arrivals are blanked as stored");
    assert_eq!(hq.synced_snapshot().unwrap()["people"], b.synced_snapshot().unwrap()["people"]);
}

#[test]
fn a_bundle_held_in_quarantine_with_her_data_is_dropped() {
    let Copies { dirs, a, hq, other: e, zenabou, .. } = copies("Mopti-09");
    e.edit_person(
        zenabou,
        &PersonInput { notes: Some("veuve depuis longtemps".into()), ..Default::default() },
    )
    .unwrap();
    // HQ does not trust laptop E yet: its bundle waits, with her new notes.
    let held_bundle = export(&e);
    let ImportOutcome::Quarantined { fingerprint, .. } =
        hq.import_bundle_bytes(&held_bundle).unwrap()
    else {
        panic!("E is not trusted at HQ yet")
    };
    a.erase_person(zenabou).unwrap();
    applied(deliver(&hq, &export(&a)));
    let trusted = hq.trust_device(&fingerprint).unwrap();
    assert!(trusted.merged.is_empty(), "the held bundle was dropped: {:?}", trusted.merged);
    assert_eq!(traces_in(dirs[1].path()), Vec::<String>::new());
    // Laptop E sends its changes again; they arrive blanked.
    e.import_bundle_bytes(&export(&a)).unwrap();
    applied(hq.import_bundle_bytes(&export(&e)).unwrap());
    assert_eq!(hq.person(zenabou).unwrap().notes, "");
    assert_eq!(traces_in(dirs[1].path()), Vec::<String>::new());
}

#[test]
fn merged_records_are_forgotten_together_with_what_the_merge_took() {
    let dir = tempfile::tempdir().unwrap();
    let app = laptop(dir.path(), "Ségou-01");
    let zenabou = app.add_person(&planted()).unwrap();
    let again = app
        .add_person(&PersonInput {
            full_name: Some("Zenabou Kouyate".into()),
            sex: Some("F".into()),
            phone: Some("76419327".into()),
            ..Default::default()
        })
        .unwrap();
    // The merge keeps the first record and takes the second one's phone: the decision records
    // both values.
    app.merge_people(zenabou, again, &["phone".into()]).unwrap();
    assert_eq!(app.erase_person(again).unwrap(), 2, "the whole person, from either record");
    assert!(app.person(zenabou).unwrap().erased && app.person(again).unwrap().erased);
    let history = app.merge_history().unwrap();
    assert_eq!(history.len(), 1, "the decision stays, without the values it took");
    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
    assert_eq!(
        app.unmerge_person(again).unwrap_err().code(),
        "person_erased",
        "an erased merge cannot be undone"
    );
}

#[test]
fn restoring_an_older_copy_does_not_bring_her_back() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let app = laptop(dir.path(), "Ségou-01");
    let zenabou = app.add_person(&planted()).unwrap();
    // A copy saved on a stick before the erasure: out of Palabre's reach.
    let stick = app.backup_to(&elsewhere.path().join("copie.db")).unwrap();
    app.erase_person(zenabou).unwrap();
    let erasure_seq = |app: &Palabre| {
        app.ops().unwrap().iter().filter(|op| op.field == "erased").map(|op| op.op_seq).max()
    };
    let first = erasure_seq(&app).unwrap();

    app.restore(&stick).unwrap();

    let person = app.person(zenabou).unwrap();
    assert!(person.erased, "the erasure is written again over the restored copy");
    assert_eq!(person.full_name, "");
    assert!(erasure_seq(&app).unwrap() > first, "as a new op, which travels again");
    assert_eq!(traces_in(dir.path()), Vec::<String>::new());
}

#[test]
fn a_bundle_about_her_from_an_untrusted_laptop_is_not_held_after_the_erasure() {
    let Copies { dirs, a, hq, other: e, zenabou, .. } = copies("Mopti-09");
    let notes = PersonInput { notes: Some("veuve depuis longtemps".into()), ..Default::default() };
    e.edit_person(zenabou, &notes).unwrap();
    a.erase_person(zenabou).unwrap();
    applied(deliver(&hq, &export(&a)));
    // E's bundle arrives after the erasure, from a laptop HQ does not trust yet: it cannot be
    // scrubbed (it is signed), so it is not kept; the laptop becomes known, to be trusted.
    let late = export(&e);
    let outcome = hq.import_bundle_bytes(&late).unwrap();
    let ImportOutcome::Rejected { code, reason } = &outcome else { panic!("{outcome:?}") };
    assert_eq!(code, "about_erased");
    assert!(reason.contains("trust the laptop") && !reason.contains("Zénabou"), "{reason}");
    assert_eq!(traces_in(dirs[1].path()), Vec::<String>::new());
    let fingerprint = hq.devices().unwrap().into_iter().find(|d| d.name == "Mopti-09").unwrap();
    hq.trust_device(&fingerprint.fingerprint).unwrap();
    // Once trusted, the same file merges, blanked.
    applied(hq.import_bundle_bytes(&late).unwrap());
    assert_eq!(hq.person(zenabou).unwrap().notes, "");
    assert_eq!(traces_in(dirs[1].path()), Vec::<String>::new());
}
