//! Exchange: what every laptop does to move data — the bundle format and its minisign signatures,
//! sealing to HQ, export, import with quarantine and trust, devices, conflicts, the documents HQ
//! signs (enrollment, acknowledgements) and applying them. It builds on the journal
//! (the `journal` module), which knows nothing of it; HQ's own work (the `hq` module) builds on it, and
//! nothing here imports `hq`.

pub mod ack;
pub mod bundle;
pub mod compact;
pub mod conflicts;
pub mod devices;
pub mod documents;
pub mod downlink;
pub mod enrollment;
pub mod export;
pub mod import;
pub mod minisign;
pub mod seal;

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::journal::clock::RowClock;
use crate::journal::schema::Entity;

/// Every synced row (with its field clocks) and the contested fields as JSON, in a stable order (see `Palabre::synced_snapshot`).
pub fn snapshot(conn: &Connection) -> Result<Value> {
    let mut out = Map::new();
    for entity in Entity::ALL {
        let columns: Vec<&str> = std::iter::once("id")
            .chain(entity.fields().iter().map(|f| f.name))
            .chain(["clocks"])
            .collect();
        let sql = format!("SELECT {} FROM {} ORDER BY id", columns.join(", "), entity.table());
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt
            .query_map([], |r| {
                let mut row = Map::new();
                for (i, column) in columns.iter().enumerate() {
                    let value = match r.get::<_, SqlValue>(i)? {
                        // Clocks compare as what they say, whichever version wrote them.
                        SqlValue::Blob(b) if *column == "clocks" => {
                            Value::from(RowClock::decode(Some(&b), entity.fields().len()).encode())
                        }
                        SqlValue::Null => Value::Null,
                        SqlValue::Integer(n) => Value::from(n),
                        SqlValue::Real(x) => Value::from(x),
                        SqlValue::Text(s) => Value::from(s),
                        SqlValue::Blob(b) => Value::from(b),
                    };
                    row.insert((*column).to_string(), value);
                }
                Ok(Value::Object(row))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        out.insert(entity.table().to_string(), Value::Array(rows));
    }
    let mut stmt = conn.prepare(
        "SELECT entity, row_id, field, device_id, hlc, op_seq FROM contested ORDER BY entity, row_id, field, device_id",
    )?;
    let contested = stmt
        .query_map([], |r| {
            Ok(serde_json::json!([
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?
            ]))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    out.insert("contested".into(), Value::Array(contested));
    Ok(Value::Object(out))
}
