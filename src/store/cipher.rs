//! The encryption of database files (SQLCipher, built into the bundled SQLite): every page of
//! the database, of its write-ahead log and of every copy made from it (`VACUUM INTO`, backups)
//! is encrypted with AES-256 and authenticated with HMAC-SHA512 under one random 32-byte key.
//! The key is given raw (`x'…'`), so opening costs no key derivation here: the passphrase that
//! guards the key is stretched once, by the key file (the lock module).
//!
//! This module only knows files and keys: which files are plain, how to open one with a key, how
//! to turn a plain file into an encrypted one and check the result.

use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// A database key. Zeroed in memory when dropped; never written anywhere unwrapped.
#[derive(Clone)]
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    /// A new random key (the operating system's generator).
    pub fn random() -> DbKey {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::fill(&mut bytes[..]);
        DbKey(bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<DbKey> {
        let array: [u8; 32] = bytes.try_into().ok()?;
        Some(DbKey(Zeroizing::new(array)))
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SQL literal SQLCipher takes for a raw key: `"x'<64 hex digits>'"`, built in a buffer
    /// that is zeroed when dropped (no intermediate copy of the hex digits).
    fn literal(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut text = Zeroizing::new(String::with_capacity(80));
        text.push_str("\"x'");
        for byte in self.0.iter() {
            text.push(HEX[usize::from(byte >> 4)] as char);
            text.push(HEX[usize::from(byte & 15)] as char);
        }
        text.push_str("'\"");
        text
    }
}

impl std::fmt::Debug for DbKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbKey(…)")
    }
}

/// The key file of a database: `palabre.db` → `palabre.db.dbkey` (its format is the lock module's).
pub fn key_file(db: &Path) -> std::path::PathBuf {
    let mut path = db.as_os_str().to_owned();
    path.push(".dbkey");
    std::path::PathBuf::from(path)
}

/// What a database file is, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// No file, or an empty one: a database is yet to be made.
    Missing,
    /// A plain SQLite file (made by a Palabre before encryption, or not Palabre's).
    Plain,
    /// Anything else: an encrypted database (or a file that is not a database at all, which
    /// only a key can tell).
    Encrypted,
}

const PLAIN_HEADER: &[u8; 16] = b"SQLite format 3\0";

pub fn kind(path: &Path) -> FileKind {
    let mut header = [0u8; 16];
    let read = std::fs::File::open(path).and_then(|mut f| {
        let mut n = 0;
        while n < header.len() {
            match f.read(&mut header[n..])? {
                0 => break,
                got => n += got,
            }
        }
        Ok(n)
    });
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => FileKind::Missing,
        Ok(0) => FileKind::Missing,
        // A file that exists but cannot be read now (permissions, a lock, a disk error) is not
        // "no database": opening it reports the real error, and no new key is made over it.
        Err(_) => FileKind::Encrypted,
        Ok(16) if &header == PLAIN_HEADER => FileKind::Plain,
        Ok(_) => FileKind::Encrypted,
    }
}

/// Registers the collation Palabre's schema names (a copy cannot be read or written without it).
pub fn register_collation(conn: &Connection) -> Result<()> {
    conn.create_collation(crate::model::names::COLLATION, crate::model::names::compare)?;
    Ok(())
}

/// Gives `conn` its key: the first statement on a new connection.
pub fn apply(conn: &Connection, key: &DbKey) -> Result<()> {
    let mut statement = Zeroizing::new(String::with_capacity(96));
    statement.push_str("PRAGMA key = ");
    statement.push_str(&key.literal());
    statement.push(';');
    // SQLCipher very rarely refuses a good key ("PRAGMA key requires a key of one or more
    // characters"), seen only under the test suite's parallel load, never alone; the cause is
    // not found (a race in setting up its crypto provider is suspected). The statement is tried
    // up to three times before the error is reported.
    let mut tries = 0;
    loop {
        match conn.execute_batch(&statement) {
            Ok(()) => return Ok(()),
            Err(e) if tries < 2 && e.to_string().contains("PRAGMA key requires a key") => {
                tries += 1;
                tracing::warn!(tries, "SQLCipher refused the key while setting up; trying again");
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Whether `conn`'s key opens its file (SQLCipher only finds out at the first read). Other
/// failures (a read-only disk, a busy file) are errors of their own.
pub fn opens(conn: &Connection) -> Result<bool> {
    match conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(true),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Opens an existing database file with `key`, or without one if the file is plain (an older
/// Palabre's backup). `None` when the key does not open it.
pub fn open_file(path: &Path, key: &DbKey, flags: OpenFlags) -> Result<Option<Connection>> {
    let conn = Connection::open_with_flags(path, flags)?;
    register_collation(&conn)?;
    if kind(path) != FileKind::Plain {
        apply(&conn, key)?;
    }
    Ok(opens(&conn)?.then_some(conn))
}

/// Copies the plain database at `plain` into a new encrypted file `target` (SQLCipher's
/// `sqlcipher_export`: schema, rows, user version and application id), then checks the copy:
/// it opens with `key`, is sound, and holds as many rows in every table as the original.
pub fn encrypt_copy(plain: &Path, target: &Path, key: &DbKey) -> Result<()> {
    // The copy is made from its side: a new keyed file that attaches the plain one (key '':
    // no encryption) and exports it into itself. The plain file is only read, so it may sit on
    // read-only media; pages still in its write-ahead log are read through it.
    {
        let copy = Connection::open(target)?;
        register_collation(&copy)?;
        apply(&copy, key)?;
        copy.execute("ATTACH DATABASE ?1 AS plain KEY ''", [plain.to_string_lossy()])?;
        let exported = copy
            .query_row("SELECT sqlcipher_export('main', 'plain')", [], |_| Ok(()))
            .map_err(Error::from);
        exported?;
        // The header fields Palabre reads are set by hand: the export does not carry them
        // into `main`.
        for pragma in ["user_version", "application_id"] {
            let value: i64 = copy.query_row(&format!("PRAGMA plain.{pragma}"), [], |r| r.get(0))?;
            copy.execute_batch(&format!("PRAGMA main.{pragma} = {value};"))?;
        }
        copy.execute_batch("DETACH DATABASE plain;")?;
    }
    let conn = Connection::open_with_flags(plain, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let copy = open_file(target, key, OpenFlags::SQLITE_OPEN_READ_ONLY)?.ok_or_else(|| {
        Error::NotADatabase {
            path: target.into(),
            reason: "the encrypted copy does not open".into(),
        }
    })?;
    let differs = |what: &str| Error::NotADatabase {
        path: target.to_path_buf(),
        reason: format!(
            "the encrypted copy differs from the original ({what}); the original was kept"
        ),
    };
    let integrity: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(differs(&integrity));
    }
    for pragma in ["user_version", "application_id"] {
        let read =
            |c: &Connection| c.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get::<_, i64>(0));
        if read(&conn)? != read(&copy)? {
            return Err(differs(pragma));
        }
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let count = |c: &Connection| {
            c.query_row(
                &format!("SELECT count(*) FROM \"{}\"", table.replace('"', "\"\"")),
                [],
                |r| r.get::<_, i64>(0),
            )
        };
        if count(&conn)? != count(&copy)? {
            return Err(differs(&format!("rows of {table}")));
        }
    }
    Ok(())
}

/// Overwrites a file with zeros (before it is removed), so that on a spinning disk its plain
/// content does not stay readable in free space. (A solid-state disk may keep old blocks anyway:
/// the README says so.)
pub fn overwrite_with_zeros(path: &Path) -> Result<()> {
    let io = |source| Error::Io { path: path.to_path_buf(), source };
    let file = std::fs::OpenOptions::new().write(true).open(path).map_err(io)?;
    zero(&file).map_err(io)
}

/// Overwrites the whole of an open file with zeros.
pub fn zero(file: &std::fs::File) -> std::io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    let len = file.metadata()?.len();
    let mut file = file;
    file.seek(SeekFrom::Start(0))?;
    let zeros = vec![0u8; 64 * 1024];
    let mut left = len;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n])?;
        left -= n as u64;
    }
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_encrypted_copy_holds_everything_and_shows_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.db");
        let conn = Connection::open(&plain).unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 42; PRAGMA user_version = 3;
             CREATE TABLE t (name TEXT); INSERT INTO t VALUES ('Aminata Traoré');
             CREATE VIRTUAL TABLE f USING fts5(name); INSERT INTO f VALUES ('Aminata');",
        )
        .unwrap();
        drop(conn);
        assert_eq!(kind(&plain), FileKind::Plain);
        let key = DbKey::random();
        let target = dir.path().join("encrypted.db");
        encrypt_copy(&plain, &target, &key).unwrap();
        assert_eq!(kind(&target), FileKind::Encrypted);
        let bytes = std::fs::read(&target).unwrap();
        assert!(!bytes.windows(7).any(|w| w == b"Aminata"), "no name in the encrypted file");
        let copy = open_file(&target, &key, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap().unwrap();
        let name: String = copy.query_row("SELECT name FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(name, "Aminata Traoré");
        let found: i64 = copy
            .query_row("SELECT count(*) FROM f WHERE f MATCH 'amin*'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(found, 1, "full-text search works on the copy");
        let version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        let app: i64 = copy.query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap();
        assert_eq!((version, app), (3, 42));
        // Another key does not open it; a missing file is Missing.
        assert!(
            open_file(&target, &DbKey::random(), OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap()
                .is_none()
        );
        assert_eq!(kind(&dir.path().join("none.db")), FileKind::Missing);
    }
}
