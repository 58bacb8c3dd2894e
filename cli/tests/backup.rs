//! Backups and restore through the CLI: `palabre backup`, `backups` and `restore`, and a file
//! that is not a Palabre database refused (the core's side is in tests/backup.rs).

mod common;

#[test]
fn the_cli_backs_up_lists_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("palabre.db");
    let cli = |args: &[&str]| common::palabre_text(&db, args);
    assert_eq!(cli(&["init", "--device-name", "Ségou-01"]).0, Some(0));
    cli(&["person", "add", "--name", "Aïssata Traoré"]);
    let copy = dir.path().join("copy.db");
    assert_eq!(cli(&["backup", "--out", copy.to_str().unwrap()]).0, Some(0));
    cli(&["person", "add", "--name", "Oumou Sangaré"]);
    let (code, out, _) = cli(&["restore", copy.to_str().unwrap()]);
    assert_eq!(code, Some(0));
    assert!(out.contains("the database as it was is kept in"), "{out}");
    let (_, list, _) = cli(&["person", "list"]);
    assert!(list.contains("Aïssata") && !list.contains("Oumou"), "{list}");
    let (_, backups, _) = cli(&["backups"]);
    assert!(backups.contains("restore"), "{backups}");
    let (code, _, err) = cli(&["restore", db.with_extension("key").to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("not a Palabre database"), "{err}");
}
