//! The bundle file (`*.palabre`): a zip holding exactly `manifest.json`, its minisign signature
//! `manifest.json.minisig`, its changes — `rows.jsonl.zst` (format 3, see `compact`), or
//! `ops.jsonl` (formats 1 and 2, still read) — and (formats 2 and 3) the files of attached
//! sheets that its ops name, each as `files/<its sha256>`. Reading is defensive, in this order: size cap; zip
//! limits (allow-listed names, no directories, links or duplicates, bounded uncompressed size,
//! never extracted to disk); strict manifest; signature; per-entry sha256; strict op decoding
//! with length limits; every op by the signing device; entities, fields and value types from the
//! allow-list; every value held to the rules of local entry (`model::rules`, named per field in
//! the allow-list); every carried file named by an op of the bundle, under its own digest, and
//! of a kind kept as evidence (`evidence::media::check_received`). Anything else is a
//! `Rejection` that says what to do. Format 1 bundles (no files) are still read.

use std::collections::BTreeMap;
use std::io::Read;

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::device;
pub use crate::error::Rejection;
use crate::exchange::minisign;
use crate::files::sha256_hex;
use crate::journal::hlc::Hlc;
use crate::journal::oplog::{self, Op};
use crate::model::ids::DeviceId;

pub const FORMAT: &str = "palabre-bundle";
/// 3: the changes are `rows.jsonl.zst` (`compact`: grouped by row, compressed). 2: attached
/// sheets' files travel in `files/` (3 too). Formats 1 (`ops.jsonl`, no files) and 2 are still
/// read.
pub const FORMAT_VERSION: u32 = 3;
/// The changes of a format 3 bundle.
pub const ROWS: &str = crate::exchange::compact::ENTRY;
pub const KIND_OPS: &str = "ops";
pub const MANIFEST: &str = "manifest.json";
pub const SIGNATURE: &str = "manifest.json.minisig";
pub const OPS: &str = "ops.jsonl";
pub const EXTENSION: &str = "palabre";
/// The folder of a bundle's evidence files: `files/<sha256>`.
pub const FILES: &str = "files/";
/// Largest evidence file carried (a photo is recompressed to 300 KB; a scan is at most 20 MB).
pub const MAX_EVIDENCE_BYTES: u64 = 40 << 20;
/// Most evidence files in one bundle (export carries at most `MAX_FILES_PER_BUNDLE`).
const MAX_EVIDENCE_FILES: usize = 20_000;
/// Most evidence files an export puts in one bundle.
pub const MAX_FILES_PER_BUNDLE: usize = 10_000;

/// Largest bundle file accepted (compressed).
pub const MAX_FILE_BYTES: u64 = 256 << 20;
/// The manifest lists every carried file (about 200 bytes each).
pub(crate) const MAX_MANIFEST_BYTES: u64 = 4 << 20;
pub(crate) const MAX_SIGNATURE_BYTES: u64 = 4 << 10;
/// Largest ops.jsonl accepted once decompressed: about four million ops.
pub const MAX_OPS_BYTES: u64 = 1 << 30;
/// Longest line of ops.jsonl (one op; the longest text field is 10,000 characters).
const MAX_OP_LINE: usize = 128 << 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub kind: String,
    pub bundle_id: Uuid,
    pub device: ManifestDevice,
    pub bundle_seq: i64,
    /// sha256 of the previous bundle's manifest from this device, so HQ can see a missing one.
    pub prev_bundle_hash: Option<String>,
    pub ops: OpRange,
    pub hlc: Option<HlcRange>,
    pub schema_version: i64,
    pub app_version: String,
    pub created_at: String,
    /// sha256 and size of every other entry.
    pub entries: BTreeMap<String, EntryDigest>,
}

impl Manifest {
    /// The manifest of a bundle of `device`'s `ops` (its own, in op_seq order), numbered
    /// `bundle_seq` and chained to the previous bundle's manifest hash. Entries are filled by
    /// [`write`].
    pub fn for_ops(
        device: &crate::device::Device,
        ops: &[Op],
        bundle_seq: i64,
        prev_bundle_hash: Option<String>,
        created_at: String,
    ) -> Manifest {
        let range = match (ops.first(), ops.last()) {
            (Some(first), Some(last)) => {
                OpRange { first_seq: first.op_seq, last_seq: last.op_seq, count: ops.len() as i64 }
            }
            _ => OpRange { first_seq: 0, last_seq: 0, count: 0 },
        };
        let hlc = ops
            .iter()
            .map(|o| o.hlc)
            .min()
            .zip(ops.iter().map(|o| o.hlc).max())
            .map(|(min, max)| HlcRange { min, max });
        Manifest {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            kind: KIND_OPS.into(),
            bundle_id: Uuid::now_v7(),
            device: ManifestDevice {
                id: device.device_id,
                name: device.name.clone(),
                public_key: device.public_key.clone(),
            },
            bundle_seq,
            prev_bundle_hash,
            ops: range,
            hlc,
            schema_version: crate::store::migrations::LATEST,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at,
            entries: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestDevice {
    pub id: DeviceId,
    pub name: String,
    pub public_key: String,
}

/// The device's ops carried, `first_seq..=last_seq` (both 0 when the bundle is empty).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpRange {
    pub first_seq: i64,
    pub last_seq: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HlcRange {
    pub min: Hlc,
    pub max: Hlc,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryDigest {
    pub sha256: String,
    pub size: u64,
}

/// A bundle that passed every check that needs no database.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub manifest: Manifest,
    pub manifest_sha256: String,
    pub ops: Vec<Op>,
    pub fingerprint: String,
    /// The evidence files carried, by sha256.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The entry name of an evidence file.
pub fn file_entry(sha256: &str) -> String {
    format!("{FILES}{sha256}")
}

/// The digests of the evidence files that `ops` name (ops writing an evidence row's file).
pub fn named_files(ops: &[Op]) -> impl Iterator<Item = &str> {
    ops.iter()
        .filter(|op| {
            op.entity == crate::journal::schema::Entity::Evidence
                && op.field == crate::journal::schema::EVIDENCE_FILE
        })
        .filter_map(|op| op.value.as_str())
}

/// Serialises ops as ops.jsonl.
pub fn ops_jsonl(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ops.len() * 200);
    for op in ops {
        serde_json::to_writer(&mut out, op).expect("ops serialise");
        out.push(b'\n');
    }
    out
}

/// Builds the zip of a bundle without evidence files: fills the manifest's entry digests, signs
/// the exact manifest bytes, and returns (zip bytes, manifest sha256).
pub fn write(key: &SigningKey, manifest: Manifest, ops: &[Op]) -> (Vec<u8>, String) {
    write_with_files(key, manifest, ops, &BTreeMap::new())
}

/// `write`, with the evidence files (by sha256) that `ops` name.
pub fn write_with_files(
    key: &SigningKey,
    manifest: Manifest,
    ops: &[Op],
    files: &BTreeMap<String, Vec<u8>>,
) -> (Vec<u8>, String) {
    // Format 3 numbers the ops from the manifest and gives them its device: only a device's own
    // run of ops, without gaps, can be written (what export passes).
    debug_assert!(
        ops.iter().enumerate().all(|(i, op)| op.device_id == manifest.device.id
            && op.op_seq == manifest.ops.first_seq + i as i64),
        "format 3 carries one device's consecutive ops"
    );
    let rows = crate::exchange::compact::encode(manifest.device.id, ops);
    write_rows(key, manifest, rows, files)
}

/// Signs and zips a format 2 bundle (`ops.jsonl`, one op a line), as earlier versions wrote
/// them: the reader still takes them, so tests hand it what a modified build of one could sign
/// (an op of another device, a gap) — which format 3 cannot even express.
pub fn write_ops_jsonl(key: &SigningKey, mut manifest: Manifest, ops: &[Op]) -> Vec<u8> {
    manifest.format_version = 2;
    sign_and_zip(key, manifest, OPS, &ops_jsonl(ops), &BTreeMap::new()).0
}

/// Signs and zips a format 3 bundle whose changes are `rows` as given (`compact::encode`'s
/// output; tests hand it other bytes, as a modified build would).
pub fn write_rows(
    key: &SigningKey,
    mut manifest: Manifest,
    rows: Vec<u8>,
    files: &BTreeMap<String, Vec<u8>>,
) -> (Vec<u8>, String) {
    manifest.format_version = FORMAT_VERSION;
    sign_and_zip(key, manifest, ROWS, &rows, files)
}

/// Lists the changes (entry `changes`) and the files in the manifest with their digests, signs
/// the manifest's exact bytes, and lays the entries out canonically. Returns (zip bytes,
/// manifest sha256).
fn sign_and_zip(
    key: &SigningKey,
    mut manifest: Manifest,
    changes: &'static str,
    data: &[u8],
    files: &BTreeMap<String, Vec<u8>>,
) -> (Vec<u8>, String) {
    manifest.entries = BTreeMap::from([(
        changes.to_string(),
        EntryDigest { sha256: sha256_hex(data), size: data.len() as u64 },
    )]);
    let names: Vec<String> = files.keys().map(|sha| file_entry(sha)).collect();
    for ((sha, bytes), name) in files.iter().zip(&names) {
        manifest
            .entries
            .insert(name.clone(), EntryDigest { sha256: sha.clone(), size: bytes.len() as u64 });
    }
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    let trusted = format!(
        "palabre bundle {} from {} #{}",
        manifest.bundle_id, manifest.device.name, manifest.bundle_seq
    );
    let signature = minisign::sign(key, &manifest_bytes, &trusted);
    let mut entries: Vec<(&str, &[u8])> =
        vec![(MANIFEST, &manifest_bytes[..]), (SIGNATURE, signature.as_bytes()), (changes, data)];
    entries.extend(names.iter().map(String::as_str).zip(files.values().map(Vec::as_slice)));
    (canonical_zip(&entries), sha256_hex(&manifest_bytes))
}

/// The one byte layout of a bundle zip: entries stored (not compressed) in a fixed order, with
/// fixed times and attributes. A bundle must be exactly this layout of its entries, so that any
/// changed byte — even in zip metadata that readers ignore — is refused. Stored entries keep the
/// layout independent of any compression library's version.
pub fn canonical_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    const VERSION_NEEDED: u16 = 10;
    const VERSION_MADE_BY: u16 = (3 << 8) | 30; // Unix, zip 3.0
    const FLAGS: u16 = 1 << 11; // names are UTF-8
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
    const EXTERNAL_ATTRIBUTES: u32 = 0o100644 << 16;
    let le16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
    let le32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    let mut out = Vec::with_capacity(
        entries.iter().map(|(n, d)| 30 + n.len() + d.len()).sum::<usize>() + 256,
    );
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let crc = crc32fast::hash(data);
        let size = data.len() as u32;
        le32(&mut out, 0x0403_4b50);
        for v in [VERSION_NEEDED, FLAGS, 0, DOS_TIME, DOS_DATE] {
            le16(&mut out, v);
        }
        for v in [crc, size, size] {
            le32(&mut out, v);
        }
        le16(&mut out, name.len() as u16);
        le16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        le32(&mut central, 0x0201_4b50);
        for v in [VERSION_MADE_BY, VERSION_NEEDED, FLAGS, 0, DOS_TIME, DOS_DATE] {
            le16(&mut central, v);
        }
        for v in [crc, size, size] {
            le32(&mut central, v);
        }
        for v in [name.len() as u16, 0, 0, 0, 0] {
            le16(&mut central, v);
        }
        le32(&mut central, EXTERNAL_ATTRIBUTES);
        le32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len() as u32;
    let central_size = central.len() as u32;
    out.extend_from_slice(&central);
    le32(&mut out, 0x0605_4b50);
    for v in [0, 0, entries.len() as u16, entries.len() as u16] {
        le16(&mut out, v);
    }
    le32(&mut out, central_size);
    le32(&mut out, central_offset);
    le16(&mut out, 0);
    out
}

/// Size limits of a bundle's parts; `Limits::default()` in production, smaller in tests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub file_bytes: u64,
    pub ops_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { file_bytes: MAX_FILE_BYTES, ops_bytes: MAX_OPS_BYTES }
    }
}

fn contents(reason: impl Into<String>) -> Rejection {
    Rejection::Contents { reason: reason.into() }
}

/// The entries of a zip: the named ones, and the evidence files by name.
pub(crate) struct Entries {
    pub named: BTreeMap<&'static str, Vec<u8>>,
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Reads the entries of a bundle zip (the manifest, its signature, and the changes as
/// `ops.jsonl` or `rows.jsonl.zst`: which one, the manifest says) and its evidence files
/// within their limits.
fn entries(bytes: &[u8], limits: Limits) -> Result<Entries, Rejection> {
    read_entries(
        bytes,
        &[(MANIFEST, MAX_MANIFEST_BYTES), (SIGNATURE, MAX_SIGNATURE_BYTES)],
        &[(OPS, limits.ops_bytes), (ROWS, limits.file_bytes)],
        true,
    )
}

/// Whether `name` is an evidence file's entry: `files/` and 64 lowercase hexadecimal digits.
fn is_file_entry(name: &str) -> bool {
    name.strip_prefix(FILES).is_some_and(|sha| {
        sha.len() == 64 && sha.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// Reads exactly the entries `expected` (name, largest size) of a zip, within their limits,
/// never to disk: anything else — another name, a folder, a link, a duplicate — is refused.
/// Bundles and HQ's registry bundles (`downlink`) share it.
pub(crate) fn named_entries(
    bytes: &[u8],
    expected: &[(&'static str, u64)],
) -> Result<BTreeMap<&'static str, Vec<u8>>, Rejection> {
    read_entries(bytes, expected, &[], false).map(|e| e.named)
}

/// `named_entries`, and with `with_files`, evidence files (`files/<sha256>`, each at most
/// `MAX_EVIDENCE_BYTES`).
fn read_entries(
    bytes: &[u8],
    expected: &[(&'static str, u64)],
    optional: &[(&'static str, u64)],
    with_files: bool,
) -> Result<Entries, Rejection> {
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| Rejection::NotAZip)?;
    if archive.has_duplicate_names() {
        return Err(contents("an entry appears twice"));
    }
    let mut found = BTreeMap::new();
    let mut files = BTreeMap::new();
    for index in 0..archive.len() {
        let mut entry =
            archive.by_index(index).map_err(|e| contents(format!("entry {index}: {e}")))?;
        let name = entry.name().map_err(|_| contents("an entry name is not text"))?.to_string();
        let named = expected.iter().chain(optional).find(|(n, _)| *n == name).copied();
        let (known, limit) = match named {
            Some(known) => known,
            None if with_files && is_file_entry(&name) => {
                if files.len() >= MAX_EVIDENCE_FILES {
                    return Err(contents(format!("more than {MAX_EVIDENCE_FILES} files")));
                }
                ("", MAX_EVIDENCE_BYTES)
            }
            None => return Err(contents(format!("unexpected entry '{}'", name.escape_debug()))),
        };
        let is_link =
            entry.is_symlink() || entry.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000);
        if entry.is_dir() || is_link {
            return Err(contents(format!("'{name}' is not a plain file")));
        }
        if found.contains_key(known) || files.contains_key(&name) {
            return Err(contents(format!("'{name}' appears twice")));
        }
        if entry.size() > limit {
            return Err(contents(format!("'{name}' is larger than {limit} bytes")));
        }
        // Palabre stores every entry as it is: a compressed one (which could unpack to far more
        // than the file holds) is refused before a byte of it is read.
        if entry.compression() != zip::CompressionMethod::Stored
            || entry.compressed_size() != entry.size()
            || entry.size() > bytes.len() as u64
        {
            return Err(contents(format!("'{name}' is compressed, or larger than the file")));
        }
        let mut data = Vec::with_capacity(entry.size().min(limit) as usize);
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut data)
            .map_err(|e| contents(format!("'{name}' cannot be decompressed: {e}")))?;
        if data.len() as u64 > limit {
            return Err(contents(format!("'{name}' is larger than {limit} bytes")));
        }
        if known.is_empty() {
            files.insert(name, data);
        } else {
            found.insert(known, data);
        }
    }
    for (name, _) in expected {
        if !found.contains_key(name) {
            return Err(contents(format!("'{name}' is missing")));
        }
    }
    Ok(Entries { named: found, files })
}

/// Whether `bytes` are exactly the canonical layout (`canonical_zip`) of their `entries`, in
/// this order: any changed byte, even in zip metadata readers ignore, is refused. Bundles and
/// HQ's registry bundles (`downlink`) share it.
pub(crate) fn is_canonical(
    bytes: &[u8],
    entries: &BTreeMap<&'static str, Vec<u8>>,
    order: [&'static str; 3],
) -> bool {
    canonical_with_files(bytes, entries, order, &BTreeMap::new())
}

/// `is_canonical`, the evidence files following in name order.
fn canonical_with_files(
    bytes: &[u8],
    entries: &BTreeMap<&'static str, Vec<u8>>,
    order: [&'static str; 3],
    files: &BTreeMap<String, Vec<u8>>,
) -> bool {
    let mut all: Vec<(&str, &[u8])> =
        order.iter().map(|name| (*name, &entries[name][..])).collect();
    all.extend(files.iter().map(|(name, data)| (name.as_str(), data.as_slice())));
    canonical_zip(&all) == bytes
}

/// Every check that needs no database, in the order of the module doc.
pub fn read(bytes: &[u8]) -> Result<Bundle, Rejection> {
    read_with(bytes, Limits::default())
}

pub fn read_with(bytes: &[u8], limits: Limits) -> Result<Bundle, Rejection> {
    if bytes.len() as u64 > limits.file_bytes {
        return Err(Rejection::TooLarge { size: bytes.len() as u64, max: limits.file_bytes });
    }
    if bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
    {
        return Err(Rejection::Encrypted);
    }
    let Entries { named: entries, files: file_entries } = entries(bytes, limits)?;
    // The changes: `ops.jsonl` (formats 1 and 2) or `rows.jsonl.zst` (3), never both.
    let changes = match (entries.contains_key(OPS), entries.contains_key(ROWS)) {
        (true, false) => OPS,
        (false, true) => ROWS,
        (false, false) => return Err(contents("its changes are missing")),
        (true, true) => return Err(contents("it holds its changes twice")),
    };
    if !canonical_with_files(bytes, &entries, [MANIFEST, SIGNATURE, changes], &file_entries) {
        return Err(contents("its zip layout was changed after it was made"));
    }
    let manifest_bytes = &entries[MANIFEST];
    let manifest: Manifest = serde_json::from_slice(manifest_bytes)
        .map_err(|e| Rejection::Manifest { reason: e.to_string() })?;
    let bad_manifest = |reason: &str| Rejection::Manifest { reason: reason.to_string() };
    if manifest.format != FORMAT || manifest.kind != KIND_OPS {
        return Err(bad_manifest("it is not an ops bundle"));
    }
    if manifest.format_version > FORMAT_VERSION
        || manifest.schema_version > crate::store::migrations::LATEST
    {
        return Err(Rejection::Newer {
            found: manifest.schema_version,
            supported: crate::store::migrations::LATEST,
        });
    }
    let fingerprint = minisign::public_key(&manifest.device.public_key)
        .map(|(_, key)| device::fingerprint(&key.to_bytes()))
        .map_err(|_| bad_manifest("the device public key is malformed"))?;
    let signature = std::str::from_utf8(&entries[SIGNATURE]).map_err(|_| Rejection::Signature {
        device: manifest.device.name.clone(),
        fingerprint: fingerprint.clone(),
        reason: "the signature file is not text".into(),
    })?;
    minisign::verify(&manifest.device.public_key, manifest_bytes, signature).map_err(|e| {
        Rejection::Signature {
            device: manifest.device.name.clone(),
            fingerprint: fingerprint.clone(),
            reason: e.to_string(),
        }
    })?;
    // The signature covers the manifest; the manifest's digests cover the rest: exactly the
    // entries present.
    if manifest.format_version < 2 && !file_entries.is_empty() {
        return Err(bad_manifest("a format 1 bundle carries no files"));
    }
    if (manifest.format_version >= 3) != (changes == ROWS) {
        return Err(bad_manifest("its changes are not in its format's entry"));
    }
    let listed: Vec<&str> = manifest.entries.keys().map(String::as_str).collect();
    let present: Vec<&str> =
        std::iter::once(changes).chain(file_entries.keys().map(String::as_str)).collect();
    if listed.len() != present.len() || present.iter().any(|p| !listed.contains(p)) {
        return Err(bad_manifest("its list of entries does not match the files in it"));
    }
    let digest = &manifest.entries[changes];
    let data = &entries[changes];
    if digest.size != data.len() as u64 || digest.sha256 != sha256_hex(data) {
        return Err(Rejection::Checksum { entry: changes.to_string() });
    }
    let ops = if changes == OPS {
        decode_ops(data, &manifest)?
    } else {
        decode_rows(data, &manifest, limits)?
    };
    let files = check_files(file_entries, &manifest, &ops)?;
    Ok(Bundle { manifest_sha256: sha256_hex(manifest_bytes), manifest, ops, fingerprint, files })
}

/// Each carried file: its digest as listed and as named (its content's), named by an op of the
/// bundle, and a kind kept as evidence, said so by the op of its row if the bundle has one.
fn check_files(
    entries: BTreeMap<String, Vec<u8>>,
    manifest: &Manifest,
    ops: &[Op],
) -> Result<BTreeMap<String, Vec<u8>>, Rejection> {
    use crate::journal::schema::{EVIDENCE_FILE, Entity};
    use std::collections::HashMap;
    // Each named file's row, and each row's stated type.
    let mut rows: HashMap<&str, Uuid> = HashMap::new();
    let mut types: HashMap<Uuid, &str> = HashMap::new();
    for op in ops.iter().filter(|op| op.entity == Entity::Evidence) {
        match (op.field.as_str(), op.value.as_str()) {
            (EVIDENCE_FILE, Some(sha)) => {
                rows.insert(sha, op.row_id);
            }
            ("media_type", Some(media)) => {
                types.insert(op.row_id, media);
            }
            _ => {}
        }
    }
    let mut files = BTreeMap::new();
    for (entry, data) in entries {
        let digest = &manifest.entries[&entry];
        let sha = &entry[FILES.len()..];
        let actual = sha256_hex(&data);
        if digest.size != data.len() as u64 || digest.sha256 != actual || actual != sha {
            return Err(Rejection::Checksum { entry });
        }
        let Some(row) = rows.get(sha) else {
            let reason = "no change of the bundle attaches it".to_string();
            return Err(Rejection::BadEvidence { entry, reason });
        };
        // The type its row was given, when the same bundle carries it.
        let media_type = types.get(row).copied();
        crate::evidence::media::check_received(&data, media_type)
            .map_err(|reason| Rejection::BadEvidence { entry: entry.clone(), reason })?;
        files.insert(sha.to_string(), data);
    }
    Ok(files)
}

/// The checks every incoming op passes, whoever signed the file: a field on the allow-list, a
/// value of its type, and the same rules as the forms (a trusted laptop may run a modified
/// build). A blank personal field is what an erasure leaves of the ops it scrubbed.
pub(crate) fn check_op(op: &Op, today: chrono::NaiveDate) -> Result<(), String> {
    let spec = oplog::field_spec(op.entity, &op.field).map_err(|e| e.to_string())?;
    oplog::to_sql(spec, &op.value).map_err(|e| e.to_string())?;
    let blanked = spec.personal && op.value.is_null();
    let checked = if blanked { Ok(()) } else { spec.rule.check(spec.name, &op.value, today) };
    checked.map_err(|invalid| {
        format!(
            "the {} field '{}' holds a value Palabre refuses: {invalid}",
            op.entity.as_str(),
            spec.name
        )
    })?;
    if op.prev_hlc.is_some() != op.prev_device.is_some() {
        return Err("half a previous stamp".into());
    }
    Ok(())
}

/// Strict decoding of an ops.jsonl, line by line: UTF-8, a bounded line, one op of exactly the
/// known keys, `place` (the caller's own checks: who signed it, its number, given the line's
/// index), then `check_op`. Bundles and HQ's registry bundles (`downlink`) share it.
pub(crate) fn decode_lines(
    jsonl: &[u8],
    mut place: impl FnMut(usize, &Op) -> Result<(), String>,
) -> Result<Vec<Op>, Rejection> {
    let text = std::str::from_utf8(jsonl)
        .map_err(|_| Rejection::Op { line: 0, reason: "not UTF-8".into() })?;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let today = chrono::Local::now().date_naive();
    let mut ops = Vec::new();
    if body.is_empty() {
        return Ok(ops);
    }
    for (index, line) in body.split('\n').enumerate() {
        let bad = |reason: String| Rejection::Op { line: index + 1, reason };
        if line.len() > MAX_OP_LINE {
            return Err(bad(format!("longer than {MAX_OP_LINE} bytes")));
        }
        let op: Op = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        place(index, &op).map_err(bad)?;
        check_op(&op, today).map_err(bad)?;
        ops.push(op);
    }
    Ok(ops)
}

/// Strict decoding of a format 3 bundle's `rows.jsonl.zst` against its manifest: the shapes
/// (`compact::decode`), then every op held to `check_op` like a line of ops.jsonl.
pub fn decode_rows(
    compressed: &[u8],
    manifest: &Manifest,
    limits: Limits,
) -> Result<Vec<Op>, Rejection> {
    let first = manifest.ops.first_seq.max(1);
    let ops = crate::exchange::compact::decode(
        compressed,
        manifest.device.id,
        first,
        limits.ops_bytes,
        MAX_OP_LINE * 64,
    )?;
    let today = chrono::Local::now().date_naive();
    for (index, op) in ops.iter().enumerate() {
        check_op(op, today).map_err(|reason| Rejection::Op { line: index + 1, reason })?;
    }
    check_range(&ops, manifest)?;
    Ok(ops)
}

/// The manifest's op range matches the ops decoded.
fn check_range(ops: &[Op], manifest: &Manifest) -> Result<(), Rejection> {
    let range = manifest.ops;
    let consistent = if ops.is_empty() {
        range.count == 0
    } else {
        range.count == ops.len() as i64
            && range.first_seq >= 1
            && ops[0].op_seq == range.first_seq
            && range.first_seq.checked_add(range.count - 1) == Some(range.last_seq)
    };
    if !consistent {
        return Err(Rejection::Manifest {
            reason: "its op range does not match its changes".into(),
        });
    }
    Ok(())
}

/// Strict decoding of ops.jsonl against its manifest.
pub fn decode_ops(jsonl: &[u8], manifest: &Manifest) -> Result<Vec<Op>, Rejection> {
    let ops = decode_lines(jsonl, |index, op| {
        if op.device_id != manifest.device.id {
            return Err(format!("it is by device {}, not by the signer", op.device_id));
        }
        let Some(expected) = manifest.ops.first_seq.checked_add(index as i64) else {
            return Err("its number is out of range".into());
        };
        if op.op_seq != expected {
            return Err(format!("numbered {} where {expected} was expected", op.op_seq));
        }
        Ok(())
    })?;
    check_range(&ops, manifest)?;
    Ok(ops)
}
