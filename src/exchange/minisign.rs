//! Signatures in minisign's format, so that the standard tool verifies a bundle's manifest:
//! `minisign -Vm manifest.json -x manifest.json.minisig -P <device public key>`.
//!
//! We write prehashed signatures (algorithm "ED": Ed25519 over BLAKE2b-512 of the message) with a
//! trusted comment covered by a second, global signature, exactly as minisign does; we verify
//! the same form and refuse anything else.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use blake2::{Blake2b512, Digest};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

use crate::device::key_id;

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the signature file is malformed ({0})")]
    Malformed(&'static str),
    #[error("the public key is malformed")]
    BadKey,
    #[error("the signature was made by another key")]
    OtherKey,
    #[error("the signature does not match")]
    Mismatch,
}

/// A minisign signature of `message`, with `trusted` as its signed comment.
pub fn sign(key: &SigningKey, message: &[u8], trusted: &str) -> String {
    let public = key.verifying_key().to_bytes();
    let digest = Blake2b512::digest(message);
    let signature = key.sign(&digest).to_bytes();
    let mut blob = Vec::with_capacity(74);
    blob.extend_from_slice(b"ED");
    blob.extend_from_slice(&key_id(&public));
    blob.extend_from_slice(&signature);
    let mut global_message = signature.to_vec();
    global_message.extend_from_slice(trusted.as_bytes());
    let global = key.sign(&global_message).to_bytes();
    format!(
        "untrusted comment: signature from palabre device key\n{}\ntrusted comment: {trusted}\n{}\n",
        BASE64.encode(blob),
        BASE64.encode(global)
    )
}

/// Decodes a minisign public key ("Ed" ‖ key id ‖ key, base64).
pub fn public_key(encoded: &str) -> Result<([u8; 8], VerifyingKey), SignatureError> {
    let raw = BASE64.decode(encoded.trim()).map_err(|_| SignatureError::BadKey)?;
    if raw.len() != 42 || &raw[..2] != b"Ed" {
        return Err(SignatureError::BadKey);
    }
    let id: [u8; 8] = raw[2..10].try_into().map_err(|_| SignatureError::BadKey)?;
    let key: [u8; 32] = raw[10..].try_into().map_err(|_| SignatureError::BadKey)?;
    let key = VerifyingKey::from_bytes(&key).map_err(|_| SignatureError::BadKey)?;
    if key_id(&key.to_bytes()) != id {
        return Err(SignatureError::BadKey);
    }
    Ok((id, key))
}

/// Verifies a minisign signature of `message` by `public_key`; returns the trusted comment.
pub fn verify(
    public_key_b64: &str,
    message: &[u8],
    signature_file: &str,
) -> Result<String, SignatureError> {
    let (id, key) = public_key(public_key_b64)?;
    let mut lines = signature_file.lines();
    let untrusted = lines.next().ok_or(SignatureError::Malformed("empty"))?;
    if !untrusted.starts_with("untrusted comment:") {
        return Err(SignatureError::Malformed("no untrusted comment"));
    }
    let blob = BASE64
        .decode(lines.next().ok_or(SignatureError::Malformed("no signature"))?.trim())
        .map_err(|_| SignatureError::Malformed("signature is not base64"))?;
    let trusted = lines
        .next()
        .and_then(|l| l.strip_prefix("trusted comment: "))
        .ok_or(SignatureError::Malformed("no trusted comment"))?;
    let global = BASE64
        .decode(lines.next().ok_or(SignatureError::Malformed("no global signature"))?.trim())
        .map_err(|_| SignatureError::Malformed("global signature is not base64"))?;
    if lines.any(|l| !l.trim().is_empty()) {
        return Err(SignatureError::Malformed("trailing lines"));
    }
    if blob.len() != 74 || &blob[..2] != b"ED" {
        return Err(SignatureError::Malformed("not a prehashed Ed25519 signature"));
    }
    if blob[2..10] != id {
        return Err(SignatureError::OtherKey);
    }
    let signature = Signature::from_slice(&blob[10..])
        .map_err(|_| SignatureError::Malformed("bad signature"))?;
    key.verify(&Blake2b512::digest(message), &signature).map_err(|_| SignatureError::Mismatch)?;
    let global = Signature::from_slice(&global)
        .map_err(|_| SignatureError::Malformed("bad global signature"))?;
    let mut global_message = blob[10..].to_vec();
    global_message.extend_from_slice(trusted.as_bytes());
    key.verify(&global_message, &global).map_err(|_| SignatureError::Mismatch)?;
    Ok(trusted.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::minisign_public_key;

    #[test]
    fn signatures_round_trip_and_catch_changes() {
        let key = SigningKey::from_bytes(&[3u8; 32]);
        let public = minisign_public_key(&key.verifying_key().to_bytes());
        let sig = sign(&key, b"manifest", "palabre bundle 1");
        assert_eq!(verify(&public, b"manifest", &sig).unwrap(), "palabre bundle 1");
        assert_eq!(verify(&public, b"manifesT", &sig).unwrap_err(), SignatureError::Mismatch);
        let forged = sig.replace("palabre bundle 1", "palabre bundle 2");
        assert_eq!(verify(&public, b"manifest", &forged).unwrap_err(), SignatureError::Mismatch);
        let other =
            minisign_public_key(&SigningKey::from_bytes(&[4u8; 32]).verifying_key().to_bytes());
        assert_eq!(verify(&other, b"manifest", &sig).unwrap_err(), SignatureError::OtherKey);
        assert!(matches!(
            verify(&public, b"manifest", "garbage").unwrap_err(),
            SignatureError::Malformed(_)
        ));
    }
}
