//! Import: one bundle, all or nothing, in one transaction. After the checks of bundle::read, in
//! this order: the same bundle again is a no-op that says so; a device whose known key differs is
//! refused; an unknown or untrusted device's bundle waits in quarantine until its fingerprint is
//! trusted; a fork (same device and op_seq, different content) is refused and recorded; then the
//! new ops merge.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

use crate::Palabre;
use crate::device::{self, normalize_fingerprint};
use crate::error::{Error, Invalid, Result};
use crate::exchange::bundle::{self, Bundle, Rejection};
use crate::exchange::{ack, seal};
use crate::journal::erasure;
use crate::journal::oplog::{self, Op};

/// One line of the log per file imported: what happened, counts, the code, the time. (Device
/// names are laptops' names; a rejection's sentence is not logged, only its code.)
fn log_outcome(outcome: &ImportOutcome, took: std::time::Duration) {
    let ms = took.as_millis() as u64;
    match outcome {
        ImportOutcome::Applied { device, ops, new_ops } => {
            tracing::info!(device = %device, ops, new_ops, ms, "bundle merged")
        }
        ImportOutcome::AlreadyImported { device } => {
            tracing::info!(device = %device, ms, "bundle already imported")
        }
        ImportOutcome::Quarantined { fingerprint, .. } => {
            tracing::info!(fingerprint = %fingerprint, ms, "bundle held: device not trusted")
        }
        ImportOutcome::Rejected { code, .. } => tracing::warn!(code = %code, ms, "file refused"),
        ImportOutcome::Acknowledged { up_to_seq, .. } => {
            tracing::info!(up_to_seq, ms, "acknowledgement applied")
        }
    }
}

/// What happened to one bundle file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ImportOutcome {
    Applied {
        device: String,
        ops: usize,
        new_ops: usize,
    },
    AlreadyImported {
        device: String,
    },
    Quarantined {
        device: String,
        fingerprint: String,
    },
    Rejected {
        code: String,
        reason: String,
    },
    /// An acknowledgement from HQ: every change up to `up_to_seq` (made `until`) is at HQ.
    Acknowledged {
        up_to_seq: i64,
        until: String,
    },
}

impl std::fmt::Display for ImportOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportOutcome::Applied { new_ops, ops, .. } if new_ops == ops => {
                write!(f, "applied {new_ops} ops")
            }
            ImportOutcome::Applied { new_ops, ops, .. } => {
                write!(f, "applied {new_ops} ops ({} were already here)", ops - new_ops)
            }
            ImportOutcome::AlreadyImported { .. } => write!(f, "already imported"),
            ImportOutcome::Quarantined { device, fingerprint } => {
                write!(f, "quarantined: unknown device {device} {fingerprint}")
            }
            ImportOutcome::Rejected { reason, .. } => write!(f, "rejected: {reason}"),
            ImportOutcome::Acknowledged { up_to_seq, .. } => {
                write!(
                    f,
                    "acknowledged: HQ has every change of this laptop up to number {up_to_seq}"
                )
            }
        }
    }
}

impl From<Rejection> for ImportOutcome {
    fn from(r: Rejection) -> Self {
        ImportOutcome::Rejected { code: r.code().to_string(), reason: r.to_string() }
    }
}

/// The result of trusting a device: its quarantined bundles, merged.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Trusted {
    pub device_id: String,
    pub name: String,
    pub fingerprint: String,
    pub merged: Vec<ImportOutcome>,
}

struct KnownDevice {
    public_key: Vec<u8>,
    trusted: bool,
    fingerprint: String,
}

fn known_device(conn: &Connection, id: &str) -> Result<Option<KnownDevice>> {
    Ok(conn
        .prepare_cached(
            "SELECT public_key, trusted, fingerprint FROM devices WHERE device_id = ?1",
        )?
        .query_row([id], |r| {
            Ok(KnownDevice { public_key: r.get(0)?, trusted: r.get(1)?, fingerprint: r.get(2)? })
        })
        .optional()?)
}

fn public_key_bytes(bundle: &Bundle) -> Vec<u8> {
    crate::exchange::minisign::public_key(&bundle.manifest.device.public_key)
        .map(|(_, key)| key.to_bytes().to_vec())
        .unwrap_or_default()
}

/// The first op of the bundle whose (device, op_seq) is already stored with other content. The
/// same op with its personal value blanked by an erasure (on either side) is not other content.
fn find_fork(conn: &Connection, bundle: &Bundle) -> Result<Option<i64>> {
    let range = bundle.manifest.ops;
    if range.count == 0 {
        return Ok(None);
    }
    let stored: HashMap<i64, Op> =
        oplog::of_device(conn, bundle.manifest.device.id, range.first_seq, range.last_seq)?
            .into_iter()
            .map(|op| (op.op_seq, op))
            .collect();
    Ok(bundle
        .ops
        .iter()
        .find(|op| stored.get(&op.op_seq).is_some_and(|s| s != *op && !erasure::is_blanking(s, op)))
        .map(|op| op.op_seq))
}

/// Imports a bundle that passed `bundle::read`, inside the caller's transaction.
fn import_in(
    conn: &Connection,
    bundle: &Bundle,
    bytes: &[u8],
    derived: &[&dyn crate::journal::Derived],
) -> Result<ImportOutcome> {
    let manifest = &bundle.manifest;
    let device_id = manifest.device.id.to_string();
    let name = manifest.device.name.clone();
    let already: bool = conn
        .prepare_cached("SELECT 1 FROM imported_bundles WHERE bundle_id = ?1")?
        .exists([manifest.bundle_id.to_string()])?;
    if already {
        return Ok(ImportOutcome::AlreadyImported { device: name });
    }
    let presented = public_key_bytes(bundle);
    let me = device::load(conn)?.ok_or(Error::NotInitialized)?;
    let now = Utc::now().to_rfc3339();
    if me.device_id == manifest.device.id {
        if me.public_key != manifest.device.public_key {
            return Ok(Rejection::KeyChanged {
                device: name,
                known: me.fingerprint,
                presented: bundle.fingerprint.clone(),
            }
            .into());
        }
    } else {
        match known_device(conn, &device_id)? {
            Some(known) if known.public_key != presented => {
                return Ok(Rejection::KeyChanged {
                    device: name,
                    known: known.fingerprint,
                    presented: bundle.fingerprint.clone(),
                }
                .into());
            }
            Some(known) if known.trusted => {}
            known => {
                if known.is_none() {
                    conn.prepare_cached(
                        "INSERT INTO devices (device_id, name, public_key, fingerprint, trusted, first_seen)
                         VALUES (?1, ?2, ?3, ?4, 0, ?5)",
                    )?
                    .execute(params![device_id, name, presented, bundle.fingerprint, now])?;
                }
                // A held bundle cannot be scrubbed (it is signed): one that carries changes
                // about a person erased here is not kept.
                let erased = erasure::erased_rows(conn, crate::journal::schema::Entity::Person)?;
                if mentions_any(bundle, &erased) {
                    return Ok(Rejection::AboutErased {
                        device: name,
                        fingerprint: bundle.fingerprint.clone(),
                    }
                    .into());
                }
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO quarantine (bundle_id, device_id, bundle_seq, bytes, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![manifest.bundle_id.to_string(), device_id, manifest.bundle_seq, bytes, now])?;
                return Ok(ImportOutcome::Quarantined {
                    device: name,
                    fingerprint: bundle.fingerprint.clone(),
                });
            }
        }
    }
    if let Some(op_seq) = find_fork(conn, bundle)? {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO forks (device_id, op_seq, bundle_id, detected_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![device_id, op_seq, manifest.bundle_id.to_string(), now])?;
        return Ok(Rejection::Fork { device: name, op_seq }.into());
    }
    let new_ops = oplog::merge(conn, &bundle.ops, derived)?;
    if me.device_id != manifest.device.id {
        conn.prepare_cached(
            "UPDATE devices SET name = ?2, last_bundle_seq = max(last_bundle_seq, ?3), last_import_at = ?4
              WHERE device_id = ?1",
        )?
        .execute(params![device_id, name, manifest.bundle_seq, now])?;
    }
    conn.prepare_cached(
        "INSERT INTO imported_bundles (bundle_id, device_id, bundle_seq, manifest_sha256, op_count, new_ops, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        manifest.bundle_id.to_string(),
        device_id,
        manifest.bundle_seq,
        bundle.manifest_sha256,
        bundle.ops.len() as i64,
        new_ops as i64,
        now
    ])?;
    Ok(ImportOutcome::Applied { device: name, ops: bundle.ops.len(), new_ops })
}

/// Reads a bundle file, refusing oversized files and folders before reading them.
fn read_file(path: &Path) -> std::result::Result<Vec<u8>, Rejection> {
    let unreadable = |e: std::io::Error| Rejection::Unreadable { reason: e.to_string() };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(Rejection::Unreadable { reason: "it is a folder".into() });
    }
    if meta.len() > bundle::MAX_FILE_BYTES {
        return Err(Rejection::TooLarge { size: meta.len(), max: bundle::MAX_FILE_BYTES });
    }
    std::fs::read(path).map_err(unreadable)
}

/// A file read and checked, ready to merge.
enum Prepared<'a> {
    /// A bundle (decrypted if it was sealed) and the result of its checks.
    Bundle(Cow<'a, [u8]>, Box<std::result::Result<Bundle, Rejection>>),
    /// An acknowledgement from HQ (checked against the enrolled key when applied).
    Ack(Cow<'a, [u8]>),
}

fn prepare<'a>(bytes: Cow<'a, [u8]>, keys: seal::Keys<'_>) -> Prepared<'a> {
    if ack::is_ack(&bytes) {
        return Prepared::Ack(bytes);
    }
    if seal::is_sealed(&bytes) {
        return match seal::open(&bytes, keys, bundle::MAX_FILE_BYTES) {
            Ok(plain) => {
                let parsed = Box::new(bundle::read(&plain));
                Prepared::Bundle(Cow::Owned(plain), parsed)
            }
            Err(rejection) => Prepared::Bundle(Cow::Borrowed(&[][..]), Box::new(Err(rejection))),
        };
    }
    let parsed = Box::new(bundle::read(&bytes));
    Prepared::Bundle(bytes, parsed)
}

pub(crate) fn import_bundle_bytes(app: &Palabre, bytes: &[u8]) -> Result<ImportOutcome> {
    Ok(app.import_bundles(&[bytes])?.remove(0))
}

pub(crate) fn import_bundle_file(app: &Palabre, path: &Path) -> Result<ImportOutcome> {
    Ok(import_bundle_files(app, &[path], None)?.remove(0))
}

/// Imports files in order; `passphrase` opens the ones locked with a passphrase.
pub(crate) fn import_bundle_files(
    app: &Palabre,
    paths: &[&Path],
    passphrase: Option<&str>,
) -> Result<Vec<ImportOutcome>> {
    let identity = crate::exchange::enrollment::hq_identity(app)?;
    let keys = seal::Keys { identity: identity.as_ref(), passphrase };
    if !paths.is_empty() {
        app.auto_backup("import")?;
    }
    let outcomes = import_pipelined(app, paths.len(), |i| match read_file(paths[i]) {
        Ok(bytes) => prepare(Cow::Owned(bytes), keys),
        Err(rejection) => Prepared::Bundle(Cow::Borrowed(&[][..]), Box::new(Err(rejection))),
    })?;
    app.scrub_copies()?;
    Ok(outcomes)
}

pub(crate) fn import_bundles<B: AsRef<[u8]> + Sync>(
    app: &Palabre,
    inputs: &[B],
) -> Result<Vec<ImportOutcome>> {
    let identity = crate::exchange::enrollment::hq_identity(app)?;
    let keys = seal::Keys { identity: identity.as_ref(), passphrase: None };
    if !inputs.is_empty() {
        app.auto_backup("import")?;
    }
    let outcomes =
        import_pipelined(app, inputs.len(), |i| prepare(Cow::Borrowed(inputs[i].as_ref()), keys))?;
    app.scrub_copies()?;
    Ok(outcomes)
}

/// Runs `prepare(i)` (read, decrypt and check, no database) on a worker thread, one bundle
/// ahead of the merges, which stay on this thread in order.
fn import_pipelined<'a, F>(app: &Palabre, count: usize, prepare: F) -> Result<Vec<ImportOutcome>>
where
    F: Fn(usize) -> Prepared<'a> + Sync,
{
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel(1);
        let prepare = &prepare;
        scope.spawn(move || {
            for i in 0..count {
                if sender.send((i, prepare(i))).is_err() {
                    break;
                }
            }
        });
        let mut outcomes = Vec::with_capacity(count);
        for (_, prepared) in receiver {
            let started = std::time::Instant::now();
            let outcome = match prepared {
                Prepared::Bundle(bytes, parsed) => match *parsed {
                    Ok(bundle) => {
                        app.store().write(|tx| import_in(tx, &bundle, &bytes, crate::DERIVED))?
                    }
                    Err(rejection) => rejection.into(),
                },
                Prepared::Ack(bytes) => app.store().write(|tx| ack::apply(tx, &bytes))?,
            };
            log_outcome(&outcome, started.elapsed());
            outcomes.push(outcome);
        }
        Ok(outcomes)
    })
}

pub(crate) fn verify_bundle(bytes: &[u8]) -> std::result::Result<Bundle, Rejection> {
    bundle::read(bytes)
}

pub(crate) fn trust_device(app: &Palabre, fingerprint: &str) -> Result<Trusted> {
    let wanted = normalize_fingerprint(fingerprint).ok_or_else(|| Invalid::UnknownCode {
        field: "fingerprint",
        value: fingerprint.to_string(),
        allowed: "16 hexadecimal digits, as shown by `palabre device list`".into(),
    })?;
    let trusted = app.store().write(|tx| {
        let found: Option<(String, String)> = tx
            .query_row(
                "SELECT device_id, name FROM devices WHERE fingerprint = ?1",
                [&wanted],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (device_id, name) =
            found.ok_or_else(|| Error::NotFound { entity: "device", id: wanted.clone() })?;
        tx.execute("UPDATE devices SET trusted = 1 WHERE device_id = ?1", [&device_id])?;
        let held: Vec<(String, Vec<u8>)> = tx
            .prepare(
                "SELECT bundle_id, bytes FROM quarantine WHERE device_id = ?1 ORDER BY bundle_seq",
            )?
            .query_map([&device_id], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut merged = Vec::with_capacity(held.len());
        tracing::info!(fingerprint = %wanted, held = held.len(), "device trusted");
        for (bundle_id, bytes) in held {
            let started = std::time::Instant::now();
            let outcome = match bundle::read(&bytes) {
                Ok(bundle) => import_in(tx, &bundle, &bytes, crate::DERIVED)?,
                Err(rejection) => rejection.into(),
            };
            tx.execute("DELETE FROM quarantine WHERE bundle_id = ?1", [bundle_id])?;
            log_outcome(&outcome, started.elapsed());
            merged.push(outcome);
        }
        Ok(Trusted { device_id, name, fingerprint: wanted, merged })
    })?;
    app.scrub_copies()?;
    Ok(trusted)
}

/// Whether a bundle carries an op about one of `rows` (the row itself, or a row naming it:
/// an attendance, a merge decision).
fn mentions_any(bundle: &Bundle, rows: &[String]) -> bool {
    if rows.is_empty() {
        return false;
    }
    let rows: std::collections::HashSet<&str> = rows.iter().map(String::as_str).collect();
    bundle.ops.iter().any(|op| {
        rows.contains(op.row_id.to_string().as_str())
            || op.value.as_str().is_some_and(|v| rows.contains(v))
    })
}

/// Drops the bundles held in quarantine that carry ops about any of `rows` (people erased
/// here): a signed bundle cannot be scrubbed, and it must not keep an erased person's data.
/// The laptop that wrote it sends the same changes again in its next bundle (nothing it wrote
/// is acknowledged before its device is trusted), and those arrive blanked.
pub(crate) fn forget_held(conn: &Connection, rows: &[String]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let held: Vec<(String, Vec<u8>)> = conn
        .prepare("SELECT bundle_id, bytes FROM quarantine")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (bundle_id, bytes) in held {
        // One that no longer reads cannot be checked: it goes too.
        if bundle::read(&bytes).map_or(true, |b| mentions_any(&b, rows)) {
            conn.execute("DELETE FROM quarantine WHERE bundle_id = ?1", [&bundle_id])?;
            tracing::warn!(bundle = %bundle_id, "held bundle dropped: it carried an erased person's data");
        }
    }
    Ok(())
}
