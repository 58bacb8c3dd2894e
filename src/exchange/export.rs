//! Export: a signed bundle of this device's ops that HQ has not acknowledged (until
//! acknowledgements exist: all of them), so that a lost USB stick is healed by the next export.

use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::Palabre;
use crate::error::{Invalid, Result};
use crate::exchange::bundle::{self, Manifest};
use crate::exchange::seal;
use crate::files::{file_safe, write_atomically};
use crate::journal::oplog;
use crate::store::bookkeeping::{self, Key};

/// What an export wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exported {
    pub path: Option<PathBuf>,
    pub file_name: String,
    pub bundle_seq: i64,
    pub ops: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub bytes: usize,
    /// Encrypted (`*.palabre.age`): to HQ, or with a passphrase (see `lock`).
    pub encrypted: bool,
    pub lock: Lock,
}

/// What protects an exported bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lock {
    /// Encrypted to the HQ this laptop is enrolled with: only HQ can read it.
    Hq,
    /// Encrypted with a passphrase the facilitator chose (a laptop not enrolled yet).
    Passphrase,
    /// Signed but readable by anyone who has the file.
    Nothing,
}

struct Built {
    exported: Exported,
    bytes: Vec<u8>,
    manifest_sha256: String,
}

fn build_bundle(app: &Palabre, passphrase: Option<&str>) -> Result<Built> {
    let key = app.signing_key()?;
    let me = app.device()?;
    let (ops, bundle_seq, prev_hash) = app.store().read(|c| {
        let acked = bookkeeping::number(c, Key::AckedSeq)?;
        let last = oplog::own_last_seq(c)?;
        let ops = oplog::of_device(c, me.device_id, acked + 1, last)?;
        Ok((
            ops,
            bookkeeping::number(c, Key::BundleSeq)? + 1,
            bookkeeping::get(c, Key::PrevBundleHash)?,
        ))
    })?;
    let manifest = Manifest::for_ops(&me, &ops, bundle_seq, prev_hash, Utc::now().to_rfc3339());
    let range = manifest.ops;
    let (mut bytes, manifest_sha256) = bundle::write(&key, manifest, &ops);
    let recipient = app.store().read(crate::exchange::enrollment::stored)?.map(|e| e.age_recipient);
    let lock = match (&recipient, passphrase) {
        (Some(_), Some(_)) => return Err(Invalid::PassphraseNotNeeded.into()),
        (Some(recipient), None) => {
            bytes = seal::seal(&bytes, recipient)?;
            Lock::Hq
        }
        (None, Some(passphrase)) => {
            bytes = seal::seal_with_passphrase(&bytes, passphrase)?;
            Lock::Passphrase
        }
        (None, None) => Lock::Nothing,
    };
    let file_name = bundle_file_name(&me.name, bundle_seq, lock != Lock::Nothing);
    let exported = Exported {
        path: None,
        file_name,
        bundle_seq,
        ops: range.count,
        first_seq: range.first_seq,
        last_seq: range.last_seq,
        bytes: bytes.len(),
        encrypted: lock != Lock::Nothing,
        lock,
    };
    Ok(Built { exported, bytes, manifest_sha256 })
}

fn record_export(app: &Palabre, built: &Built) -> Result<()> {
    app.store().write(|tx| {
        bookkeeping::put(tx, Key::BundleSeq, &built.exported.bundle_seq.to_string())?;
        bookkeeping::put(tx, Key::PrevBundleHash, &built.manifest_sha256)?;
        let exported = bookkeeping::number(tx, Key::ExportedSeq)?.max(built.exported.last_seq);
        bookkeeping::put(tx, Key::ExportedSeq, &exported.to_string())?;
        bookkeeping::put(tx, Key::LastExportAt, &Utc::now().to_rfc3339())
    })
}

fn bundle_file_name(device: &str, seq: i64, encrypted: bool) -> String {
    let name = format!(
        "palabre-{}-{seq}-{}.{}",
        file_safe(device),
        Utc::now().format("%Y%m%d"),
        bundle::EXTENSION
    );
    if encrypted { format!("{name}.{}", crate::exchange::seal::EXTENSION) } else { name }
}

pub(crate) fn next_bundle_file_name(app: &Palabre) -> Result<String> {
    let name = app.device()?.name;
    let (seq, enrolled) = app.store().read(|c| {
        Ok((
            bookkeeping::number(c, Key::BundleSeq)? + 1,
            crate::exchange::enrollment::stored(c)?.is_some(),
        ))
    })?;
    Ok(bundle_file_name(&name, seq, enrolled))
}

/// Checks a passphrase chosen to lock a bundle.
fn checked(passphrase: Option<&str>) -> Result<Option<&str>> {
    match passphrase {
        Some(p) if p.chars().count() < seal::MIN_PASSPHRASE => {
            Err(Invalid::PassphraseTooShort { len: p.chars().count(), min: seal::MIN_PASSPHRASE }
                .into())
        }
        other => Ok(other),
    }
}

pub(crate) fn export_bundle_bytes(
    app: &Palabre,
    passphrase: Option<&str>,
) -> Result<(Exported, Vec<u8>)> {
    let built = build_bundle(app, checked(passphrase)?)?;
    record_export(app, &built)?;
    Ok((built.exported, built.bytes))
}

pub(crate) fn export_bundle(
    app: &Palabre,
    out: &Path,
    passphrase: Option<&str>,
) -> Result<Exported> {
    let mut built = build_bundle(app, checked(passphrase)?)?;
    let path = if out.is_dir() { out.join(&built.exported.file_name) } else { out.to_path_buf() };
    write_atomically(&path, &built.bytes)?;
    record_export(app, &built)?;
    tracing::info!(
        ops = built.exported.ops,
        bytes = built.bytes.len(),
        lock = ?built.exported.lock,
        "bundle exported"
    );
    built.exported.path = Some(path);
    Ok(built.exported)
}
