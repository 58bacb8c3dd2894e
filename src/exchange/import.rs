//! Import: one bundle, all or nothing, in one transaction. After the checks of bundle::read, in
//! this order: the same bundle again is a no-op that says so; a device whose known key differs is
//! refused; an unknown or untrusted device's bundle waits in quarantine until its fingerprint is
//! trusted; a fork (same device and op_seq, different content) is refused and recorded; then the
//! new ops merge.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension, params};

use crate::Palabre;
use crate::device::{self, normalize_fingerprint};
use crate::error::{Error, Invalid, Result};
use crate::exchange::bundle::{self, Bundle, Rejection};
use crate::exchange::{ack, downlink, seal};
use crate::journal::erasure;
use crate::journal::oplog::{self, Op};

/// One line of the log per file imported: what happened, counts, the code, the time. (Device
/// names are laptops' names; a rejection's sentence is not logged, only its code.)
fn log_outcome(outcome: &ImportOutcome, took: std::time::Duration) {
    let ms = took.as_millis() as u64;
    match outcome {
        ImportOutcome::Applied { device, ops, new_ops, clock_offset_s } => {
            tracing::info!(device = %device, ops, new_ops, ?clock_offset_s, ms, "bundle merged")
        }
        ImportOutcome::AlreadyImported { device } => {
            tracing::info!(device = %device, ms, "bundle already imported")
        }
        ImportOutcome::Quarantined { fingerprint, .. } => {
            tracing::info!(fingerprint = %fingerprint, ms, "bundle held: device not trusted")
        }
        ImportOutcome::Held { fingerprint, .. } => {
            tracing::warn!(fingerprint = %fingerprint, ms, "bundle held: device declared lost")
        }
        ImportOutcome::FromHq { kind, serial, new_ops, .. } => {
            tracing::info!(kind = kind.as_str(), serial, new_ops, ms, "file from HQ applied")
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
        /// The laptop's clock minus HQ's, in seconds, when it is far off (see
        /// `devices::clock_is_off`): its dates are wrong, its changes still merge.
        clock_offset_s: Option<i64>,
    },
    AlreadyImported {
        device: String,
    },
    Quarantined {
        device: String,
        fingerprint: String,
        clock_offset_s: Option<i64>,
    },
    /// A bundle of a laptop declared lost: held and shown, never merged on its own.
    Held {
        device: String,
        fingerprint: String,
        lost_at: String,
    },
    /// A registry or restore file from HQ, applied on this laptop.
    FromHq {
        kind: crate::exchange::downlink::Kind,
        serial: i64,
        people: i64,
        sessions: i64,
        plans: i64,
        new_ops: usize,
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
        let clock = |f: &mut std::fmt::Formatter<'_>, offset: &Option<i64>| match offset {
            Some(offset) => write!(f, " — {}", crate::exchange::devices::clock_text(*offset)),
            None => Ok(()),
        };
        match self {
            ImportOutcome::Applied { new_ops, ops, clock_offset_s, .. } => {
                if new_ops == ops {
                    write!(f, "applied {new_ops} ops")?;
                } else {
                    write!(f, "applied {new_ops} ops ({} were already here)", ops - new_ops)?;
                }
                clock(f, clock_offset_s)
            }
            ImportOutcome::AlreadyImported { .. } => write!(f, "already imported"),
            ImportOutcome::Quarantined { device, fingerprint, clock_offset_s } => {
                write!(f, "quarantined: unknown device {device} {fingerprint}")?;
                clock(f, clock_offset_s)
            }
            ImportOutcome::Held { device, fingerprint, lost_at } => write!(
                f,
                "held, not merged: {device} ({fingerprint}) was declared lost on {lost_at}. Check with its facilitator; `palabre hq held` lists it"
            ),
            ImportOutcome::FromHq { kind, serial, people, sessions, plans, new_ops } => write!(
                f,
                "{} #{serial} from HQ applied: {people} people, {sessions} sessions, {plans} action plans ({new_ops} changes new here)",
                kind.as_str()
            ),
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

/// The fingerprint and date of loss of a laptop declared lost whose key this is.
fn lost_key(conn: &Connection, public_key: &[u8]) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT fingerprint, lost_at FROM devices WHERE public_key = ?1 AND lost_at IS NOT NULL
              ORDER BY lost_at LIMIT 1",
        )?
        .query_row([public_key], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Holds a bundle in quarantine, with why.
fn hold(conn: &Connection, bundle: &Bundle, bytes: &[u8], reason: &str, now: &str) -> Result<()> {
    let manifest = &bundle.manifest;
    conn.prepare_cached(
        "INSERT OR IGNORE INTO quarantine (bundle_id, device_id, bundle_seq, bytes, received_at, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        manifest.bundle_id.to_string(),
        manifest.device.id.to_string(),
        manifest.bundle_seq,
        bytes,
        now,
        reason
    ])?;
    Ok(())
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
    import_checked(conn, bundle, bytes, derived, false)
}

/// `import_in`, where `release` merges a bundle of a laptop declared lost (an officer's decision
/// after checking it, see `release_held`).
fn import_checked(
    conn: &Connection,
    bundle: &Bundle,
    bytes: &[u8],
    derived: &[&dyn crate::journal::Derived],
    release: bool,
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
    let received = Utc::now();
    let now = received.to_rfc3339();
    let offset = crate::exchange::devices::clock_offset(&manifest.created_at, received);
    let warning = offset.filter(|o| crate::exchange::devices::clock_is_off(*o));
    if me.device_id == manifest.device.id {
        if me.public_key != manifest.device.public_key {
            return Ok(Rejection::KeyChanged {
                device: name,
                known: me.fingerprint,
                presented: bundle.fingerprint.clone(),
            }
            .into());
        }
    } else if let Some(lost) = lost_key(conn, &presented)?.filter(|_| !release) {
        // Signed with the key of a laptop declared lost, under its own id or a new one:
        // whoever holds it now may sign anything. Held and shown, never merged on its own.
        let erased = erasure::erased_rows(conn, crate::journal::schema::Entity::Person)?;
        if mentions_any(bundle, &erased) {
            return Ok(Rejection::AboutErased { device: name, fingerprint: lost.0 }.into());
        }
        conn.prepare_cached(
            "INSERT OR IGNORE INTO devices (device_id, name, public_key, fingerprint, trusted, first_seen, lost_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)",
        )?
        .execute(params![device_id, name, presented, bundle.fingerprint, now, lost.1])?;
        hold(conn, bundle, bytes, "lost", &now)?;
        return Ok(ImportOutcome::Held { device: name, fingerprint: lost.0, lost_at: lost.1 });
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
            // Trusted, or a lost laptop's bundle the officer released after checking it.
            Some(known) if known.trusted || release => {}
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
                hold(conn, bundle, bytes, "untrusted", &now)?;
                conn.prepare_cached(
                    "UPDATE devices SET clock_offset_s = coalesce(?2, clock_offset_s) WHERE device_id = ?1",
                )?
                .execute(params![device_id, offset])?;
                return Ok(ImportOutcome::Quarantined {
                    device: name,
                    fingerprint: bundle.fingerprint.clone(),
                    clock_offset_s: warning,
                });
            }
        }
    }
    // The indicator catalogue is HQ's: a laptop's bundle never carries it (a modified build on
    // a trusted laptop could try to redefine what the donor's figures count).
    if let Some(line) =
        bundle.ops.iter().position(|op| op.entity == crate::journal::schema::Entity::Indicator)
    {
        return Ok(Rejection::Op {
            line: line + 1,
            reason: "it changes the indicator catalogue, which only HQ defines".into(),
        }
        .into());
    }
    if let Some(op_seq) = find_fork(conn, bundle)? {
        conn.prepare_cached(
            "INSERT OR IGNORE INTO forks (device_id, op_seq, bundle_id, detected_at) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![device_id, op_seq, manifest.bundle_id.to_string(), now])?;
        return Ok(Rejection::Fork { device: name, op_seq }.into());
    }
    // Every attached sheet it names is carried, or already here: never a row without its file.
    for sha in bundle::named_files(&bundle.ops) {
        if !bundle.files.contains_key(sha) && !crate::evidence::has_file(conn, sha)? {
            return Ok(
                Rejection::EvidenceMissing { short: sha[..12.min(sha.len())].to_string() }.into()
            );
        }
    }
    let new_ops = oplog::merge(conn, &bundle.ops, derived)?;
    for (sha, data) in &bundle.files {
        let media_type = crate::evidence::media::media_type_of(data);
        crate::evidence::keep_file(conn, sha, media_type, data, None)?;
    }
    // Attachments removed on the laptop: their files go here too (only a bundle that changes
    // attachments can leave a file unused).
    if bundle.ops.iter().any(|op| op.entity == crate::journal::schema::Entity::Evidence) {
        crate::evidence::purge_unused(conn)?;
    }
    if me.device_id != manifest.device.id {
        conn.prepare_cached(
            "UPDATE devices SET name = ?2, last_bundle_seq = max(last_bundle_seq, ?3), last_import_at = ?4,
                                clock_offset_s = CASE WHEN ?5 IS NOT NULL AND ?3 >= last_bundle_seq
                                                      THEN ?5 ELSE clock_offset_s END
              WHERE device_id = ?1",
        )?
        .execute(params![device_id, name, manifest.bundle_seq, now, offset])?;
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
    let clock_offset_s = if me.device_id == manifest.device.id { None } else { warning };
    Ok(ImportOutcome::Applied { device: name, ops: bundle.ops.len(), new_ops, clock_offset_s })
}

/// The files in `dir` (and its folders, three levels down: a USB stick's) that Palabre imports —
/// bundles, sealed or not, acknowledgements and files from HQ — in name order. Hidden files and
/// folders are skipped.
pub(crate) fn bundle_files_in(dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    crate::files::files_in(
        dir,
        &[".palabre", ".palabre.age", ".palabre-ack", ".palabre-registry.age"],
    )
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
    /// A registry or restore file from HQ, decrypted (checked against the enrolled key when
    /// applied).
    Downlink(Vec<u8>),
}

/// What opens sealed files here: HQ's key at HQ, the laptop's own key on a laptop (files HQ
/// sends down are sealed to it), and a passphrase typed by the person importing.
struct Opening<'a> {
    keys: seal::Keys<'a>,
    is_hq: bool,
}

fn prepare<'a>(bytes: Cow<'a, [u8]>, opening: &Opening<'_>) -> Prepared<'a> {
    if ack::is_ack(&bytes) {
        return Prepared::Ack(bytes);
    }
    let refused = |rejection| Prepared::Bundle(Cow::Borrowed(&[][..]), Box::new(Err(rejection)));
    if seal::is_sealed(&bytes) {
        return match seal::open(&bytes, opening.keys, bundle::MAX_FILE_BYTES) {
            Ok(plain) if downlink::is_downlink(&plain) => Prepared::Downlink(plain),
            Ok(plain) => {
                let parsed = Box::new(bundle::read(&plain));
                Prepared::Bundle(Cow::Owned(plain), parsed)
            }
            // On a laptop: sealed to HQ, or to another laptop; a damaged file says nothing.
            Err(Rejection::Undecryptable) if !opening.is_hq => {
                refused(if seal::header_is_readable(&bytes) {
                    Rejection::SealedForAnother
                } else {
                    Rejection::Encrypted
                })
            }
            Err(rejection) => refused(rejection),
        };
    }
    if downlink::is_downlink(&bytes) {
        return Prepared::Downlink(bytes.into_owned());
    }
    let parsed = Box::new(bundle::read(&bytes));
    Prepared::Bundle(bytes, parsed)
}

/// The keys that open sealed files on this database.
fn identity(app: &Palabre) -> Result<(Option<age::x25519::Identity>, bool)> {
    if let Some(hq) = crate::exchange::enrollment::hq_identity(app)? {
        return Ok((Some(hq), true));
    }
    // A laptop not set up yet has no key; a key file it cannot read opens nothing here.
    let own = match app.device() {
        Ok(_) => app.signing_key().ok().map(|key| seal::device_identity(&key)),
        Err(_) => None,
    };
    Ok((own, false))
}

pub(crate) fn import_bundle_bytes(app: &Palabre, bytes: &[u8]) -> Result<ImportOutcome> {
    Ok(app.import_bundles(&[bytes])?.remove(0))
}

pub(crate) fn import_bundle_file(app: &Palabre, path: &Path) -> Result<ImportOutcome> {
    Ok(import_bundle_files(app, &[path], None, None)?.outcomes.remove(0))
}

/// How an import of many files is followed and stopped: the window's progress bar and *Stop*
/// button, the CLI's lines and Ctrl-C.
pub struct Watch<'a> {
    /// Called after each file with how many are done, how many there are, and what happened.
    pub progress: &'a mut dyn FnMut(usize, usize, &ImportOutcome),
    /// Set from any thread to stop before the next file. Each file is all or nothing: the one
    /// merging when it is set finishes, those before stay merged, the rest are not touched.
    pub stop: &'a AtomicBool,
}

/// What an import of several files did: one outcome per file imported, in order, and whether
/// it was stopped before the last (the files after `outcomes.len()` were not imported).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Imported {
    pub outcomes: Vec<ImportOutcome>,
    pub stopped: bool,
}

/// Imports files in order; `passphrase` opens the ones locked with a passphrase.
pub(crate) fn import_bundle_files(
    app: &Palabre,
    paths: &[&Path],
    passphrase: Option<&str>,
    watch: Option<Watch<'_>>,
) -> Result<Imported> {
    let (identity, is_hq) = identity(app)?;
    let opening = Opening { keys: seal::Keys { identity: identity.as_ref(), passphrase }, is_hq };
    if !paths.is_empty() {
        app.auto_backup("import")?;
    }
    let imported = import_pipelined(app, paths.len(), watch, |i| match read_file(paths[i]) {
        Ok(bytes) => prepare(Cow::Owned(bytes), &opening),
        Err(rejection) => Prepared::Bundle(Cow::Borrowed(&[][..]), Box::new(Err(rejection))),
    })?;
    app.scrub_copies()?;
    Ok(imported)
}

pub(crate) fn import_bundles<B: AsRef<[u8]> + Sync>(
    app: &Palabre,
    inputs: &[B],
) -> Result<Vec<ImportOutcome>> {
    let (identity, is_hq) = identity(app)?;
    let opening =
        Opening { keys: seal::Keys { identity: identity.as_ref(), passphrase: None }, is_hq };
    if !inputs.is_empty() {
        app.auto_backup("import")?;
    }
    let imported = import_pipelined(app, inputs.len(), None, |i| {
        prepare(Cow::Borrowed(inputs[i].as_ref()), &opening)
    })?;
    app.scrub_copies()?;
    Ok(imported.outcomes)
}

/// Runs `prepare(i)` (read, decrypt and check, no database) on a worker thread, one bundle
/// ahead of the merges, which stay on this thread in order. `watch` hears of each file and can
/// stop the import between two files.
fn import_pipelined<'a, F>(
    app: &Palabre,
    count: usize,
    mut watch: Option<Watch<'_>>,
    prepare: F,
) -> Result<Imported>
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
        let mut stopped = false;
        for (_, prepared) in receiver {
            if watch.as_ref().is_some_and(|w| w.stop.load(Ordering::Relaxed)) {
                stopped = true;
                break;
            }
            let started = std::time::Instant::now();
            let outcome = match prepared {
                Prepared::Bundle(bytes, parsed) => match *parsed {
                    Ok(bundle) => {
                        app.store().write(|tx| import_in(tx, &bundle, &bytes, crate::DERIVED))?
                    }
                    Err(rejection) => rejection.into(),
                },
                Prepared::Ack(bytes) => app.store().write(|tx| ack::apply(tx, &bytes))?,
                Prepared::Downlink(bytes) => app.store().write(|tx| apply_downlink(tx, &bytes))?,
            };
            log_outcome(&outcome, started.elapsed());
            if let Some(watch) = watch.as_mut() {
                (watch.progress)(outcomes.len() + 1, count, &outcome);
            }
            outcomes.push(outcome);
        }
        if stopped {
            tracing::info!(imported = outcomes.len(), of = count, "import stopped");
        }
        Ok(Imported { outcomes, stopped })
    })
}

/// Checks a file from HQ against the enrolled HQ and applies it, in the caller's transaction.
fn apply_downlink(conn: &Connection, bytes: &[u8]) -> Result<ImportOutcome> {
    let Some(hq) = crate::exchange::enrollment::stored(conn)? else {
        return Ok(Rejection::NotEnrolled.into());
    };
    match downlink::read(bytes, &hq) {
        Ok(down) => downlink::apply(conn, &down, crate::DERIVED),
        Err(rejection) => Ok(rejection.into()),
    }
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
        let mut found: Vec<(String, String, Option<String>)> = tx
            .prepare("SELECT device_id, name, lost_at FROM devices WHERE fingerprint = ?1")?
            .query_map([&wanted], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        // A key declared lost is never trusted again, under any id it presents.
        if let Some((_, name, Some(lost_at))) = found.iter().find(|f| f.2.is_some()).cloned() {
            return Err(Error::DeviceLost { name, fingerprint: wanted, lost_at });
        }
        if found.len() > 1 {
            return Err(Invalid::UnknownCode {
                field: "fingerprint",
                value: wanted,
                allowed: "a key presented by one device only: two devices here present this one; call HQ's IT person before trusting either".into(),
            }
            .into());
        }
        let (device_id, name, _) =
            found.pop().ok_or_else(|| Error::NotFound { entity: "device", id: wanted.clone() })?;
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

/// Merges one bundle held because its laptop was declared lost, after the officer checked it
/// with the facilitator (a bundle made before the theft, brought late on a stick). It passes
/// every other check again (signature, key, fork); anything else held stays held.
pub(crate) fn release_held(app: &Palabre, bundle_id: &str) -> Result<ImportOutcome> {
    app.auto_backup("import")?;
    let outcome = app.store().write(|tx| {
        let held: Option<(Vec<u8>, String)> = tx
            .query_row(
                "SELECT bytes, reason FROM quarantine WHERE bundle_id = ?1",
                [bundle_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((bytes, reason)) = held else {
            return Err(Error::NotFound { entity: "held bundle", id: bundle_id.to_string() });
        };
        if reason != "lost" {
            // Waiting for its laptop to be trusted: trusting it merges it.
            return Err(Error::NotFound {
                entity: "bundle held from a lost laptop",
                id: bundle_id.to_string(),
            });
        }
        let outcome = match bundle::read(&bytes) {
            Ok(bundle) => import_checked(tx, &bundle, &bytes, crate::DERIVED, true)?,
            Err(rejection) => rejection.into(),
        };
        // Merged (or already here): no longer held. Refused: it stays held, and says why.
        if matches!(outcome, ImportOutcome::Applied { .. } | ImportOutcome::AlreadyImported { .. })
        {
            tx.execute("DELETE FROM quarantine WHERE bundle_id = ?1", [bundle_id])?;
        }
        Ok(outcome)
    })?;
    log_outcome(&outcome, std::time::Duration::ZERO);
    if matches!(outcome, ImportOutcome::Applied { .. }) {
        tracing::warn!("held bundle of a lost laptop released by HQ");
    }
    app.scrub_copies()?;
    Ok(outcome)
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
