//! The ops decoder behind the signature check, which the bundle target cannot reach with forged
//! bytes: a manifest (JSON) and an ops.jsonl, separated by the first NUL byte.
#![no_main]

use libfuzzer_sys::fuzz_target;
use palabre::exchange::bundle::{Manifest, decode_ops};

fuzz_target!(|data: &[u8]| {
    let Some(split) = data.iter().position(|&b| b == 0) else { return };
    let (manifest, jsonl) = (&data[..split], &data[split + 1..]);
    let Ok(manifest) = serde_json::from_slice::<Manifest>(manifest) else { return };
    let _ = decode_ops(jsonl, &manifest);
});
