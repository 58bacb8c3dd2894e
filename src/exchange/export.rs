//! Export: signed bundles of this device's ops that HQ has not acknowledged (until
//! acknowledgements exist: all of them), so that a lost USB stick is healed by the next export,
//! with the files of the sheets they attach. One export writes one bundle, or several in a
//! chain when its files exceed the size cap (`DEFAULT_CAP`): a backlog of photos is spread over
//! bundles that each fit an e-mail, every file in the same bundle as the op that attaches it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::OptionalExtension;

use crate::Palabre;
use crate::error::{Error, Invalid, Result};
use crate::exchange::bundle::{self, Manifest};
use crate::exchange::seal;
use crate::files::{file_safe, write_atomically};
use crate::journal::oplog::{self, Op};
use crate::store::bookkeeping::{self, Key};

/// The size cap of an export's bundles unless another is given: the attachment limit of most
/// e-mail services (20–25 MB) with room to spare. A bundle exceeds it only to carry one file
/// larger than the cap.
pub const DEFAULT_CAP: u64 = 10 << 20;

/// What an export wrote: the whole export (ops and bytes summed over its bundles, the first
/// bundle's path and name, the last bundle's number) and each bundle in `parts`.
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
    /// Files of attached sheets carried.
    pub evidence: usize,
    pub parts: Vec<Part>,
}

/// One bundle of an export.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Part {
    pub path: Option<PathBuf>,
    pub file_name: String,
    pub bundle_seq: i64,
    pub ops: i64,
    pub first_seq: i64,
    pub last_seq: i64,
    pub bytes: usize,
    pub evidence: usize,
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
    part: Part,
    bytes: Vec<u8>,
    manifest_sha256: String,
}

struct Planned {
    lock: Lock,
    parts: Vec<Built>,
}

/// What a bundle weighs beyond its ops and files: manifest, signature, zip headers, the age
/// envelope.
const OVERHEAD: u64 = 4 << 10;
/// What each carried file adds beyond its bytes: its manifest line and zip headers (about 410).
const PER_FILE: u64 = 512;
/// Ops are counted at their JSON size divided by this: format 3 compresses them 50 to 75 times
/// (`benches/export.rs`: 100,000 ops are 0.29 MB, 22.3 MB one a line); a sixteenth stays on the
/// safe side without splitting a large export of changes alone over bundles it would fit in.
const OPS_SHRINK: u64 = 16;

/// Splits `ops` (in op_seq order) into runs whose ops and files fit `cap`; each run carries
/// the files its ops attach. A run is cut only between rows: the consecutive ops of one
/// attachment (its session, page, file, …) stay together, so a bundle never holds half an
/// attachment, and the file is counted with the row. A run holds at least one row, and at most
/// `MAX_FILES_PER_BUNDLE` files; an empty export is one empty run.
fn runs(ops: &[Op], sizes: &HashMap<String, u64>, cap: u64) -> Vec<(usize, usize)> {
    // The rows, as ranges of consecutive ops of one (entity, row).
    let mut rows: Vec<(usize, usize)> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        match rows.last_mut() {
            Some((start, end))
                if ops[*start].entity == op.entity && ops[*start].row_id == op.row_id =>
            {
                *end = index + 1;
            }
            _ => rows.push((index, index + 1)),
        }
    }
    let mut runs = Vec::new();
    let (mut start, mut used) = (0, OVERHEAD);
    let mut carried: HashSet<&str> = HashSet::new();
    for (row_start, row_end) in rows {
        let row = &ops[row_start..row_end];
        let op_bytes: u64 = row
            .iter()
            .map(|op| serde_json::to_vec(op).map_or(200, |v| v.len() as u64 + 1))
            .sum::<u64>()
            / OPS_SHRINK;
        let files: Vec<&str> = bundle::named_files(row).collect();
        let file_bytes = |carried: &HashSet<&str>| -> u64 {
            files
                .iter()
                .filter(|sha| !carried.contains(*sha))
                .map(|sha| sizes[*sha] + PER_FILE)
                .sum()
        };
        let too_many = carried.len() + files.len() > bundle::MAX_FILES_PER_BUNDLE;
        if row_start > start && (used + op_bytes + file_bytes(&carried) > cap || too_many) {
            runs.push((start, row_start));
            start = row_start;
            used = OVERHEAD;
            carried.clear();
        }
        used += op_bytes + file_bytes(&carried);
        carried.extend(files);
    }
    runs.push((start, ops.len()));
    runs
}

fn build_bundles(app: &Palabre, passphrase: Option<&str>, cap: u64) -> Result<Planned> {
    let key = app.signing_key()?;
    let me = app.device()?;
    let (ops, first_bundle_seq, mut prev_hash, sizes) = app.store().read(|c| {
        let acked = bookkeeping::number(c, Key::AckedSeq)?;
        let last = oplog::own_last_seq(c)?;
        let ops = oplog::of_device(c, me.device_id, acked + 1, last)?;
        let mut sizes = HashMap::new();
        for sha in bundle::named_files(&ops) {
            let size: Option<i64> = c
                .prepare_cached("SELECT size FROM evidence_files WHERE sha256 = ?1")?
                .query_row([sha], |r| r.get(0))
                .optional()?;
            let size = size.ok_or_else(|| Error::BadOp {
                reason: format!(
                    "the file of an attached sheet ({}…) is missing from this database; restore a backup",
                    &sha[..12]
                ),
            })?;
            sizes.insert(sha.to_string(), size as u64);
        }
        Ok((
            ops,
            bookkeeping::number(c, Key::BundleSeq)? + 1,
            bookkeeping::get(c, Key::PrevBundleHash)?,
            sizes,
        ))
    })?;
    let recipient = app.store().read(crate::exchange::enrollment::stored)?.map(|e| e.age_recipient);
    let lock = match (&recipient, passphrase) {
        (Some(_), Some(_)) => return Err(Invalid::PassphraseNotNeeded.into()),
        (Some(_), None) => Lock::Hq,
        (None, Some(_)) => Lock::Passphrase,
        (None, None) => Lock::Nothing,
    };
    let mut parts = Vec::new();
    for (index, (start, end)) in runs(&ops, &sizes, cap).into_iter().enumerate() {
        let ops = &ops[start..end];
        let mut files = BTreeMap::new();
        for sha in bundle::named_files(ops) {
            if !files.contains_key(sha) {
                let (_, bytes) =
                    app.store().read(|c| crate::evidence::file(c, sha))?.ok_or_else(|| {
                        Error::BadOp { reason: "the file of an attached sheet is missing".into() }
                    })?;
                files.insert(sha.to_string(), bytes);
            }
        }
        let bundle_seq = first_bundle_seq + index as i64;
        let manifest =
            Manifest::for_ops(&me, ops, bundle_seq, prev_hash.clone(), Utc::now().to_rfc3339());
        let range = manifest.ops;
        let (mut bytes, manifest_sha256) = bundle::write_with_files(&key, manifest, ops, &files);
        bytes = match (&recipient, passphrase) {
            (Some(recipient), None) => seal::seal(&bytes, recipient)?,
            (None, Some(passphrase)) => seal::seal_with_passphrase(&bytes, passphrase)?,
            _ => bytes,
        };
        prev_hash = Some(manifest_sha256.clone());
        let part = Part {
            path: None,
            file_name: bundle_file_name(&me.name, bundle_seq, lock != Lock::Nothing),
            bundle_seq,
            ops: range.count,
            first_seq: range.first_seq,
            last_seq: range.last_seq,
            bytes: bytes.len(),
            evidence: files.len(),
        };
        parts.push(Built { part, bytes, manifest_sha256 });
    }
    Ok(Planned { lock, parts })
}

fn summary(planned: &Planned) -> Exported {
    let parts: Vec<Part> = planned.parts.iter().map(|b| b.part.clone()).collect();
    let first = &parts[0];
    let last = &parts[parts.len() - 1];
    Exported {
        path: first.path.clone(),
        file_name: first.file_name.clone(),
        bundle_seq: last.bundle_seq,
        ops: parts.iter().map(|p| p.ops).sum(),
        first_seq: first.first_seq,
        last_seq: last.last_seq,
        bytes: parts.iter().map(|p| p.bytes).sum(),
        encrypted: planned.lock != Lock::Nothing,
        lock: planned.lock,
        evidence: parts.iter().map(|p| p.evidence).sum(),
        parts,
    }
}

fn record_export(app: &Palabre, planned: &Planned) -> Result<()> {
    let last = planned.parts.last().expect("an export has a bundle");
    app.store().write(|tx| {
        bookkeeping::put(tx, Key::BundleSeq, &last.part.bundle_seq.to_string())?;
        bookkeeping::put(tx, Key::PrevBundleHash, &last.manifest_sha256)?;
        let exported = bookkeeping::number(tx, Key::ExportedSeq)?.max(last.part.last_seq);
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

/// One bundle in memory, whatever its size (no cap: tests and benchmarks).
pub(crate) fn export_bundle_bytes(
    app: &Palabre,
    passphrase: Option<&str>,
) -> Result<(Exported, Vec<u8>)> {
    let mut planned = build_bundles(app, checked(passphrase)?, u64::MAX)?;
    record_export(app, &planned)?;
    let exported = summary(&planned);
    Ok((exported, planned.parts.remove(0).bytes))
}

/// Writes the export's bundles: to `out` (a file: the first bundle there, the next ones beside
/// it under their own names; a folder: each under its name), then records it.
pub(crate) fn export_bundle(
    app: &Palabre,
    out: &Path,
    passphrase: Option<&str>,
    cap: u64,
) -> Result<Exported> {
    let mut planned = build_bundles(app, checked(passphrase)?, cap)?;
    let folder = if out.is_dir() {
        out.to_path_buf()
    } else {
        out.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    for (index, built) in planned.parts.iter_mut().enumerate() {
        let path = if index == 0 && !out.is_dir() {
            out.to_path_buf()
        } else {
            folder.join(&built.part.file_name)
        };
        write_atomically(&path, &built.bytes)?;
        built.part.path = Some(path);
    }
    record_export(app, &planned)?;
    let exported = summary(&planned);
    tracing::info!(
        ops = exported.ops,
        bytes = exported.bytes,
        bundles = exported.parts.len(),
        evidence = exported.evidence,
        lock = ?exported.lock,
        "bundle exported"
    );
    Ok(exported)
}
