//! The baseline of the Kotlin benchmark (`benches/run.sh`): the Rust client's `orders().get`
//! loop, as a Rust user writes it under `#[tokio::main]`. Reads a count per stdin line, runs that
//! many gets of `BENCH-1` against `NARVAR_BENCH_URL`, prints the µs per get; driven round by
//! round so that rounds interleave with the Kotlin ones.

use std::io::BufRead as _;
use std::time::Instant;

fn main() {
    let base = std::env::var("NARVAR_BENCH_URL").expect("NARVAR_BENCH_URL: the sandbox to measure against");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a runtime");
    let client = {
        let _entered = rt.enter();
        narvar::Client::builder().base_url(base).basic_auth("acme", "tok_test_acme").no_rate_budget().build().expect("a client")
    };
    for line in std::io::stdin().lock().lines() {
        let Ok(n) = line.unwrap_or_default().trim().parse::<usize>() else { break };
        let us = rt.block_on(async {
            let t = Instant::now();
            for _ in 0..n {
                let order = client.orders().get("BENCH-1").await.expect("the order");
                assert_eq!(order.order_items[0].sku.as_deref(), Some("SKU-0"));
            }
            t.elapsed().as_secs_f64() * 1e6 / n as f64
        });
        println!("{us:.1}");
    }
}
