//! The database the window works on. If it cannot be opened (a newer schema, a foreign file), the
//! window still starts and every command answers with that error, so the UI can say what to do.

use palabre::Palabre;

use crate::error::{UiError, UiResult};

pub struct AppState {
    opened: Result<Palabre, UiError>,
}

impl AppState {
    /// Opens the database at `PALABRE_DB`, else the platform data folder (as the CLI does).
    pub fn open_default() -> AppState {
        AppState::open(&palabre::default_db_path())
    }

    pub fn open(path: &std::path::Path) -> AppState {
        AppState { opened: Palabre::open(path).map_err(UiError::from) }
    }

    /// The backup at start, when the newest is a day old. Run off the window's start-up path; a
    /// failure does not stop the app (Settings lists the backups, so a missing one shows).
    pub fn daily_backup(&self) {
        if let Ok(app) = &self.opened
            && let Err(e) = app.backup_if_stale()
        {
            eprintln!("palabre: the daily backup failed: {e}");
        }
    }

    pub fn app(&self) -> UiResult<&Palabre> {
        self.opened.as_ref().map_err(Clone::clone)
    }
}
