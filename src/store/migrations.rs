//! Append-only migrations keyed by `PRAGMA user_version`. Migration N takes a database from
//! version N-1 to N. A shipped migration is never edited: its SQL is frozen here and, as a copy,
//! in tests/fixtures/schema/ where the upgrade test replays old versions.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of every Palabre database ("PALB").
pub const APPLICATION_ID: i64 = 0x5041_4C42;

/// The SQL of each version, in order; index 0 is version 1.
pub const MIGRATIONS: &[&str] = &[
    include_str!("schema_v1.sql"),
    include_str!("schema_v2.sql"),
    include_str!("schema_v3.sql"),
    include_str!("schema_v4.sql"),
    include_str!("schema_v5.sql"),
    include_str!("schema_v6.sql"),
    include_str!("schema_v7.sql"),
    include_str!("schema_v8.sql"),
];

pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// Refuses files that are not ours or are newer than this build, before anything is written.
pub fn check_version(conn: &Connection, path: &std::path::Path) -> Result<i64> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if version == 0 {
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(Error::NotADatabase {
                path: path.to_path_buf(),
                reason: "it is an SQLite file of another program".into(),
            });
        }
    } else if app_id != APPLICATION_ID {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            reason: format!("its application id is {app_id:#x}"),
        });
    }
    if version > LATEST {
        return Err(Error::SchemaTooNew { found: version, supported: LATEST });
    }
    Ok(version)
}

/// Brings the database to `LATEST` in one transaction: all migrations or none.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

/// Everything that defines a schema, in a stable order: used to prove that an upgraded database
/// equals a fresh one.
pub fn schema_dump(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name",
    )?;
    let mut dump = stmt
        .query_map([], |r| {
            Ok(format!(
                "{} {} on {}: {}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for pragma in ["user_version", "application_id"] {
        let value: Option<i64> =
            conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0)).optional()?;
        dump.push(format!("{pragma} = {value:?}"));
    }
    Ok(dump)
}
