//! Shared by the benchmarks: registering many people the way an HQ import does, through the
//! merge of ops, so that the tables and the search index are the real ones.
#![allow(dead_code)]

use palabre::journal::hlc::Hlc;
use palabre::journal::schema::Entity;
use palabre::{DeviceId, Op, Palabre};
use serde_json::Value;
use uuid::Uuid;

/// Appends the ops that register one person with these fields; returns the person's row id.
pub fn register(ops: &mut Vec<Op>, device: DeviceId, fields: Vec<(&str, Value)>) -> Uuid {
    let row = Uuid::now_v7();
    for (field, value) in fields {
        let seq = ops.len() as i64 + 1;
        ops.push(Op {
            device_id: device,
            op_seq: seq,
            hlc: Hlc::new(1_700_000_000_000 + seq, 0),
            entity: Entity::Person,
            row_id: row,
            field: field.into(),
            value,
            prev_hlc: None,
            prev_device: None,
        });
    }
    row
}

/// A fresh in-memory database and its device.
pub fn database() -> (Palabre, DeviceId) {
    let app = Palabre::open_in_memory().unwrap();
    let me = app.init("Bench").unwrap();
    (app, me.device_id)
}
