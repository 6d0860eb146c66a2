//! The cost of a shared rate budget: `client.orders().get()` in a loop with the budget kept in
//! this process vs kept in a loopback Redis (the budget large enough never to wait), in
//! interleaved rounds of the same run; the difference is the shared check's cost per request.
//! A bare `EVALSHA` loop of the same script shows Redis's own round trip.
//!
//! ```text
//! cargo build --release -p narvar-sandbox && cargo bench -p narvar --features redis --bench shared_budget --no-run
//! taskset -c 0 target/release/narvar-sandbox --port 18080 &
//! taskset -c 0 redis-server --port 16399 --save '' &
//! NARVAR_BENCH_URL=http://127.0.0.1:18080 NARVAR_BENCH_REDIS=redis://127.0.0.1:16399 \
//!   taskset -c 1 target/release/deps/shared_budget-*
//! ```
//! Without the variables it starts both itself (unpinned).

use narvar::core::budget::{BudgetEvent, RateBudget};
use narvar_sandbox::{Sandbox, SandboxConfig};
use std::time::{Duration, Instant};

const ROUNDS: usize = 15;
const PER_ROUND: usize = 500;
const NEVER_WAITS: &str = "1000000/1s, burst 1000000";

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut own_redis = None;
    let redis_url = std::env::var("NARVAR_BENCH_REDIS").unwrap_or_else(|_| {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        own_redis = Some(
            std::process::Command::new("redis-server")
                .args(["--port", &port.to_string(), "--save", "", "--bind", "127.0.0.1"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("redis-server"),
        );
        std::thread::sleep(Duration::from_millis(300));
        format!("redis://127.0.0.1:{port}")
    });
    rt.block_on(async {
        let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
        let base = std::env::var("NARVAR_BENCH_URL").unwrap_or_else(|_| sb.url().to_owned());
        let a = sb.accounts()[0].clone();
        let builder = || {
            narvar::Client::builder()
                .base_url(&base)
                .basic_auth(a.account_id.clone(), a.auth_token.clone())
                .rate_budget_text(NEVER_WAITS)
                .unwrap()
        };
        let local = builder().build().unwrap();
        let shared = builder().rate_budget_redis(redis_url.clone()).build().unwrap();
        local.orders().create(narvar_sandbox::samples::order("BENCH-1")).await.unwrap();

        let script = redis::Script::new(narvar::shared_budget::SCRIPT);
        let mut conn = redis::Client::open(redis_url.as_str()).unwrap().get_multiplexed_async_connection().await.unwrap();
        let budget = RateBudget::parse(NEVER_WAITS).unwrap();

        let (mut best_local, mut best_shared, mut best_script) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for round in 0..ROUNDS {
            let per = |t: Instant| t.elapsed() / PER_ROUND as u32;
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                local.orders().get("BENCH-1").await.unwrap();
            }
            let l = per(t);
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                shared.orders().get("BENCH-1").await.unwrap();
            }
            let s = per(t);
            let t = Instant::now();
            for _ in 0..PER_ROUND {
                let _: (u64, String) = narvar::shared_budget::invocation(&script, "bench", &budget, BudgetEvent::Acquire)
                    .invoke_async(&mut conn)
                    .await
                    .unwrap();
            }
            let e = per(t);
            if round > 1 {
                best_local = best_local.min(l);
                best_shared = best_shared.min(s);
                best_script = best_script.min(e);
            }
        }
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "orders.get: in-process budget {:.1} µs/call, Redis-shared budget {:.1} µs/call: the shared check costs {:.1} µs per request ({:.2}x); \
             the script's bare EVALSHA round trip {:.1} µs (best of {} rounds of {PER_ROUND})",
            us(best_local),
            us(best_shared),
            us(best_shared) - us(best_local),
            best_shared.as_secs_f64() / best_local.as_secs_f64(),
            us(best_script),
            ROUNDS - 2
        );
    });
    if let Some(mut r) = own_redis {
        let _ = r.kill();
    }
}
