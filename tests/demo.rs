//! The demo programme, counted with SQL: its 2024 figures match the programme's own report.

use palabre::Palabre;

/// (people, women, youth, held with security actors, held with governance & justice) over 2024.
fn counts(app: &Palabre) -> (i64, i64, i64, i64, i64) {
    app.store()
        .read(|c| {
            let people = c.query_row(
                "WITH held AS (SELECT id, start_date FROM sessions
                                WHERE deleted = 0 AND status = 'held'
                                  AND start_date BETWEEN '2024-01-01' AND '2024-12-31'),
                      reached AS (SELECT a.person_id, min(h.start_date) AS first
                                    FROM attendance a JOIN held h ON h.id = a.session_id
                                    JOIN people p ON p.id = a.person_id AND p.deleted = 0
                                   WHERE a.deleted = 0 AND a.present = 1
                                   GROUP BY a.person_id)
                 SELECT count(*), sum(p.sex = 'F'),
                        sum(CAST(substr(r.first, 1, 4) AS INTEGER) - p.birth_year BETWEEN 15 AND 35)
                   FROM reached r JOIN people p ON p.id = r.person_id",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?;
            let with_group = |group: &str| -> rusqlite::Result<i64> {
                c.query_row(
                    "SELECT count(*) FROM sessions s
                      WHERE s.deleted = 0 AND s.status = 'held' AND s.start_date LIKE '2024-%'
                        AND EXISTS (SELECT 1 FROM json_each(s.groups) WHERE value = ?1)",
                    [group],
                    |r| r.get(0),
                )
            };
            Ok((
                people.0,
                people.1,
                people.2,
                with_group("security_actors")?,
                with_group("governance_justice")?,
            ))
        })
        .unwrap()
}

#[test]
fn demo_reads_like_the_programme_report_for_several_seeds() {
    for seed in [1, 2, 42] {
        let app = Palabre::open_in_memory().unwrap();
        app.demo(seed).unwrap();
        let (people, women, youth, security, justice) = counts(&app);
        assert_eq!(people, 315, "seed {seed}");
        assert!(women * 100 >= people * 95, "seed {seed}: {women} women of {people}");
        assert!(
            (64..=70).contains(&(youth * 100 / people)),
            "seed {seed}: {youth} youth of {people}"
        );
        assert_eq!((security, justice), (3, 7), "seed {seed}");
    }
}

/// What the demo says about people, independent of the random ids.
fn content(app: &Palabre) -> Vec<String> {
    app.store()
        .read(|c| {
            let mut stmt = c.prepare(
                "SELECT p.full_name, p.sex, p.birth_year, p.phone, p.deleted,
                        (SELECT group_concat(t, '|') FROM (SELECT s.title || ':' || a.present AS t
                           FROM attendance a JOIN sessions s ON s.id = a.session_id
                          WHERE a.person_id = p.id AND a.deleted = 0 ORDER BY t))
                   FROM people p ORDER BY 1, 2, 3",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(format!(
                    "{:?} {:?} {:?} {:?} {:?} {:?}",
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<String>>(5)?
                ))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .unwrap()
}

#[test]
fn demo_is_deterministic_for_a_seed() {
    let run = |seed| {
        let app = Palabre::open_in_memory().unwrap();
        app.demo(seed).unwrap();
        content(&app)
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn demo_has_realistic_content() {
    let app = Palabre::open_in_memory().unwrap();
    let summary = app.demo(1).unwrap();
    assert_eq!(summary.plans, 5);
    let plans = app.plans(None).unwrap();
    let statuses: std::collections::BTreeSet<_> =
        plans.iter().flat_map(|p| p.items.iter().map(|i| i.status)).collect();
    assert_eq!(statuses.len(), 4, "items in every status: {statuses:?}");
    assert!(plans.iter().all(|p| p.session_id.is_some()));
    let kinds: std::collections::BTreeSet<_> =
        app.sessions(&Default::default()).unwrap().iter().map(|s| s.kind).collect();
    assert_eq!(kinds.len(), 5, "every kind but 'other': {kinds:?}");
    // Accented names are stored composed and findable without accents.
    assert!(!app.find_people("aissata", 5).unwrap().is_empty());
    assert!(
        app.find_people("aissata", 5).unwrap().iter().all(|p| p.full_name.starts_with("Aïssata"))
    );
}

#[test]
fn demo_refuses_a_database_that_holds_data() {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Mopti-02").unwrap();
    app.add_person(&palabre::PersonInput { full_name: Some("Awa".into()), ..Default::default() })
        .unwrap();
    let before = app.synced_snapshot().unwrap();
    let err = app.demo(1).unwrap_err();
    assert_eq!(err.code(), "database_not_empty");
    assert_eq!(app.synced_snapshot().unwrap(), before);
}
