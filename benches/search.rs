//! Person search latency over 100,000 people: p50 and p95 of typical queries typed by a
//! facilitator (accent-free prefixes of first names, surnames, communities). Target p95 ≤ 2 ms.
//! People are inserted through the merge of ops (as an HQ import would), so the search index is
//! the real one. `cargo bench --bench search`.

use std::time::Instant;

mod common;

fn main() {
    let people: usize =
        std::env::var("PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let (app, device) = common::database();
    println!("registering {people} people…");
    let ops = common::varied_people(device, people);
    app.merge_ops(&ops).unwrap();
    let queries = common::QUERIES;
    let mut times = Vec::new();
    for _ in 0..20 {
        for query in queries {
            let started = Instant::now();
            let found = app.find_people(query, 20).unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(!found.is_empty(), "{query} found nobody");
        }
    }
    for query in queries {
        let mut per: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                app.find_people(query, 20).unwrap();
                started.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        per.sort_by(f64::total_cmp);
        println!("  {query:<18} {:>6.2} ms", per[2]);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    println!(
        "person search over {people} people, {} queries: p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (target p95 ≤ 2 ms)",
        times.len(),
        at(0.5),
        at(0.95),
        times[times.len() - 1]
    );
}
