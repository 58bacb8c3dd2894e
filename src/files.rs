//! Files Palabre writes: whole or not at all, under names any system accepts, named by content.
//! Part of the ground floor (it imports only the errors).

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A device name as it may appear in a file name on any system.
pub fn file_safe(name: &str) -> String {
    let ascii = deunicode::deunicode(name);
    let safe: String = ascii
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
        .collect();
    let trimmed = safe.trim_matches('-');
    if trimmed.is_empty() { "device".to_string() } else { trimmed.to_string() }
}

/// Writes to a temporary file beside `path`, flushes it, then renames it into place.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    through_partial(path, |tmp| {
        let written = std::fs::File::create(tmp).and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
        written.map_err(|source| Error::Io { path: path.to_path_buf(), source })
    })
}

/// Has `write` make the file `.<name>.partial` beside `path`, then renames it over `path` and
/// flushes the folder: the file appears (or is replaced) whole or not at all, also across a
/// power cut, and a failure leaves no partial file.
/// Whatever `write` opens must be closed when it returns (Windows renames no open file).
pub fn through_partial(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("palabre");
    let partial = path.with_file_name(format!(".{name}.partial"));
    let _ = std::fs::remove_file(&partial);
    let result = write(&partial).and_then(|()| {
        std::fs::rename(&partial, path)
            .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        sync_folder(path);
        Ok(())
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// Makes a rename in the folder of `path` durable: after a power cut the folder shows the new
/// file, not the old one (Unix; Windows has no way to flush a folder, and NTFS journals
/// renames). Best effort: a folder that cannot be opened is left as it is.
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(folder) = std::fs::File::open(dir) {
            let _ = folder.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_become_safe_file_names() {
        assert_eq!(file_safe("Ségou-01"), "Segou-01");
        assert_eq!(file_safe("Mopti 02 / bureau"), "Mopti-02---bureau");
        assert_eq!(file_safe("///"), "device");
    }

    #[test]
    fn a_file_is_written_whole_and_leaves_no_partial_copy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.txt");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no .partial left");
        let err = write_atomically(&dir.path().join("missing/x.txt"), b"x").unwrap_err();
        assert_eq!(err.code(), "io");
        assert_eq!(sha256_hex(b"abc").len(), 64);
    }
}

/// The files in `dir` and its folders, three levels down (a USB stick's, a phone's DCIM), whose
/// names end with one of `extensions` (lowercase; matched without regard to case), in name
/// order. Hidden files and folders are skipped, and so are folders that cannot be read
/// ("System Volume Information").
pub fn files_in(dir: &Path, extensions: &[&str]) -> Result<Vec<std::path::PathBuf>> {
    fn walk(
        dir: &Path,
        depth: usize,
        extensions: &[&str],
        out: &mut Vec<std::path::PathBuf>,
    ) -> Result<()> {
        let entries = std::fs::read_dir(dir)
            .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?;
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_lowercase();
            if name.starts_with('.') {
                continue;
            }
            let Ok(kind) = entry.file_type() else { continue };
            if kind.is_dir() {
                if depth > 0 && walk(&path, depth - 1, extensions, out).is_err() {
                    tracing::info!("a folder could not be read; skipped");
                }
            } else if extensions.iter().any(|ext| name.ends_with(ext)) {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, 3, extensions, &mut out)?;
    out.sort();
    Ok(out)
}
