//! Shared fixtures of the integration tests.
#![allow(dead_code)]

use palabre::{Palabre, PersonId, PersonInput, SessionId, SessionInput};

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

pub fn session(app: &Palabre, title: &str, date: &str) -> SessionId {
    app.add_session(&SessionInput {
        title: Some(title.into()),
        start_date: Some(date.into()),
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
