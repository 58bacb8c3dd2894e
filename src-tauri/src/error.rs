//! The error the UI receives: `{code, message, field}`. The UI switches on `code` (and uses
//! `field` to place an inline message); `message` is the core's text, shown only as a fallback.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub field: Option<String>,
}

impl From<palabre::Error> for UiError {
    fn from(e: palabre::Error) -> Self {
        UiError {
            code: e.code().to_string(),
            message: e.to_string(),
            field: e.field().map(str::to_string),
        }
    }
}

impl From<palabre::Invalid> for UiError {
    fn from(e: palabre::Invalid) -> Self {
        palabre::Error::from(e).into()
    }
}

pub type UiResult<T> = Result<T, UiError>;
