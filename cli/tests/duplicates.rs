//! Duplicate people through the CLI: candidates with their reasons, merge, unmerge, "not the
//! same person" and the history, and bad requests refused (the core's side is in
//! tests/duplicates.rs).

mod common;

#[test]
fn the_cli_lists_merges_and_unmerges() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    let cli = |args: &[&str]| common::palabre_text(&db, args);
    assert_eq!(cli(&["init", "--device-name", "HQ", "--facilitator", "Mariam Sidibé"]).0, Some(0));
    let add = |args: &[&str]| cli(&[&["person", "add"][..], args].concat()).1.trim().to_string();
    let a = add(&["--name", "Fatoumata Diarra", "--sex", "F", "--community", "Ségou"]);
    let b = add(&[
        "--name",
        "Diarra Fatoumata",
        "--sex",
        "F",
        "--community",
        "Ségou",
        "--phone",
        "76 00 00 01",
    ]);

    let (code, out, _) = cli(&["duplicates"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("1 candidate pair(s)"), "{out}");
    assert!(out.contains("Same name once accents, capitals and word order are ignored"), "{out}");
    let (_, json, _) = cli(&["--json", "duplicates"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["total"], 1);
    assert_eq!(json["pairs"][0]["level"], "likely");

    let (code, out, _) = cli(&["person", "merge", &a, &b, "--take", "phone"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("taken from the duplicate: phone"), "{out}");
    let (code, _, err) = cli(&["person", "merge", &a, &b]);
    assert_eq!(code, Some(1));
    assert!(err.contains("already merged"), "{err}");
    let (_, out, _) = cli(&["person", "history"]);
    assert!(
        out.contains("Diarra Fatoumata")
            && out.contains("merged into")
            && out.contains("Mariam Sidibé (HQ)"),
        "{out}"
    );
    assert_eq!(cli(&["person", "unmerge", &b]).0, Some(0));
    let (_, out, _) = cli(&["person", "history"]);
    assert!(out.contains("undone"), "{out}");
    assert_eq!(cli(&["person", "distinct", &a, &b]).0, Some(0));
    let (_, out, _) = cli(&["duplicates"]);
    assert!(out.contains("0 candidate pair(s)"), "{out}");
    let (_, out, _) = cli(&["person", "history"]);
    assert!(out.contains("not the same person as"), "{out}");
    let (code, _, err) = cli(&["person", "merge", &a, &b, "--take", "height"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("full_name, sex, birth_year"), "{err}");
}
