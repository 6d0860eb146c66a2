//! Client overhead: `client.orders().get()` in a loop vs a hand-written reqwest +
//! `serde_json::Value` loop against the same sandbox, in the same run. Goal ≤ 1.1× its time.
//!
//! `cargo bench -p narvar --bench overhead` (release; the sandbox runs in-process on loopback).

use narvar_sandbox::{Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;
const PER_ROUND: usize = 200;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        // NARVAR_BENCH_URL: an already running sandbox (the Python benchmark shares one).
        let external = std::env::var("NARVAR_BENCH_URL").ok();
        let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let url_base = external.clone().unwrap_or_else(|| sb.url().to_owned());
        let a = sb.accounts()[0].clone();
        let order: narvar::models::OrderInfo = serde_json::from_value(serde_json::json!({
            "order_number": "BENCH-1", "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
            "order_items": (0..8).map(|i| serde_json::json!({"sku": format!("SKU-{i}"), "item_id": format!("L{i}"), "name": format!("Blue mug {i}"),
                "quantity": 2, "unit_price": 14.5, "item_image": format!("https://cdn.example.test/{i}.png"), "fulfillment_status": "NOT_SHIPPED"})).collect::<Vec<_>>(),
            "customer": {"customer_id": "C-88", "email": "ada@example.test"}})).unwrap();
        let client = narvar::Client::builder().base_url(&url_base).basic_auth(a.account_id.clone(), a.auth_token.clone()).no_rate_budget().build().unwrap();
        client.orders().create(order).await.unwrap();
        let raw = reqwest::Client::new();
        let url = format!("{url_base}/api/v1/orders/BENCH-1");
        let (mut sdk, mut baseline) = (Duration::MAX, Duration::MAX);
        for round in 0..ROUNDS {
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                let r = raw.get(&url).basic_auth(&a.account_id, Some(&a.auth_token)).header("accept", "application/json").send().await.unwrap();
                let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
                assert_eq!(v["order_info"]["order_number"], "BENCH-1");
            }
            let b = t.elapsed() / PER_ROUND as u32;
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                let o = client.orders().get("BENCH-1").await.unwrap();
                assert_eq!(o.order_number, "BENCH-1");
            }
            let s = t.elapsed() / PER_ROUND as u32;
            if round > 1 {
                // the first rounds warm both up
                baseline = baseline.min(b);
                sdk = sdk.min(s);
            }
        }
        println!(
            "orders.get against the sandbox: reqwest + serde_json::Value {:.1} µs/get, narvar client {:.1} µs/get, ratio {:.2}× (goal ≤ 1.1×; best of {} rounds of {PER_ROUND})",
            baseline.as_secs_f64() * 1e6,
            sdk.as_secs_f64() * 1e6,
            sdk.as_secs_f64() / baseline.as_secs_f64(),
            ROUNDS - 2
        );
    });
}
