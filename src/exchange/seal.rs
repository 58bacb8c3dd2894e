//! Bundles encrypted with age: `*.palabre.age` is the signed bundle, whole, encrypted, so a lost
//! USB stick reveals nothing. A laptop enrolled with HQ encrypts to HQ's X25519 key, and the
//! standard `age` tool decrypts it with HQ's key file:
//! `age -d -i hq-age.key -o x.palabre x.palabre.age`. A laptop not enrolled yet can lock a
//! bundle with a passphrase instead (age's scrypt recipient; `age -d x.palabre.age` asks for it).

use std::io::{Read, Write};
use std::path::Path;

use crate::device::read_private;
use crate::error::{Error, Rejection, Result};

pub const EXTENSION: &str = "age";
/// HQ's age secret key, in HQ's key folder (written by `hq::keys::create`).
pub const AGE_KEY_FILE: &str = "hq-age.key";

/// Whether these bytes are an age file (binary or armored).
pub fn is_sealed(bytes: &[u8]) -> bool {
    bytes.starts_with(b"age-encryption.org/")
        || bytes.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
}

/// Encrypts `plain` to an age recipient (`age1…`).
pub fn seal(plain: &[u8], recipient: &str) -> Result<Vec<u8>> {
    let fail = |reason: String| Error::Enrollment { reason };
    let recipient: age::x25519::Recipient =
        recipient.parse().map_err(|_| fail("the stored HQ encryption key is malformed".into()))?;
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| fail(e.to_string()))?;
    encrypt(encryptor, plain).map_err(fail)
}

/// The shortest passphrase a bundle may be locked with.
pub const MIN_PASSPHRASE: usize = 8;

/// Encrypts `plain` with a passphrase (age's scrypt recipient, its work factor tuned to about a
/// second on this computer).
pub fn seal_with_passphrase(plain: &[u8], passphrase: &str) -> Result<Vec<u8>> {
    let secret = age::secrecy::SecretString::from(passphrase.to_owned());
    encrypt(age::Encryptor::with_user_passphrase(secret), plain).map_err(|reason| Error::Io {
        path: "bundle".into(),
        source: std::io::Error::other(reason),
    })
}

fn encrypt(encryptor: age::Encryptor, plain: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| e.to_string())?;
    writer.write_all(plain).and_then(|()| writer.finish().map(drop)).map_err(|e| e.to_string())?;
    Ok(out)
}

/// What may open a sealed bundle here: HQ's identity (on HQ's database) and a passphrase typed
/// by the person importing.
#[derive(Default, Clone, Copy)]
pub struct Keys<'a> {
    pub identity: Option<&'a age::x25519::Identity>,
    pub passphrase: Option<&'a str>,
}

/// Decrypts a sealed bundle, reading at most `max` bytes of plain text.
pub fn open(bytes: &[u8], keys: Keys<'_>, max: u64) -> std::result::Result<Vec<u8>, Rejection> {
    let decryptor =
        age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes)).map_err(|_| {
            // A damaged header: what it was locked with is unknown.
            if keys.identity.is_some() { Rejection::Undecryptable } else { Rejection::Encrypted }
        })?;
    let reader = if decryptor.is_scrypt() {
        let Some(passphrase) = keys.passphrase else { return Err(Rejection::NeedsPassphrase) };
        let identity = age::scrypt::Identity::new(passphrase.to_owned().into());
        decryptor
            .decrypt(std::iter::once(&identity as &dyn age::Identity))
            .map_err(|_| Rejection::WrongPassphrase)?
    } else {
        let Some(identity) = keys.identity else { return Err(Rejection::Encrypted) };
        decryptor
            .decrypt(std::iter::once(identity as &dyn age::Identity))
            .map_err(|_| Rejection::Undecryptable)?
    };
    let mut plain = Vec::new();
    reader.take(max + 1).read_to_end(&mut plain).map_err(|e| Rejection::Unreadable {
        reason: format!("its encrypted contents are damaged ({e})"),
    })?;
    if plain.len() as u64 > max {
        return Err(Rejection::TooLarge { size: plain.len() as u64, max });
    }
    Ok(plain)
}

/// Whether an age file's header can be read (a damaged one says nothing of whom it is for).
pub fn header_is_readable(bytes: &[u8]) -> bool {
    age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes)).is_ok()
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

/// The age recipient (`age1…`) of a laptop, from its Ed25519 public key: the same key turned
/// into its X25519 form (the birational map age's own `ssh-ed25519` recipients use). HQ seals
/// what it sends down to one laptop (registry and restore bundles) to it, so only that laptop
/// opens them, without a second key pair to enroll.
pub fn device_recipient(public_key: &[u8]) -> Result<String> {
    let bad = || Error::BadOp { reason: "a laptop's public key stored here is malformed".into() };
    let bytes: [u8; 32] = public_key.try_into().map_err(|_| bad())?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| bad())?;
    let montgomery = key.to_montgomery().to_bytes();
    bech32_text("age", &montgomery).ok_or_else(bad)
}

/// The age identity matching [`device_recipient`], from the laptop's Ed25519 signing key.
pub fn device_identity(key: &ed25519_dalek::SigningKey) -> age::x25519::Identity {
    let scalar = zeroize::Zeroizing::new(key.to_scalar_bytes());
    let text = zeroize::Zeroizing::new(
        bech32_text("age-secret-key-", &scalar[..]).expect("32 bytes encode").to_uppercase(),
    );
    text.parse().expect("a 32-byte X25519 secret is an age identity")
}

fn bech32_text(hrp: &str, bytes: &[u8]) -> Option<String> {
    use bech32::ToBase32;
    bech32::encode(hrp, bytes.to_base32(), bech32::Variant::Bech32).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_laptop_opens_what_is_sealed_to_its_own_key_and_no_other() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        let other = ed25519_dalek::SigningKey::from_bytes(&[8; 32]);
        let recipient = device_recipient(key.verifying_key().as_bytes()).unwrap();
        assert!(recipient.starts_with("age1"));
        let sealed = seal(b"a registry", &recipient).unwrap();
        let mine = device_identity(&key);
        assert_eq!(mine.to_public().to_string(), recipient);
        assert_eq!(open(&sealed, with(&mine), 100).unwrap(), b"a registry");
        assert_eq!(
            open(&sealed, with(&device_identity(&other)), 100).unwrap_err(),
            Rejection::Undecryptable
        );
        assert!(device_recipient(&[1, 2, 3]).is_err());
    }

    fn with(identity: &age::x25519::Identity) -> Keys<'_> {
        Keys { identity: Some(identity), passphrase: None }
    }

    #[test]
    fn sealed_bytes_open_only_with_the_right_identity() {
        let identity = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let sealed = seal(b"a bundle", &identity.to_public().to_string()).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(8).any(|w| w == b"a bundle"));
        assert_eq!(open(&sealed, with(&identity), 100).unwrap(), b"a bundle");
        assert_eq!(open(&sealed, with(&other), 100).unwrap_err(), Rejection::Undecryptable);
        assert_eq!(open(&sealed, Keys::default(), 100).unwrap_err(), Rejection::Encrypted);
        assert!(matches!(
            open(&sealed, with(&identity), 3).unwrap_err(),
            Rejection::TooLarge { .. }
        ));
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(open(&damaged, with(&identity), 100).is_err());
    }

    #[test]
    fn a_passphrase_locks_and_only_the_same_passphrase_opens() {
        let sealed = seal_with_passphrase(b"a bundle", "sable de Tombouctou").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(8).any(|w| w == b"a bundle"));
        let typed = |passphrase| Keys { identity: None, passphrase: Some(passphrase) };
        assert_eq!(open(&sealed, typed("sable de Tombouctou"), 100).unwrap(), b"a bundle");
        assert_eq!(
            open(&sealed, typed("sable de tombouctou"), 100).unwrap_err(),
            Rejection::WrongPassphrase
        );
        assert_eq!(open(&sealed, Keys::default(), 100).unwrap_err(), Rejection::NeedsPassphrase);
        // HQ's key does not open a passphrase bundle, nor a passphrase an HQ one.
        let hq = age::x25519::Identity::generate();
        assert_eq!(open(&sealed, with(&hq), 100).unwrap_err(), Rejection::NeedsPassphrase);
        let to_hq = seal(b"a bundle", &hq.to_public().to_string()).unwrap();
        assert_eq!(
            open(&to_hq, typed("sable de Tombouctou"), 100).unwrap_err(),
            Rejection::Encrypted
        );
    }
}
