//! Logs, for the programme's IT person when a laptop misbehaves: one file a day in `logs/`
//! beside the database (`palabre.log.YYYY-MM-DD`, the newest `KEEP` kept), written by both front
//! ends. Lines hold ids, counts, error codes and timings — **never** a participant's name, phone,
//! community or note, nor an error's sentence (which may quote what was typed): call sites log
//! codes and numbers only, and `cli/tests/logs.rs` plants a name and searches every log file for it.

use std::path::{Path, PathBuf};

/// Log files kept (one a day).
pub const KEEP: usize = 14;
const PREFIX: &str = "palabre.log";

/// The log folder of the database at `db`: `logs/` beside it.
pub fn dir_of(db: &Path) -> PathBuf {
    db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("logs")
}

/// Starts logging to `dir_of(db)` for this process (`program`: "desktop" or "cli"). Once per
/// process; a folder that cannot be written leaves the program running without a log.
pub fn init(db: &Path, program: &'static str) {
    let dir = dir_of(db);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let Ok(appender) = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(PREFIX)
        .max_log_files(KEEP)
        .build(&dir)
    else {
        return;
    };
    let installed = tracing_subscriber::fmt()
        .with_writer(appender)
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::INFO)
        .try_init();
    if installed.is_ok() {
        tracing::info!(program, version = env!("CARGO_PKG_VERSION"), "started");
    }
}

/// The last `lines` lines of the log files of the database at `db`, oldest first.
pub fn tail(db: &Path, lines: usize) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir_of(db)) else { return Vec::new() };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(PREFIX)))
        .collect();
    files.sort();
    let mut out: Vec<String> = Vec::new();
    for file in files.iter().rev() {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let mut these: Vec<String> = text.lines().map(str::to_string).collect();
        these.append(&mut out);
        out = these;
        if out.len() >= lines {
            break;
        }
    }
    let skip = out.len().saturating_sub(lines);
    out.split_off(skip)
}
