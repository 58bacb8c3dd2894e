//! Exchange: moving ops between databases as signed bundles (format, minisign signatures,
//! export, import with quarantine and trust, devices, conflicts). It builds on the journal
//! (`crate::journal`), which knows nothing of it.

pub mod bundle;
pub mod conflicts;
pub mod devices;
pub mod export;
pub mod import;
pub mod minisign;

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;
use serde_json::{Map, Value};

use crate::error::Result;
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
