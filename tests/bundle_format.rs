//! Bundle formats: format 3 (changes grouped by row and compressed, `exchange::compact`) is
//! small, round-trips every kind of change, and holds a modified build's rows to the same checks
//! as format 1; bundles written by earlier versions (formats 1 and 2, frozen in
//! tests/fixtures/bundles) still import.

mod common;

use std::collections::BTreeMap;
use std::io::Write;

use common::{person, state};
use palabre::exchange::bundle::{self, Limits, Manifest};
use palabre::{ImportOutcome, Palabre, PersonInput, Rejection};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/bundles/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn bundles_of_formats_1_and_2_written_by_earlier_versions_still_import() {
    let hq = common::app();
    let one = fixture("format1-mopti-02.palabre");
    assert_eq!(Palabre::verify_bundle(&one).unwrap().manifest.format_version, 1);
    assert!(matches!(common::deliver(&hq, &one), ImportOutcome::Applied { new_ops: 54, .. }));
    let found = hq.find_people("Oumou", 5).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(hq.person(found[0].id).unwrap().phone, "66 01 02 03");

    let two = fixture("format2-segou-07.palabre");
    let read = Palabre::verify_bundle(&two).unwrap();
    assert_eq!((read.manifest.format_version, read.files.len()), (2, 1));
    assert!(matches!(common::deliver(&hq, &two), ImportOutcome::Applied { new_ops: 63, .. }));
    let session = hq
        .sessions(&palabre::SessionFilter::default())
        .unwrap()
        .into_iter()
        .find(|s| s.title == "Dialogue femmes et autorités")
        .unwrap();
    let sheets = hq.evidence(session.id).unwrap();
    assert_eq!(sheets.len(), 1);
    assert!(sheets[0].has_file && sheets[0].filed_by_code);
}

#[test]
fn format_3_is_compact_and_round_trips_edits_deletions_and_other_devices_stamps() {
    let a = common::app();
    let b = common::app();
    b.rename_device("Ségou-02").unwrap();
    let hq = common::app();
    hq.rename_device("HQ").unwrap();
    let aissata = person(&a, "Aïssata Traoré");
    let s = common::held(&a, "Dialogue femmes – autorités", "2024-03-14", &["womens_groups"]);
    a.attend(s, &[aissata]).unwrap();
    assert!(matches!(common::deliver(&b, &common::export(&a)), ImportOutcome::Applied { .. }));
    // B edits A's person (its ops carry A's stamps as their previous owner), adds and deletes.
    b.edit_person(
        aissata,
        &PersonInput { phone: Some("76 12 34 56".into()), ..Default::default() },
    )
    .unwrap();
    let gone = person(&b, "Doublon à supprimer");
    b.delete_person(gone).unwrap();
    person(&b, "Ɲɛnɛ Kɔnatɛ");
    let bytes = common::export(&b);
    let read = Palabre::verify_bundle(&bytes).unwrap();
    assert_eq!(read.manifest.format_version, 3);
    assert_eq!(read.manifest.entries.keys().collect::<Vec<_>>(), ["rows.jsonl.zst"]);
    let a_id = a.device().unwrap().device_id;
    assert!(read.ops.iter().any(|op| op.prev_device == Some(a_id)), "a stamp of A's");
    // What was read is exactly what B wrote.
    let b_id = b.device().unwrap().device_id;
    let written: Vec<_> = b.ops().unwrap().into_iter().filter(|o| o.device_id == b_id).collect();
    assert_eq!(read.ops, written);
    // The same ops as one op a line (format 1) weigh many times more.
    let jsonl = bundle::ops_jsonl(&written);
    let rows = read.manifest.entries["rows.jsonl.zst"].size as usize;
    assert!(rows * 5 < jsonl.len(), "{rows} bytes against {} for ops.jsonl", jsonl.len());
    // HQ, given A then B, holds what B holds.
    assert!(matches!(common::deliver(&hq, &common::export(&a)), ImportOutcome::Applied { .. }));
    assert!(matches!(common::deliver(&hq, &bytes), ImportOutcome::Applied { .. }));
    assert_eq!(hq.person(aissata).unwrap().phone, "76 12 34 56");
    assert_eq!(hq.synced_snapshot().unwrap()["people"], b.synced_snapshot().unwrap()["people"]);
}

/// `rows` compressed as a bundle's changes, signed by `laptop` for `count` ops from 1.
fn signed_rows(laptop: &Palabre, text: &str, count: i64) -> Vec<u8> {
    let me = laptop.device().unwrap();
    let mut manifest = Manifest::for_ops(&me, &[], 1, None, chrono::Utc::now().to_rfc3339());
    manifest.ops = bundle::OpRange { first_seq: 1, last_seq: count, count };
    let rows = zstd::encode_all(text.as_bytes(), 3).unwrap();
    bundle::write_rows(&laptop.signing_key().unwrap(), manifest, rows, &BTreeMap::new()).0
}

#[test]
fn a_trusted_laptops_modified_build_cannot_slip_bad_rows_past_the_reader() {
    let hq = common::app();
    let laptop = common::app();
    laptop.rename_device("Ségou-09").unwrap();
    assert!(matches!(
        common::deliver(&hq, &common::export(&laptop)),
        ImportOutcome::Applied { .. }
    ));
    let before = state(&hq);
    let row = "0190f0a0b0c07d8e9f0a1b2c3d4e5f60";
    let header = r#"["palabre-rows",1,[]]"#;
    let cases = [
        (
            "not the header",
            format!("[\"rows\",1,[]]\n[\"person\",\"{row}\",[[\"sex\",\"F\",5]]]\n"),
            "bad_op",
        ),
        (
            "unknown entity",
            format!("{header}\n[\"payment\",\"{row}\",[[\"sex\",\"F\",5]]]\n"),
            "bad_op",
        ),
        (
            "unknown field",
            format!("{header}\n[\"person\",\"{row}\",[[\"salary\",\"F\",5]]]\n"),
            "bad_op",
        ),
        (
            "a value the forms refuse",
            format!("{header}\n[\"person\",\"{row}\",[[\"birth_year\",99999,5]]]\n"),
            "bad_op",
        ),
        (
            "a device not listed",
            format!("{header}\n[\"person\",\"{row}\",[[\"sex\",\"F\",5,3,4]]]\n"),
            "bad_op",
        ),
        (
            "a clock that overflows",
            format!(
                "{header}\n[\"person\",\"{row}\",[[\"sex\",\"F\",9223372036854775807],[\"sex\",\"M\",9]]]\n"
            ),
            "bad_op",
        ),
        (
            "an id that is not one",
            format!("{header}\n[\"person\",\"nope\",[[\"sex\",\"F\",5]]]\n"),
            "bad_op",
        ),
        ("a row without fields", format!("{header}\n[\"person\",\"{row}\",[]]\n"), "bad_op"),
    ];
    for (what, text, code) in cases {
        let count = text.matches("[\"sex\"").count().max(1) as i64;
        let bytes = signed_rows(&laptop, &text, count);
        match hq.import_bundle_bytes(&bytes).unwrap() {
            ImportOutcome::Rejected { code: got, .. } => assert_eq!(got, code, "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // Compressed zeros: a small entry that would unpack to far more than the limit.
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 19).unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..4 {
        encoder.write_all(&zeros).unwrap();
    }
    let rows = encoder.finish().unwrap();
    assert!(rows.len() < 4_096, "{} bytes", rows.len());
    let me = laptop.device().unwrap();
    let mut manifest = Manifest::for_ops(&me, &[], 1, None, chrono::Utc::now().to_rfc3339());
    manifest.ops = bundle::OpRange { first_seq: 1, last_seq: 1, count: 1 };
    let bomb =
        bundle::write_rows(&laptop.signing_key().unwrap(), manifest, rows, &BTreeMap::new()).0;
    let err =
        bundle::read_with(&bomb, Limits { ops_bytes: 1 << 20, ..Limits::default() }).unwrap_err();
    assert!(
        matches!(&err, Rejection::Contents { reason } if reason.contains("larger than")),
        "{err}"
    );
    assert_eq!(state(&hq), before, "nothing was merged");
}
