//! The error the UI receives: `{code, message, field, details}`. The UI switches on `code` (and
//! uses `field` to place an inline message, `details` — a limit, a range — to fill its translated
//! text); `message` is the core's text, shown only as a fallback.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
    pub details: serde_json::Value,
}

impl From<palabre::Error> for UiError {
    /// Logged by its code only: the sentence may quote what was typed (a name).
    fn from(e: palabre::Error) -> Self {
        tracing::warn!(code = e.code(), "command refused");
        UiError {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
            details: e.details(),
        }
    }
}

impl From<palabre::Invalid> for UiError {
    fn from(e: palabre::Invalid) -> Self {
        palabre::Error::from(e).into()
    }
}

pub type UiResult<T> = Result<T, UiError>;
