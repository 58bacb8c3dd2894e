//! HQ's identity: a signing key (acknowledgements and the enrollment file are signed with it, in
//! minisign's format) and an age X25519 key (laptops encrypt their bundles to it). Both secrets
//! live in files only their owner can read, in a folder HQ backs up; never in the database, never
//! in a bundle or a log. The enrollment file carries only public parts.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;

use crate::device::{self, fingerprint, minisign_public_key, read_private, write_private};
use crate::error::{Error, Result};
use crate::exchange::documents::{self, ENROLLMENT_FORMAT, Enrollment};
pub use crate::exchange::seal::AGE_KEY_FILE;

pub const SIGNING_KEY_FILE: &str = "hq-signing.key";
pub const ENROLLMENT_FILE: &str = "enrollment.palabre-hq";

const SIGNING_HEADER: &str = "untrusted comment: Palabre HQ signing secret key. Keep it private and backed up; laptops trust only this key.";

/// What `palabre hq init` made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct HqKeys {
    pub dir: PathBuf,
    pub signing_key: PathBuf,
    pub age_key: PathBuf,
    pub enrollment: PathBuf,
    pub fingerprint: String,
    pub age_recipient: String,
    pub programme: String,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

/// Makes HQ's two key pairs and the signed enrollment file in `dir` (created if needed).
/// Refuses to overwrite existing keys: they are what every laptop trusts.
pub fn create(dir: &Path, programme: &str) -> Result<HqKeys> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let signing_path = dir.join(SIGNING_KEY_FILE);
    let age_path = dir.join(AGE_KEY_FILE);
    for path in [&signing_path, &age_path] {
        if path.exists() {
            return Err(Error::KeyFile {
                path: path.clone(),
                reason: "HQ keys already exist in this folder; laptops enrolled with them would be cut off. Use another folder, or keep using these".into(),
            });
        }
    }
    let secret = device::new_secret();
    let key = SigningKey::from_bytes(&secret);
    let public = key.verifying_key().to_bytes();
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    let now = chrono::Utc::now();
    write_private(&signing_path, &format!("{SIGNING_HEADER}\n{}\n", BASE64.encode(secret)))?;
    let age_text = {
        use age::secrecy::ExposeSecret;
        format!(
            "# created: {}\n# public key: {recipient}\n{}\n",
            now.to_rfc3339(),
            identity.to_string().expose_secret()
        )
    };
    if let Err(e) = write_private(&age_path, &age_text) {
        let _ = std::fs::remove_file(&signing_path);
        return Err(e);
    }
    let enrollment = Enrollment {
        format: ENROLLMENT_FORMAT.into(),
        version: 1,
        programme: programme.to_string(),
        hq_public_key: minisign_public_key(&public),
        hq_fingerprint: fingerprint(&public),
        age_recipient: recipient.clone(),
        created_at: now.to_rfc3339(),
    };
    let enrollment_path = dir.join(ENROLLMENT_FILE);
    let signed = documents::sign(&key, enrollment, "palabre HQ enrollment");
    let text = serde_json::to_string_pretty(&signed).expect("enrollment serialises");
    std::fs::write(&enrollment_path, text).map_err(io(&enrollment_path))?;
    Ok(HqKeys {
        dir: dir.to_path_buf(),
        signing_key: signing_path,
        age_key: age_path,
        enrollment: enrollment_path,
        fingerprint: signed.payload.hq_fingerprint,
        age_recipient: recipient,
        programme: programme.to_string(),
    })
}

/// HQ's signing key from its folder.
pub fn signing_key(dir: &Path) -> Result<SigningKey> {
    let path = dir.join(SIGNING_KEY_FILE);
    let text = read_private(&path)?;
    let secret: [u8; 32] = text
        .lines()
        .nth(1)
        .and_then(|line| BASE64.decode(line.trim()).ok())
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| Error::KeyFile {
            path: path.clone(),
            reason: "it is not a Palabre HQ signing key".into(),
        })?;
    Ok(SigningKey::from_bytes(&secret))
}
