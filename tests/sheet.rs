//! The attendance sheet, read back with poppler's pdftotext: names (accented, even typed
//! decomposed), labels in both languages, page numbers and page counts.

mod common;

use common::pages;
#[path = "common/pictures.rs"]
mod pictures;
use palabre::i18n::Lang;
use palabre::{Palabre, PersonInput, SessionId, SessionInput};
use pictures::{photo_bytes, photographed, rendered};

fn session_with(app: &Palabre, people: usize) -> SessionId {
    let s = app
        .add_session(&SessionInput {
            title: Some("Dialogue femmes – autorités".into()),
            start_date: Some("2024-03-14".into()),
            end_date: Some("2024-03-15".into()),
            commune: Some("Pelengana".into()),
            place: Some("Mairie".into()),
            groups: Some(vec!["womens_groups".into(), "municipal_authorities".into()]),
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

#[test]
fn page_counts_follow_the_rows() {
    let app = common::app();
    // 12 rows a page; 10 blank rows follow the participants.
    assert_eq!(palabre::sheet::ROWS_PER_PAGE, 12);
    for (people, expected) in [(0, 1), (13, 2), (14, 2), (15, 3), (200, 18)] {
        let s = session_with(&app, people);
        let text = pages(&app.attendance_sheet(Some(s), Lang::Fr, 10).unwrap());
        assert_eq!(text.len(), expected, "{people} participants");
        for (i, page) in text.iter().enumerate() {
            assert!(
                page.contains(&format!("Page {} / {expected}", i + 1)),
                "page {} of {people}: {page}",
                i + 1
            );
            assert!(page.contains("FICHE DE PRÉSENCE"), "the header repeats");
            assert!(page.contains("Signature / empreinte"), "the table header repeats");
            assert!(page.contains(&format!("Inscrits : {people} · lignes vierges : 10")));
        }
    }
}

#[test]
fn every_name_prints_composed_and_both_languages_have_their_labels() {
    let app = common::app();
    let s = session_with(&app, 0);
    let names = [
        "Aïssata Traoré",
        "Ɲɛnɛ Kɔnɛ",
        "Kadiatou Cisse\u{301}",
        "Fatoumata Aïssata Ɲɛnɛ Walet Mohamed Haïdara Coulibaly",
    ];
    let ids: Vec<_> = names
        .iter()
        .map(|n| {
            app.add_person(&PersonInput {
                full_name: Some(n.to_string()),
                birth_year: Some(1990),
                ..Default::default()
            })
            .unwrap()
        })
        .collect();
    app.attend(s, &ids).unwrap();
    let fr = pages(&app.attendance_sheet(Some(s), Lang::Fr, 3).unwrap()).join("\n");
    for name in [
        "Aïssata Traoré",
        "Ɲɛnɛ Kɔnɛ",
        "Kadiatou Cissé",
        "Fatoumata Aïssata Ɲɛnɛ Walet",
        "Mohamed Haïdara Coulibaly",
    ] {
        assert!(fr.contains(name), "{name} missing from:\n{fr}");
    }
    // The groups wrap left of the QR code: compare words, not lines.
    let words: Vec<&str> = fr.split_whitespace().collect();
    for word in ["Groupements", "de", "femmes,", "Autorités", "municipales"] {
        assert!(words.contains(&word), "{word} missing from:\n{fr}");
    }
    assert!(fr.contains("14/03/2024 – 15/03/2024"));
    assert!(fr.contains("34"), "age on the session date");
    assert!(fr.contains(&palabre::sheet::check_code(s)));
    let en = pages(&app.attendance_sheet(Some(s), Lang::En, 3).unwrap()).join("\n");
    for label in [
        "ATTENDANCE SHEET",
        "Signature / thumbprint",
        "Full name",
        "Community",
        "Page 1 / 1",
        "Registered: 4",
    ] {
        assert!(en.contains(label), "{label} missing from:\n{en}");
    }
}

#[test]
fn a_blank_sheet_has_rows_and_a_header_to_fill_by_hand() {
    let app = common::app();
    let text = pages(&app.attendance_sheet(None, Lang::Fr, 20).unwrap());
    assert_eq!(text.len(), 2);
    assert!(text[0].contains("Fiche vierge"));
    assert!(text[0].contains("Séance : ______"));
    assert!(text[1].contains("20"), "numbered blank rows");
}

#[test]
fn every_stakeholder_group_prints_in_the_header_uncut() {
    let app = common::app();
    let all: Vec<String> = palabre::Group::ALL.iter().map(|g| g.as_str().to_string()).collect();
    let s = app
        .add_session(&SessionInput {
            title: Some("Forum de toutes les parties".into()),
            start_date: Some("2024-03-14".into()),
            groups: Some(all),
            ..Default::default()
        })
        .unwrap();
    for lang in [Lang::Fr, Lang::En] {
        let text = pages(&app.attendance_sheet(Some(s), lang, 1).unwrap()).join("\n");
        // pdftotext keeps the header's lines apart: compare words, not whole labels.
        let words: Vec<&str> = text.split_whitespace().collect();
        for group in palabre::Group::ALL {
            let label = palabre::i18n::t(lang, &format!("group.{group}"), &[]);
            for word in label.split_whitespace() {
                let word = word.trim_end_matches(',');
                assert!(
                    words.iter().any(|w| w.trim_end_matches(',') == word),
                    "{word} (of {label}) missing from:\n{text}"
                );
            }
        }
        assert!(!text.contains('…'), "nothing is cut:\n{text}");
    }
}

#[test]
fn the_sheet_lists_people_in_the_same_order_as_the_screen() {
    let app = common::app();
    let s = session_with(&app, 0);
    let names = ["Zeinabou Diarra", "Ɲɛnɛ Kɔnɛ", "Nana Touré", "Oumou Cissé", "Élise Dembélé"];
    let ids: Vec<_> = names
        .iter()
        .map(|n| {
            app.add_person(&PersonInput { full_name: Some(n.to_string()), ..Default::default() })
                .unwrap()
        })
        .collect();
    app.attend(s, &ids).unwrap();
    let on_screen: Vec<String> =
        app.attendance(s).unwrap().into_iter().map(|l| l.full_name).collect();
    assert_eq!(
        on_screen,
        ["Élise Dembélé", "Nana Touré", "Ɲɛnɛ Kɔnɛ", "Oumou Cissé", "Zeinabou Diarra"]
    );
    let text = pages(&app.attendance_sheet(Some(s), Lang::Fr, 0).unwrap()).join("\n");
    let printed: Vec<usize> = on_screen.iter().map(|n| text.find(n.as_str()).unwrap()).collect();
    assert!(printed.windows(2).all(|w| w[0] < w[1]), "sheet order differs:\n{text}");
    let registry: Vec<String> =
        app.people(0, 10).unwrap().people.into_iter().map(|p| p.full_name).collect();
    assert_eq!(registry, on_screen, "the registry sorts the same way");
}

/// The sheet passes from hand to hand in the room: a participant's registered phone number is
/// never printed on it; the phone column is there, empty, to write in. Her name and community
/// are (they identify who signs).
#[test]
fn the_sheet_never_prints_a_registered_phone_number() {
    let app = common::app();
    let s = session_with(&app, 0);
    let person = app
        .add_person(&PersonInput {
            full_name: Some("Mariam Sangaré".into()),
            community: Some("Pelengana".into()),
            phone: Some("76 54 32 10".into()),
            ..Default::default()
        })
        .unwrap();
    app.attend(s, &[person]).unwrap();
    assert_eq!(app.person(person).unwrap().phone, "76 54 32 10", "the registry keeps it");
    for lang in [Lang::Fr, Lang::En] {
        let text = pages(&app.attendance_sheet(Some(s), lang, 2).unwrap()).join("\n");
        assert!(text.contains("Mariam Sangaré"), "{text}");
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        assert!(!digits.contains("76543210"), "the phone is printed:\n{text}");
        assert!(!text.contains("76 54 32 10"), "the phone is printed:\n{text}");
        let label = palabre::translate(lang, "field.phone", &[]);
        assert!(text.contains(&label), "the empty phone column is still there: {label}\n{text}");
    }
}

#[test]
fn every_page_carries_a_qr_code_of_its_session_and_page_that_survives_a_phone_photo() {
    let app = common::app();
    let s = session_with(&app, 20);
    let pdf = app.attendance_sheet(Some(s), Lang::Fr, 10).unwrap();
    let pages = rendered(&pdf, 200);
    assert_eq!(pages.len(), 3);
    for (i, page) in pages.iter().enumerate() {
        let found = palabre::sheet::read::codes_in(page);
        assert_eq!(found.len(), 1, "one code on page {}", i + 1);
        assert_eq!(found[0].session, Some(s));
        assert_eq!((found[0].page, found[0].pages), (i + 1, 3));
        assert_eq!(found[0].check.as_deref(), Some(palabre::sheet::check_code(s).as_str()));
    }
    // A phone's photo: tilted, upside down, blurred, noisy, compressed, and as small as a photo
    // shrunk for a messaging app (120 dots an inch across the sheet, 1,400 pixels wide).
    let page = &pages[1];
    for treatment in [
        &["-rotate", "7", "-blur", "0x1"][..],
        &["-rotate", "180", "-attenuate", "0.4", "+noise", "Gaussian"][..],
        &["-rotate", "-90", "-resize", "60%"][..],
        &["-blur", "0x1.5", "-attenuate", "0.5", "+noise", "Gaussian"][..],
        // Grey paper in a dim room: the contrast halved.
        &["-rotate", "3", "+level", "25%,75%"][..],
    ] {
        let photo = photographed(page, treatment);
        let found = palabre::sheet::read::codes_in(&photo);
        assert_eq!(found.len(), 1, "read after {treatment:?}");
        assert_eq!((found[0].session, found[0].page), (Some(s), 2), "after {treatment:?}");
    }
    // A blank sheet says it is blank, page by page.
    let blank = rendered(&app.attendance_sheet(None, Lang::En, 30).unwrap(), 200);
    assert_eq!(blank.len(), 3);
    let found = palabre::sheet::read::codes_in(&blank[2]);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].session, found[0].page, found[0].pages), (None, 3, 3));
}

#[test]
fn a_photo_of_a_sheet_names_its_session_and_page_and_anything_else_is_refused_or_unread() {
    let app = common::app();
    let s = session_with(&app, 20);
    let pages = rendered(&app.attendance_sheet(Some(s), Lang::Fr, 10).unwrap(), 200);
    // Grey paper in a dim room (a fifth of the contrast left), a noisy sensor, a tilt.
    let dim = ["-rotate", "3", "+level", "40%,60%", "-attenuate", "0.2", "+noise", "Gaussian"];
    let photo = photo_bytes(&pages[2], &dim);
    let code = palabre::Palabre::read_sheet_code(&photo).unwrap().expect("read in the dim");
    assert_eq!((code.session, code.page, code.pages), (Some(s), 3, 3));
    // A full-resolution photo (shrunk before the search) reads too.
    let big = photo_bytes(&pages[0], &["-resize", "250%"]);
    let code = palabre::Palabre::read_sheet_code(&big).unwrap().unwrap();
    assert_eq!((code.session, code.page), (Some(s), 1));
    // A picture without a sheet code, a file that is not a picture, one too large, one whose
    // header claims a picture wider than any camera's.
    let plain = image::GrayImage::from_pixel(400, 300, image::Luma([200]));
    let mut png = Vec::new();
    plain.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    assert_eq!(palabre::Palabre::read_sheet_code(&png).unwrap(), None);
    let refused = |bytes: &[u8]| palabre::Palabre::read_sheet_code(bytes).unwrap_err();
    let pdf = app.attendance_sheet(Some(s), Lang::Fr, 1).unwrap();
    assert_eq!(refused(&pdf).code(), "bad_photo");
    assert!(refused(&pdf).to_string().contains("not a PNG or JPEG"));
    assert!(refused(&vec![0u8; 41 << 20]).to_string().contains("MB"));
    let wide = image::GrayImage::from_pixel(12_001, 1, image::Luma([255]));
    let mut png = Vec::new();
    wide.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    assert!(png.len() < 100_000, "a small file");
    assert!(refused(&png).to_string().contains("12000 pixels"));
}
