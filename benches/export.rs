//! Export of 100,000 ops: reading them from the log, writing ops.jsonl, hashing, signing and
//! zipping, then (enrolled laptops) encrypting to HQ. `cargo bench --bench export`.

use std::time::Instant;

use serde_json::json;

mod common;

fn main() {
    let ops_wanted: usize =
        std::env::var("OPS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let (app, device) = common::database();
    let mut ops = Vec::with_capacity(ops_wanted);
    let mut i = 0;
    while ops.len() < ops_wanted {
        common::register(
            &mut ops,
            device,
            vec![
                ("full_name", json!(format!("Participante {i}"))),
                ("community", json!("Pelengana")),
                ("phone", json!("76 12 34 56")),
                ("deleted", json!(false)),
            ],
        );
        i += 1;
    }
    app.merge_ops(&ops).unwrap();
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let (exported, bytes) = app.export_bundle_bytes().unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(exported.ops as usize, ops.len());
        size = bytes.len();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "export of {} ops: {:.0} ms median of 5 ({:.1} MB bundle, plain; encryption adds a stream cipher pass)",
        ops.len(),
        times[2],
        size as f64 / 1e6
    );
}
