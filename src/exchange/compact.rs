//! The changes of a format 3 bundle, compactly: `rows.jsonl.zst`. Ops that follow each other on
//! the same row (a new person is a dozen of them) become one line, which names the entity and
//! the row once; each field then gives its name, its value and how far its clock moved since the
//! op before. The device and the op numbers are the manifest's (the ops of a bundle are its
//! device's, numbered from `first_seq` without gaps), so no line repeats them. The text is
//! compressed with zstd (`zstd`). Format 1 and 2 bundles (`ops.jsonl`, one op a line) are still
//! read.
//!
//! ```text
//! ["palabre-rows",1,["<device uuid>", …]]          header: devices named by previous stamps
//! ["person","<row uuid>",[["full_name","Awa",812345],["sex","F",1],…]]
//! ["person","<row uuid>",[["phone","76 12 34 56",90000,<prev hlc>,1]]]
//! ```
//!
//! A field is `[name, value, hlc step]`, or `[name, value, hlc step, previous hlc, previous
//! device]` when it had an owner; the previous device is 0 for the bundle's own device, or its
//! place (from 1) in the header's list. Decoding is strict: unknown shapes, a step that
//! overflows, a device index out of range, an empty row, more text than the limit once
//! decompressed, are refused; every op then passes the same checks as a format 1 op.

use std::io::{Read, Write};

use serde_json::{Value, json};
use uuid::Uuid;

use crate::error::Rejection;
use crate::journal::hlc::Hlc;
use crate::journal::oplog::Op;
use crate::journal::schema::Entity;
use crate::model::ids::DeviceId;

/// The entry's name in the zip.
pub const ENTRY: &str = "rows.jsonl.zst";
const HEADER: &str = "palabre-rows";
/// zstd's level. Measured by `benches/export.rs`: level 12 made 100,000 ops 0.24 MB but export
/// 70 % slower than one op a line; level 3 makes them 0.29 MB (the target is 1.5 MB) and export
/// faster than before.
const LEVEL: i32 = 3;
/// The largest window the decoder accepts (2^27 bytes: more than any level up to 19 uses).
const WINDOW_LOG_MAX: u32 = 27;

fn bad(line: usize, reason: impl Into<String>) -> Rejection {
    Rejection::Op { line, reason: reason.into() }
}

/// Encodes `ops` (one device's, in op_seq order) and compresses them.
pub fn encode(device: DeviceId, ops: &[Op]) -> Vec<u8> {
    let mut others: Vec<DeviceId> = Vec::new();
    for op in ops {
        if let Some(prev) = op.prev_device
            && prev != device
            && !others.contains(&prev)
        {
            others.push(prev);
        }
    }
    let mut text = Vec::with_capacity(ops.len() * 60);
    let others_text: Vec<String> = others.iter().map(|d| d.0.simple().to_string()).collect();
    serde_json::to_writer(&mut text, &json!([HEADER, 1, others_text])).expect("serialises");
    text.push(b'\n');
    // Written piece by piece (no JSON tree is built: the values are the bulk of the text).
    let mut last_hlc = 0i64;
    let mut index = 0;
    while index < ops.len() {
        let first = &ops[index];
        text.extend_from_slice(b"[\"");
        text.extend_from_slice(first.entity.as_str().as_bytes());
        text.extend_from_slice(b"\",\"");
        text.extend_from_slice(first.row_id.simple().to_string().as_bytes());
        text.extend_from_slice(b"\",[");
        let mut comma = false;
        while index < ops.len()
            && ops[index].entity == first.entity
            && ops[index].row_id == first.row_id
        {
            let op = &ops[index];
            if comma {
                text.push(b',');
            }
            comma = true;
            let step = op.hlc.0.wrapping_sub(last_hlc);
            last_hlc = op.hlc.0;
            text.push(b'[');
            serde_json::to_writer(&mut text, &op.field).expect("serialises");
            text.push(b',');
            serde_json::to_writer(&mut text, &op.value).expect("serialises");
            text.push(b',');
            text.extend_from_slice(step.to_string().as_bytes());
            if let (Some(prev_hlc), Some(prev_device)) = (op.prev_hlc, op.prev_device) {
                let place = if prev_device == device {
                    0
                } else {
                    others.iter().position(|d| *d == prev_device).expect("listed above") + 1
                };
                text.extend_from_slice(format!(",{},{place}", prev_hlc.0).as_bytes());
            }
            text.push(b']');
            index += 1;
        }
        text.extend_from_slice(b"]]\n");
    }
    let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), LEVEL).expect("zstd level");
    encoder.include_checksum(false).expect("zstd parameter");
    encoder.write_all(&text).expect("writes to memory");
    encoder.finish().expect("writes to memory")
}

/// Decompresses within `limit` bytes of text.
fn decompress(compressed: &[u8], limit: u64) -> Result<Vec<u8>, Rejection> {
    let contents = |reason: String| Rejection::Contents { reason };
    let mut decoder = zstd::stream::read::Decoder::new(compressed)
        .map_err(|e| contents(format!("{ENTRY} cannot be opened: {e}")))?;
    decoder
        .window_log_max(WINDOW_LOG_MAX)
        .map_err(|e| contents(format!("{ENTRY} cannot be opened: {e}")))?;
    let mut text = Vec::new();
    decoder
        .take(limit + 1)
        .read_to_end(&mut text)
        .map_err(|e| contents(format!("{ENTRY} cannot be decompressed: {e}")))?;
    if text.len() as u64 > limit {
        return Err(contents(format!("'{ENTRY}' is larger than {limit} bytes once decompressed")));
    }
    Ok(text)
}

fn uuid(line: usize, value: &Value) -> Result<Uuid, Rejection> {
    value
        .as_str()
        .filter(|s| s.len() == 32)
        .and_then(|s| Uuid::try_parse(s).ok())
        .ok_or_else(|| bad(line, "a row or device id is not 32 hexadecimal digits"))
}

/// Decompresses and decodes the ops of `device`, numbered from `first_seq`. Longest line:
/// `max_line` bytes. Only the shapes are checked here; `bundle::decode_ops3` checks each op.
pub fn decode(
    compressed: &[u8],
    device: DeviceId,
    first_seq: i64,
    limit: u64,
    max_line: usize,
) -> Result<Vec<Op>, Rejection> {
    let text = decompress(compressed, limit)?;
    let text = std::str::from_utf8(&text).map_err(|_| bad(0, "not UTF-8"))?;
    let body = text.strip_suffix('\n').ok_or_else(|| bad(0, "the text does not end a line"))?;
    let mut lines = body.split('\n');
    let header: Value = serde_json::from_str(lines.next().unwrap_or_default())
        .map_err(|e| bad(1, format!("the header: {e}")))?;
    let others: Vec<DeviceId> = match header.as_array().map(Vec::as_slice) {
        Some([name, version, Value::Array(list)])
            if name == HEADER && version == 1 && list.len() <= 10_000 =>
        {
            list.iter().map(|d| uuid(1, d).map(DeviceId)).collect::<Result<_, _>>()?
        }
        _ => return Err(bad(1, "not the header of a format 3 bundle")),
    };
    let mut ops = Vec::new();
    let mut hlc = 0i64;
    for (index, line) in lines.enumerate() {
        let number = index + 2;
        if line.len() > max_line {
            return Err(bad(number, format!("longer than {max_line} bytes")));
        }
        let row: Value = serde_json::from_str(line).map_err(|e| bad(number, e.to_string()))?;
        let Some([entity, row_id, Value::Array(fields)]) = row.as_array().map(Vec::as_slice) else {
            return Err(bad(number, "a row is [entity, id, [fields]]"));
        };
        let entity = entity
            .as_str()
            .and_then(Entity::parse)
            .ok_or_else(|| bad(number, "an unknown entity"))?;
        let row_id = uuid(number, row_id)?;
        if fields.is_empty() {
            return Err(bad(number, "a row without fields"));
        }
        for field in fields {
            let (name, value, step, prev) = match field.as_array().map(Vec::as_slice) {
                Some([name, value, step]) => (name, value, step, None),
                Some([name, value, step, prev_hlc, place]) => {
                    (name, value, step, Some((prev_hlc, place)))
                }
                _ => return Err(bad(number, "a field is [name, value, step(, previous)]")),
            };
            let name = name.as_str().ok_or_else(|| bad(number, "a field name is not text"))?;
            let step = step.as_i64().ok_or_else(|| bad(number, "a clock step is not a number"))?;
            hlc = hlc.checked_add(step).ok_or_else(|| bad(number, "a clock step overflows"))?;
            let (prev_hlc, prev_device) = match prev {
                None => (None, None),
                Some((prev_hlc, place)) => {
                    let prev_hlc =
                        prev_hlc.as_i64().ok_or_else(|| bad(number, "a previous clock"))?;
                    let place = place
                        .as_u64()
                        .ok_or_else(|| bad(number, "a previous device is not a number"))?;
                    let prev_device = match place {
                        0 => device,
                        n => *others
                            .get(n as usize - 1)
                            .ok_or_else(|| bad(number, "a previous device is not listed"))?,
                    };
                    (Some(Hlc(prev_hlc)), Some(prev_device))
                }
            };
            let op_seq = first_seq
                .checked_add(ops.len() as i64)
                .ok_or_else(|| bad(number, "its number is out of range"))?;
            ops.push(Op {
                device_id: device,
                op_seq,
                hlc: Hlc(hlc),
                entity,
                row_id,
                field: name.to_string(),
                value: value.clone(),
                prev_hlc,
                prev_device,
            });
        }
    }
    Ok(ops)
}
