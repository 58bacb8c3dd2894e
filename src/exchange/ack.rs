//! Acknowledgements: HQ signs, per laptop, the highest op_seq up to which it holds every change
//! (no hole). A laptop that imports one (checked against the HQ key it enrolled with) stops
//! exporting what HQ already has, so bundles stay small. Acks are numbered: an older or replayed
//! one is refused, and so is one that acknowledges more than the laptop ever wrote.

use rusqlite::Connection;

use crate::error::Rejection;
use crate::error::{Error, Result};
use crate::exchange::documents::{self, DocumentError, Signed};
use crate::exchange::import::ImportOutcome;
use crate::journal::hlc::Hlc;
use crate::store::bookkeeping::{self, Key};

pub const FORMAT: &str = "palabre-ack";
pub const EXTENSION: &str = "palabre-ack";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AckedDevice {
    pub device_id: String,
    pub name: String,
    /// Every op of this device from 1 to here is at HQ.
    pub op_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ack {
    pub format: String,
    pub version: u32,
    pub programme: String,
    pub hq_fingerprint: String,
    /// Increases with every ack HQ issues.
    pub serial: i64,
    pub issued_at: String,
    pub devices: Vec<AckedDevice>,
}

/// Whether these bytes look like an ack file (a JSON document of that format).
pub fn is_ack(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(200)];
    head.first() == Some(&b'{') && head.windows(FORMAT.len()).any(|w| w == FORMAT.as_bytes())
}

/// Reads the ack's structure (no signature check yet: that needs the enrolled key).
pub fn parse(bytes: &[u8]) -> std::result::Result<Signed<Ack>, Rejection> {
    serde_json::from_slice(bytes).map_err(|e| Rejection::BadAck { reason: e.to_string() })
}

/// Applies an ack on a laptop, inside the caller's transaction: every check first, then the
/// three settings. A refusal writes nothing.
pub fn apply(conn: &Connection, bytes: &[u8]) -> Result<ImportOutcome> {
    let Some(enrollment) = crate::exchange::enrollment::stored(conn)? else {
        return Ok(Rejection::NotEnrolled.into());
    };
    let ack: Ack = match documents::verify(bytes, |_: &Ack| enrollment.hq_public_key.clone()) {
        Ok(ack) => ack,
        Err(DocumentError::Malformed(reason)) => return Ok(Rejection::BadAck { reason }.into()),
        Err(DocumentError::OtherKey | DocumentError::Altered) => {
            return Ok(Rejection::AckNotFromHq { fingerprint: enrollment.hq_fingerprint }.into());
        }
    };
    if ack.format != FORMAT || ack.version != 1 {
        let reason = format!("unknown format {} {}", ack.format, ack.version);
        return Ok(Rejection::BadAck { reason }.into());
    }
    let last = bookkeeping::number(conn, Key::AckSerial)?;
    if ack.serial <= last {
        return Ok(Rejection::AckReplayed { serial: ack.serial, last }.into());
    }
    let me = crate::device::load(conn)?.ok_or(Error::NotInitialized)?;
    let my_id = me.device_id.to_string();
    let Some(entry) = ack.devices.iter().find(|d| d.device_id == my_id) else {
        return Ok(Rejection::AckOtherLaptop.into());
    };
    let written = crate::journal::oplog::own_last_seq(conn)?;
    if entry.op_seq > written || entry.op_seq < 0 {
        return Ok(Rejection::AckTooHigh { acked: entry.op_seq, written }.into());
    }
    // The wall-clock time of the last acknowledged change: "HQ has everything up to <date>".
    let until: Option<i64> = conn
        .query_row(
            "SELECT hlc FROM oplog WHERE device_id = ?1 AND op_seq = ?2",
            rusqlite::params![my_id, entry.op_seq],
            |r| r.get(0),
        )
        .ok();
    bookkeeping::put(conn, Key::AckedSeq, &entry.op_seq.to_string())?;
    bookkeeping::put(conn, Key::AckSerial, &ack.serial.to_string())?;
    bookkeeping::put(conn, Key::AckedAt, &ack.issued_at)?;
    let until = until.and_then(|h| Hlc(h).time()).map(|t| t.to_rfc3339()).unwrap_or_default();
    bookkeeping::put(conn, Key::AckedUntil, &until)?;
    // Files of removed attachments, kept until HQ had them, can go now.
    crate::evidence::purge_unused(conn)?;
    Ok(ImportOutcome::Acknowledged { up_to_seq: entry.op_seq, until })
}
