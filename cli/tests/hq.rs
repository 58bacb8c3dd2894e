//! The HQ link through the CLI: HQ's key files are private, and secrets never appear in files,
//! bundles or output (the rest of the HQ link is tested in tests/hq.rs).

mod common;
use common::PASSPHRASE;

use std::path::Path;
use std::process::Command;

use palabre::Palabre;
use palabre::hq::keys;

fn secrets(hq_dir: &Path) -> Vec<String> {
    let signing = std::fs::read_to_string(hq_dir.join(keys::SIGNING_KEY_FILE)).unwrap();
    let age = std::fs::read_to_string(hq_dir.join(keys::AGE_KEY_FILE)).unwrap();
    vec![
        signing.lines().nth(1).unwrap().trim().to_string(),
        age.lines().find(|l| l.starts_with("AGE-SECRET-KEY-")).unwrap().trim().to_string(),
    ]
}

fn assert_no_secret(secrets: &[String], what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "a secret key appears in {what}");
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "a secret key appears in {what}"
        );
    }
}

#[test]
fn key_files_are_private_and_secrets_appear_nowhere_else() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let cli = |db: &str, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_palabre"))
            .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
            .arg("--db")
            .arg(root.join(db))
            .args(args)
            .current_dir(root)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        [out.stdout, out.stderr].concat()
    };
    let mut output = Vec::new();
    output.extend(cli("hq.db", &["init", "--device-name", "HQ"]));
    output.extend(cli("hq.db", &["hq", "init", "--out", "keys", "--programme", "Ségou"]));
    let log = String::from_utf8_lossy(&output).into_owned();
    assert!(log.contains("BACK UP the folder"), "{log}");
    #[cfg(unix)]
    for file in [keys::SIGNING_KEY_FILE, keys::AGE_KEY_FILE] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join("keys").join(file)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{file}");
    }
    output.extend(cli("laptop.db", &["init", "--device-name", "Ségou-01"]));
    output.extend(cli("laptop.db", &["enroll", "keys/enrollment.palabre-hq"]));
    output.extend(cli("laptop.db", &["person", "add", "--name", "Bintou Coulibaly"]));
    std::fs::create_dir(root.join("usb")).unwrap();
    output.extend(cli("laptop.db", &["bundle", "export", "--out", "usb"]));
    let bundle = std::fs::read_dir(root.join("usb")).unwrap().next().unwrap().unwrap().path();
    let out = Command::new(env!("CARGO_BIN_EXE_palabre"))
        .env("PALABRE_PASSPHRASE", common::PASSPHRASE)
        .args(["--db", "hq.db", "bundle", "import"])
        .arg(&bundle)
        .current_dir(root)
        .output()
        .unwrap();
    output.extend(out.stdout);
    output.extend(out.stderr);
    let fingerprint =
        Palabre::open(root.join("laptop.db"), PASSPHRASE).unwrap().device().unwrap().fingerprint;
    output.extend(cli("hq.db", &["device", "trust", &fingerprint]));
    output.extend(cli("hq.db", &["hq", "ack", "--out", "acks"]));
    output.extend(cli("hq.db", &["hq", "status"]));
    let ack = std::fs::read_dir(root.join("acks")).unwrap().next().unwrap().unwrap().path();
    output.extend(cli("laptop.db", &["bundle", "import", ack.to_str().unwrap()]));
    let status = cli("laptop.db", &["hq", "status"]);
    assert!(
        String::from_utf8_lossy(&status).contains("HQ has everything up to"),
        "{}",
        String::from_utf8_lossy(&status)
    );

    let secrets = secrets(&root.join("keys"));
    assert_no_secret(&secrets, "the command output", &output);
    assert_no_secret(
        &secrets,
        "the enrollment file",
        &std::fs::read(root.join("keys/enrollment.palabre-hq")).unwrap(),
    );
    assert_no_secret(&secrets, "the ack", &std::fs::read(&ack).unwrap());
    assert_no_secret(&secrets, "the bundle", &std::fs::read(&bundle).unwrap());
    let hq = Palabre::open(root.join("hq.db"), PASSPHRASE).unwrap();
    let identity = palabre::exchange::seal::age_identity(&root.join("keys")).unwrap();
    let keys = palabre::exchange::seal::Keys { identity: Some(&identity), passphrase: None };
    let plain =
        palabre::exchange::seal::open(&std::fs::read(&bundle).unwrap(), keys, 1 << 20).unwrap();
    assert_no_secret(&secrets, "the decrypted bundle", &plain);
    drop(hq);
    for db in ["hq.db", "laptop.db"] {
        let mut bytes = std::fs::read(root.join(db)).unwrap();
        if let Ok(wal) = std::fs::read(root.join(format!("{db}-wal"))) {
            bytes.extend(wal);
        }
        assert_no_secret(&secrets, db, &bytes);
    }
}
