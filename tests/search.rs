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

/// Nine Aïssatas and a list of eight: the search says 9 match, and the eight shown are the first
/// eight in name order (Aïssata Traoré, last of them, is one click of "type more" away, never
/// silently dropped while a later name is shown).
#[test]
fn a_short_list_says_how_many_match_and_keeps_name_order() {
    let app = app();
    let surnames =
        ["Traoré", "Cissé", "Diarra", "Keïta", "Coulibaly", "Sangaré", "Maïga", "Diallo", "Touré"];
    for surname in surnames {
        person(&app, &format!("Aïssata {surname}"));
    }
    person(&app, "Kadiatou Cissé");
    let found = app.search_people("aissata", 8).unwrap();
    assert_eq!((found.total, found.more), (9, false));
    let shown: Vec<_> = found.people.iter().map(|p| p.full_name.as_str()).collect();
    let mut sorted: Vec<String> = surnames.iter().map(|s| format!("Aïssata {s}")).collect();
    sorted.sort_by(|a, b| palabre::model::names::compare(a, b));
    assert_eq!(shown, sorted[..8].iter().map(String::as_str).collect::<Vec<_>>());
    let found = app.search_people("aissata traore", 8).unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.people[0].full_name, "Aïssata Traoré");
    // Name matches come before community matches, and both are counted.
    let app2 = self::app();
    person(&app2, "Awa Cissé");
    app2.add_person(&PersonInput {
        full_name: Some("Hawa Traoré".into()),
        community: Some("Cissébougou".into()),
        ..Default::default()
    })
    .unwrap();
    let found = app2.search_people("cisse", 8).unwrap();
    assert_eq!(found.total, 2);
    assert_eq!(
        found.people.iter().map(|p| p.full_name.as_str()).collect::<Vec<_>>(),
        ["Awa Cissé", "Hawa Traoré"]
    );
}

#[test]
fn counts_stop_at_a_thousand_and_say_so() {
    let app = app();
    for i in 0..1005 {
        person(&app, &format!("Fanta Diarra {i:04}"));
    }
    let found = app.search_people("fanta", 5).unwrap();
    assert_eq!((found.total, found.more, found.people.len()), (1000, true, 5));
    let found = app.search_people("fanta diarra 100", 5).unwrap();
    assert_eq!((found.total, found.more), (5, false), "1000 to 1004");
}

#[test]
fn a_new_name_finds_the_people_it_may_duplicate() {
    let app = app();
    person(&app, "Aïssata Traoré");
    person(&app, "Traoré Aïssata Diallo");
    person(&app, "Aïssata Cissé");
    let like = |name: &str| -> Vec<String> {
        app.people_named_like(name, 5).unwrap().into_iter().map(|p| p.full_name).collect()
    };
    assert_eq!(like("aissata traore"), ["Aïssata Traoré", "Traoré Aïssata Diallo"]);
    assert_eq!(like("AÏSSATA  TRAORÉ "), ["Aïssata Traoré", "Traoré Aïssata Diallo"]);
    assert!(like("Aïssata").is_empty(), "one word names no one in particular");
    assert!(like("Aïssata Keïta").is_empty());
}
