//! Paper evidence: a printed sheet, rendered by pdftoppm and photographed by ImageMagick (turned,
//! blurred, noisy), filed under its session and page by its code, turned upright and kept within
//! the page budget; files without a code asked about; bad files refused with nothing stored; the
//! files carried to HQ in bundles, checked there, not sent again once acknowledged, spread over
//! bundles by the size cap; and the report's list of held sessions without a signed sheet.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{PASSPHRASE, state};
#[path = "common/pictures.rs"]
mod pictures;
use palabre::exchange::bundle::{self, Manifest};
use palabre::i18n::Lang;
use palabre::{Filing, ImportOutcome, Palabre, PersonInput, SessionId, SessionInput, Unfiled};
use pictures::{photo_bytes, rendered};

const BUDGET: usize = palabre::evidence::media::PAGE_BUDGET;

fn held_session(app: &Palabre, title: &str, people: usize) -> SessionId {
    let s = app
        .add_session(&SessionInput {
            title: Some(title.into()),
            start_date: Some("2024-03-14".into()),
            status: Some("held".into()),
            region: Some("Ségou".into()),
            ..Default::default()
        })
        .unwrap();
    let ids: Vec<_> = (0..people)
        .map(|i| {
            app.add_person(&PersonInput {
                full_name: Some(format!("Participante {i:03}")),
                sex: Some("F".into()),
                ..Default::default()
            })
            .unwrap()
        })
        .collect();
    if !ids.is_empty() {
        app.attend(s, &ids).unwrap();
    }
    s
}

/// The pages of a session's printed sheet, as a phone would see them before its own damage.
fn sheet_pages(app: &Palabre, s: Option<SessionId>) -> Vec<image::GrayImage> {
    rendered(&app.attendance_sheet(s, Lang::Fr, 10).unwrap(), 150)
}

fn png(picture: &image::GrayImage) -> Vec<u8> {
    let mut out = Vec::new();
    picture.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn filed(filing: Filing) -> palabre::Evidence {
    match filing {
        Filing::Filed { evidence, .. } => evidence,
        other => panic!("expected the file to be filed, got {other:?}"),
    }
}

#[test]
fn a_photographed_sheet_files_itself_under_its_session_and_page_upright_within_the_budget() {
    let app = common::app();
    let s = held_session(&app, "Dialogue femmes – autorités", 20);
    let pages = sheet_pages(&app, Some(s));
    assert_eq!(pages.len(), 3);
    let upright_is_landscape = pages[1].width() > pages[1].height();
    // A phone's photo of page 2: a quarter turn, a slight tilt, blur, noise, at the size of a
    // 12-megapixel camera (so that it needs recompressing).
    let photo = photo_bytes(
        &pages[1],
        &[
            "-rotate",
            "92",
            "-blur",
            "0x1",
            "-attenuate",
            "0.3",
            "+noise",
            "Gaussian",
            "-resize",
            "220%",
        ],
    );
    assert!(photo.len() > BUDGET, "the photo is larger than the budget: {}", photo.len());
    let filing = app.attach_evidence(None, None, &photo).unwrap();
    let Filing::Filed { evidence, session_title, turned, original_size } = filing else {
        panic!("{filing:?}")
    };
    assert_eq!(session_title, "Dialogue femmes – autorités");
    assert_eq!((evidence.session_id, evidence.page, evidence.pages), (s, Some(2), Some(3)));
    assert!(evidence.filed_by_code && evidence.has_file);
    assert_eq!(evidence.media_type, "image/jpeg");
    assert_eq!(original_size, photo.len());
    assert_eq!(turned, 3, "a quarter turn clockwise is undone by three more");
    assert!(evidence.size as usize <= BUDGET, "{} bytes", evidence.size);
    // The kept photo is upright (the sheet's orientation) and its code still reads.
    let (media, kept) = app.evidence_content(evidence.id).unwrap();
    assert_eq!(media, "image/jpeg");
    assert_eq!(kept.len() as i64, evidence.size);
    let picture = palabre::evidence::media::grey(&kept).unwrap();
    assert_eq!(picture.width() > picture.height(), upright_is_landscape, "turned upright");
    let code = Palabre::read_sheet_code(&kept).unwrap().expect("the kept photo's code reads");
    assert_eq!((code.session, code.page), (Some(s), 2));
    // Looked for as Palabre looks (`find_in_grey`: at a reduced size first). At full size, on
    // some of the random session ids a sheet code takes, the recompressed photo's code was
    // missed by the detector while the app's own reading found it (a flaky assertion, seen in
    // CI on 2026-12-07).
    let (_, lies) = palabre::sheet::read::find_in_grey(&picture).expect("the code is found");
    assert_eq!(lies.turns, 0, "the kept photo needs no more turning");
    // The photo was turned 92°: the 2° left are straightened too (to within the half degree
    // below which nothing is turned, and what the code's corners can tell).
    assert!(lies.tilt_degrees.abs() < 0.8, "tilt left: {lies:?}");
    let thumb = app.evidence_thumbnail(evidence.id).unwrap().expect("a thumbnail");
    assert!(thumb.len() < 30_000 && thumb.starts_with(&[0xFF, 0xD8]));

    // Upside down, and a PNG straight from a scanner: page 3.
    let scan = png(&pages[2]);
    let third = filed(app.attach_evidence(None, None, &scan).unwrap());
    assert_eq!(third.page, Some(3));
    let upside = photo_bytes(&pages[0], &["-rotate", "180"]);
    match app.attach_evidence(None, None, &upside).unwrap() {
        Filing::Filed { evidence, turned, .. } => {
            assert_eq!((evidence.page, turned), (Some(1), 2));
        }
        other => panic!("{other:?}"),
    }
    // The same photo again adds nothing.
    let before = state(&app);
    assert!(matches!(
        app.attach_evidence(None, None, &photo).unwrap(),
        Filing::AlreadyAttached { .. }
    ));
    assert_eq!(state(&app), before);
    let listed = app.evidence(s).unwrap();
    assert_eq!(listed.iter().map(|e| e.page).collect::<Vec<_>>(), [Some(1), Some(2), Some(3)]);

    // A scanner's PDF (the photo as a JPEG page) is kept as it is, filed by its code.
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("scan.pdf");
    let pdf_bytes = scanned(&photo_bytes(&pages[0], &["-rotate", "2"]));
    std::fs::write(&pdf, &pdf_bytes).unwrap();
    let scan = filed(app.attach_evidence_file(None, None, &pdf).unwrap());
    assert_eq!((scan.media_type.as_str(), scan.page), ("application/pdf", Some(1)));
    assert_eq!(app.evidence_content(scan.id).unwrap().1, pdf_bytes, "kept as it is");
    assert!(app.evidence_thumbnail(scan.id).unwrap().is_some());

    // Removing one is a tombstone; the others stay.
    app.remove_evidence(third.id).unwrap();
    assert_eq!(app.evidence(s).unwrap().len(), 3);
    assert_eq!(app.remove_evidence(third.id).unwrap_err().code(), "not_found");
}

#[test]
fn files_without_a_usable_code_are_asked_about_and_bad_files_are_refused_with_nothing_stored() {
    let app = common::app();
    let s = held_session(&app, "Dialogue jeunes", 3);
    let other = held_session(&app, "Dialogue autorités", 0);
    let pages = sheet_pages(&app, Some(s));
    let photo = photo_bytes(&pages[0], &["-rotate", "4"]);
    let before = state(&app);

    // No code: asked, nothing stored.
    let plain = png(&image::GrayImage::from_pixel(600, 400, image::Luma([210])));
    let asked = |bytes: &[u8]| match app.attach_evidence(None, None, bytes).unwrap() {
        Filing::NeedsSession { reason, .. } => reason,
        other => panic!("{other:?}"),
    };
    assert_eq!(asked(&plain), Unfiled::NoCode);
    // A blank sheet's code names no session.
    let blank = sheet_pages(&app, None);
    assert_eq!(asked(&photo_bytes(&blank[0], &[])), Unfiled::BlankSheet);
    // A sheet of another programme's database: its session is not here.
    let elsewhere = common::app();
    let theirs = held_session(&elsewhere, "Dialogue ailleurs", 1);
    let foreign = photo_bytes(&sheet_pages(&elsewhere, Some(theirs))[0], &[]);
    assert_eq!(asked(&foreign), Unfiled::UnknownSession);
    assert_eq!(
        app.attach_evidence(Some(s), None, &foreign).unwrap_err().code(),
        "evidence_unknown_session"
    );
    // A sheet of one session attached to another: refused, naming the right one.
    let wrong = app.attach_evidence(Some(other), None, &photo).unwrap_err();
    assert_eq!(wrong.code(), "evidence_other_session");
    assert!(wrong.to_string().contains("Dialogue jeunes"), "{wrong}");
    // Not a picture or a PDF; a 200 MB photo (refused before it is read); a decompression bomb
    // (a small PNG whose header promises 11,000 × 11,000 colour pixels); a PDF with a script.
    let refused = |result: palabre::Result<Filing>| result.unwrap_err();
    let text = refused(app.attach_evidence(Some(s), None, b"Nom;Signature\nA;B\n"));
    assert_eq!(text.code(), "bad_photo");
    let dir = tempfile::tempdir().unwrap();
    let huge = dir.path().join("huge.jpg");
    std::fs::File::create(&huge).unwrap().set_len(200 << 20).unwrap();
    let big = refused(app.attach_evidence_file(Some(s), None, &huge));
    assert!(big.code() == "bad_photo" && big.to_string().contains("200 MB"), "{big}");
    let bomb = png_header_only(11_000, 11_000);
    assert!(bomb.len() < 2_000);
    let bombed = refused(app.attach_evidence(Some(s), None, &bomb));
    assert!(bombed.to_string().contains("too big to open safely"), "{bombed}");
    let scripted = with_script(&app.attendance_sheet(Some(s), Lang::Fr, 1).unwrap());
    let script = refused(app.attach_evidence(Some(s), None, &scripted));
    assert!(script.to_string().contains("script"), "{script}");
    assert_eq!(state(&app), before, "nothing was stored");

    // Asked, and answered: filed by hand, at the page given.
    let e = filed(app.attach_evidence(Some(other), Some(2), &plain).unwrap());
    assert_eq!((e.session_id, e.page, e.filed_by_code), (other, Some(2), false));
    assert_eq!(
        app.attach_evidence(Some(other), Some(0), &plain).unwrap_err().code(),
        "out_of_range"
    );
    // The printed sheet itself (a PDF of vector shapes, no picture) has no readable code.
    let sheet = app.attendance_sheet(Some(s), Lang::Fr, 1).unwrap();
    assert!(matches!(
        app.attach_evidence(None, None, &sheet).unwrap(),
        Filing::NeedsSession { reason: Unfiled::NoCode, .. }
    ));
}

/// A PNG with a true header (width, height, 8-bit RGBA) and a few rows of data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    // zlib of nothing much: the decoder must refuse on the header's promise alone.
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// What a scanner writes: a PDF of one page holding the JPEG as it is (DCTDecode).
fn scanned(jpeg: &[u8]) -> Vec<u8> {
    use lopdf::{Object, Stream, dictionary};
    let (w, h) = image::load_from_memory(jpeg).unwrap().to_luma8().dimensions();
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let picture = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => w as i64, "Height" => h as i64,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8, "Filter" => "DCTDecode",
        },
        jpeg.to_vec(),
    ));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        format!("q {w} 0 0 {h} 0 0 cm /Im0 Do Q").into_bytes(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), (w as i64).into(), (h as i64).into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => picture } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A PDF that runs JavaScript when opened.
fn with_script(pdf: &[u8]) -> Vec<u8> {
    use lopdf::{Object, dictionary};
    let mut doc = lopdf::Document::load_mem(pdf).unwrap();
    let action = doc.add_object(dictionary! {
        "S" => "JavaScript",
        "JS" => Object::string_literal("app.alert('hi')"),
    });
    let catalog = doc.catalog_mut().unwrap();
    catalog.set("OpenAction", Object::Reference(action));
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

struct Hq {
    _dir: tempfile::TempDir,
    root: PathBuf,
    hq: Palabre,
    laptop: Palabre,
}

fn hq_and_laptop() -> Hq {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let hq = common::open_hq(root.join("hq.db"));
    hq.init("HQ Bamako").unwrap();
    let keys = hq.hq_init(&root.join("hq-keys"), Some("Dialogues Ségou")).unwrap();
    let laptop = Palabre::open(root.join("laptop.db"), PASSPHRASE).unwrap();
    laptop.init("Ségou-01").unwrap();
    laptop.enroll_file(&keys.enrollment).unwrap();
    Hq { _dir: dir, root, hq, laptop }
}

fn import(app: &Palabre, path: &Path) -> ImportOutcome {
    match app.import_bundle_file(path).unwrap() {
        ImportOutcome::Quarantined { fingerprint, .. } => {
            app.trust_device(&fingerprint).unwrap().merged.remove(0)
        }
        other => other,
    }
}

fn rejection(outcome: ImportOutcome) -> String {
    match outcome {
        ImportOutcome::Rejected { code, .. } => code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn sheets_travel_to_hq_checked_once_and_are_not_sent_again_after_the_acknowledgement() {
    let h = hq_and_laptop();
    let s = held_session(&h.laptop, "Dialogue femmes", 14);
    let pages = sheet_pages(&h.laptop, Some(s));
    let attached: Vec<_> = pages
        .iter()
        .map(|p| {
            filed(h.laptop.attach_evidence(None, None, &photo_bytes(p, &["-rotate", "3"])).unwrap())
        })
        .collect();
    assert_eq!(attached.len(), 2);
    let usb = h.root.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let first = h.laptop.export_bundle(&usb).unwrap();
    assert_eq!((first.evidence, first.parts.len()), (2, 1));
    let sheet_bytes: i64 = attached.iter().map(|e| e.size).sum();
    assert!(first.bytes as i64 > sheet_bytes, "the files travel in the bundle");
    assert!(matches!(import(&h.hq, first.path.as_ref().unwrap()), ImportOutcome::Applied { .. }));
    for e in &attached {
        let at_hq = h.hq.evidence_content(e.id).unwrap();
        assert_eq!(at_hq, h.laptop.evidence_content(e.id).unwrap(), "the same file at HQ");
        assert!(h.hq.evidence_thumbnail(e.id).unwrap().is_some(), "HQ makes its thumbnail");
    }
    let at_hq = h.hq.evidence(s).unwrap();
    assert_eq!(
        at_hq.iter().map(|e| (e.page, e.attached_by.as_str())).collect::<Vec<_>>(),
        [(Some(1), "Ségou-01"), (Some(2), "Ségou-01")]
    );
    let report = h.hq.report(palabre::Period::default(), Lang::Fr).unwrap();
    assert_eq!((report.evidence.with_evidence, report.evidence.share_backed_percent), (1, 100.0));

    // Acknowledged: the next export carries the new change, not the files again.
    let acks = h.hq.hq_ack(&usb, None, false).unwrap();
    assert!(matches!(
        h.laptop.import_bundle_file(&acks[0].path).unwrap(),
        ImportOutcome::Acknowledged { .. }
    ));
    h.laptop.remove_evidence(attached[1].id).unwrap();
    let second = h.laptop.export_bundle(&usb).unwrap();
    assert_eq!((second.ops, second.evidence), (1, 0));
    assert!(second.bytes < 4_000, "{} bytes", second.bytes);
    assert!(matches!(
        import(&h.hq, second.path.as_ref().unwrap()),
        ImportOutcome::Applied { new_ops: 1, .. }
    ));
    assert_eq!(h.hq.evidence(s).unwrap().len(), 1, "the removal reached HQ as a tombstone");
    // The removed photo (names and signatures) is deleted on both sides, the other kept.
    let files = |db: &str| -> Vec<String> {
        let conn = common::read_write(&h.root.join(db));
        let mut stmt = conn.prepare("SELECT sha256 FROM evidence_files").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(files("laptop.db"), [attached[0].sha256.clone()]);
    assert_eq!(files("hq.db"), [attached[0].sha256.clone()]);
    let report = h.hq.report(palabre::Period::default(), Lang::Fr).unwrap();
    assert_eq!(report.evidence.with_evidence, 1);
}

/// A bundle of all of `laptop`'s ops with `files` as given (what a modified build could sign).
fn signed_with(laptop: &Palabre, files: BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let me = laptop.device().unwrap();
    let ops: Vec<_> =
        laptop.ops().unwrap().into_iter().filter(|o| o.device_id == me.device_id).collect();
    let manifest = Manifest::for_ops(&me, &ops, 1, None, chrono::Utc::now().to_rfc3339());
    bundle::write_with_files(&laptop.signing_key().unwrap(), manifest, &ops, &files).0
}

#[test]
fn hq_refuses_an_altered_missing_or_foreign_file_even_from_a_trusted_laptop_and_stays_unchanged() {
    let hq = common::app();
    let laptop = common::app();
    laptop.rename_device("Ségou-02").unwrap();
    // HQ trusts the laptop with a first bundle.
    person_on(&laptop);
    let trusted = common::deliver(&hq, &common::export(&laptop));
    assert!(matches!(trusted, ImportOutcome::Applied { .. }), "{trusted:?}");
    let s = held_session(&laptop, "Dialogue autorités", 1);
    let e = filed(
        laptop
            .attach_evidence(
                Some(s),
                Some(1),
                &png(&image::GrayImage::from_pixel(300, 200, image::Luma([190]))),
            )
            .unwrap(),
    );
    let (_, file) = laptop.evidence_content(e.id).unwrap();
    let before = state(&hq);
    // Missing: the op names a file the bundle does not carry.
    assert_eq!(
        rejection(hq.import_bundle_bytes(&signed_with(&laptop, BTreeMap::new())).unwrap()),
        "evidence_missing"
    );
    // Altered: other bytes under the file's name.
    let mut altered = file.clone();
    let last = altered.len() - 10;
    altered[last] ^= 0x55;
    let bad = signed_with(&laptop, BTreeMap::from([(e.sha256.clone(), altered)]));
    assert_eq!(rejection(hq.import_bundle_bytes(&bad).unwrap()), "bad_checksum");
    // Not a photo at all, under its own digest: refused as evidence.
    let text = b"not a photo".to_vec();
    let foreign = BTreeMap::from([(palabre::files::sha256_hex(&text), text)]);
    let sneaky = signed_with(&laptop, foreign);
    assert_eq!(rejection(hq.import_bundle_bytes(&sneaky).unwrap()), "bad_evidence");
    // A byte changed in the file on the stick.
    let mut good = signed_with(&laptop, BTreeMap::from([(e.sha256.clone(), file.clone())]));
    let at =
        good.windows(file.len().min(64)).position(|w| w == &file[..file.len().min(64)]).unwrap();
    good[at + 40] ^= 1;
    let code = rejection(hq.import_bundle_bytes(&good).unwrap());
    assert!(["bad_checksum", "bad_contents"].contains(&code.as_str()), "{code}");
    assert_eq!(state(&hq), before, "HQ unchanged");
    assert!(hq.evidence(s).is_err(), "the session did not arrive either");
    // The file as made: accepted.
    good[at + 40] ^= 1;
    assert!(matches!(hq.import_bundle_bytes(&good).unwrap(), ImportOutcome::Applied { .. }));
    assert_eq!(hq.evidence_content(e.id).unwrap().1, file);
}

fn person_on(app: &Palabre) {
    common::person(app, "Oumou Sangaré");
}

#[test]
fn the_size_cap_spreads_a_backlog_of_sheets_over_chained_bundles_that_all_arrive() {
    let h = hq_and_laptop();
    let sessions: Vec<_> =
        (0..4).map(|i| held_session(&h.laptop, &format!("Dialogue {i}"), 2)).collect();
    let mut sizes = Vec::new();
    for s in &sessions {
        let page = &sheet_pages(&h.laptop, Some(*s))[0];
        let photo =
            photo_bytes(page, &["-attenuate", "0.6", "+noise", "Gaussian", "-resize", "200%"]);
        let e = filed(h.laptop.attach_evidence(None, None, &photo).unwrap());
        sizes.push(e.size as usize);
    }
    let largest = *sizes.iter().max().unwrap();
    let cap = (largest * 3 / 2) as u64;
    let usb = h.root.join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let export = h.laptop.export_bundles(&usb, None, cap).unwrap();
    assert!(export.parts.len() >= 3, "{} bundles for {sizes:?} under {cap}", export.parts.len());
    assert_eq!(export.evidence, 4);
    assert_eq!(export.parts.iter().map(|p| p.ops).sum::<i64>(), export.ops);
    for pair in export.parts.windows(2) {
        assert_eq!(pair[1].first_seq, pair[0].last_seq + 1, "contiguous changes");
        assert_eq!(pair[1].bundle_seq, pair[0].bundle_seq + 1);
    }
    for part in &export.parts {
        // Within the cap, but for the age envelope's few hundred bytes.
        assert!(part.bytes as u64 <= cap + 1_024, "{} > {cap}", part.bytes);
        let path = part.path.as_ref().unwrap();
        assert!(path.exists(), "{path:?}");
        assert!(matches!(import(&h.hq, path), ImportOutcome::Applied { .. }), "{path:?}");
        // After each bundle, HQ holds whole attachments only: never a row without its file,
        // nor one without its session and page.
        let held = h.hq.report(palabre::Period::default(), Lang::Fr).unwrap().evidence;
        for s in &sessions {
            for e in h.hq.evidence(*s).unwrap_or_default() {
                assert!(e.has_file && e.page.is_some() && e.size > 0, "{e:?}");
            }
        }
        assert!(held.with_evidence <= 4);
    }
    for s in &sessions {
        assert_eq!(h.hq.evidence(*s).unwrap().len(), 1);
    }
    let report = h.hq.report(palabre::Period::default(), Lang::Fr).unwrap();
    assert_eq!(report.evidence.with_evidence, 4);
    assert!(report.evidence.without.is_empty());
}

#[test]
fn the_report_lists_held_sessions_without_a_signed_sheet_and_the_share_of_attendance_backed() {
    let app = common::app();
    let backed = held_session(&app, "Dialogue avec preuve", 3);
    let bare = held_session(&app, "Dialogue sans preuve", 1);
    let planned = app
        .add_session(&SessionInput {
            title: Some("Prévu".into()),
            status: Some("planned".into()),
            start_date: Some("2024-04-01".into()),
            ..Default::default()
        })
        .unwrap();
    let page = &sheet_pages(&app, Some(backed))[0];
    filed(app.attach_evidence(None, None, &photo_bytes(page, &[])).unwrap());
    // The sheets that may show a person's name, for her erasure.
    let someone = app.attendance(backed).unwrap()[0].person_id;
    assert_eq!(app.person_sheets(someone).unwrap().len(), 1);
    let elsewhere = app.attendance(bare).unwrap()[0].person_id;
    assert!(app.person_sheets(elsewhere).unwrap().is_empty());
    let report = app.report(palabre::Period::default(), Lang::En).unwrap();
    let ev = &report.evidence;
    assert_eq!((ev.held_sessions, ev.with_evidence, ev.attendances_backed), (2, 1, 3));
    assert_eq!(ev.share_backed_percent, 75.0);
    assert_eq!(ev.without.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), [bare.to_string()]);
    assert!(!ev.without.iter().any(|s| s.id == planned.to_string()), "only held sessions");
    let per: Vec<_> =
        ev.sessions.iter().map(|s| (s.session.title.as_str(), s.attendances, s.sheets)).collect();
    assert_eq!(per, [("Dialogue avec preuve", 3, 1), ("Dialogue sans preuve", 1, 0)]);
    // The workbook has the column, read back with openpyxl.
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("report.xlsx");
    app.write_report_xlsx(
        palabre::Period::default(),
        &palabre::Place::default(),
        Lang::En,
        palabre::NamedList::None,
        &xlsx,
    )
    .unwrap();
    // Debian's Python, where the python3-openpyxl package installs.
    let out = std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(
            "import sys, openpyxl\n\
             wb = openpyxl.load_workbook(sys.argv[1])\n\
             ws = wb['Held sessions']\n\
             for row in ws.iter_rows(values_only=True): print('|'.join('' if v is None else str(v) for v in row))",
        )
        .arg(&xlsx)
        .output()
        .expect("python3 with openpyxl (make test installs it)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Session|Date|Region|Attendances|Signed sheets attached");
    assert!(
        lines[1].starts_with("Dialogue avec preuve|2024-03-14") && lines[1].ends_with("|Ségou|3|1"),
        "{}",
        lines[1]
    );
    assert!(lines[2].ends_with("|Ségou|1|0"), "{}", lines[2]);
}

#[test]
fn a_compressed_entry_is_refused_before_it_is_read() {
    let laptop = common::app();
    let hq = common::app();
    let s = held_session(&laptop, "Dialogue", 1);
    let page = &sheet_pages(&laptop, Some(s))[0];
    filed(laptop.attach_evidence(None, None, &png(page)).unwrap());
    let with = common::export(&laptop);
    let bundle = Palabre::verify_bundle(&with).unwrap();
    assert_eq!((bundle.manifest.format_version, bundle.files.len()), (3, 1));
    // The same entries, deflated: a reader that unpacked them could be made to unpack a bomb.
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&with[..])).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut out, &data).unwrap();
    }
    let deflated = out.finish().unwrap().into_inner();
    let before = state(&hq);
    match hq.import_bundle_bytes(&deflated).unwrap() {
        ImportOutcome::Rejected { code, reason, .. } => {
            assert_eq!(code, "bad_contents");
            assert!(reason.contains("compressed"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(state(&hq), before);
    assert!(matches!(common::deliver(&hq, &with), ImportOutcome::Applied { .. }));
}
