//! HQ's identity: a signing key (acknowledgements and the enrollment file are signed with it, in
//! minisign's format) and an age X25519 key (laptops encrypt their bundles to it). Both secrets
//! live in files only their owner can read, in a folder HQ backs up; never in the database, never
//! in a bundle or a log. The enrollment file carries only public parts.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::device::{self, fingerprint, minisign_public_key, read_private, write_private};
use crate::error::{Error, Result};
use crate::sync::minisign;

pub const SIGNING_KEY_FILE: &str = "hq-signing.key";
pub const AGE_KEY_FILE: &str = "hq-age.key";
pub const ENROLLMENT_FILE: &str = "enrollment.palabre-hq";
pub const ENROLLMENT_FORMAT: &str = "palabre-enrollment";

const SIGNING_HEADER: &str = "untrusted comment: Palabre HQ signing secret key. Keep it private and backed up; laptops trust only this key.";

/// What a laptop needs to know about its HQ: signed by HQ, compared by phone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enrollment {
    pub format: String,
    pub version: u32,
    pub programme: String,
    /// HQ's Ed25519 public key, in minisign's format.
    pub hq_public_key: String,
    pub hq_fingerprint: String,
    /// HQ's age recipient (`age1…`): laptops encrypt their bundles to it.
    pub age_recipient: String,
    pub created_at: String,
}

/// A document and a minisign signature of its exact JSON bytes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signed<T> {
    pub payload: T,
    pub signature: String,
}

/// Why a signed HQ document was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentError {
    Malformed(String),
    /// Signed by another key than the one expected.
    OtherKey,
    /// The signature does not match the contents.
    Altered,
}

pub fn sign<T: Serialize>(key: &SigningKey, payload: T, comment: &str) -> Signed<T> {
    let bytes = serde_json::to_vec(&payload).expect("HQ documents serialise");
    Signed { signature: minisign::sign(key, &bytes, comment), payload }
}

/// Parses a signed document and checks its signature against `public_key` (minisign format).
/// The payload is re-serialised to check it: only the exact bytes HQ signed pass.
pub fn verify<T: Serialize + DeserializeOwned>(
    bytes: &[u8],
    public_key: impl FnOnce(&T) -> String,
) -> std::result::Result<T, DocumentError> {
    let signed: Signed<T> =
        serde_json::from_slice(bytes).map_err(|e| DocumentError::Malformed(e.to_string()))?;
    let message = serde_json::to_vec(&signed.payload).expect("HQ documents serialise");
    match minisign::verify(&public_key(&signed.payload), &message, &signed.signature) {
        Ok(_) => Ok(signed.payload),
        Err(minisign::SignatureError::OtherKey) => Err(DocumentError::OtherKey),
        Err(minisign::SignatureError::Mismatch) => Err(DocumentError::Altered),
        Err(e) => Err(DocumentError::Malformed(e.to_string())),
    }
}

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
    let signed = sign(&key, enrollment, "palabre HQ enrollment");
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

/// HQ's age identity from its folder (the file the `age` tool reads with `-i`).
pub fn age_identity(dir: &Path) -> Result<age::x25519::Identity> {
    let path = dir.join(AGE_KEY_FILE);
    let text = read_private(&path)?;
    text.lines()
        .map(str::trim)
        .find(|line| line.starts_with("AGE-SECRET-KEY-"))
        .and_then(|line| line.parse().ok())
        .ok_or_else(|| Error::KeyFile { path, reason: "it holds no age secret key".into() })
}

/// Reads and checks an enrollment file: well formed, signed by the key it names, fingerprint
/// matching that key, recipient a valid age key.
pub fn read_enrollment(bytes: &[u8]) -> Result<Enrollment> {
    let bad = |reason: String| Error::Enrollment { reason };
    let enrollment: Enrollment =
        verify(bytes, |e: &Enrollment| e.hq_public_key.clone()).map_err(|e| match e {
            DocumentError::Malformed(why) => {
                bad(format!("it is not a Palabre enrollment file ({why})"))
            }
            DocumentError::OtherKey | DocumentError::Altered => {
                bad("its signature does not match its contents; it was altered".into())
            }
        })?;
    if enrollment.format != ENROLLMENT_FORMAT || enrollment.version != 1 {
        return Err(bad(format!("unknown format {} {}", enrollment.format, enrollment.version)));
    }
    let (_, key) = minisign::public_key(&enrollment.hq_public_key)
        .map_err(|_| bad("its HQ key is malformed".into()))?;
    if fingerprint(&key.to_bytes()) != enrollment.hq_fingerprint {
        return Err(bad("its fingerprint does not match its key".into()));
    }
    enrollment
        .age_recipient
        .parse::<age::x25519::Recipient>()
        .map_err(|_| bad("its encryption key is malformed".into()))?;
    Ok(enrollment)
}
