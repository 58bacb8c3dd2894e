//! The `settings` table, read and written by key: the one SELECT and the one upsert on it. What
//! the keys mean belongs to the modules that own them (the journal's clock, the export position,
//! the interface language…).

use rusqlite::{Connection, OptionalExtension};

use crate::error::Result;

/// Reads a setting inside any read or transaction.
pub fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Writes a setting inside the caller's transaction.
pub fn put(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// A numeric setting (bookkeeping such as the last exported op); 0 when unset.
pub fn number(conn: &Connection, key: &str) -> Result<i64> {
    Ok(get(conn, key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
}
