//! The link between laptops and HQ. HQ makes its identity once (`keys`); each laptop enrols with
//! HQ's signed enrollment file, after which its exports are encrypted to HQ (`seal`); HQ signs
//! acknowledgements of what it holds (`ack`), so laptops stop re-sending it.

pub mod ack;
pub mod keys;
pub mod seal;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result};
use crate::settings;
use crate::{Palabre, device};
pub use keys::{Enrollment, HqKeys};

/// Laptop setting: the enrollment file, as verified and stored.
const ENROLLMENT: &str = "hq_enrollment";
/// HQ setting: the folder holding HQ's key files.
const HQ_DIR: &str = "hq_dir";

/// The enrollment this laptop stored, if any.
pub(crate) fn stored_enrollment(conn: &Connection) -> Result<Option<Enrollment>> {
    Ok(settings::get(conn, ENROLLMENT)?.and_then(|text| serde_json::from_str(&text).ok()))
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
}

/// One acknowledgement file written by HQ.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AckWritten {
    pub path: PathBuf,
    pub serial: i64,
    pub devices: Vec<ack::AckedDevice>,
}

impl Palabre {
    /// Makes HQ's keys and enrollment file in `dir`, and makes this database HQ's (it will
    /// decrypt bundles and sign acknowledgements with them).
    pub fn hq_init(&self, dir: &Path, programme: Option<&str>) -> Result<HqKeys> {
        self.device()?;
        let programme = match programme {
            Some(p) => p.trim().to_string(),
            None => self.setting(settings::Setting::Programme)?.unwrap_or_default(),
        };
        let keys = keys::create(dir, &programme)?;
        let dir = std::fs::canonicalize(&keys.dir).unwrap_or(keys.dir.clone());
        self.store().write(|tx| settings::put(tx, HQ_DIR, &dir.to_string_lossy()))?;
        Ok(keys)
    }

    /// HQ's key folder, when this database is HQ.
    pub fn hq_dir(&self) -> Result<Option<PathBuf>> {
        Ok(self.store().read(|c| settings::get(c, HQ_DIR))?.map(PathBuf::from))
    }

    /// HQ's age identity, when this database is HQ (to open encrypted bundles).
    pub(crate) fn hq_identity(&self) -> Result<Option<age::x25519::Identity>> {
        self.hq_dir()?.map(|dir| keys::age_identity(&dir)).transpose()
    }

    /// Verifies an enrollment file and stores it: from now on exports are encrypted to this HQ
    /// and acknowledgements signed by it are accepted. Enrolling again with the same HQ changes
    /// nothing; another HQ is refused (a laptop belongs to one programme).
    pub fn enroll(&self, bytes: &[u8]) -> Result<Enrollment> {
        let enrollment = keys::read_enrollment(bytes)?;
        self.store().write(|tx| {
            if let Some(current) = stored_enrollment(tx)? {
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
            settings::put(tx, ENROLLMENT, &text)?;
            Ok(enrollment)
        })
    }

    pub fn enroll_file(&self, path: &Path) -> Result<Enrollment> {
        let bytes =
            std::fs::read(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        self.enroll(&bytes)
    }

    pub fn hq_status(&self) -> Result<HqStatus> {
        self.store().read(|c| {
            let acked_seq = settings::number(c, crate::sync::export::ACKED_SEQ)?;
            let written = crate::journal::oplog::own_last_seq(c)?;
            let hq_dir = settings::get(c, HQ_DIR)?;
            Ok(HqStatus {
                enrollment: stored_enrollment(c)?,
                is_hq: hq_dir.is_some(),
                hq_dir,
                acked_seq,
                acked_until: settings::get(c, ack::ACKED_UNTIL)?.filter(|s| !s.is_empty()),
                acked_at: settings::get(c, ack::ACKED_AT)?,
                unacknowledged: written - acked_seq,
            })
        })
    }

    /// Writes signed acknowledgements into `out`: one file for every trusted laptop, or one per
    /// laptop with `per_device`, or one for the laptop with `fingerprint`.
    pub fn hq_ack(
        &self,
        out: &Path,
        fingerprint: Option<&str>,
        per_device: bool,
    ) -> Result<Vec<AckWritten>> {
        let dir = self.hq_dir()?.ok_or(Error::NotHq)?;
        let key = keys::signing_key(&dir)?;
        let enrollment_bytes = std::fs::read(dir.join(keys::ENROLLMENT_FILE))
            .map_err(|source| Error::Io { path: dir.join(keys::ENROLLMENT_FILE), source })?;
        let enrollment = keys::read_enrollment(&enrollment_bytes)?;
        let wanted = fingerprint.map(|f| {
            device::normalize_fingerprint(f).ok_or_else(|| crate::Invalid::UnknownCode {
                field: "fingerprint",
                value: f.to_string(),
                allowed: "16 hexadecimal digits, as shown by `palabre device list`".into(),
            })
        });
        let wanted = wanted.transpose()?;
        let acked: Vec<ack::AckedDevice> = self
            .devices()?
            .into_iter()
            .filter(|d| !d.this_device && d.trusted && d.gap_free_seq > 0)
            .filter(|d| wanted.as_ref().is_none_or(|w| *w == d.fingerprint))
            .map(|d| ack::AckedDevice {
                device_id: d.device_id,
                name: d.name,
                op_seq: d.gap_free_seq,
            })
            .collect();
        if acked.is_empty() {
            let id = wanted.unwrap_or_else(|| "(no trusted laptop has sent changes yet)".into());
            return Err(Error::NotFound { entity: "device", id });
        }
        std::fs::create_dir_all(out)
            .map_err(|source| Error::Io { path: out.to_path_buf(), source })?;
        let groups: Vec<Vec<ack::AckedDevice>> =
            if per_device { acked.into_iter().map(|d| vec![d]).collect() } else { vec![acked] };
        let mut written = Vec::new();
        for devices in groups {
            let serial = self.store().write(|tx| {
                let serial = settings::number(tx, ack::ISSUED_SERIAL)? + 1;
                settings::put(tx, ack::ISSUED_SERIAL, &serial.to_string())?;
                Ok(serial)
            })?;
            let signed = ack::build(&key, &enrollment, serial, devices);
            let who = match signed.payload.devices.as_slice() {
                [one] => crate::sync::export::file_safe(&one.name),
                _ => "all".to_string(),
            };
            let path = out.join(format!(
                "palabre-ack-{serial}-{who}-{}.{}",
                chrono::Utc::now().format("%Y%m%d"),
                ack::EXTENSION
            ));
            let text = serde_json::to_string_pretty(&signed).expect("ack serialises");
            std::fs::write(&path, text)
                .map_err(|source| Error::Io { path: path.clone(), source })?;
            written.push(AckWritten { path, serial, devices: signed.payload.devices });
        }
        Ok(written)
    }
}
