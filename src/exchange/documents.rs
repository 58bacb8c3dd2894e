//! Signed documents HQ sends to laptops (the enrollment file, acknowledgements): a JSON payload
//! and a minisign signature of its exact bytes. Every laptop reads them; only HQ writes them
//! (`hq`). The enrollment carries HQ's public keys only.

use ed25519_dalek::SigningKey;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::device::fingerprint;
use crate::error::{Error, Result};
use crate::exchange::minisign;

pub const ENROLLMENT_FORMAT: &str = "palabre-enrollment";

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
