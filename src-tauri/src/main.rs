// Prevents an extra console window on Windows in release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::ffi::OsString;
use std::process::ExitCode;

/// `palabre-desktop --cli ARGS…` is the command-line tool (the package installs
/// `/usr/bin/palabre` as a two-line script that runs it), so the core is shipped once.
fn main() -> ExitCode {
    if std::env::args_os().nth(1).as_deref() == Some("--cli".as_ref()) {
        let args = std::iter::once(OsString::from("palabre")).chain(std::env::args_os().skip(2));
        return palabre_cli::main_from(args);
    }
    palabre_desktop::run();
    ExitCode::SUCCESS
}
