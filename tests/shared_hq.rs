//! HQ on PostgreSQL (issue 23): several desks on one server, moving a single-file HQ to it, and
//! what the server holds. Needs the tests' throwaway server (scripts/with-postgres.sh, started by
//! `make test`). The rest of HQ's tests run on both engines (see common::open_hq).

mod common;

use std::path::Path;
use std::sync::Barrier;

use common::PASSPHRASE;
use palabre::exchange::import::ImportOutcome;
use palabre::report::indicators::Period;
use palabre::{Lang, Palabre};

fn server(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap()
}

fn head(url: &str) -> i64 {
    server(url).query_one("SELECT pos FROM palabre.head", &[]).unwrap().get(0)
}

/// A laptop not enrolled with any HQ (its bundles are signed, not encrypted: any HQ reads them)
/// with a held session of `people` women.
fn laptop(dir: &Path, name: &str, people: usize) -> Palabre {
    let app = Palabre::open(dir.join(format!("{name}.db")), PASSPHRASE).unwrap();
    app.init(name).unwrap();
    let session = common::held(&app, &format!("Dialogue {name}"), "2026-10-02", &["womens_groups"]);
    let ids: Vec<_> =
        (0..people).map(|i| common::born(&app, &format!("Awa {name} {i}"), "F", 1990)).collect();
    app.attend(session, &ids).unwrap();
    app
}

/// Bundles of `app`'s changes, one per call, each after more changes.
fn bundles(app: &Palabre, count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            if i > 0 {
                common::person(app, &format!("Fanta {i}"));
            }
            let (_, bytes) = app.export_bundle_bytes().unwrap();
            bytes
        })
        .collect()
}

fn import_all(hq: &Palabre, bundles: &[Vec<u8>]) {
    for bytes in bundles {
        let outcome = common::deliver(hq, bytes);
        assert!(
            matches!(
                outcome,
                ImportOutcome::Applied { .. } | ImportOutcome::AlreadyImported { .. }
            ),
            "{outcome:?}"
        );
    }
}

fn report(app: &Palabre) -> serde_json::Value {
    serde_json::to_value(app.report(Period::default(), Lang::Fr).unwrap()).unwrap()
}

/// A desk of a new HQ on the tests' server, and a second desk of the same HQ with its keys.
struct TwoDesks {
    _dir: tempfile::TempDir,
    url: String,
    a: Palabre,
    b: Palabre,
}

fn two_desks() -> TwoDesks {
    let dir = tempfile::tempdir().unwrap();
    let url = common::fresh_server_db();
    let a = Palabre::open_server(&url, &dir.path().join("desk-a.db"), PASSPHRASE).unwrap();
    a.init("HQ Bamako").unwrap();
    let keys = a.hq_init(&dir.path().join("hq-keys"), Some("Dialogues")).unwrap();
    let b = Palabre::open_server(&url, &dir.path().join("desk-b.db"), PASSPHRASE).unwrap();
    assert_eq!(b.device().unwrap().device_id, a.device().unwrap().device_id, "one HQ identity");
    // A second desk does not make keys of its own: it is given HQ's.
    let refused = b.hq_init(&dir.path().join("other-keys"), None).unwrap_err();
    assert_eq!(refused.code(), "hq_server");
    assert!(refused.to_string().contains("hq join"), "{refused}");
    assert!(!dir.path().join("other-keys").exists());
    assert_eq!(b.hq_join(&keys.dir).unwrap(), keys.fingerprint);
    TwoDesks { _dir: dir, url, a, b }
}

#[test]
fn two_desks_importing_at_once_end_with_what_one_desk_importing_both_would_have() {
    let d = two_desks();
    let dir = tempfile::tempdir().unwrap();
    let first = laptop(dir.path(), "Segou-01", 40);
    let second = laptop(dir.path(), "Mopti-02", 30);
    let (ours, theirs) = (bundles(&first, 3), bundles(&second, 3));

    let start = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            start.wait();
            import_all(&d.a, &ours);
        });
        s.spawn(|| {
            start.wait();
            import_all(&d.b, &theirs);
        });
    });

    // One HQ in a single file, importing both in turn.
    let alone = common::app();
    import_all(&alone, &ours);
    import_all(&alone, &theirs);

    let expected = alone.synced_snapshot().unwrap();
    assert_eq!(d.a.synced_snapshot().unwrap(), expected);
    assert_eq!(d.b.synced_snapshot().unwrap(), expected);
    assert_eq!(report(&d.a), report(&alone));
    assert_eq!(report(&d.b), report(&alone));
    assert_eq!(d.a.ops().unwrap().len(), alone.ops().unwrap().len());
    let seqs = |app: &Palabre| -> Vec<(String, i64, i64, bool)> {
        let mut v: Vec<_> = app
            .devices()
            .unwrap()
            .into_iter()
            .filter(|d| !d.this_device)
            .map(|d| (d.name, d.last_bundle_seq, d.gap_free_seq, d.trusted))
            .collect();
        v.sort();
        v
    };
    assert_eq!(seqs(&d.a), seqs(&alone));
    assert_eq!(seqs(&d.b), seqs(&alone));
    assert_eq!(seqs(&d.a).len(), 2);
    // The server holds every bundle once.
    let received: i64 = server(&d.url)
        .query_one("SELECT count(*) FROM palabre.imported_bundles", &[])
        .unwrap()
        .get(0);
    assert_eq!(received, 6);
    // A desk opened afterwards, from the server alone, has the same.
    let third = Palabre::open_server_in_memory(&d.url).unwrap();
    assert_eq!(third.synced_snapshot().unwrap(), expected);
}

#[test]
fn the_same_bundle_imported_by_two_desks_at_once_is_merged_once() {
    let d = two_desks();
    let dir = tempfile::tempdir().unwrap();
    let field = laptop(dir.path(), "Segou-01", 25);
    // Its first bundle, trusted, so that both desks try to merge the next one.
    import_all(&d.a, &bundles(&field, 1));
    common::person(&field, "Kadiatou");
    let next = field.export_bundle_bytes().unwrap().1;

    let start = Barrier::new(2);
    let outcomes: Vec<ImportOutcome> = std::thread::scope(|s| {
        let one = s.spawn(|| {
            start.wait();
            d.a.import_bundle_bytes(&next).unwrap()
        });
        let two = s.spawn(|| {
            start.wait();
            d.b.import_bundle_bytes(&next).unwrap()
        });
        vec![one.join().unwrap(), two.join().unwrap()]
    });
    let applied: Vec<usize> = outcomes
        .iter()
        .filter_map(|o| match o {
            ImportOutcome::Applied { new_ops, .. } => Some(*new_ops),
            _ => None,
        })
        .collect();
    let already =
        outcomes.iter().filter(|o| matches!(o, ImportOutcome::AlreadyImported { .. })).count();
    assert_eq!((applied.len(), already), (1, 1), "{outcomes:?}");
    assert!(applied[0] > 0);
    let mut c = server(&d.url);
    let rows: i64 = c
        .query_one(
            "SELECT count(*) FROM palabre.imported_bundles b JOIN palabre.devices d USING (device_id) WHERE d.name = 'Segou-01'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(rows, 2, "the first bundle and the one imported twice, each once");
    let ops_server: i64 = c.query_one("SELECT count(*) FROM palabre.oplog", &[]).unwrap().get(0);
    assert_eq!(ops_server as usize, d.a.ops().unwrap().len());
    assert_eq!(d.a.synced_snapshot().unwrap(), d.b.synced_snapshot().unwrap());
}

#[test]
fn hq_migrate_copies_a_single_file_hq_and_checks_a_copy_rebuilt_from_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let hq = Palabre::open(dir.path().join("hq.db"), PASSPHRASE).unwrap();
    hq.init("HQ Bamako").unwrap();
    let keys = hq.hq_init(&dir.path().join("hq-keys"), Some("Dialogues")).unwrap();
    hq.demo(7).unwrap();
    let field = laptop(dir.path(), "Segou-01", 12);
    import_all(&hq, &bundles(&field, 2));
    let before = (hq.synced_snapshot().unwrap(), report(&hq), hq.ops().unwrap().len());

    // Not HQ: refused.
    let plain = common::app();
    let url = common::fresh_server_db();
    let refused = plain.hq_migrate(&url).unwrap_err();
    assert_eq!(refused.code(), "not_hq");

    let migrated = hq.hq_migrate(&url).unwrap();
    assert!(migrated.same_report && migrated.same_snapshot);
    assert_eq!(migrated.ops, before.2);
    assert!(migrated.rows as usize > migrated.ops, "ops, devices, bundles and settings");
    assert!(!migrated.server.contains("password"));
    assert_eq!(hq.hq_server().as_deref(), Some(migrated.server.as_str()));
    let ops_on_server: i64 =
        server(&url).query_one("SELECT count(*) FROM palabre.oplog", &[]).unwrap().get(0);
    assert_eq!(ops_on_server as usize, before.2);
    let ready: bool = server(&url).query_one("SELECT ready FROM palabre.head", &[]).unwrap().get(0);
    assert!(ready, "opened to desks once checked");

    // The migrated file is now a desk: reopened by its file, it finds the server again.
    drop(hq);
    let hq = Palabre::open(dir.path().join("hq.db"), PASSPHRASE).unwrap();
    assert_eq!(hq.hq_server().as_deref(), Some(migrated.server.as_str()));
    // A second officer's desk, made from the server.
    let desk = Palabre::open_server(&url, &dir.path().join("desk-b.db"), PASSPHRASE).unwrap();
    assert_eq!(desk.synced_snapshot().unwrap(), before.0);
    assert_eq!(report(&desk), before.1);
    // Keys of another HQ are refused; the right ones accepted.
    let other = dir.path().join("other-keys");
    common::app().hq_init(&other, None).unwrap();
    assert_eq!(desk.hq_join(&other).unwrap_err().code(), "key_file");
    assert_eq!(desk.hq_dir().unwrap(), None);
    desk.hq_join(&keys.dir).unwrap();

    // What one desk writes, the other reads.
    let more = bundles(&laptop(dir.path(), "Kayes-03", 5), 1);
    import_all(&desk, &more);
    assert_eq!(hq.synced_snapshot().unwrap(), desk.synced_snapshot().unwrap());

    // A second migration into the same server is refused, with nothing changed on either side.
    let pos = head(&url);
    let again = Palabre::open(dir.path().join("again.db"), PASSPHRASE).unwrap();
    again.init("HQ Bis").unwrap();
    again.hq_init(&dir.path().join("keys-bis"), None).unwrap();
    let refused = again.hq_migrate(&url).unwrap_err();
    assert_eq!(refused.code(), "hq_server");
    assert!(refused.to_string().contains("already holds an HQ"), "{refused}");
    assert_eq!(head(&url), pos);
    assert_eq!(again.hq_server(), None, "still a single-file HQ");
    again
        .add_person(&palabre::PersonInput {
            full_name: Some("Bintou".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(head(&url), pos);
    // Nor can a database with an HQ of its own be opened as a desk of it.
    drop(again);
    let refused =
        Palabre::open_server(&url, &dir.path().join("again.db"), PASSPHRASE).err().unwrap();
    assert_eq!(refused.code(), "hq_server");
}

#[test]
fn an_erasure_blanks_her_ops_on_the_server_too() {
    let d = two_desks();
    let dir = tempfile::tempdir().unwrap();
    let field = laptop(dir.path(), "Segou-01", 0);
    let zenabou = field
        .add_person(&palabre::PersonInput {
            full_name: Some("Zénabou Traoré".into()),
            phone: Some("+223 76 12 34 56".into()),
            sex: Some("F".into()),
            ..Default::default()
        })
        .unwrap();
    import_all(&d.a, &bundles(&field, 1));
    let names = |url: &str| -> i64 {
        server(url)
            .query_one(
                "SELECT count(*) FROM palabre.oplog WHERE value LIKE '%Traor%' OR value LIKE '%76 12%'",
                &[],
            )
            .unwrap()
            .get(0)
    };
    assert!(names(&d.url) >= 2, "her name and phone are on the server");
    d.b.erase_person(zenabou).unwrap();
    assert_eq!(names(&d.url), 0, "blanked in the server's journal");
    let found = d.a.search_people("zenabou", 10).unwrap();
    assert_eq!(found.total, 0, "and on the other desk");
    let journal = serde_json::to_string(&d.a.ops().unwrap()).unwrap();
    assert!(!journal.contains("Traor") && !journal.contains("76 12"), "the other desk's journal");
}

#[test]
fn a_refused_bundle_and_an_unreachable_server_write_nothing() {
    let d = two_desks();
    let dir = tempfile::tempdir().unwrap();
    let field = laptop(dir.path(), "Segou-01", 3);
    import_all(&d.a, &bundles(&field, 1));
    let pos = head(&d.url);
    let before = d.b.synced_snapshot().unwrap();
    let mut damaged = field.export_bundle_bytes().unwrap().1;
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    let outcome = d.a.import_bundle_bytes(&damaged).unwrap();
    assert!(matches!(outcome, ImportOutcome::Rejected { .. }), "{outcome:?}");
    assert_eq!(head(&d.url), pos, "the server did not move");
    assert_eq!(d.b.synced_snapshot().unwrap(), before);

    // A server that does not answer: named without its password, nothing written.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("postgres://palabre:s3cret-word@127.0.0.1:{closed}/hq");
    let replica = dir.path().join("desk-c.db");
    let error = Palabre::open_server(&url, &replica, PASSPHRASE).err().unwrap();
    assert_eq!(error.code(), "hq_server");
    let message = error.to_string();
    assert!(message.contains(&format!("127.0.0.1:{closed}/hq")), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
}

#[test]
fn the_server_holds_every_table_that_ops_do_not_give() {
    // Tables the journal computes from the ops (each desk recomputes them) and the search index.
    const DERIVED: &[&str] = &[
        "sessions",
        "people",
        "attendance",
        "action_plans",
        "action_items",
        "person_links",
        "contested",
        "evidence",
        "session_reach",
        "indicators",
    ];
    // A desk's own: the thumbnail each copy makes of a photo.
    const OWN: &[(&str, &str)] = &[("evidence_files", "thumbnail")];
    let app = Palabre::open_in_memory().unwrap();
    app.store()
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'people_fts%' AND name NOT LIKE 'sqlite_%'",
            )?;
            let tables: Vec<String> =
                stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            for table in &tables {
                let mirrored =
                    palabre::store::shared::TABLES.iter().find(|t| t.table == table.as_str());
                match mirrored {
                    None => assert!(DERIVED.contains(&table.as_str()), "{table} is neither mirrored nor derived"),
                    Some(t) => {
                        let mut stmt = c.prepare(&format!("PRAGMA table_info({table})"))?;
                        let columns: Vec<String> = stmt
                            .query_map([], |r| r.get(1))?
                            .collect::<Result<Vec<String>, _>>()?
                            .into_iter()
                            .filter(|col| !OWN.contains(&(table.as_str(), col.as_str())))
                            .collect();
                        let ours: Vec<String> =
                            t.columns.iter().map(|(c, _)| c.to_string()).collect();
                        assert_eq!(ours, columns, "the server's {table}");
                    }
                }
            }
            assert_eq!(tables.len(), DERIVED.len() + palabre::store::shared::TABLES.len());
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_desk_keeps_its_own_settings_and_sees_what_another_desk_removed() {
    let d = two_desks();
    // The programme is HQ's; the language and the key folder are each desk's.
    d.a.set_setting(palabre::Setting::Language, "en").unwrap();
    d.a.set_setting(palabre::Setting::Programme, "Dialogues Ségou-Mopti").unwrap();
    assert_eq!(d.b.language().unwrap(), Lang::Fr);
    assert_eq!(
        d.b.setting(palabre::Setting::Programme).unwrap().as_deref(),
        Some("Dialogues Ségou-Mopti")
    );
    let on_server: Vec<String> = server(&d.url)
        .query("SELECT key FROM palabre.settings ORDER BY key", &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(
        !on_server.iter().any(|k| k == "language" || k == "hq_dir" || k == "hlc"),
        "{on_server:?}"
    );
    assert!(on_server.iter().any(|k| k == "programme"), "{on_server:?}");
    // Nor can a desk's own settings be set from the server: a row put there by hand is not
    // pulled.
    let dir_of_b = d.b.hq_dir().unwrap();
    let mut admin = server(&d.url);
    let pos: i64 = admin.query_one("SELECT nextval('palabre.pos')", &[]).unwrap().get(0);
    admin
        .batch_execute(&format!(
            "INSERT INTO palabre.settings (key, value, _pos) VALUES ('hq_dir', '/tmp/elsewhere', {pos});
             INSERT INTO palabre.writes (pos, token) VALUES ({pos}, 'by-hand');
             UPDATE palabre.head SET pos = {pos};"
        ))
        .unwrap();
    assert_eq!(d.b.hq_dir().unwrap(), dir_of_b);
    // A bundle held on one desk (its laptop not trusted yet), trusted on the other: the held
    // row is removed on the server, and the first desk holds it no more.
    let dir = tempfile::tempdir().unwrap();
    let field = laptop(dir.path(), "Segou-01", 2);
    let bytes = field.export_bundle_bytes().unwrap().1;
    let ImportOutcome::Quarantined { fingerprint, .. } = d.a.import_bundle_bytes(&bytes).unwrap()
    else {
        panic!("an unknown laptop's bundle is held")
    };
    assert_eq!(d.b.held_bundles().unwrap().len(), 1);
    d.b.trust_device(&fingerprint).unwrap();
    assert_eq!(d.a.held_bundles().unwrap().len(), 0);
    assert_eq!(d.a.synced_snapshot().unwrap(), d.b.synced_snapshot().unwrap());
}

#[test]
fn a_server_restored_from_an_older_dump_or_not_ready_is_refused_and_a_lost_connection_comes_back() {
    let d = two_desks();
    let dir = tempfile::tempdir().unwrap();
    let field = laptop(dir.path(), "Segou-01", 4);
    let sent = bundles(&field, 3);
    import_all(&d.a, &sent[..1]);
    let restored_at = head(&d.url);
    import_all(&d.a, &sent[1..]);
    assert_eq!(d.b.ops().unwrap().len(), d.a.ops().unwrap().len(), "b has seen everything");
    let before = d.b.synced_snapshot().unwrap();

    // The connection drops (the server restarted): the next action connects again.
    let mut admin = server(&d.url);
    admin
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'palabre' AND datname = current_database()",
            &[],
        )
        .unwrap();
    assert_eq!(d.b.synced_snapshot().unwrap(), before);

    // IT restores the server as it was after the first bundle (what a dump of then holds),
    // and a third desk joined since writes past where b had been.
    let mut tx = admin.transaction().unwrap();
    for t in palabre::store::shared::TABLES {
        tx.execute(&format!("DELETE FROM palabre.{} WHERE _pos > $1", t.table), &[&restored_at])
            .unwrap();
    }
    tx.execute("DELETE FROM palabre.writes WHERE pos > $1", &[&restored_at]).unwrap();
    tx.execute("DELETE FROM palabre.deleted WHERE pos > $1", &[&restored_at]).unwrap();
    tx.execute("UPDATE palabre.head SET pos = $1", &[&restored_at]).unwrap();
    tx.commit().unwrap();
    let behind = d.b.synced_snapshot().unwrap_err();
    assert_eq!(behind.code(), "hq_server");
    assert!(behind.to_string().contains("behind this desk"), "{behind}");
    let c = Palabre::open_server(&d.url, &dir.path().join("desk-c.db"), PASSPHRASE).unwrap();
    for i in 0..4 {
        c.add_person(&palabre::PersonInput {
            full_name: Some(format!("Awa {i}")),
            ..Default::default()
        })
        .unwrap();
    }
    assert!(head(&d.url) > restored_at + 2);
    let diverged = d.b.synced_snapshot().unwrap_err();
    assert_eq!(diverged.code(), "hq_server");
    assert!(diverged.to_string().contains("restored from an older backup"), "{diverged}");

    // A server whose migration did not finish is not joined.
    admin.execute("UPDATE palabre.head SET ready = false", &[]).unwrap();
    let refused =
        Palabre::open_server(&d.url, &dir.path().join("desk-d.db"), PASSPHRASE).err().unwrap();
    assert!(refused.to_string().contains("did not finish"), "{refused}");
}
