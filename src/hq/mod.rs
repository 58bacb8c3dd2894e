//! HQ's own work, above exchange: making HQ's identity once (`keys`: the signing and age key
//! files and the signed enrollment file) and issuing acknowledgements of what HQ holds. What every
//! laptop does with them — storing the enrollment, sealing bundles to HQ, applying an
//! acknowledgement — is exchange's (`crate::exchange`), which knows nothing of this module.

pub mod keys;
pub mod registry;
pub mod server;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::exchange::ack::{self, Ack, AckedDevice};
use crate::exchange::documents::{self, Enrollment, Signed};
use crate::store::bookkeeping::{self, Key};
use crate::{Palabre, device};
pub use keys::HqKeys;

/// One acknowledgement file written by HQ.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AckWritten {
    pub path: PathBuf,
    pub serial: i64,
    pub devices: Vec<AckedDevice>,
}

pub(crate) fn hq_init(app: &Palabre, dir: &Path, programme: Option<&str>) -> Result<HqKeys> {
    app.device()?;
    // A second desk of an HQ on a server would make a second HQ, which no laptop trusts. (The
    // desk that made the keys is refused by `keys::create`, as a single-file HQ is.)
    let second_desk = |c: &rusqlite::Connection| -> Result<bool> {
        Ok(app.store().server().is_some()
            && bookkeeping::get(c, Key::HqDir)?.is_none()
            && bookkeeping::get(c, Key::HqPublic)?.is_some())
    };
    if let Some(server) = app.store().server()
        && app.store().read(second_desk)?
    {
        return Err(Error::HqServer {
            server,
            reason: "its HQ already has keys, made on another desk. Copy that desk's key folder and give it here with `palabre hq join --keys DIR` (or Join HQ's database server at the first start)".into(),
        });
    }
    let programme = match programme {
        Some(p) => p.trim().to_string(),
        None => app.setting(crate::Setting::Programme)?.unwrap_or_default(),
    };
    let keys = keys::create(dir, &programme)?;
    let enrollment = std::fs::read_to_string(&keys.enrollment)
        .map_err(|source| Error::Io { path: keys.enrollment.clone(), source })?;
    let dir = std::fs::canonicalize(&keys.dir).unwrap_or(keys.dir.clone());
    let written = app.store().write(|tx| {
        // Checked again where desks take turns: another desk may have made keys meanwhile.
        if second_desk(tx)? {
            return Err(Error::HqServer {
                server: app.store().server().unwrap_or_default(),
                reason: "another desk made HQ's keys a moment ago: copy its key folder and use `palabre hq join --keys DIR`".into(),
            });
        }
        bookkeeping::put(tx, Key::HqDir, &dir.to_string_lossy())?;
        bookkeeping::put(tx, Key::HqPublic, &enrollment)
    });
    if written.is_err() {
        // Keys no database uses would only confuse: the folder is left as it was found.
        for file in [&keys.signing_key, &keys.age_key, &keys.enrollment] {
            let _ = std::fs::remove_file(file);
        }
    }
    written?;
    Ok(keys)
}

pub(crate) fn hq_ack(
    app: &Palabre,
    out: &Path,
    fingerprint: Option<&str>,
    per_device: bool,
) -> Result<Vec<AckWritten>> {
    let dir = app.hq_dir()?.ok_or(Error::NotHq)?;
    let key = keys::signing_key(&dir)?;
    let enrollment_bytes = std::fs::read(dir.join(keys::ENROLLMENT_FILE))
        .map_err(|source| Error::Io { path: dir.join(keys::ENROLLMENT_FILE), source })?;
    let enrollment = documents::read_enrollment(&enrollment_bytes)?;
    let wanted = fingerprint.map(|f| {
        device::normalize_fingerprint(f).ok_or_else(|| crate::Invalid::UnknownCode {
            field: "fingerprint",
            value: f.to_string(),
            allowed: "16 hexadecimal digits, as shown by `palabre device list`".into(),
        })
    });
    let wanted = wanted.transpose()?;
    let acked: Vec<AckedDevice> = app
        .devices()?
        .into_iter()
        .filter(|d| !d.this_device && d.trusted && d.lost_at.is_none() && d.gap_free_seq > 0)
        .filter(|d| wanted.as_ref().is_none_or(|w| *w == d.fingerprint))
        .map(|d| AckedDevice { device_id: d.device_id, name: d.name, op_seq: d.gap_free_seq })
        .collect();
    if acked.is_empty() {
        let id = wanted.unwrap_or_else(|| "(no trusted laptop has sent changes yet)".into());
        return Err(Error::NotFound { entity: "device", id });
    }
    std::fs::create_dir_all(out).map_err(|source| Error::Io { path: out.to_path_buf(), source })?;
    let groups: Vec<Vec<AckedDevice>> =
        if per_device { acked.into_iter().map(|d| vec![d]).collect() } else { vec![acked] };
    let mut written = Vec::new();
    for devices in groups {
        let serial = app.store().write(|tx| next_serial(tx))?;
        let signed = issue_ack(&key, &enrollment, serial, devices);
        let who = match signed.payload.devices.as_slice() {
            [one] => crate::files::file_safe(&one.name),
            _ => "all".to_string(),
        };
        let path = out.join(format!(
            "palabre-ack-{serial}-{who}-{}.{}",
            chrono::Utc::now().format("%Y%m%d"),
            ack::EXTENSION
        ));
        let text = serde_json::to_string_pretty(&signed).expect("ack serialises");
        std::fs::write(&path, text).map_err(|source| Error::Io { path: path.clone(), source })?;
        written.push(AckWritten { path, serial, devices: signed.payload.devices });
    }
    Ok(written)
}

/// The serial of the next document HQ issues (acknowledgements, registry and restore bundles),
/// recorded in the caller's transaction. It is the count of documents issued, or the time in
/// seconds if that is larger: an HQ restored from an old backup still issues serials above
/// those the laptops have seen, as long as its clock moves forward.
pub(crate) fn next_serial(tx: &rusqlite::Connection) -> Result<i64> {
    let serial =
        (bookkeeping::number(tx, Key::IssuedSerial)? + 1).max(chrono::Utc::now().timestamp());
    bookkeeping::put(tx, Key::IssuedSerial, &serial.to_string())?;
    Ok(serial)
}

/// Signs an acknowledgement for these devices (HQ's key, HQ's enrollment, the next serial).
pub fn issue_ack(
    key: &ed25519_dalek::SigningKey,
    enrollment: &Enrollment,
    serial: i64,
    devices: Vec<AckedDevice>,
) -> Signed<Ack> {
    let ack = Ack {
        format: ack::FORMAT.into(),
        version: 1,
        programme: enrollment.programme.clone(),
        hq_fingerprint: enrollment.hq_fingerprint.clone(),
        serial,
        issued_at: chrono::Utc::now().to_rfc3339(),
        devices,
    };
    documents::sign(key, ack, &format!("palabre HQ acknowledgement {serial}"))
}
