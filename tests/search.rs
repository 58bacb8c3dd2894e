//! Person search ignores case and accents, matches prefixes, ranks and limits, skips the deleted.

mod common;

use common::{app, person};
use palabre::PersonInput;

fn names(app: &palabre::Palabre, query: &str) -> Vec<String> {
    app.find_people(query, 20).unwrap().into_iter().map(|p| p.full_name).collect()
}

#[test]
fn accents_case_and_prefixes() {
    let app = app();
    for name in ["Aïssata Traoré", "Kadiatou Cissé", "Mariam Keïta", "Ɲɛnɛ Kɔnɛ", "Oumou Sangaré"]
    {
        person(&app, name);
    }
    assert_eq!(names(&app, "aissata"), ["Aïssata Traoré"]);
    assert_eq!(names(&app, "AÏSSATA"), ["Aïssata Traoré"]);
    assert_eq!(names(&app, "cisse"), ["Kadiatou Cissé"]);
    assert_eq!(names(&app, "ke"), ["Mariam Keïta"]);
    assert_eq!(names(&app, "nene"), ["Ɲɛnɛ Kɔnɛ"]);
    assert_eq!(names(&app, "ɲɛnɛ"), ["Ɲɛnɛ Kɔnɛ"]);
    assert_eq!(names(&app, "traore ais"), ["Aïssata Traoré"], "words in any order, each a prefix");
    assert!(names(&app, "xyz").is_empty());
    assert!(names(&app, "  ").is_empty());
    // Decomposed input (NFD) finds the composed name.
    assert_eq!(names(&app, "Cisse\u{301}"), ["Kadiatou Cissé"]);
}

#[test]
fn deleted_people_are_not_found_and_renames_are() {
    let app = app();
    let a = person(&app, "Fatoumata Diarra");
    person(&app, "Fatoumata Coulibaly");
    app.delete_person(a).unwrap();
    assert_eq!(names(&app, "fatou"), ["Fatoumata Coulibaly"]);
    let b = person(&app, "Hawa Touré");
    app.edit_person(b, &PersonInput { full_name: Some("Hawa Maïga".into()), ..Default::default() })
        .unwrap();
    assert!(names(&app, "toure").is_empty());
    assert_eq!(names(&app, "maiga"), ["Hawa Maïga"]);
}

#[test]
fn name_matches_rank_before_community_matches_and_limit_applies() {
    let app = app();
    app.add_person(&PersonInput {
        full_name: Some("Awa Diarra".into()),
        community: Some("Ségou".into()),
        ..Default::default()
    })
    .unwrap();
    app.add_person(&PersonInput { full_name: Some("Ségou Traoré".into()), ..Default::default() })
        .unwrap();
    assert_eq!(names(&app, "segou"), ["Ségou Traoré", "Awa Diarra"]);
    for i in 0..30 {
        person(&app, &format!("Aminata Dembélé {i}"));
    }
    assert_eq!(app.find_people("aminata", 10).unwrap().len(), 10);
}

#[test]
fn phone_numbers_are_searchable() {
    let app = app();
    app.add_person(&PersonInput {
        full_name: Some("Bintou Sow".into()),
        phone: Some("+223 76 12 34 56".into()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(names(&app, "76 12"), ["Bintou Sow"]);
    assert_eq!(names(&app, "22376"), ["Bintou Sow"]);
}
