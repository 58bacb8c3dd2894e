//! The database the window works on. If it cannot be opened (a newer schema, a foreign file), the
//! window still starts and every command answers with that error, so the UI can say what to do.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use palabre::{DatabaseState, Palabre};

use crate::error::{UiError, UiResult};

/// The database starts locked: the window asks for its passphrase (or a new one, for a new or
/// an earlier Palabre's plain database) and `unlock` opens it. Until then every other command
/// answers `locked`.
pub struct AppState {
    path: PathBuf,
    opened: OnceLock<Palabre>,
    /// Why the database cannot be opened at all here (another window holds it).
    refused: Option<UiError>,
    /// One unlock at a time (a double click must not open the database twice).
    unlocking: Mutex<()>,
    /// Held for the life of the window: a second window on the same database is refused (the
    /// single-instance plugin focuses the first one where a session bus exists; this lock holds
    /// everywhere, on Windows too).
    _lock: Option<std::fs::File>,
    /// A form in the window holds input not yet saved (the page says so through `set_unsaved`);
    /// closing the window then asks first.
    unsaved: AtomicBool,
    /// Set by the *Stop* button of an import in progress.
    import_stop: AtomicBool,
}

/// What the unlock screen needs to know.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LockState {
    /// `new`, `plain`, `locked` or `open`.
    pub state: &'static str,
    pub path: PathBuf,
    pub min_passphrase: usize,
    /// Set when the database cannot be opened in this window at all.
    pub refused: Option<UiError>,
}

impl AppState {
    /// The database at `PALABRE_DB`, else the platform data folder (as the CLI does).
    pub fn open_default() -> AppState {
        AppState::open(&palabre::default_db_path())
    }

    /// Takes the window lock of the database at `path`; the database itself stays locked until
    /// `unlock`.
    pub fn open(path: &Path) -> AppState {
        // HQ's server (postgres://…): the window's lock sits beside this desk's replica.
        let (refused, lock) = match lock_database(&palabre::database_file(path)) {
            Ok(lock) => (None, lock),
            Err(refused) => (Some(refused), None),
        };
        AppState {
            path: path.to_path_buf(),
            opened: OnceLock::new(),
            refused,
            unlocking: Mutex::new(()),
            _lock: lock,
            unsaved: AtomicBool::new(false),
            import_stop: AtomicBool::new(false),
        }
    }

    pub fn lock_state(&self) -> LockState {
        let state = if self.opened.get().is_some() {
            "open"
        } else {
            match Palabre::state(&self.path) {
                DatabaseState::New => "new",
                DatabaseState::Plain => "plain",
                DatabaseState::Locked => "locked",
            }
        };
        // HQ's server is named without its password.
        let shown = PathBuf::from(palabre::shown_location(&self.path));
        LockState {
            state,
            path: shown,
            min_passphrase: palabre::MIN_DATABASE_PASSPHRASE,
            refused: self.refused.clone(),
        }
    }

    /// Opens the database with `open` (a passphrase, or HQ's recovery file), once.
    pub fn unlock_with(
        &self,
        open: impl FnOnce(&Path) -> palabre::Result<Palabre>,
    ) -> UiResult<()> {
        if let Some(refused) = &self.refused {
            return Err(refused.clone());
        }
        let _one = self.unlocking.lock().unwrap_or_else(|p| p.into_inner());
        if self.opened.get().is_none() {
            let app = open(&self.path)?;
            let _ = self.opened.set(app);
        }
        Ok(())
    }

    /// The backup at start, when the newest is a day old, once the database is open. Run off
    /// the window's path; a failure does not stop the app (Settings lists the backups, so a
    /// missing one shows).
    pub fn daily_backup(&self) {
        if let Some(app) = self.opened.get()
            && let Err(e) = app.backup_if_stale()
        {
            eprintln!("palabre: the daily backup failed: {e}");
        }
    }

    pub fn app(&self) -> UiResult<&Palabre> {
        if let Some(app) = self.opened.get() {
            return Ok(app);
        }
        Err(self.refused.clone().unwrap_or_else(|| UiError {
            code: "locked".into(),
            message: "Palabre is locked: type the passphrase first.".into(),
            field: None,
            details: serde_json::Value::Null,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn set_unsaved(&self, unsaved: bool) {
        self.unsaved.store(unsaved, Ordering::SeqCst);
    }

    pub fn import_stop(&self) -> &AtomicBool {
        &self.import_stop
    }

    pub fn has_unsaved(&self) -> bool {
        self.unsaved.load(Ordering::SeqCst)
    }
}

/// Takes the window lock of the database at `path` (`<db>.window-lock`, an empty file): refused
/// with `already_open` while another Palabre window holds it. The lock ends with the process,
/// however it ends; a window closed a moment ago may still be shutting down, so a held lock is
/// asked for again for a few seconds before the refusal. A folder where no lock file can be made
/// gets no lock (the database's own errors then speak).
fn lock_database(path: &std::path::Path) -> Result<Option<std::fs::File>, UiError> {
    let mut name = path.as_os_str().to_owned();
    name.push(".window-lock");
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name)
    else {
        return Ok(None);
    };
    let deadline = std::time::Instant::now() + LOCK_PATIENCE;
    let mut held = file.try_lock();
    while matches!(held, Err(std::fs::TryLockError::WouldBlock))
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(100));
        held = file.try_lock();
    }
    match held {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(UiError {
            code: "already_open".into(),
            message: format!(
                "Palabre is already open on {} in another window. Use that window, and close this one.",
                path.display()
            ),
            field: None,
            details: serde_json::Value::Null,
        }),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// How long a start waits for a window that is closing to let go of the database.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// A D-Bus name of the single-instance plugin for this database, so that a second launch on the
/// *same* database focuses the first window and a launch on *another* one opens its own.
pub fn instance_id(path: &std::path::Path) -> String {
    use std::hash::{Hash, Hasher};
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    absolute.hash(&mut hasher);
    format!("org.palabre.desktop.db{:016x}", hasher.finish())
}
