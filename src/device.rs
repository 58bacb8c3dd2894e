//! Device identity, made once at `init`: a random device id, an editable name, and an Ed25519 key
//! pair. The secret key lives in a file beside the database (`<db>.key`, mode 0600), never in the
//! database or a bundle, so copying the database does not copy the right to sign as this laptop.
//! The fingerprint people compare by phone is the first 8 bytes of SHA-256 of the public key, in
//! hex groups; the same 8 bytes are the key id of the minisign-format public key.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::model::fields;
use crate::model::ids::DeviceId;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Device {
    pub device_id: DeviceId,
    pub name: String,
    /// minisign's base64 public key: `minisign -V -P <public_key>` verifies this device.
    pub public_key: String,
    /// e.g. "3F2A 9C1B 77D0 E412", as typed into `palabre device trust`.
    pub fingerprint: String,
    pub created_at: String,
}

/// The 8-byte key id of a public key.
pub fn key_id(public_key: &[u8; 32]) -> [u8; 8] {
    let digest = Sha256::digest(public_key);
    let mut id = [0u8; 8];
    id.copy_from_slice(&digest[..8]);
    id
}

/// Human fingerprint: the key id in four groups of four hex digits.
pub fn fingerprint(public_key: &[u8; 32]) -> String {
    let hex = hex::encode_upper(key_id(public_key));
    hex.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fingerprint as people type it ("3f2a9c1b 77d0-e412") in its canonical form, if it is one.
pub fn normalize_fingerprint(typed: &str) -> Option<String> {
    let hex: String =
        typed.chars().filter(|c| c.is_ascii_hexdigit()).collect::<String>().to_uppercase();
    let only_separators =
        typed.chars().all(|c| c.is_ascii_hexdigit() || matches!(c, ' ' | '-' | ':'));
    (hex.len() == 16 && only_separators).then(|| {
        hex.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// minisign's public key encoding: base64 of "Ed" ‖ key id ‖ public key.
pub fn minisign_public_key(public_key: &[u8; 32]) -> String {
    let mut raw = Vec::with_capacity(42);
    raw.extend_from_slice(b"Ed");
    raw.extend_from_slice(&key_id(public_key));
    raw.extend_from_slice(public_key);
    BASE64.encode(raw)
}

/// A device name: shown to HQ and used in bundle file names.
pub fn validate_name(name: &str) -> Result<String> {
    Ok(fields::required("device name", name, 60)?)
}

pub(crate) fn new_secret() -> [u8; 32] {
    let mut seed = [0u8; 32];
    rand::fill(&mut seed);
    seed
}

pub(crate) fn insert(conn: &rusqlite::Connection, name: &str, secret: &[u8; 32]) -> Result<Device> {
    if let Some(existing) = load(conn)? {
        return Err(Error::AlreadyInitialized { name: existing.name });
    }
    let public = SigningKey::from_bytes(secret).verifying_key().to_bytes();
    let device_id = DeviceId::new();
    conn.execute(
        "INSERT INTO device (singleton, device_id, name, public_key, created_at) VALUES (1, ?1, ?2, ?3, ?4)",
        params![device_id.to_string(), name, public.to_vec(), Utc::now().to_rfc3339()],
    )?;
    load(conn)?.ok_or(Error::NotInitialized)
}

pub(crate) fn load(conn: &rusqlite::Connection) -> Result<Option<Device>> {
    let row: Option<(String, String, Vec<u8>, String)> = conn
        .query_row("SELECT device_id, name, public_key, created_at FROM device", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((id, name, public, created_at)) = row else { return Ok(None) };
    let damaged =
        || Error::BadOp { reason: "the device identity stored in this database is damaged".into() };
    let public: [u8; 32] = public.try_into().map_err(|_| damaged())?;
    Ok(Some(Device {
        device_id: id.parse().map_err(|_| damaged())?,
        name,
        public_key: minisign_public_key(&public),
        fingerprint: fingerprint(&public),
        created_at,
    }))
}

pub(crate) fn public_key_bytes(conn: &rusqlite::Connection) -> Result<[u8; 32]> {
    let public: Vec<u8> = conn
        .query_row("SELECT public_key FROM device", [], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotInitialized)?;
    public
        .try_into()
        .map_err(|_| Error::BadOp { reason: "the stored public key is damaged".into() })
}

/// The key file beside a database: `palabre.db` → `palabre.db.key`.
pub fn key_path(db: &Path) -> PathBuf {
    let mut path = db.as_os_str().to_owned();
    path.push(".key");
    PathBuf::from(path)
}

const KEY_HEADER: &str = "untrusted comment: Palabre device secret key. Keep this file private; it must never leave this laptop.";

/// Writes a new key file, refusing to overwrite one (it would orphan a device identity).
pub(crate) fn write_key_file(path: &Path, secret: &[u8; 32]) -> Result<()> {
    write_private(path, &format!("{KEY_HEADER}\n{}\n", BASE64.encode(secret))).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => Error::KeyFile {
            path: path.to_path_buf(),
            reason: "a key file already exists there but the database has no device; move it away if it belongs to another database".into(),
        },
        other => other,
    })
}

/// Creates a file only its owner can read (mode 0600), refusing to overwrite an existing one.
pub(crate) fn write_private(path: &Path, text: &str) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Reads a secret file, refusing it when other users can read it.
pub(crate) fn read_private(path: &Path) -> Result<String> {
    let bad =
        |reason: &str| Error::KeyFile { path: path.to_path_buf(), reason: reason.to_string() };
    let text = std::fs::read_to_string(path).map_err(|e| bad(&e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(|e| bad(&e.to_string()))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(bad(&format!(
                "other users can read it (mode {:o}); run `chmod 600 {}`",
                mode & 0o777,
                path.display()
            )));
        }
    }
    Ok(text)
}

/// Reads the key file and checks that it holds the secret of `expected_public`.
pub(crate) fn read_key_file(path: &Path, expected_public: &[u8; 32]) -> Result<SigningKey> {
    let bad =
        |reason: &str| Error::KeyFile { path: path.to_path_buf(), reason: reason.to_string() };
    let text = read_private(path)?;
    let encoded = text.lines().nth(1).ok_or_else(|| bad("it is truncated"))?;
    let secret: [u8; 32] = BASE64
        .decode(encoded.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| bad("it is not a Palabre key"))?;
    let key = SigningKey::from_bytes(&secret);
    if key.verifying_key().to_bytes() != *expected_public {
        return Err(bad("it belongs to another device"));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_grouped_hex_and_typing_variants_normalize() {
        let public = SigningKey::from_bytes(&[7u8; 32]).verifying_key().to_bytes();
        let fp = fingerprint(&public);
        assert_eq!(fp.len(), 19);
        assert!(fp.split(' ').all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_hexdigit())));
        let typed = fp.to_lowercase().replace(' ', "-");
        assert_eq!(normalize_fingerprint(&typed), Some(fp.clone()));
        assert_eq!(normalize_fingerprint("zz"), None);
        assert_eq!(normalize_fingerprint(&format!("{fp}!")), None);
    }

    #[test]
    fn minisign_public_key_layout() {
        let public = [9u8; 32];
        let raw = BASE64.decode(minisign_public_key(&public)).unwrap();
        assert_eq!(&raw[..2], b"Ed");
        assert_eq!(&raw[2..10], &key_id(&public));
        assert_eq!(&raw[10..], &public);
    }

    #[test]
    fn key_file_is_private_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db.key");
        let secret = new_secret();
        let public = SigningKey::from_bytes(&secret).verifying_key().to_bytes();
        write_key_file(&path, &secret).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(read_key_file(&path, &public).unwrap().to_bytes(), secret);
        assert_eq!(write_key_file(&path, &secret).unwrap_err().code(), "key_file");
        let other = SigningKey::from_bytes(&[1u8; 32]).verifying_key().to_bytes();
        assert!(read_key_file(&path, &other).unwrap_err().to_string().contains("another device"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
            assert!(read_key_file(&path, &public).unwrap_err().to_string().contains("chmod 600"));
        }
    }
}

/// Renames this laptop (the name travels in the next bundle's manifest).
pub(crate) fn rename(app: &crate::Palabre, name: &str) -> Result<Device> {
    let name = validate_name(name)?;
    app.store().write(|tx| {
        if tx.execute("UPDATE device SET name = ?1", [&name])? == 0 {
            return Err(Error::NotInitialized);
        }
        load(tx)?.ok_or(Error::NotInitialized)
    })
}
