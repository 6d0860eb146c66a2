//! The baseline the Python binding's sync benchmark compares with: a plain reqwest +
//! `serde_json::Value` loop, as a Rust user writes it under `#[tokio::main]` (multi-thread
//! runtime), and the same loop on a current-thread runtime.
//!
//! Driven by `bindings-python/benches/bench.py` so rounds interleave with the Python ones: reads
//! a count per stdin line, runs that many `GET /api/v1/orders/BENCH-1` against
//! `NARVAR_BENCH_URL` on each runtime, prints `<µs per get, multi-thread> <µs, current-thread>`.

use std::io::BufRead as _;
use std::time::Instant;

fn gets(rt: &tokio::runtime::Runtime, client: &reqwest::Client, url: &str, n: usize) -> f64 {
    rt.block_on(async {
        let t = Instant::now();
        for _ in 0..n {
            let r = client
                .get(url)
                .basic_auth("acme", Some("tok_test_acme"))
                .header("accept", "application/json")
                .send()
                .await
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
            assert_eq!(v["order_info"]["order_number"], "BENCH-1");
        }
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    })
}

fn main() {
    let base = std::env::var("NARVAR_BENCH_URL").expect("NARVAR_BENCH_URL: the sandbox to measure against");
    let url = format!("{base}/api/v1/orders/BENCH-1");
    let multi = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let current = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // One client per runtime: a pooled connection belongs to the runtime that opened it.
    let (on_multi, on_current) = (reqwest::Client::new(), reqwest::Client::new());
    for line in std::io::stdin().lock().lines() {
        let Ok(n) = line.unwrap_or_default().trim().parse::<usize>() else { break };
        let (m, c) = (gets(&multi, &on_multi, &url, n), gets(&current, &on_current, &url, n));
        println!("{m:.1} {c:.1}");
    }
}
