//! The diagnostics file for the programme's IT person (About → "Save a diagnostics file…",
//! `palabre diagnostics`): versions, schema, row counts, this device, backups and the recent
//! log. It holds counts and ids, never a participant's name, phone or note (the log holds none).

use std::collections::BTreeMap;
use std::path::Path;

use crate::Palabre;
use crate::error::{Error, Result};

/// Tables counted in the diagnostics (no content, only how many rows).
const TABLES: &[&str] = &[
    "sessions",
    "people",
    "attendance",
    "action_plans",
    "action_items",
    "person_links",
    "oplog",
    "devices",
    "imported_bundles",
    "quarantine",
    "forks",
    "contested",
];
/// Log lines included.
const LOG_LINES: usize = 300;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Diagnostics {
    pub app_version: &'static str,
    pub os: &'static str,
    pub arch: &'static str,
    pub schema_version: i64,
    pub database: Option<String>,
    pub database_bytes: Option<u64>,
    pub device_id: Option<String>,
    pub device_name: Option<String>,
    pub fingerprint: Option<String>,
    pub rows: BTreeMap<&'static str, i64>,
    pub backups: usize,
    pub made_at: String,
    /// The last lines of the log (ids, counts, codes, timings).
    pub log: Vec<String>,
}

pub(crate) fn diagnostics(app: &Palabre) -> Result<Diagnostics> {
    let (schema_version, rows) = app.store().read(|c| {
        let version: i64 = c.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let mut rows = BTreeMap::new();
        for table in TABLES {
            let n: i64 = c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            rows.insert(*table, n);
        }
        Ok((version, rows))
    })?;
    let device = app.store().read(crate::device::load)?;
    Ok(Diagnostics {
        app_version: env!("CARGO_PKG_VERSION"),
        os: std::env::consts::OS,
        arch: std::env::consts::ARCH,
        schema_version,
        database: app.path().map(|p| p.display().to_string()),
        database_bytes: app.path().and_then(|p| std::fs::metadata(p).ok()).map(|m| m.len()),
        device_id: device.as_ref().map(|d| d.device_id.to_string()),
        device_name: device.as_ref().map(|d| d.name.clone()),
        fingerprint: device.as_ref().map(|d| d.fingerprint.clone()),
        rows,
        backups: app.backups()?.len(),
        made_at: chrono::Utc::now().to_rfc3339(),
        log: app.path().map(|p| crate::logging::tail(p, LOG_LINES)).unwrap_or_default(),
    })
}

pub(crate) fn write_diagnostics(app: &Palabre, path: &Path) -> Result<()> {
    let json = serde_json::to_vec_pretty(&app.diagnostics()?)
        .map_err(|e| Error::Io { path: path.to_path_buf(), source: std::io::Error::other(e) })?;
    crate::files::write_atomically(path, &json)
}
