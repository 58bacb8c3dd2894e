//! The lock on a laptop's data. The database and every copy of it are encrypted with one random
//! key (`store::cipher`); that key lives only in the key file beside the database,
//! `palabre.db.dbkey`, in two locked copies:
//! - one locked with the passphrase chosen at set-up: an age file with a scrypt recipient
//!   (memory-hard like Argon2id: 2^18 × 1 KiB = 256 MiB and about a second per try here), which
//!   the `age` tool itself can open;
//! - once the laptop is enrolled, one sealed to HQ's age key: when the facilitator forgets her
//!   passphrase she writes a *recovery request* (that sealed copy, nothing else) to a stick, HQ
//!   opens it and writes a *recovery file* locked with a one-time code it reads to her by phone,
//!   and she sets a new passphrase with it.
//!
//! Changing the passphrase rewrites the key file only: the key, the database and the backups stay
//! as they are. This module knows files and passphrases; opening the database is the facade's.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Invalid, Result};
use crate::files::through_partial;
use crate::store::cipher::{self, DbKey, FileKind};

/// The shortest passphrase accepted for a database.
pub const MIN_PASSPHRASE: usize = 8;
/// scrypt's work factor (log2 of N) for the passphrase copy. In debug builds only, the
/// environment variable `PALABRE_KDF_WORK_FACTOR` lowers it for the test suite (which opens
/// databases thousands of times); the factor used is recorded in the key file, so opening always
/// follows it.
const WORK_FACTOR: u8 = 18;
/// The highest work factor a key file may ask for (a damaged or hostile file could otherwise make
/// opening take hours).
const MAX_WORK_FACTOR: u8 = 22;

const KEY_FILE_KIND: &str = "palabre-database-key";
const REQUEST_KIND: &str = "palabre-recovery-request";
const RECOVERY_KIND: &str = "palabre-recovery";

/// Where a database stands before it is opened: what the window and the CLI ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    /// No database yet: choose a passphrase (twice) to make one.
    New,
    /// A database made by a Palabre before encryption: choose a passphrase, and it is encrypted
    /// in place (a backup first).
    Plain,
    /// An encrypted database: type its passphrase.
    Locked,
}

pub fn state(db: &Path) -> DatabaseState {
    match cipher::kind(db) {
        FileKind::Missing => DatabaseState::New,
        FileKind::Plain => DatabaseState::Plain,
        FileKind::Encrypted => DatabaseState::Locked,
    }
}

pub use cipher::key_file;

/// The key file's contents (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyFile {
    kind: String,
    version: u32,
    note: String,
    /// Names the key without revealing it: the first 8 bytes of its SHA-256, in hex.
    key_id: String,
    /// The key locked with the passphrase (an armored age file, scrypt recipient).
    passphrase: String,
    /// The key sealed to HQ's age key, once enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recovery: Option<Sealed>,
}

/// The key sealed to one HQ.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Sealed {
    hq_recipient: String,
    sealed: String,
}

/// What a facilitator carries to HQ when her passphrase is forgotten.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Request {
    kind: String,
    version: u32,
    note: String,
    key_id: String,
    database: String,
    hq_recipient: String,
    sealed: String,
}

/// What HQ gives back: the key locked with a one-time code.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Recovery {
    kind: String,
    version: u32,
    note: String,
    key_id: String,
    key: String,
}

fn key_id(key: &DbKey) -> String {
    crate::files::sha256_hex(key.bytes())[..16].to_string()
}

pub(crate) fn check_new(passphrase: &str) -> Result<()> {
    let len = passphrase.chars().count();
    if len < MIN_PASSPHRASE {
        return Err(Invalid::PassphraseTooShort { len, min: MIN_PASSPHRASE }.into());
    }
    Ok(())
}

/// The work factor for a new passphrase copy. Only debug builds (the test suite) read
/// `PALABRE_KDF_WORK_FACTOR`; a release build always uses the full factor.
fn work_factor() -> u8 {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("PALABRE_KDF_WORK_FACTOR")
        .ok()
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|n| (1..=WORK_FACTOR).contains(n))
    {
        return n;
    }
    WORK_FACTOR
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

/// Locks `secret` with a passphrase: an armored age file.
fn lock_with(secret: &[u8], passphrase: &str) -> Result<String> {
    let mut recipient = age::scrypt::Recipient::new(SecretString::from(passphrase.to_owned()));
    recipient.set_work_factor(work_factor());
    encrypt(std::iter::once(&recipient as &dyn age::Recipient), secret)
}

fn seal_to(secret: &[u8], hq_recipient: &str) -> Result<String> {
    let recipient: age::x25519::Recipient = hq_recipient.parse().map_err(|_| Error::Recovery {
        reason: "HQ's encryption key in the enrollment is not an age key".into(),
    })?;
    encrypt(std::iter::once(&recipient as &dyn age::Recipient), secret)
}

fn encrypt<'a>(
    recipients: impl Iterator<Item = &'a dyn age::Recipient>,
    secret: &[u8],
) -> Result<String> {
    let failed = |e: String| Error::Io { path: "key".into(), source: std::io::Error::other(e) };
    let encryptor =
        age::Encryptor::with_recipients(recipients).map_err(|e| failed(e.to_string()))?;
    let mut out = Vec::new();
    let armor = age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
        .map_err(|e| failed(e.to_string()))?;
    let mut writer = encryptor.wrap_output(armor).map_err(|e| failed(e.to_string()))?;
    writer
        .write_all(secret)
        .and_then(|()| writer.finish())
        .and_then(|armor| armor.finish())
        .map_err(|e| failed(e.to_string()))?;
    Ok(String::from_utf8(out).expect("armor is ASCII"))
}

/// Opens an armored age file with `identity`; `None` when it does not open.
fn decrypt(armored: &str, identity: &dyn age::Identity) -> Option<DbKey> {
    let decryptor =
        age::Decryptor::new_buffered(age::armor::ArmoredReader::new(armored.as_bytes())).ok()?;
    let mut reader = decryptor.decrypt(std::iter::once(identity)).ok()?;
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    reader.by_ref().take(64).read_to_end(&mut plain).ok()?;
    DbKey::from_bytes(&plain)
}

fn passphrase_identity(passphrase: &str) -> age::scrypt::Identity {
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    identity
}

fn read(db: &Path) -> Result<KeyFile> {
    let path = key_file(db);
    let bad = |reason: &str| Error::DatabaseKey { path: path.clone(), reason: reason.to_string() };
    if !path.exists() {
        return Err(bad(
            "it is missing. Put back beside the database the copy kept with it (a manual backup writes one beside itself, `<file>.dbkey`); without it the database cannot be opened, not even by HQ",
        ));
    }
    let text = crate::device::read_private(&path).map_err(|e| match e {
        Error::KeyFile { reason, .. } => bad(&reason),
        other => other,
    })?;
    let file: KeyFile =
        serde_json::from_str(&text).map_err(|_| bad("it is damaged (not a Palabre key file)"))?;
    if file.kind != KEY_FILE_KIND || file.version != 1 {
        return Err(bad("it is not a Palabre database key file of a version this Palabre reads"));
    }
    Ok(file)
}

fn write(db: &Path, file: &KeyFile) -> Result<()> {
    let path = key_file(db);
    let text = serde_json::to_string_pretty(file).expect("key file serialises");
    through_partial(&path, |partial| crate::device::write_private(partial, &format!("{text}\n")))
}

fn note(db: &Path) -> String {
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(
        "The key of {name}, locked with its passphrase. Without this file the database cannot be opened: keep it beside the database, and copy it with every copy of the database."
    )
}

/// Holds `<db>.dbkey.lock` for as long as the returned file lives: while a key is made or a
/// plain database is encrypted, so that two programs opening the same new database (the window
/// and the command line) never make two keys for it. Creates the database's folder if needed.
pub fn hold(db: &Path) -> Result<std::fs::File> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    }
    let mut name = key_file(db).into_os_string();
    name.push(".lock");
    let path = PathBuf::from(name);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    file.lock().map_err(io_error(&path))?;
    Ok(file)
}

/// Makes a new random key for the database at `db` and writes its key file, locked with
/// `passphrase`. A key file already there (its database deleted or moved) is not overwritten
/// but renamed `….dbkey.replaced-<time>`: backups made with it stay readable with it.
pub fn create(db: &Path, passphrase: &str) -> Result<DbKey> {
    check_new(passphrase)?;
    let path = key_file(db);
    if path.exists() {
        let mut aside = path.as_os_str().to_owned();
        aside.push(format!(".replaced-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S")));
        std::fs::rename(&path, &aside).map_err(io_error(&path))?;
    }
    let key = DbKey::random();
    let file = KeyFile {
        kind: KEY_FILE_KIND.into(),
        version: 1,
        note: note(db),
        key_id: key_id(&key),
        passphrase: lock_with(key.bytes(), passphrase)?,
        recovery: None,
    };
    write(db, &file)?;
    Ok(key)
}

/// Encrypts in place the plain database at `db`, made by a Palabre before encryption, with a
/// new key locked with `passphrase`. Nothing is changed unless the file is a Palabre database
/// this version reads. Then, in order: the key file; an encrypted backup (`…-encryption.db`);
/// an encrypted copy, checked row by row, that replaces the database; the plain file's content
/// overwritten with zeros; the plain backups encrypted the same way. A stop at any point leaves
/// either the plain database or the encrypted one whole, and the next start carries on.
pub fn encrypt_in_place(db: &Path, passphrase: &str) -> Result<DbKey> {
    check_new(passphrase)?;
    {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        crate::store::migrations::check_version(&conn, db)?;
    }
    // A key file left by an encryption cut short keeps its key when this passphrase opens it,
    // so the encrypted backup made then stays readable.
    let key = match unlock(db, passphrase) {
        Ok(key) => key,
        Err(_) => create(db, passphrase)?,
    };
    let dir = crate::backup::dir_of(db);
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let first = dir.join(crate::backup::automatic_name(db, "encryption"));
    through_partial(&first, |partial| cipher::encrypt_copy(db, partial, &key))?;
    replace_with_encrypted(db, &key)?;
    for leftover in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(leftover);
        let path = PathBuf::from(name);
        if path.exists() {
            cipher::overwrite_with_zeros(&path)?;
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    tracing::info!("database encrypted in place");
    encrypt_plain_backups(db, &key)?;
    Ok(key)
}

/// Replaces the plain file at `path` with an encrypted, checked copy. On Unix the plain content
/// is then overwritten with zeros through a handle opened before the swap (the old file's blocks,
/// not the new file's). Windows does not replace a file that is open, so there the plain file is
/// only replaced (the README says its blocks may survive on the disk).
fn replace_with_encrypted(path: &Path, key: &DbKey) -> Result<()> {
    #[cfg(unix)]
    let old = Some(
        std::fs::OpenOptions::new().read(true).write(true).open(path).map_err(io_error(path))?,
    );
    #[cfg(not(unix))]
    let old: Option<std::fs::File> = None;
    through_partial(path, |partial| cipher::encrypt_copy(path, partial, key))?;
    if let Some(old) = old {
        cipher::zero(&old).map_err(io_error(path))?;
    }
    Ok(())
}

/// Encrypts the automatic backups of `db` that are still plain (made by an earlier Palabre).
/// One that cannot be read is left as it is and logged.
pub fn encrypt_plain_backups(db: &Path, key: &DbKey) -> Result<()> {
    for backup in crate::backup::list(db)? {
        if cipher::kind(&backup.path) != FileKind::Plain {
            continue;
        }
        if let Err(e) = replace_with_encrypted(&backup.path, key) {
            tracing::warn!(file = %backup.file_name, code = e.code(), "plain backup not encrypted");
        }
    }
    Ok(())
}

/// The key of the database at `db`, unlocked with its passphrase.
pub fn unlock(db: &Path, passphrase: &str) -> Result<DbKey> {
    let file = read(db)?;
    let key = decrypt(&file.passphrase, &passphrase_identity(passphrase))
        .ok_or_else(|| Error::WrongPassphrase { path: db.to_path_buf() })?;
    if key_id(&key) != file.key_id {
        return Err(Error::DatabaseKey {
            path: key_file(db),
            reason: "it is damaged (its key does not match its own id)".into(),
        });
    }
    Ok(key)
}

/// The facade's `change_passphrase`: checks the current passphrase, then locks the key with
/// the new one.
pub(crate) fn change(app: &crate::Palabre, current: &str, new: &str) -> Result<()> {
    let (Some(db), Some(key)) = (app.path(), app.store().key()) else { return Ok(()) };
    check_new(new)?;
    unlock(db, current)?;
    change_passphrase(db, key, new)?;
    tracing::info!("passphrase changed");
    Ok(())
}

/// Locks the key with a new passphrase; the copy for HQ stays as it is.
pub fn change_passphrase(db: &Path, key: &DbKey, new_passphrase: &str) -> Result<()> {
    check_new(new_passphrase)?;
    let mut file = read(db)?;
    file.passphrase = lock_with(key.bytes(), new_passphrase)?;
    write(db, &file)
}

/// Seals a copy of the key to HQ's age key, unless one for that key is already there.
pub fn add_recovery(db: &Path, key: &DbKey, hq_recipient: &str) -> Result<bool> {
    let mut file = read(db)?;
    if file.recovery.as_ref().is_some_and(|r| r.hq_recipient == hq_recipient) {
        return Ok(false);
    }
    file.recovery = Some(Sealed {
        hq_recipient: hq_recipient.into(),
        sealed: seal_to(key.bytes(), hq_recipient)?,
    });
    write(db, &file)?;
    Ok(true)
}

/// True when the key file holds a copy sealed to HQ.
pub fn has_recovery(db: &Path) -> bool {
    read(db).is_ok_and(|f| f.recovery.is_some())
}

/// Writes the recovery request of the database at `db` into the folder `out`: the copy of the
/// key sealed to HQ, which only HQ's secret key opens.
pub fn write_request(db: &Path, out: &Path) -> Result<PathBuf> {
    let file = read(db)?;
    let sealed = file.recovery.ok_or(Error::NoRecovery)?;
    let request = Request {
        kind: REQUEST_KIND.into(),
        version: 1,
        note: "A Palabre recovery request: take it to HQ. It holds no data and no passphrase; only HQ's secret key opens it.".into(),
        key_id: file.key_id.clone(),
        database: db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        hq_recipient: sealed.hq_recipient,
        sealed: sealed.sealed,
    };
    std::fs::create_dir_all(out).map_err(io_error(out))?;
    let path = out.join(format!("recovery-request-{}.palabre-recovery-request", file.key_id));
    write_document(&path, &request)?;
    Ok(path)
}

/// Writes a request or a recovery file (JSON), whole or not at all.
fn write_document(path: &Path, document: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(document).expect("a document serialises");
    crate::files::write_atomically(path, text.as_bytes())
}

/// Reads a request or a recovery file: `None` when it is not JSON of that kind (`is_kind`).
fn read_document<T: serde::de::DeserializeOwned>(
    path: &Path,
    is_kind: impl Fn(&T) -> bool,
) -> Result<Option<T>> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    Ok(serde_json::from_slice(&bytes).ok().filter(is_kind))
}

/// What HQ made for a facilitator: the recovery file, and the one-time code to read to her by
/// phone (never written into the file or a log).
#[derive(Debug, Clone, Serialize)]
pub struct RecoveryMade {
    pub path: PathBuf,
    pub code: String,
    pub key_id: String,
}

/// At HQ: opens a recovery request with HQ's age identity and writes, into the folder `out`, a
/// recovery file locked with a new one-time code.
pub fn answer_request(
    request: &Path,
    identity: &age::x25519::Identity,
    out: &Path,
) -> Result<RecoveryMade> {
    let bad = |reason: &str| Error::Recovery { reason: reason.to_string() };
    let request: Request =
        read_document(request, |r: &Request| r.kind == REQUEST_KIND && r.version == 1)?
            .ok_or_else(|| bad("the file is not a Palabre recovery request"))?;
    if request.hq_recipient != identity.to_public().to_string() {
        return Err(bad("the request was sealed to another HQ key than this HQ's"));
    }
    let key = decrypt(&request.sealed, identity)
        .ok_or_else(|| bad("it does not open with this HQ's key (damaged or altered)"))?;
    if key_id(&key) != request.key_id {
        return Err(bad("its key does not match its id (damaged or altered)"));
    }
    let code = one_time_code();
    let recovery = Recovery {
        kind: RECOVERY_KIND.into(),
        version: 1,
        note: "A Palabre recovery file from HQ. Open the locked database with it and the code HQ reads to you, then choose a new passphrase.".into(),
        key_id: request.key_id.clone(),
        key: lock_with(key.bytes(), &code)?,
    };
    std::fs::create_dir_all(out).map_err(io_error(out))?;
    let path = out.join(format!("recovery-{}.palabre-recovery", request.key_id));
    write_document(&path, &recovery)?;
    Ok(RecoveryMade { path, code, key_id: request.key_id })
}

/// 16 characters in four groups (79 bits), from an alphabet without look-alikes (no 0/O, 1/I/L),
/// easy to read over a bad phone line.
fn one_time_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let chars: Vec<char> =
        (0..16).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    in_groups(&chars)
}

/// A code's characters in groups of four joined by dashes: its written form.
fn in_groups(chars: &[char]) -> String {
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The key of the database at `db` from HQ's recovery file and its code, after checking that
/// the file is for this database.
pub fn unlock_with_recovery(db: &Path, recovery: &Path, code: &str) -> Result<DbKey> {
    let bad = |reason: &str| Error::Recovery { reason: reason.to_string() };
    let recovery: Recovery =
        read_document(recovery, |r: &Recovery| r.kind == RECOVERY_KIND && r.version == 1)?
            .ok_or_else(|| bad("the file is not a Palabre recovery file"))?;
    let file = read(db)?;
    if recovery.key_id != file.key_id {
        return Err(bad(
            "it is for another database (its key id differs); ask HQ for the file made from this laptop's request",
        ));
    }
    let code = normalize_code(code);
    decrypt(&recovery.key, &passphrase_identity(&code))
        .filter(|key| key_id(key) == file.key_id)
        .ok_or_else(|| bad("the code does not open it; check the code HQ read to you (letters and digits, dashes included)"))
}

/// A code as typed (any case, with or without dashes or spaces) in its written form.
fn normalize_code(typed: &str) -> String {
    let chars: Vec<char> =
        typed.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    in_groups(&chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_opens_with_its_passphrase_only_and_survives_a_change() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        assert_eq!(state(&db), DatabaseState::New);
        let err = create(&db, "court").unwrap_err();
        assert_eq!(err.code(), "passphrase_too_short");
        let key = create(&db, "sable de Tombouctou").unwrap();
        assert_eq!(unlock(&db, "sable de Tombouctou").unwrap().bytes(), key.bytes());
        assert_eq!(unlock(&db, "sable de tombouctou").unwrap_err().code(), "wrong_passphrase");
        change_passphrase(&db, &key, "fleuve Niger 2026").unwrap();
        assert_eq!(unlock(&db, "fleuve Niger 2026").unwrap().bytes(), key.bytes());
        assert_eq!(unlock(&db, "sable de Tombouctou").unwrap_err().code(), "wrong_passphrase");
        let text = std::fs::read_to_string(key_file(&db)).unwrap();
        assert!(!text.contains(&hex::encode(key.bytes())), "the key is never written in clear");
    }

    #[test]
    fn hq_recovers_a_forgotten_passphrase_with_a_one_time_code() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("p.db");
        let key = create(&db, "sable de Tombouctou").unwrap();
        assert_eq!(write_request(&db, dir.path()).unwrap_err().code(), "no_recovery");
        let hq = age::x25519::Identity::generate();
        let recipient = hq.to_public().to_string();
        assert!(add_recovery(&db, &key, &recipient).unwrap());
        assert!(!add_recovery(&db, &key, &recipient).unwrap(), "added once");
        let request = write_request(&db, &dir.path().join("stick")).unwrap();
        // Another HQ cannot answer it.
        let other = age::x25519::Identity::generate();
        assert_eq!(
            answer_request(&request, &other, dir.path()).unwrap_err().code(),
            "bad_recovery"
        );
        let made = answer_request(&request, &hq, &dir.path().join("back")).unwrap();
        assert_eq!(made.code.len(), 19);
        let text = std::fs::read_to_string(&made.path).unwrap();
        assert!(!text.contains(&made.code), "the code is not in the file");
        let wrong = unlock_with_recovery(&db, &made.path, "AAAA-BBBB-CCCC-DDDD").unwrap_err();
        assert_eq!(wrong.code(), "bad_recovery");
        // Typed in lower case, without its dashes, with spaces: still the code.
        let typed = format!(" {} ", made.code.to_lowercase().replace('-', " "));
        let back = unlock_with_recovery(&db, &made.path, &typed).unwrap();
        assert_eq!(back.bytes(), key.bytes());
        // A recovery file for another database is refused.
        let other_db = dir.path().join("q.db");
        create(&other_db, "une autre phrase").unwrap();
        let err = unlock_with_recovery(&other_db, &made.path, &made.code).unwrap_err();
        assert_eq!(err.code(), "bad_recovery");
    }
}
