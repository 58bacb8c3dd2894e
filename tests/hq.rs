//! The HQ link: HQ's keys and enrollment file, laptops enrolled with it exporting bundles
//! encrypted to HQ (which the real `age` tool decrypts), HQ importing them transparently,
//! acknowledgements that shrink the next export, and every forged, replayed or impossible ack
//! refused with nothing changed. That key files are private and secrets never appear in files,
//! bundles or output is tested through the CLI, in cli/tests/hq.rs.

mod common;
use common::PASSPHRASE;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{person, state};
use palabre::exchange::ack::AckedDevice;
use palabre::exchange::import::ImportOutcome;
use palabre::hq::keys;
use palabre::{Palabre, PersonInput};

struct Setup {
    _dir: tempfile::TempDir,
    root: PathBuf,
    hq: Palabre,
    hq_dir: PathBuf,
    laptop: Palabre,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let hq = common::open_hq(root.join("hq.db"));
    hq.init("HQ Bamako").unwrap();
    let hq_dir = root.join("hq-keys");
    let keys = hq.hq_init(&hq_dir, Some("Dialogues communautaires Ségou")).unwrap();
    assert_eq!(keys.enrollment, hq_dir.join(keys::ENROLLMENT_FILE));
    let laptop = Palabre::open(root.join("laptop.db"), PASSPHRASE).unwrap();
    laptop.init("Ségou-01").unwrap();
    let enrollment = laptop.enroll_file(&keys.enrollment).unwrap();
    assert_eq!(enrollment.hq_fingerprint, keys.fingerprint);
    Setup { _dir: dir, root, hq, hq_dir, laptop }
}

fn export(app: &Palabre, dir: &Path) -> palabre::exchange::export::Exported {
    std::fs::create_dir_all(dir).unwrap();
    app.export_bundle(dir).unwrap()
}

fn import(app: &Palabre, path: &Path) -> ImportOutcome {
    match app.import_bundle_file(path).unwrap() {
        ImportOutcome::Quarantined { fingerprint, .. } => {
            app.trust_device(&fingerprint).unwrap().merged.remove(0)
        }
        other => other,
    }
}

fn code(outcome: ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Rejected { code, .. } => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn round_trip_laptop_hq_ack_laptop_makes_the_next_export_smaller() {
    let s = setup();
    let p = person(&s.laptop, "Aïssata Traoré");
    common::session(&s.laptop, "Dialogue femmes et autorités", "2024-03-14");
    let out = s.root.join("usb");
    let first = export(&s.laptop, &out);
    assert!(first.encrypted);
    let path = first.path.clone().unwrap();
    assert!(path.to_string_lossy().ends_with(".palabre.age"), "{path:?}");
    let bytes = std::fs::read(&path).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("Traor"), "the stick shows no names");

    // HQ opens it transparently.
    assert!(
        matches!(import(&s.hq, &path), ImportOutcome::Applied { new_ops, .. } if new_ops as i64 == first.ops)
    );
    assert_eq!(s.hq.person(p).unwrap().full_name, "Aïssata Traoré");

    // HQ acknowledges; the laptop learns it.
    let acks = s.hq.hq_ack(&out, None, false).unwrap();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].devices[0].op_seq, first.last_seq);
    let outcome = s.laptop.import_bundle_file(&acks[0].path).unwrap();
    assert!(
        matches!(outcome, ImportOutcome::Acknowledged { up_to_seq, .. } if up_to_seq == first.last_seq),
        "{outcome:?}"
    );
    let status = s.laptop.hq_status().unwrap();
    assert_eq!((status.acked_seq, status.unacknowledged), (first.last_seq, 0));
    assert!(status.acked_until.as_deref().is_some_and(|d| d.starts_with("20")), "{status:?}");

    // The next export carries only what HQ has not acknowledged.
    s.laptop
        .edit_person(p, &PersonInput { phone: Some("76 12 34 56".into()), ..Default::default() })
        .unwrap();
    let second = export(&s.laptop, &out);
    assert_eq!((second.first_seq, second.ops), (first.last_seq + 1, 1));
    assert!(second.bytes < first.bytes, "{} < {}", second.bytes, first.bytes);
    assert!(matches!(
        import(&s.hq, second.path.as_ref().unwrap()),
        ImportOutcome::Applied { new_ops: 1, .. }
    ));
    assert_eq!(s.hq.person(p).unwrap().phone, "76 12 34 56");
}

#[test]
fn the_age_tool_decrypts_an_exported_bundle_with_hqs_key_file() {
    let s = setup();
    person(&s.laptop, "Oumou Sangaré");
    let exported = export(&s.laptop, &s.root.join("usb"));
    let plain = s.root.join("plain.palabre");
    let status = Command::new("age")
        .arg("-d")
        .arg("-i")
        .arg(s.hq_dir.join(keys::AGE_KEY_FILE))
        .arg("-o")
        .arg(&plain)
        .arg(exported.path.unwrap())
        .status()
        .expect("the age tool is installed (make deps)");
    assert!(status.success());
    let bundle = Palabre::verify_bundle(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(bundle.manifest.device.name, "Ségou-01");
    assert_eq!(bundle.ops.len() as i64, exported.ops);
}

#[test]
fn bundles_hq_cannot_open_are_refused_with_nothing_written() {
    let s = setup();
    person(&s.laptop, "Awa Keïta");
    let sealed = export(&s.laptop, &s.root.join("usb")).path.unwrap();
    // A database that is not HQ (another laptop) cannot open it.
    let other_laptop = common::app();
    let before = state(&other_laptop);
    assert_eq!(code(other_laptop.import_bundle_file(&sealed).unwrap()), "sealed_for_another");
    assert_eq!(state(&other_laptop), before);
    // Another HQ's keys cannot open it either.
    let other_hq = Palabre::open(s.root.join("other-hq.db"), PASSPHRASE).unwrap();
    other_hq.init("HQ Mopti").unwrap();
    other_hq.hq_init(&s.root.join("other-keys"), Some("Autre")).unwrap();
    let before = state(&other_hq);
    let outcome = other_hq.import_bundle_file(&sealed).unwrap();
    assert!(outcome.to_string().contains("encrypted to another HQ key"), "{outcome}");
    assert_eq!(code(outcome), "undecryptable");
    assert_eq!(state(&other_hq), before);
    // A damaged encrypted file is refused too.
    let mut bytes = std::fs::read(&sealed).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let before = state(&s.hq);
    assert!(matches!(s.hq.import_bundle_bytes(&bytes).unwrap(), ImportOutcome::Rejected { .. }));
    assert_eq!(state(&s.hq), before);
}

#[test]
fn an_unenrolled_laptop_exports_plain_signed_bundles() {
    let laptop = common::app();
    person(&laptop, "Hawa Diallo");
    assert!(laptop.hq_status().unwrap().enrollment.is_none());
    let (exported, bytes) = laptop.export_bundle_bytes().unwrap();
    assert!(!exported.encrypted && exported.file_name.ends_with(".palabre"));
    assert!(Palabre::verify_bundle(&bytes).is_ok());
}

#[test]
fn forged_replayed_and_impossible_acks_are_refused_and_change_nothing() {
    let s = setup();
    person(&s.laptop, "Kadiatou Sangaré");
    let out = s.root.join("usb");
    let bundle = export(&s.laptop, &out);
    import(&s.hq, bundle.path.as_ref().unwrap());
    let newer = s.hq.hq_ack(&out.join("1"), None, false).unwrap().remove(0);
    let older = s.hq.hq_ack(&out.join("0"), None, false).unwrap().remove(0);
    // Issue order: `newer` first, `older` second (a higher serial); import the second first.
    assert!(matches!(
        s.laptop.import_bundle_file(&older.path).unwrap(),
        ImportOutcome::Acknowledged { .. }
    ));
    let settled = (s.laptop.hq_status().unwrap().acked_seq, state(&s.laptop));
    let refused = |path: &Path| code(s.laptop.import_bundle_file(path).unwrap());
    assert_eq!(refused(&newer.path), "ack_replayed");
    assert_eq!(refused(&older.path), "ack_replayed", "the same ack twice");

    // Signed by another HQ.
    let other = Palabre::open(s.root.join("other-hq.db"), PASSPHRASE).unwrap();
    other.init("HQ Mopti").unwrap();
    let other_dir = s.root.join("other-keys");
    other.hq_init(&other_dir, Some("Autre")).unwrap();
    let me = s.laptop.device().unwrap();
    let write_ack = |dir: &Path, serial: i64, op_seq: i64, name: &str| {
        let enrollment = palabre::exchange::documents::read_enrollment(
            &std::fs::read(dir.join(keys::ENROLLMENT_FILE)).unwrap(),
        )
        .unwrap();
        let device =
            AckedDevice { device_id: me.device_id.to_string(), name: me.name.clone(), op_seq };
        let signed = palabre::hq::issue_ack(
            &keys::signing_key(dir).unwrap(),
            &enrollment,
            serial,
            vec![device],
        );
        let path = s.root.join(name);
        std::fs::write(&path, serde_json::to_vec(&signed).unwrap()).unwrap();
        path
    };
    // Serials newer than the last applied, so that only what is tested is wrong.
    let next = newer.serial.max(older.serial) + 1;
    assert_eq!(refused(&write_ack(&other_dir, next, 1, "forged.palabre-ack")), "ack_not_from_hq");
    // Signed by the real HQ but acknowledging more than the laptop ever wrote.
    assert_eq!(
        refused(&write_ack(&s.hq_dir, next + 1, bundle.last_seq + 1, "high.palabre-ack")),
        "ack_too_high"
    );
    // Altered after signing.
    let genuine =
        std::fs::read_to_string(write_ack(&s.hq_dir, next + 2, 1, "genuine.palabre-ack")).unwrap();
    let altered = s.root.join("altered.palabre-ack");
    std::fs::write(&altered, genuine.replace("\"op_seq\":1", "\"op_seq\":2")).unwrap();
    assert_eq!(refused(&altered), "ack_not_from_hq");
    assert_eq!((s.laptop.hq_status().unwrap().acked_seq, state(&s.laptop)), settled);

    // An ack on a laptop that is not enrolled.
    let stranger = common::app();
    let before = state(&stranger);
    assert_eq!(code(stranger.import_bundle_file(&older.path).unwrap()), "not_enrolled");
    assert_eq!(state(&stranger), before);
}

#[test]
fn enrollment_files_are_checked_and_a_laptop_has_one_hq() {
    let s = setup();
    let file = s.hq_dir.join(keys::ENROLLMENT_FILE);
    let text = std::fs::read_to_string(&file).unwrap();
    let fresh = common::app();
    let altered = text.replace("Dialogues communautaires Ségou", "Programme pirate");
    let err = fresh.enroll(altered.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "bad_enrollment");
    assert!(err.to_string().contains("altered"), "{err}");
    assert_eq!(fresh.enroll(b"{}").unwrap_err().code(), "bad_enrollment");
    assert!(fresh.hq_status().unwrap().enrollment.is_none());
    // Same HQ again: fine. Another HQ: refused, the first one kept.
    s.laptop.enroll(text.as_bytes()).unwrap();
    let other = Palabre::open(s.root.join("other-hq.db"), PASSPHRASE).unwrap();
    other.init("HQ Mopti").unwrap();
    let other_keys = other.hq_init(&s.root.join("other-keys"), Some("Autre")).unwrap();
    let err = s.laptop.enroll_file(&other_keys.enrollment).unwrap_err();
    assert_eq!(err.code(), "bad_enrollment");
    assert_eq!(
        s.laptop.hq_status().unwrap().enrollment.unwrap().programme,
        "Dialogues communautaires Ségou"
    );
    // HQ keys are never overwritten.
    assert_eq!(s.hq.hq_init(&s.hq_dir, None).unwrap_err().code(), "key_file");
    // Acks need HQ's keys.
    assert_eq!(s.laptop.hq_ack(&s.root, None, false).unwrap_err().code(), "not_hq");
}
