//! Shared fixtures of the CLI's integration tests: the core's fixtures (tests/common/mod.rs,
//! written once) and the runners of the `palabre` binary.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

#[path = "../../../tests/common/mod.rs"]
mod core_fixtures;
// Not every test file uses the core's fixtures: an unused glob re-export would warn.
#[allow(unused_imports)]
pub use core_fixtures::*;

/// Runs the `palabre` CLI on `db` (a PALABRE_DB of the caller's environment plays no part).
pub fn palabre(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palabre"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("PALABRE_DB")
        .env("PALABRE_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap()
}

/// `palabre` as (exit code, stdout, stderr).
pub fn palabre_text(db: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = palabre(db, args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
