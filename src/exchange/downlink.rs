//! What HQ sends down to one laptop: a *registry bundle* (the people of the laptop's area and the
//! open action plans there, so that the facilitator finds a woman already registered instead of
//! registering her again) or a *restore bundle* (a replaced laptop's own sessions, attendance and
//! plans, and the registry of its area). Both are one file format, read here by every laptop;
//! only HQ writes them (`hq::registry`).
//!
//! The file (`*.palabre-registry.age`) is a zip in the bundles' canonical layout holding
//! `registry.json` (the manifest: who it is for, its scope, its serial), its minisign signature
//! by HQ's key, and `ops.jsonl`: for every field sent, the op that owns it at HQ, unchanged (its
//! device, number and stamp), so that the laptop's copy of a person is HQ's, field clocks
//! included, and a later edit on either side merges by the usual rules. The zip is sealed to
//! the laptop's own key (`seal::device_recipient`): a stick that goes astray shows nothing.
//!
//! A laptop applies one only if it is signed by the HQ it enrolled with, written for this laptop,
//! and newer than the last one of its kind applied; otherwise nothing changes. Ops by the laptop itself are
//! skipped (it has its own; HQ's copies could only be older), and ops by other devices merge as
//! a bundle's would: a person merged or erased at HQ is merged or erased here.

use std::collections::BTreeMap;

use ed25519_dalek::SigningKey;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Rejection, Result};
use crate::exchange::bundle::{self, EntryDigest, MAX_MANIFEST_BYTES, MAX_SIGNATURE_BYTES};
use crate::exchange::documents::Enrollment;
use crate::exchange::import::ImportOutcome;
use crate::exchange::minisign;
use crate::files::sha256_hex;
use crate::journal::oplog::{self, Op};
use crate::model::ids::DeviceId;
use crate::store::bookkeeping::{self, Key};

pub const FORMAT: &str = "palabre-registry";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "registry.json";
pub const SIGNATURE: &str = "registry.json.minisig";
pub const OPS: &str = "ops.jsonl";
/// `palabre-registry-<laptop>-<serial>-<date>.palabre-registry`, then `.age` once sealed.
pub const EXTENSION: &str = "palabre-registry";

/// What a file from HQ gives a laptop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The people of an area and its open action plans.
    Registry,
    /// A replaced laptop's own data, and the registry of its area.
    Restore,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Registry => "registry",
            Kind::Restore => "restore",
        }
    }
}

/// The area a registry covers: sessions held in any of these regions, cercles or communes
/// (compared without regard to case or surrounding spaces), and optionally only people of these
/// stakeholder groups. Empty lists select nothing on their own.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub cercles: Vec<String>,
    #[serde(default)]
    pub communes: Vec<String>,
    /// Stakeholder group codes (`womens_groups`, …); empty: every group.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl Scope {
    /// Whether it names no place at all.
    pub fn has_no_place(&self) -> bool {
        self.regions.is_empty() && self.cercles.is_empty() && self.communes.is_empty()
    }

    /// "Mopti, Bandiagara (cercle)…", for people.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(self.regions.iter().cloned());
        parts.extend(self.cercles.iter().map(|c| format!("{c} (cercle)")));
        parts.extend(self.communes.iter().map(|c| format!("{c} (commune)")));
        if parts.is_empty() {
            parts.push("no place".into());
        }
        if !self.groups.is_empty() {
            parts.push(format!("groups: {}", self.groups.join(", ")));
        }
        parts.join(", ")
    }
}

/// A laptop named in a file from HQ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedDevice {
    pub id: DeviceId,
    pub name: String,
    pub fingerprint: String,
}

/// How many rows of each kind a file carries (for the people who read the result).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Counts {
    pub people: i64,
    pub sessions: i64,
    pub attendance: i64,
    pub plans: i64,
    pub items: i64,
    pub links: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub kind: Kind,
    pub bundle_id: Uuid,
    pub programme: String,
    pub hq_fingerprint: String,
    /// From HQ's one counter of issued documents: a laptop refuses one not newer than the last.
    pub serial: i64,
    /// The only laptop that may apply it.
    pub for_device: NamedDevice,
    /// A restore: the lost or broken laptop whose data it carries.
    pub replaces: Option<NamedDevice>,
    pub scope: Scope,
    pub counts: Counts,
    pub op_count: i64,
    pub schema_version: i64,
    pub app_version: String,
    pub created_at: String,
    pub entries: BTreeMap<String, EntryDigest>,
}

/// A file from HQ that passed every check that needs no database but its target's.
#[derive(Debug, Clone)]
pub struct Downlink {
    pub manifest: Manifest,
    pub ops: Vec<Op>,
}

/// Whether these (decrypted) bytes are a file from HQ rather than a laptop's bundle: the
/// canonical layout puts the manifest's name first, at a fixed place.
pub fn is_downlink(bytes: &[u8]) -> bool {
    bytes.starts_with(&0x0403_4b50u32.to_le_bytes())
        && bytes.get(30..30 + MANIFEST.len()) == Some(MANIFEST.as_bytes())
}

/// Builds the (unsealed) zip: fills the entry digests and signs the exact manifest bytes with
/// HQ's key.
pub fn write(key: &SigningKey, mut manifest: Manifest, ops: &[Op]) -> Vec<u8> {
    let jsonl = bundle::ops_jsonl(ops);
    manifest.op_count = ops.len() as i64;
    manifest.entries = BTreeMap::from([(
        OPS.to_string(),
        EntryDigest { sha256: sha256_hex(&jsonl), size: jsonl.len() as u64 },
    )]);
    let manifest_bytes = serde_json::to_vec_pretty(&manifest).expect("manifest serialises");
    let trusted = format!(
        "palabre HQ {} #{} for {}",
        manifest.kind.as_str(),
        manifest.serial,
        manifest.for_device.name
    );
    let signature = minisign::sign(key, &manifest_bytes, &trusted);
    bundle::canonical_zip(&[
        (MANIFEST, &manifest_bytes[..]),
        (SIGNATURE, signature.as_bytes()),
        (OPS, &jsonl[..]),
    ])
}

fn bad(reason: impl Into<String>) -> Rejection {
    Rejection::BadRegistry { reason: reason.into() }
}

/// Every check that needs the enrolled HQ but no other data: the layout, the signature by
/// `hq`'s key, the digests, and each op held to the rules of local entry.
pub fn read(bytes: &[u8], hq: &Enrollment) -> std::result::Result<Downlink, Rejection> {
    if bytes.len() as u64 > bundle::MAX_FILE_BYTES {
        return Err(Rejection::TooLarge { size: bytes.len() as u64, max: bundle::MAX_FILE_BYTES });
    }
    let entries = bundle::named_entries(
        bytes,
        &[
            (MANIFEST, MAX_MANIFEST_BYTES),
            (SIGNATURE, MAX_SIGNATURE_BYTES),
            (OPS, bundle::MAX_OPS_BYTES),
        ],
    )?;
    if !bundle::is_canonical(bytes, &entries, [MANIFEST, SIGNATURE, OPS]) {
        return Err(bad("its zip layout was changed after HQ wrote it"));
    }
    let manifest_bytes = &entries[MANIFEST];
    let signature = std::str::from_utf8(&entries[SIGNATURE])
        .map_err(|_| Rejection::RegistryNotFromHq { fingerprint: hq.hq_fingerprint.clone() })?;
    // The signature first: nothing of an unsigned file is believed, not even its format.
    minisign::verify(&hq.hq_public_key, manifest_bytes, signature)
        .map_err(|_| Rejection::RegistryNotFromHq { fingerprint: hq.hq_fingerprint.clone() })?;
    let manifest: Manifest =
        serde_json::from_slice(manifest_bytes).map_err(|e| bad(e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(bad("it is not a registry or restore file"));
    }
    if manifest.format_version > FORMAT_VERSION
        || manifest.schema_version > crate::store::migrations::LATEST
    {
        return Err(Rejection::Newer {
            found: manifest.schema_version,
            supported: crate::store::migrations::LATEST,
        });
    }
    let digest = manifest.entries.get(OPS).ok_or_else(|| bad("it does not list ops.jsonl"))?;
    let jsonl = &entries[OPS];
    if manifest.entries.len() != 1
        || digest.size != jsonl.len() as u64
        || digest.sha256 != sha256_hex(jsonl)
    {
        return Err(Rejection::Checksum { entry: OPS.to_string() });
    }
    let ops = decode(jsonl)?;
    if ops.len() as i64 != manifest.op_count {
        return Err(bad("its op count does not match ops.jsonl"));
    }
    Ok(Downlink { manifest, ops })
}

/// Strict decoding of ops.jsonl: ops of any device, each checked as a bundle's.
fn decode(jsonl: &[u8]) -> std::result::Result<Vec<Op>, Rejection> {
    bundle::decode_lines(jsonl, |_, op| {
        if op.op_seq < 1 { Err("its number is out of range".into()) } else { Ok(()) }
    })
}

/// Applies a file from HQ on this laptop, inside the caller's transaction: every check first,
/// then the merge and the serial. A refusal writes nothing.
pub fn apply(
    conn: &Connection,
    down: &Downlink,
    derived: &[&dyn crate::journal::Derived],
) -> Result<ImportOutcome> {
    let manifest = &down.manifest;
    let me = crate::device::load(conn)?.ok_or(Error::NotInitialized)?;
    if manifest.for_device.id != me.device_id {
        return Ok(Rejection::RegistryOtherLaptop {
            name: manifest.for_device.name.clone(),
            fingerprint: manifest.for_device.fingerprint.clone(),
        }
        .into());
    }
    // One serial per kind: a restore and a registry brought on one stick apply in either order.
    let key = match manifest.kind {
        Kind::Registry => Key::RegistrySerial,
        Kind::Restore => Key::RestoreSerial,
    };
    let last = bookkeeping::number(conn, key)?;
    if manifest.serial <= last {
        return Ok(Rejection::RegistryReplayed { serial: manifest.serial, last }.into());
    }
    let theirs: Vec<Op> =
        down.ops.iter().filter(|op| op.device_id != me.device_id).cloned().collect();
    let new_ops = oplog::merge(conn, &theirs, derived)?;
    bookkeeping::put(conn, key, &manifest.serial.to_string())?;
    Ok(ImportOutcome::FromHq {
        kind: manifest.kind,
        serial: manifest.serial,
        people: manifest.counts.people,
        sessions: manifest.counts.sessions,
        plans: manifest.counts.plans,
        new_ops,
    })
}
