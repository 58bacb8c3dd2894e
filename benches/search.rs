//! Person search latency over 1,000,000 people (PEOPLE=… to change): p50 and p95 of typical
//! queries typed by a facilitator (accent-free prefixes of first names, surnames, communities).
//! Target p95 ≤ 2 ms. People are inserted through the merge of ops (as an HQ import would), so
//! the search index is the real one. In the same run, the bare engine answers the same queries
//! with a raw FTS5 prefix query over the same index returning the same matches (what Palabre's
//! search starts with), and the line prints the ratio: these machines' speed drifts between
//! runs, the ratio does not. `cargo bench --bench search`.

use std::time::Instant;

mod common;

fn p(times: &mut [f64], q: f64) -> f64 {
    times.sort_by(f64::total_cmp);
    times[((times.len() as f64 * q) as usize).min(times.len() - 1)]
}

fn main() {
    let people: usize =
        std::env::var("PEOPLE").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let (app, device) = common::database();
    println!("registering {people} people…");
    let ops = common::varied_people(device, people);
    app.merge_ops(&ops).unwrap();
    drop(ops);
    let queries = common::QUERIES;
    // Warm both paths once (the first read of each index page decrypts it).
    for query in queries {
        app.find_people(query, 20).unwrap();
    }
    let mut times = Vec::new();
    let mut bare = Vec::new();
    for _ in 0..20 {
        for query in queries {
            let started = Instant::now();
            let found = app.find_people(query, 20).unwrap();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(!found.is_empty(), "{query} found nobody");
            // The bare engine: the same prefix words against the same FTS5 index, as many
            // matches as Palabre's search reads to count them (1,001).
            let expression: Vec<String> =
                query.split_whitespace().map(|w| format!("\"{w}\"*")).collect();
            let started = Instant::now();
            let matched = app
                .store()
                .read(|c| {
                    let mut stmt = c.prepare_cached(
                        "SELECT rowid FROM people_fts WHERE people_fts MATCH ?1 LIMIT 1001",
                    )?;
                    let rows: Vec<i64> = stmt
                        .query_map([expression.join(" ")], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    Ok(rows.len())
                })
                .unwrap();
            bare.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(matched >= found.len(), "{query}: the bare query finds what Palabre shows");
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
        println!("  {query:<18} {:>6.2} ms", p(&mut per, 0.5));
    }
    let count = times.len();
    let (p50, p95, max) = (p(&mut times, 0.5), p(&mut times, 0.95), p(&mut times, 1.0));
    let bare95 = p(&mut bare, 0.95);
    println!(
        "[search] person search over {people} people, {count} queries: p50 {p50:.2} ms, p95 {p95:.2} ms, max {max:.2} ms (target p95 ≤ 2 ms); bare FTS5 prefix query p95 {bare95:.2} ms, ratio {:.1}×",
        p95 / bare95
    );
}
