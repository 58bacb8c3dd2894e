//! Bundles encrypted to HQ with age (X25519): `*.palabre.age` is the signed bundle, whole,
//! encrypted, so a lost USB stick reveals nothing. The standard `age` tool decrypts it with HQ's
//! key file: `age -d -i hq-age.key -o x.palabre x.palabre.age`.

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
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut writer = encryptor.wrap_output(&mut out).map_err(|e| fail(e.to_string()))?;
    writer
        .write_all(plain)
        .and_then(|()| writer.finish().map(drop))
        .map_err(|e| fail(e.to_string()))?;
    Ok(out)
}

/// Decrypts a sealed bundle with HQ's identity, reading at most `max` bytes of plain text.
pub fn open(
    bytes: &[u8],
    identity: Option<&age::x25519::Identity>,
    max: u64,
) -> std::result::Result<Vec<u8>, Rejection> {
    let Some(identity) = identity else { return Err(Rejection::Encrypted) };
    let undecryptable = || Rejection::Undecryptable;
    let decryptor = age::Decryptor::new_buffered(age::armor::ArmoredReader::new(bytes))
        .map_err(|_| undecryptable())?;
    let reader = decryptor
        .decrypt(std::iter::once(identity as &dyn age::Identity))
        .map_err(|_| undecryptable())?;
    let mut plain = Vec::new();
    reader.take(max + 1).read_to_end(&mut plain).map_err(|e| Rejection::Unreadable {
        reason: format!("its encrypted contents are damaged ({e})"),
    })?;
    if plain.len() as u64 > max {
        return Err(Rejection::TooLarge { size: plain.len() as u64, max });
    }
    Ok(plain)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bytes_open_only_with_the_right_identity() {
        let identity = age::x25519::Identity::generate();
        let other = age::x25519::Identity::generate();
        let sealed = seal(b"a bundle", &identity.to_public().to_string()).unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.windows(8).any(|w| w == b"a bundle"));
        assert_eq!(open(&sealed, Some(&identity), 100).unwrap(), b"a bundle");
        assert_eq!(open(&sealed, Some(&other), 100).unwrap_err(), Rejection::Undecryptable);
        assert_eq!(open(&sealed, None, 100).unwrap_err(), Rejection::Encrypted);
        assert!(matches!(
            open(&sealed, Some(&identity), 3).unwrap_err(),
            Rejection::TooLarge { .. }
        ));
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(open(&damaged, Some(&identity), 100).is_err());
    }
}
