//! Bundles between laptops and HQ: the real `minisign` tool verifies them; round trips reproduce
//! the data; quarantine, trust, gaps, forks, key changes and conflicts behave; and every kind of
//! damaged or hostile file is refused with the HQ database unchanged.

mod common;

use std::io::Write;
use std::process::Command;

use common::{deliver, export, person, session, state};
use palabre::exchange::bundle::{self, Limits, Manifest, Rejection};
use palabre::exchange::import::ImportOutcome;
use palabre::{Palabre, PersonInput};

fn laptop(name: &str) -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init(name).unwrap();
    app
}

/// HQ: in memory, or a desk of an HQ on PostgreSQL (see common::memory_hq).
fn hq(name: &str) -> Palabre {
    let app = common::memory_hq();
    app.init(name).unwrap();
    app
}

fn rejected(outcome: ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Rejected { code, .. } => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
            (entry.name().unwrap().to_string(), data)
        })
        .collect()
}

fn a_laptop_with_data(name: &str) -> Palabre {
    let app = laptop(name);
    let s = session(&app, "Dialogue femmes et autorités", "2024-03-14");
    let p = person(&app, "Aïssata Traoré");
    app.attend(s, &[p]).unwrap();
    app
}

#[test]
fn the_minisign_tool_verifies_an_exported_bundle_and_refuses_an_altered_manifest() {
    let app = a_laptop_with_data("Mopti-02");
    let dir = tempfile::tempdir().unwrap();
    let exported = app.export_bundle(dir.path()).unwrap();
    let path = exported.path.unwrap();
    assert!(path.file_name().unwrap().to_str().unwrap().starts_with("palabre-Mopti-02-1-"));
    for (name, data) in entries(&std::fs::read(&path).unwrap()) {
        std::fs::write(dir.path().join(name), data).unwrap();
    }
    let public_key = app.device().unwrap().public_key;
    let verify = || {
        Command::new("minisign")
            .args(["-V", "-m", "manifest.json", "-x", "manifest.json.minisig", "-P", &public_key])
            .current_dir(dir.path())
            .output()
            .expect("minisign is missing (make test installs it)")
    };
    let ok = verify();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    std::fs::write(dir.path().join("manifest.json"), manifest.replace("Mopti-02", "Mopti-03"))
        .unwrap();
    assert!(!verify().status.success(), "minisign accepted an altered manifest");
}

#[test]
fn two_laptops_and_hq_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = a_laptop_with_data("Ségou-01");
    let b = a_laptop_with_data("Mopti-02");
    let hq = common::open_hq(dir.path().join("hq.db"));
    hq.init("HQ-Bamako").unwrap();
    let fa = a.export_bundle(dir.path()).unwrap().path.unwrap();
    let fb = b.export_bundle(dir.path()).unwrap().path.unwrap();
    for file in [&fa, &fb] {
        assert!(matches!(hq.import_bundle_file(file).unwrap(), ImportOutcome::Quarantined { .. }));
    }
    assert_eq!(hq.people(0, 10).unwrap().total, 0, "quarantined bundles are not merged");
    for app in [&a, &b] {
        let trusted = hq.trust_device(&app.device().unwrap().fingerprint.to_lowercase()).unwrap();
        assert!(
            matches!(trusted.merged[..], [ImportOutcome::Applied { .. }]),
            "{:?}",
            trusted.merged
        );
    }
    assert_eq!(hq.people(0, 10).unwrap().total, 2);
    assert_eq!(hq.find_people("aissata", 10).unwrap().len(), 2);
    assert_eq!(
        hq.import_bundle_file(&fa).unwrap(),
        ImportOutcome::AlreadyImported { device: "Ségou-01".into() }
    );

    // A laptop's export imported into an empty database reproduces its synced tables.
    let copy = laptop("Copy");
    deliver(&copy, &export(&a));
    let a_only = a.synced_snapshot().unwrap();
    assert_eq!(copy.synced_snapshot().unwrap(), a_only);

    // Changes made after an export travel in the next one, with the earlier ones again.
    let p = a.find_people("aissata", 1).unwrap()[0].id;
    a.edit_person(p, &PersonInput { community: Some("Pelengana".into()), ..Default::default() })
        .unwrap();
    let (second, bytes) = a.export_bundle_bytes().unwrap();
    assert_eq!((second.bundle_seq, second.first_seq), (3, 1), "every unacknowledged op, from 1");
    assert!(matches!(
        hq.import_bundle_bytes(&bytes).unwrap(),
        ImportOutcome::Applied { new_ops: 1, .. }
    ));
    assert_eq!(hq.person(p).unwrap().community, "Pelengana");
    let manifest = palabre::Palabre::verify_bundle(&bytes).unwrap().manifest;
    assert!(manifest.prev_bundle_hash.is_some(), "bundle 2 names bundle 1's manifest");
}

#[test]
fn missing_ranges_are_reported_per_device() {
    let a = a_laptop_with_data("Gao-03");
    let hq = hq("HQ");
    deliver(&hq, &export(&a));
    let delivered = a.ops().unwrap().len() as i64;
    for i in 0..5 {
        person(&a, &format!("Fatoumata {i}"));
    }
    let ops = a.ops().unwrap();
    let total = ops.len() as i64;
    // A bundle carrying only the last three ops: the ones between never arrived.
    let bytes = craft(&a, &ops[ops.len() - 3..], |_| {});
    assert!(matches!(
        hq.import_bundle_bytes(&bytes).unwrap(),
        ImportOutcome::Applied { new_ops: 3, .. }
    ));
    let status = hq.devices().unwrap().into_iter().find(|d| d.name == "Gao-03").unwrap();
    assert_eq!(status.gap_free_seq, delivered);
    assert_eq!(status.ops, delivered + 3);
    assert_eq!(
        status.missing_text(),
        [format!("ops {}–{} from Gao-03 missing", delivered + 1, total - 3)]
    );
    // The next full export heals the hole.
    deliver(&hq, &export(&a));
    let status = hq.devices().unwrap().into_iter().find(|d| d.name == "Gao-03").unwrap();
    assert!(status.missing.is_empty());
    assert_eq!(status.gap_free_seq, total);
}

/// A bundle of `ops` signed by `app`'s key, with a manifest changed by `edit`.
fn craft(app: &Palabre, ops: &[palabre::Op], edit: impl FnOnce(&mut Manifest)) -> Vec<u8> {
    let base = Palabre::verify_bundle(&export(app)).unwrap().manifest;
    let mut manifest = Manifest {
        bundle_id: uuid::Uuid::now_v7(),
        ops: bundle::OpRange {
            first_seq: ops.first().map_or(0, |o| o.op_seq),
            last_seq: ops.last().map_or(0, |o| o.op_seq),
            count: ops.len() as i64,
        },
        ..base
    };
    edit(&mut manifest);
    bundle::write(&app.signing_key().unwrap(), manifest, ops).0
}

#[test]
fn a_fork_is_refused_and_reported_in_either_order() {
    let a = a_laptop_with_data("Kati-01");
    let original = export(&a);
    let mut forged_ops = a.ops().unwrap();
    forged_ops[0].value = serde_json::json!("Another title");
    let forked = craft(&a, &forged_ops, |_| {});
    for order in [[&original, &forked], [&forked, &original]] {
        let hq = hq("HQ");
        deliver(&hq, order[0]);
        let before = hq.synced_snapshot().unwrap();
        let outcome = hq.import_bundle_bytes(order[1]).unwrap();
        assert!(outcome.to_string().contains("fork"), "{outcome}");
        assert_eq!(rejected(outcome), "fork");
        assert_eq!(hq.synced_snapshot().unwrap(), before, "nothing merged from a fork");
        let status = hq.devices().unwrap().into_iter().find(|d| d.name == "Kati-01").unwrap();
        assert_eq!(status.forks, 1);
    }
}

#[test]
fn a_known_device_signing_with_another_key_is_refused() {
    let a = a_laptop_with_data("Niono-01");
    let hq = hq("HQ");
    deliver(&hq, &export(&a));
    // An impostor claims a's device id with its own key.
    let impostor = laptop("Niono-01");
    let mut manifest = Palabre::verify_bundle(&export(&impostor)).unwrap().manifest;
    manifest.bundle_id = uuid::Uuid::now_v7();
    manifest.device.id = a.device().unwrap().device_id;
    let ops: Vec<_> = impostor
        .ops()
        .unwrap()
        .into_iter()
        .map(|mut op| {
            op.device_id = manifest.device.id;
            op
        })
        .collect();
    manifest.ops =
        bundle::OpRange { first_seq: 1, last_seq: ops.len() as i64, count: ops.len() as i64 };
    let bytes = bundle::write(&impostor.signing_key().unwrap(), manifest, &ops).0;
    let before = state(&hq);
    assert_eq!(rejected(hq.import_bundle_bytes(&bytes).unwrap()), "key_changed");
    assert_eq!(state(&hq), before);
}

#[test]
fn ops_of_another_device_inside_a_bundle_are_refused() {
    let a = a_laptop_with_data("Djenne-01");
    let other = laptop("Other");
    let mut ops = a.ops().unwrap();
    ops[2].device_id = other.device().unwrap().device_id;
    // Format 3 cannot say that an op is another device's: only a format 2 bundle (still read)
    // can carry one.
    let me = a.device().unwrap();
    let manifest = Manifest::for_ops(&me, &ops, 1, None, chrono::Utc::now().to_rfc3339());
    let bytes = bundle::write_ops_jsonl(&a.signing_key().unwrap(), manifest, &ops);
    let err = Palabre::verify_bundle(&bytes).unwrap_err();
    assert!(matches!(err, Rejection::Op { line: 3, .. }), "{err}");
}

#[test]
fn conflicts_are_listed_and_resolved_by_a_new_write() {
    let a = laptop("A");
    let b = laptop("B");
    let hq = hq("HQ");
    let p = person(&a, "Awa Diarra");
    deliver(&b, &export(&a));
    // Both edit the same field without seeing each other.
    a.edit_person(p, &PersonInput { community: Some("Sévaré".into()), ..Default::default() })
        .unwrap();
    b.edit_person(p, &PersonInput { community: Some("Socoura".into()), ..Default::default() })
        .unwrap();
    deliver(&hq, &export(&a));
    deliver(&hq, &export(&b));
    deliver(&a, &export(&b));
    let conflicts = hq.conflicts().unwrap();
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    let c = &conflicts[0];
    assert_eq!((c.field.as_str(), c.label.as_str()), ("community", "Awa Diarra"));
    let values: Vec<_> =
        std::iter::once(&c.current.value).chain(c.others.iter().map(|o| &o.value)).collect();
    assert!(
        values.contains(&&serde_json::json!("Sévaré"))
            && values.contains(&&serde_json::json!("Socoura"))
    );
    assert_eq!(
        a.conflicts().unwrap(),
        conflicts,
        "every copy with the same ops shows the same conflicts"
    );
    // Resolving at HQ with a value that was not proposed is refused; keeping one is a write.
    let err = hq
        .resolve_conflict(c.entity, c.row_id, "community", &serde_json::json!("Bamako"))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_code");
    hq.resolve_conflict(c.entity, c.row_id, "community", &c.current.value).unwrap();
    assert!(hq.conflicts().unwrap().is_empty());
    deliver(&a, &export(&hq));
    assert!(a.conflicts().unwrap().is_empty(), "the resolution travels");
}

// ---- hostile and damaged files: refused, HQ unchanged ----

fn hq_with_a_trusted_laptop() -> (Palabre, Palabre) {
    let a = a_laptop_with_data("Segou-07");
    let hq = hq("HQ");
    deliver(&hq, &export(&laptop("warm-up")));
    let first = export(&a);
    deliver(&hq, &first);
    (hq, a)
}

#[test]
fn every_single_byte_flip_is_refused() {
    let (hq, a) = hq_with_a_trusted_laptop();
    person(&a, "Oumou Sangaré");
    let bytes = export(&a);
    let before = state(&hq);
    for i in 0..bytes.len() {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x01;
        let outcome = hq.import_bundle_bytes(&damaged).unwrap();
        assert!(matches!(outcome, ImportOutcome::Rejected { .. }), "byte {i}: {outcome}");
    }
    assert_eq!(state(&hq), before);
    assert!(
        matches!(hq.import_bundle_bytes(&bytes).unwrap(), ImportOutcome::Applied { .. }),
        "the intact one still goes in"
    );
}

#[test]
fn truncated_renamed_added_and_escaping_entries_are_refused() {
    let (hq, a) = hq_with_a_trusted_laptop();
    let bytes = export(&a);
    let before = state(&hq);
    for cut in [0, 10, bytes.len() / 2, bytes.len() - 1] {
        assert!(
            matches!(
                hq.import_bundle_bytes(&bytes[..cut]).unwrap(),
                ImportOutcome::Rejected { .. }
            ),
            "cut at {cut}"
        );
    }
    let parts = entries(&bytes);
    let rezip = |list: Vec<(String, Vec<u8>)>| {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, data) in list {
            zip.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            zip.write_all(&data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    };
    let mut renamed = parts.clone();
    renamed[2].0 = "ops.json".into();
    let mut added = parts.clone();
    added.push(("notes.txt".into(), b"hello".to_vec()));
    let mut escaping = parts.clone();
    escaping.push(("../x".into(), b"owned".to_vec()));
    let mut missing = parts.clone();
    missing.remove(1);
    for (what, zip) in
        [("renamed", renamed), ("added", added), ("escaping", escaping), ("missing", missing)]
    {
        let outcome = hq.import_bundle_bytes(&rezip(zip)).unwrap();
        assert_eq!(rejected(outcome), "bad_contents", "{what}");
    }
    // The same entries re-zipped by another tool: the layout differs, so it is refused too.
    assert_eq!(rejected(hq.import_bundle_bytes(&rezip(parts)).unwrap()), "bad_contents");
    assert_eq!(rejected(hq.import_bundle_bytes(b"PK\x03\x04 not really").unwrap()), "not_a_bundle");
    assert_eq!(rejected(hq.import_bundle_bytes(b"age-encryption.org/v1\n").unwrap()), "encrypted");
    assert_eq!(state(&hq), before);
}

#[test]
fn a_zip_bomb_is_refused_without_inflating_it() {
    let (hq, a) = hq_with_a_trusted_laptop();
    let parts = entries(&export(&a));
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in &parts[..2] {
        zip.start_file(name.as_str(), deflate).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.start_file("ops.jsonl", deflate.large_file(true)).unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..4 {
        zip.write_all(&zeros).unwrap();
    }
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 64 << 10, "the bomb is small: {} bytes", bomb.len());
    // With a 1 MiB limit on ops.jsonl (production allows 1 GiB), 4 MiB of zeros is refused.
    let err =
        bundle::read_with(&bomb, Limits { ops_bytes: 1 << 20, ..Limits::default() }).unwrap_err();
    assert!(
        matches!(&err, Rejection::Contents { reason } if reason.contains("larger than")),
        "{err}"
    );
    let before = state(&hq);
    assert!(matches!(hq.import_bundle_bytes(&bomb).unwrap(), ImportOutcome::Rejected { .. }));
    assert_eq!(state(&hq), before);
}

#[test]
fn oversized_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.palabre");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(bundle::MAX_FILE_BYTES + 1).unwrap();
    let hq = hq("HQ");
    assert_eq!(rejected(hq.import_bundle_file(&path).unwrap()), "too_large");
    assert_eq!(
        rejected(hq.import_bundle_file(&dir.path().join("absent.palabre")).unwrap()),
        "unreadable"
    );
}

#[test]
fn rows_whose_parent_has_not_arrived_are_kept_and_listed() {
    let a = a_laptop_with_data("Bandiagara-01");
    let hq = hq("HQ");
    hq.init("x").ok();
    // Only the attendance ops arrive (the session and person travel in a bundle still on its way).
    let attendance: Vec<_> = a
        .ops()
        .unwrap()
        .into_iter()
        .filter(|op| op.entity == palabre::journal::schema::Entity::Attendance)
        .collect();
    hq.merge_ops(&attendance).unwrap();
    let orphans = hq.orphans().unwrap();
    assert_eq!(orphans.len(), 2, "missing session and missing person: {orphans:?}");
    assert!(
        orphans.iter().any(|o| o.missing == "session")
            && orphans.iter().any(|o| o.missing == "person")
    );
    hq.merge_ops(&a.ops().unwrap()).unwrap();
    assert!(hq.orphans().unwrap().is_empty(), "the parents arrived");
    assert_eq!(
        hq.report(Default::default(), palabre::i18n::Lang::Fr).unwrap().attendances,
        0,
        "planned session"
    );
}

#[test]
fn relaying_a_file_through_another_laptop_equals_delivering_it() {
    let a = a_laptop_with_data("A");
    let b = laptop("B");
    let direct = laptop("C");
    let relayed = laptop("C2");
    let file = export(&a);
    deliver(&direct, &file);
    // B imports A's file and hands the same file on, with its own bundle, which carries only B's ops.
    deliver(&b, &file);
    let own = export(&b);
    assert!(
        Palabre::verify_bundle(&own)
            .unwrap()
            .ops
            .iter()
            .all(|op| op.device_id == b.device().unwrap().device_id)
    );
    deliver(&relayed, &file);
    deliver(&direct, &own);
    deliver(&relayed, &own);
    assert_eq!(relayed.synced_snapshot().unwrap(), direct.synced_snapshot().unwrap());
}

// ---- bundles locked with a passphrase (a laptop not enrolled with HQ) ----

#[test]
fn a_bundle_locked_with_a_passphrase_opens_only_with_it_and_a_refusal_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let a = laptop("Ségou-07");
    person(&a, "Kadiatou Sow");
    // Too short: refused, and the export is not counted.
    let err = a.export_bundle_with_passphrase(dir.path(), "court").unwrap_err();
    assert_eq!(err.code(), "passphrase_too_short", "{err}");
    assert_eq!(err.field(), Some("passphrase"));
    let exported = a.export_bundle_with_passphrase(dir.path(), "sable chaud de Mopti").unwrap();
    assert_eq!(exported.bundle_seq, 1, "the refused export took no number");
    assert_eq!(exported.lock, palabre::Lock::Passphrase);
    let path = exported.path.unwrap();
    assert!(path.to_string_lossy().ends_with(".palabre.age"), "{}", path.display());
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.windows(8).any(|w| w == b"Kadiatou"), "the names are encrypted");

    let hq = hq("HQ");
    let before = state(&hq);
    let code = |outcome: &ImportOutcome| match outcome {
        ImportOutcome::Rejected { code, .. } => code.clone(),
        other => panic!("expected a refusal, got {other:?}"),
    };
    assert_eq!(code(&hq.import_bundle_file(&path).unwrap()), "needs_passphrase");
    let wrong = hq.import_bundle_files_with_passphrase(&[&path], "sable chaud de mopti").unwrap();
    assert_eq!(code(&wrong[0]), "wrong_passphrase");
    assert!(wrong[0].to_string().contains("capitals"), "{}", wrong[0]);
    assert_eq!(state(&hq), before, "refusals write nothing");
    let opened = hq.import_bundle_files_with_passphrase(&[&path], "sable chaud de Mopti").unwrap();
    let ImportOutcome::Quarantined { fingerprint, .. } = &opened[0] else { panic!("{opened:?}") };
    hq.trust_device(fingerprint).unwrap();
    assert_eq!(hq.find_people("kadiatou", 5).unwrap().len(), 1);
}

#[test]
fn an_enrolled_laptop_needs_no_passphrase_and_a_plain_export_says_it_is_plain() {
    let dir = tempfile::tempdir().unwrap();
    let hq = hq("HQ");
    let keys = hq.hq_init(&dir.path().join("keys"), Some("Dialogues")).unwrap();
    let a = laptop("Ségou-07");
    person(&a, "Kadiatou Sow");
    let (plain, _) = a.export_bundle_bytes().unwrap();
    assert_eq!((plain.lock, plain.encrypted), (palabre::Lock::Nothing, false));
    a.enroll_file(&keys.enrollment).unwrap();
    let err = a.export_bundle_with_passphrase(dir.path(), "sable chaud de Mopti").unwrap_err();
    assert_eq!(err.code(), "passphrase_not_needed", "{err}");
    let (sealed, _) = a.export_bundle_bytes().unwrap();
    assert_eq!((sealed.lock, sealed.encrypted), (palabre::Lock::Hq, true));
}

/// HQ's inbox: many files imported with progress, stopped between two of them. The files before
/// the stop are merged whole, the rest are untouched (HQ equals a database that imported only
/// those), and importing the same folder again completes it.
#[test]
fn an_import_of_many_files_reports_each_and_stops_between_two_leaving_nothing_half_merged() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let dir = tempfile::tempdir().unwrap();
    // Each laptop's first export (empty) makes it known; its data travels in the second.
    let mut hellos = Vec::new();
    let mut files = Vec::new();
    for i in 0..6 {
        let app = laptop(&format!("Kayes-{i:02}"));
        hellos.push(app.export_bundle_bytes().unwrap().1);
        let s = session(&app, "Dialogue", "2024-03-14");
        let p = person(&app, &format!("Aïssata Traoré {i}"));
        app.attend(s, &[p]).unwrap();
        let out = dir.path().join(format!("{i}"));
        std::fs::create_dir(&out).unwrap();
        files.push(app.export_bundle(&out).unwrap().path.unwrap());
    }
    let paths: Vec<&std::path::Path> = files.iter().map(|f| f.as_path()).collect();
    let trusted_only = |name: &str| {
        let hq = common::open_hq(dir.path().join(name));
        hq.init("HQ").unwrap();
        for hello in &hellos {
            if let ImportOutcome::Quarantined { fingerprint, .. } =
                hq.import_bundle_bytes(hello).unwrap()
            {
                hq.trust_device(&fingerprint).unwrap();
            }
        }
        assert_eq!(hq.people(0, 100).unwrap().total, 0);
        hq
    };
    let hq = trusted_only("hq.db");
    let stop = AtomicBool::new(false);
    let mut steps = Vec::new();
    let mut progress = |done: usize, total: usize, outcome: &ImportOutcome| {
        steps.push((done, total, matches!(outcome, ImportOutcome::Applied { .. })));
        if done == 2 {
            stop.store(true, Ordering::SeqCst);
        }
    };
    let imported = hq
        .import_bundle_files_watched(
            &paths,
            None,
            palabre::ImportWatch { progress: &mut progress, stop: &stop },
        )
        .unwrap();
    assert!(imported.stopped);
    assert_eq!(imported.outcomes.len(), 2, "{:?}", imported.outcomes);
    assert_eq!(steps, vec![(1, 6, true), (2, 6, true)]);
    assert_eq!(hq.people(0, 100).unwrap().total, 2, "two laptops' people, whole; no others");

    let first_two = trusted_only("two.db");
    first_two.import_bundle_files(&paths[..2]).unwrap();
    assert_eq!(hq.synced_snapshot().unwrap(), first_two.synced_snapshot().unwrap());

    // The same folder again: the two already imported are recognised, the rest merge.
    stop.store(false, Ordering::SeqCst);
    let mut lines = 0;
    let mut count = |_: usize, _: usize, _: &ImportOutcome| lines += 1;
    let again = hq
        .import_bundle_files_watched(
            &paths,
            None,
            palabre::ImportWatch { progress: &mut count, stop: &stop },
        )
        .unwrap();
    assert!(!again.stopped);
    assert_eq!(lines, 6);
    assert!(matches!(
        again.outcomes[..2],
        [ImportOutcome::AlreadyImported { .. }, ImportOutcome::AlreadyImported { .. }]
    ));
    assert!(again.outcomes[2..].iter().all(|o| matches!(o, ImportOutcome::Applied { .. })));
    let all = trusted_only("all.db");
    all.import_bundle_files(&paths).unwrap();
    assert_eq!(hq.synced_snapshot().unwrap(), all.synced_snapshot().unwrap());
}

/// The report's per-session lists (report/reach.rs) follow rows that arrive out of order: an
/// attendance before its person, then the person; HQ counts her once she is there, and the
/// lists always equal a count made afresh from the attendance table.
#[test]
fn hq_counts_an_attendance_whose_person_arrives_later() {
    let a = laptop("Gao-01");
    let b = laptop("Gao-02");
    let hq = hq("HQ");
    for app in [&a, &b] {
        for other in [&a, &b, &hq] {
            if std::ptr::eq(app, other) {
                continue;
            }
            let hello = app.export_bundle_bytes().unwrap().1;
            if let ImportOutcome::Quarantined { fingerprint, .. } =
                other.import_bundle_bytes(&hello).unwrap()
            {
                other.trust_device(&fingerprint).unwrap();
            }
        }
    }
    let her = person(&b, "Fadimata Maïga");
    let from_b = b.export_bundle_bytes().unwrap().1;
    deliver(&a, &from_b);
    let s = a
        .add_session(&palabre::SessionInput {
            title: Some("Dialogue jeunes et autorités".into()),
            start_date: Some("2024-05-02".into()),
            status: Some("held".into()),
            ..Default::default()
        })
        .unwrap();
    a.attend(s, &[her]).unwrap();
    let lists = |db: &Palabre, cached| {
        db.store().read(|c| palabre::report::reach::lists(c, cached)).unwrap()
    };
    let reached = |db: &Palabre| {
        let r = db.report(Default::default(), palabre::i18n::Lang::Fr).unwrap();
        (r.people.total, r.attendances)
    };
    deliver(&hq, &a.export_bundle_bytes().unwrap().1);
    assert_eq!(reached(&hq), (0, 0), "her attendance waits for her");
    assert_eq!(lists(&hq, true), lists(&hq, false));
    deliver(&hq, &from_b);
    assert_eq!(reached(&hq), (1, 1));
    assert_eq!(lists(&hq, true), lists(&hq, false));
    assert_eq!(lists(&hq, true).len(), 1);
    // Marked absent, then present again, on the laptop: HQ follows.
    a.set_present(s, her, false).unwrap();
    deliver(&hq, &a.export_bundle_bytes().unwrap().1);
    assert_eq!(reached(&hq), (0, 0));
    assert_eq!(lists(&hq, true), lists(&hq, false));
    a.set_present(s, her, true).unwrap();
    deliver(&hq, &a.export_bundle_bytes().unwrap().1);
    assert_eq!(reached(&hq), (1, 1));
    assert_eq!(reached(&a), (1, 1));
}
