//! Shared fixtures of the integration tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use palabre::{Palabre, PersonId, PersonInput, SessionId, SessionInput};

/// Runs the `palabre` CLI on `db` (a PALABRE_DB of the caller's environment plays no part).
pub fn palabre(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palabre"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("PALABRE_DB")
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

/// A fresh in-memory database with a device identity.
pub fn app() -> Palabre {
    let app = Palabre::open_in_memory().unwrap();
    app.init("Ségou-01").unwrap();
    app
}

/// Everything a write could change: the synced tables, field clocks and the oplog.
pub fn state(app: &Palabre) -> (serde_json::Value, usize) {
    (app.synced_snapshot().unwrap(), app.ops().unwrap().len())
}

/// A *planned* session (the status given: a past date alone would now default to held).
pub fn session(app: &Palabre, title: &str, date: &str) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
        status: Some("planned".into()),
        ..Default::default()
    })
    .unwrap()
}

pub fn person(app: &Palabre, name: &str) -> PersonId {
    app.add_person(&PersonInput {
        full_name: Some(name.into()),
        sex: Some("F".into()),
        ..Default::default()
    })
    .unwrap()
}
