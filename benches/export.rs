//! Bundle size and export speed. The demo programme's full first export, and an export of
//! 100,000 ops (reading them from the log, grouping them by row and compressing them — format
//! 3 —, hashing, signing, zipping), against the same ops written one a line (format 2,
//! `ops.jsonl`, what earlier versions exported) in the same run. Targets (issue 21): the demo
//! ≤ 64 KB, 100,000 ops ≤ 1.5 MB, and no slower than one op a line.
//! `cargo bench --bench export`.

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
    // The same ops one a line (format 2), signed and zipped the same way, in the same run.
    let me = app.device().unwrap();
    let key = app.signing_key().unwrap();
    let mut legacy_times = Vec::new();
    let mut legacy_size = 0;
    let mut legacy_bytes = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let own = app.ops().unwrap();
        let manifest = palabre::exchange::bundle::Manifest::for_ops(
            &me,
            &own,
            1,
            None,
            chrono::Utc::now().to_rfc3339(),
        );
        legacy_bytes = palabre::exchange::bundle::write_ops_jsonl(&key, manifest, &own);
        legacy_size = legacy_bytes.len();
        legacy_times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    legacy_times.sort_by(f64::total_cmp);
    // Reading (every check that needs no database: layout, signature, digests, decoding, the
    // forms' rules) is what the format changes in an import; merging is the same for both.
    let (_, compact) = app.export_bundle_bytes().unwrap();
    let read = |bytes: &[u8]| {
        let mut t: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                assert_eq!(palabre::Palabre::verify_bundle(bytes).unwrap().ops.len(), ops.len());
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        t.sort_by(f64::total_cmp);
        t[2]
    };
    let (read_compact, read_legacy) = (read(&compact), read(&legacy_bytes));
    // The demo programme's full first export.
    let demo = palabre::Palabre::open_in_memory().unwrap();
    demo.init("Demo").unwrap();
    demo.demo(1).unwrap();
    let (exported, bytes) = demo.export_bundle_bytes().unwrap();
    println!(
        "[demo export] the demo programme's first export ({} changes): {:.1} KB (target ≤ 64 KB)",
        exported.ops,
        bytes.len() as f64 / 1024.0,
    );
    println!(
        "[100k ops bundle] {} ops: {:.2} MB (target ≤ 1.5 MB); one op a line (format 2) {:.1} MB",
        ops.len(),
        size as f64 / 1_048_576.0,
        legacy_size as f64 / 1_048_576.0,
    );
    println!(
        "[export speed] {} ops exported in {:.0} ms, median of 5; one op a line {:.0} ms (target: no slower)",
        ops.len(),
        times[2],
        legacy_times[2],
    );
    println!(
        "[import read speed] {} ops read and checked at import in {:.0} ms; one op a line {:.0} ms (target: no slower)",
        ops.len(),
        read_compact,
        read_legacy,
    );
}
