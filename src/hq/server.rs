//! Moving HQ to a PostgreSQL server, and a second officer's desk joining it (issue 23). The
//! server's side of the work is the store's (`store::shared`); this module checks that what
//! arrived there gives HQ back exactly.

use std::path::Path;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::report::indicators::Period;
use crate::store::bookkeeping::{self, Key};
use crate::{Palabre, exchange::documents};

use super::keys;

/// What `palabre hq migrate` did and verified.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Migrated {
    /// The server, as shown (no password).
    pub server: String,
    /// Rows sent: ops, laptops, bundles received and held, files, settings.
    pub rows: u64,
    pub ops: usize,
    pub devices: usize,
    /// A copy rebuilt from the server alone gave the same report over all time.
    pub same_report: bool,
    /// … and the same synced rows with the same field clocks.
    pub same_snapshot: bool,
}

/// Copies this HQ (a single SQLite file) into the empty PostgreSQL database at `url`, then
/// builds a second copy from the server alone and compares it with this one: same report, same
/// synced rows. Only then does this database become a desk of the server's HQ. On any failure
/// this database stays the single-file HQ it was.
pub(crate) fn migrate(app: &Palabre, url: &str) -> Result<Migrated> {
    let dir = app.hq_dir()?.ok_or(Error::NotHq)?;
    let report = |app: &Palabre| -> Result<serde_json::Value> {
        let report = app.report(Period::default(), Lang::Fr)?;
        Ok(serde_json::to_value(report).expect("a report serialises"))
    };
    let expected_report = report(app)?;
    let expected_snapshot = app.synced_snapshot()?;
    let ops = app.ops()?.len();
    let devices = app.devices()?.len();
    // The public part of HQ's keys goes with the rest (an HQ made before issue 23 lacks it).
    if app.store().read(|c| bookkeeping::get(c, Key::HqPublic))?.is_none() {
        let path = dir.join(keys::ENROLLMENT_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })?;
        app.store().write(|tx| bookkeeping::put(tx, Key::HqPublic, &text))?;
    }
    app.share_with(url, crate::store::Attach::Migrate)?;
    let attempt = (|| {
        let rows = app.store().publish_all()?;
        let copy = Palabre::open_in_memory()?;
        copy.share_with(url, crate::store::Attach::Check)?;
        let same_report = report(&copy)? == expected_report;
        let same_snapshot = copy.synced_snapshot()? == expected_snapshot;
        if !(same_report && same_snapshot && copy.ops()?.len() == ops) {
            return Err(Error::HqServer {
                server: crate::store::shared::shown(url),
                reason: "a copy rebuilt from it does not give this HQ's report and rows back; this database stays a single-file HQ, and the server's tables are left for IT to inspect (drop the schema palabre before trying again)".into(),
            });
        }
        app.store().finish_migration(url)?;
        Ok(Migrated {
            server: crate::store::shared::shown(url),
            rows,
            ops,
            devices,
            same_report,
            same_snapshot,
        })
    })();
    if attempt.is_err() {
        app.unshare()?;
    }
    let migrated = attempt?;
    tracing::info!(rows = migrated.rows, ops = migrated.ops, "HQ moved to its database server");
    Ok(migrated)
}

/// Gives this desk HQ's key folder (a copy of the one made by `hq init`, brought by hand): it
/// must be the keys of the HQ the server holds.
pub(crate) fn join(app: &Palabre, dir: &Path) -> Result<String> {
    let server = app.store().server().ok_or_else(|| Error::HqServer {
        server: "(none)".into(),
        reason: "this database is not a desk of an HQ on a server: open it with --db postgres://…"
            .into(),
    })?;
    let theirs = app.store().read(|c| bookkeeping::get(c, Key::HqPublic))?.ok_or_else(|| {
        Error::HqServer {
            server: server.clone(),
            reason: "it holds no HQ keys' public part yet: run `palabre hq init` or `palabre hq migrate` on the first desk".into(),
        }
    })?;
    let theirs = documents::read_enrollment(theirs.as_bytes())?;
    let path = dir.join(keys::ENROLLMENT_FILE);
    let ours = std::fs::read(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
    let ours = documents::read_enrollment(&ours)?;
    let signing = keys::signing_key(dir)?;
    let fingerprint = crate::device::fingerprint(&signing.verifying_key().to_bytes());
    if ours.hq_fingerprint != theirs.hq_fingerprint || fingerprint != theirs.hq_fingerprint {
        return Err(Error::KeyFile {
            path: dir.join(keys::SIGNING_KEY_FILE),
            reason: format!(
                "these are not the keys of the HQ on {server} (its fingerprint is {}, these are {fingerprint}). Copy the key folder of that HQ's first desk",
                theirs.hq_fingerprint
            ),
        });
    }
    let dir = std::fs::canonicalize(dir).unwrap_or(dir.to_path_buf());
    app.store().write(|tx| bookkeeping::put(tx, Key::HqDir, &dir.to_string_lossy()))?;
    Ok(theirs.hq_fingerprint)
}
