//! Device identity: made once, with a private key file beside the database.

use palabre::Palabre;

/// The passphrase the tests lock their databases with.
const PASSPHRASE: &str = "sable de Tombouctou";

#[test]
fn init_makes_an_identity_with_a_private_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("palabre.db");
    let app = Palabre::open(&path, PASSPHRASE).unwrap();
    assert_eq!(app.device().unwrap_err().code(), "not_initialized");
    let device = app.init("Ségou-01").unwrap();
    assert_eq!(device.name, "Ségou-01");
    assert_eq!(device.fingerprint.len(), 19);
    let key = dir.path().join("palabre.db.key");
    assert_eq!(app.key_path(), Some(key.as_path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The signing key matches the public key stored in the database.
    let signing = app.signing_key().unwrap();
    let expected = palabre::device::minisign_public_key(&signing.verifying_key().to_bytes());
    assert_eq!(expected, device.public_key);
    // The secret never enters the database file.
    drop(app);
    let bytes = std::fs::read(&path).unwrap();
    let secret = signing.to_bytes();
    assert!(!bytes.windows(32).any(|w| w == secret), "secret key found in the database file");
}

#[test]
fn init_twice_is_refused_and_rename_keeps_the_identity() {
    let app = Palabre::open_in_memory().unwrap();
    let device = app.init("Gao-03").unwrap();
    let err = app.init("Other").unwrap_err();
    assert_eq!(err.code(), "already_initialized");
    assert!(err.to_string().contains("Gao-03"));
    let renamed = app.rename_device("Gao-04").unwrap();
    assert_eq!((renamed.device_id, renamed.fingerprint), (device.device_id, device.fingerprint));
    assert_eq!(app.rename_device(" ").unwrap_err().code(), "empty_field");
}

#[test]
fn a_stray_key_file_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    std::fs::write(dir.path().join("p.db.key"), "someone else's key").unwrap();
    let app = Palabre::open(&path, PASSPHRASE).unwrap();
    assert_eq!(app.init("Kati-01").unwrap_err().code(), "key_file");
    assert!(!app.is_initialized().unwrap(), "a failed init must leave no identity");
    assert_eq!(std::fs::read_to_string(dir.path().join("p.db.key")).unwrap(), "someone else's key");
}
