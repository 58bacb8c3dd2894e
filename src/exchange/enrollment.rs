//! A laptop's link to its HQ: the enrollment it verified and stored (from then on its exports are
//! sealed to HQ and HQ's acknowledgements are accepted), and what the Sync and Settings screens
//! show about it. Making HQ's keys and issuing acknowledgements is HQ's own work (the `hq` module).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::Palabre;
use crate::error::{Error, Result};
use crate::exchange::documents::{self, Enrollment};
use crate::store::bookkeeping::{self, Key};

/// The enrollment this laptop stored, if any.
pub(crate) fn stored(conn: &Connection) -> Result<Option<Enrollment>> {
    Ok(bookkeeping::get(conn, Key::Enrollment)?.and_then(|text| serde_json::from_str(&text).ok()))
}

/// What the Sync and Settings screens show about HQ.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HqStatus {
    /// This laptop's HQ, when enrolled.
    pub enrollment: Option<Enrollment>,
    /// This database is HQ (it holds the path of HQ's keys).
    pub is_hq: bool,
    pub hq_dir: Option<String>,
    /// The highest op_seq of this laptop that HQ acknowledged (0: none).
    pub acked_seq: i64,
    /// When that last acknowledged change was made: "HQ has everything up to <date>".
    pub acked_until: Option<String>,
    /// When HQ issued the last acknowledgement imported.
    pub acked_at: Option<String>,
    /// Changes made here that HQ has not acknowledged.
    pub unacknowledged: i64,
    /// HQ's PostgreSQL server, when this database is a desk of an HQ held there (no password).
    pub server: Option<String>,
}

pub(crate) fn enroll(app: &Palabre, bytes: &[u8]) -> Result<Enrollment> {
    let enrollment = documents::read_enrollment(bytes)?;
    app.store().write(|tx| {
        if let Some(current) = stored(tx)? {
            if current.hq_public_key == enrollment.hq_public_key {
                return Ok(current);
            }
            return Err(Error::Enrollment {
                reason: format!(
                    "this laptop is already enrolled with HQ {} ({}); a laptop sends to one HQ only",
                    current.hq_fingerprint, current.programme
                ),
            });
        }
        let text = serde_json::to_string(&enrollment).expect("enrollment serialises");
        bookkeeping::put(tx, Key::Enrollment, &text)?;
        Ok(enrollment)
    })
}

pub(crate) fn enroll_file(app: &Palabre, path: &Path) -> Result<Enrollment> {
    let bytes =
        std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    app.enroll(&bytes)
}

pub(crate) fn hq_status(app: &Palabre) -> Result<HqStatus> {
    let server = app.store().server();
    app.store().read(|c| {
        let acked_seq = bookkeeping::number(c, Key::AckedSeq)?;
        let written = crate::journal::oplog::own_last_seq(c)?;
        let hq_dir = bookkeeping::get(c, Key::HqDir)?;
        Ok(HqStatus {
            enrollment: stored(c)?,
            is_hq: hq_dir.is_some(),
            hq_dir,
            acked_seq,
            acked_until: bookkeeping::get(c, Key::AckedUntil)?.filter(|s| !s.is_empty()),
            acked_at: bookkeeping::get(c, Key::AckedAt)?,
            unacknowledged: written - acked_seq,
            server,
        })
    })
}

pub(crate) fn hq_dir(app: &Palabre) -> Result<Option<PathBuf>> {
    Ok(app.store().read(|c| bookkeeping::get(c, Key::HqDir))?.map(PathBuf::from))
}

/// HQ's age identity, when this database is HQ (to open bundles sealed to it).
pub(crate) fn hq_identity(app: &Palabre) -> Result<Option<age::x25519::Identity>> {
    app.hq_dir()?.map(|dir| crate::exchange::seal::age_identity(&dir)).transpose()
}
