//! Export: a signed bundle of this device's ops that HQ has not acknowledged (until
//! acknowledgements exist: all of them), so that a lost USB stick is healed by the next export.

use std::path::{Path, PathBuf};

use chrono::Utc;
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::journal::oplog;
use crate::sync::bundle::{self, HlcRange, Manifest, ManifestDevice, OpRange};
use crate::{Palabre, settings};

/// Settings keys of the export bookkeeping.
pub const BUNDLE_SEQ: &str = "bundle_seq";
pub const PREV_BUNDLE_HASH: &str = "prev_bundle_hash";
/// Highest op_seq of this device already written to a bundle.
pub const EXPORTED_SEQ: &str = "exported_seq";
pub const LAST_EXPORT: &str = "last_export_at";
/// Highest op_seq of this device that HQ acknowledged (set by acknowledgements).
pub const ACKED_SEQ: &str = "acked_seq";

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
    /// Encrypted to the HQ this laptop is enrolled with (`*.palabre.age`); plain when not enrolled.
    pub encrypted: bool,
}

/// A device name as it may appear in a file name on any system.
pub fn file_safe(name: &str) -> String {
    let ascii = deunicode::deunicode(name);
    let safe: String = ascii
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    let trimmed = safe.trim_matches('-');
    if trimmed.is_empty() { "device".to_string() } else { trimmed.to_string() }
}

struct Built {
    exported: Exported,
    bytes: Vec<u8>,
    manifest_sha256: String,
}

impl Palabre {
    fn build_bundle(&self) -> Result<Built> {
        let key = self.signing_key()?;
        let me = self.device()?;
        let (ops, bundle_seq, prev_hash) = self.store().read(|c| {
            let acked = settings::number(c, ACKED_SEQ)?;
            let last = oplog::own_last_seq(c)?;
            let ops = oplog::of_device(c, me.device_id, acked + 1, last)?;
            Ok((ops, settings::number(c, BUNDLE_SEQ)? + 1, settings::get(c, PREV_BUNDLE_HASH)?))
        })?;
        let now = Utc::now();
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
        let manifest = Manifest {
            format: bundle::FORMAT.into(),
            format_version: bundle::FORMAT_VERSION,
            kind: bundle::KIND_OPS.into(),
            bundle_id: Uuid::now_v7(),
            device: ManifestDevice {
                id: me.device_id,
                name: me.name.clone(),
                public_key: me.public_key.clone(),
            },
            bundle_seq,
            prev_bundle_hash: prev_hash,
            ops: range,
            hlc,
            schema_version: crate::store::migrations::LATEST,
            app_version: env!("CARGO_PKG_VERSION").into(),
            created_at: now.to_rfc3339(),
            entries: Default::default(),
        };
        let (mut bytes, manifest_sha256) = bundle::write(&key, manifest, &ops);
        let recipient = self.store().read(crate::hq::stored_enrollment)?.map(|e| e.age_recipient);
        if let Some(recipient) = &recipient {
            bytes = crate::hq::seal::seal(&bytes, recipient)?;
        }
        let file_name = self.bundle_file_name(&me.name, bundle_seq, recipient.is_some());
        let exported = Exported {
            path: None,
            file_name,
            bundle_seq,
            ops: range.count,
            first_seq: range.first_seq,
            last_seq: range.last_seq,
            bytes: bytes.len(),
            encrypted: recipient.is_some(),
        };
        Ok(Built { exported, bytes, manifest_sha256 })
    }

    fn record_export(&self, built: &Built) -> Result<()> {
        self.store().write(|tx| {
            settings::put(tx, BUNDLE_SEQ, &built.exported.bundle_seq.to_string())?;
            settings::put(tx, PREV_BUNDLE_HASH, &built.manifest_sha256)?;
            let exported = settings::number(tx, EXPORTED_SEQ)?.max(built.exported.last_seq);
            settings::put(tx, EXPORTED_SEQ, &exported.to_string())?;
            settings::put(tx, LAST_EXPORT, &Utc::now().to_rfc3339())
        })
    }

    fn bundle_file_name(&self, device: &str, seq: i64, encrypted: bool) -> String {
        let name = format!(
            "palabre-{}-{seq}-{}.{}",
            file_safe(device),
            Utc::now().format("%Y%m%d"),
            bundle::EXTENSION
        );
        if encrypted { format!("{name}.{}", crate::hq::seal::EXTENSION) } else { name }
    }

    /// The file name the next export will get, to offer in a save dialog.
    pub fn next_bundle_file_name(&self) -> Result<String> {
        let name = self.device()?.name;
        let (seq, enrolled) = self.store().read(|c| {
            Ok((settings::number(c, BUNDLE_SEQ)? + 1, crate::hq::stored_enrollment(c)?.is_some()))
        })?;
        Ok(self.bundle_file_name(&name, seq, enrolled))
    }

    /// Exports a bundle into memory (for the desktop, which saves it where the person chooses).
    pub fn export_bundle_bytes(&self) -> Result<(Exported, Vec<u8>)> {
        let built = self.build_bundle()?;
        self.record_export(&built)?;
        Ok((built.exported, built.bytes))
    }

    /// Writes a bundle into `out` (a folder, which gets the standard file name, or a file path).
    /// The file appears whole or not at all.
    pub fn export_bundle(&self, out: &Path) -> Result<Exported> {
        let mut built = self.build_bundle()?;
        let path =
            if out.is_dir() { out.join(&built.exported.file_name) } else { out.to_path_buf() };
        write_atomically(&path, &built.bytes)?;
        self.record_export(&built)?;
        tracing::info!(ops = built.exported.ops, bytes = built.bytes.len(), "bundle exported");
        built.exported.path = Some(path);
        Ok(built.exported)
    }
}

/// Writes to a temporary file beside `path`, flushes it, then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.partial",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("palabre")
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::file_safe;

    #[test]
    fn device_names_become_safe_file_names() {
        assert_eq!(file_safe("Ségou-01"), "Segou-01");
        assert_eq!(file_safe("Mopti 02 / bureau"), "Mopti-02---bureau");
        assert_eq!(file_safe("///"), "device");
    }
}
