//! Opening a saved document in the system's viewer (to print an attendance sheet): the desktop's
//! own opener on each platform. This is desktop integration, not a rule, so it lives in the shell.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{UiError, UiResult};

pub fn open(path: &Path) -> UiResult<()> {
    let mut command = if cfg!(target_os = "windows") {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else if cfg!(target_os = "macos") {
        Command::new("open")
    } else {
        Command::new("xdg-open")
    };
    command.arg(path).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    command.spawn().map(drop).map_err(|e| UiError {
        code: "viewer_unavailable".into(),
        message: format!("No viewer could open {}: {e}. Open it from its folder.", path.display()),
        field: None,
        details: serde_json::Value::Null,
    })
}
