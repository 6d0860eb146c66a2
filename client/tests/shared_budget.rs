//! The rate budget shared through Redis: one budget across clients, one worker's 429 slowing the
//! others, the fallback share while Redis is away and the return to the shared budget after, and
//! the Lua script doing exactly the core's arithmetic. Each test runs its own `redis-server` on
//! a loopback port (the README's test command installs it).

mod common;

use narvar::core::budget::{BudgetEvent, BudgetState, RateBudget};
use narvar::{Client, ErrorCode};
use narvar_sandbox::{Sandbox, SandboxConfig};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `redis-server` of this test's own, stopped when dropped.
struct Redis {
    port: u16,
    child: Option<Child>,
}

impl Redis {
    fn start() -> Redis {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Redis::start_on(port)
    }

    fn start_on(port: u16) -> Redis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is needed (apt-get install redis-server; the README's test command installs it)");
        let redis = Redis { port, child: Some(child) };
        for _ in 0..200 {
            if redis.connection().is_some() {
                return redis;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("redis-server did not start on port {port}");
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn connection(&self) -> Option<redis::Connection> {
        let mut c = redis::Client::open(self.url()).ok()?.get_connection().ok()?;
        redis::cmd("PING").query::<String>(&mut c).ok()?;
        Some(c)
    }

    fn hget(&self, key: &str, field: &str) -> Option<String> {
        redis::cmd("HGET").arg(key).arg(field).query(&mut self.connection()?).ok()?
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default()).await.unwrap()
}

/// A client of the sandbox's first account with this budget, shared through `redis_url`.
fn shared_client(sb: &Sandbox, budget: &str, redis_url: &str, workers: u32) -> Client {
    common::builder_for(sb, &sb.accounts()[0])
        .rate_budget_text(budget)
        .unwrap()
        .rate_budget_redis(redis_url)
        .rate_budget_workers(workers)
        .build()
        .unwrap()
}

fn key(sb: &Sandbox) -> String {
    let host = sb.url().trim_start_matches("http://").to_owned();
    format!("narvar:rate-budget:{host}:account:acme")
}

/// Log lines written while `f` runs on this thread.
struct Captured(Arc<Mutex<Vec<u8>>>);
impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn with_logs<R>(f: impl FnOnce() -> R) -> (R, String) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let sink = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Captured(sink.clone()))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let r = tracing::subscriber::with_default(subscriber, f);
    let text = String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned();
    (r, text)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[tokio::test]
async fn two_clients_draw_on_one_budget() {
    let redis = Redis::start();
    let sb = sandbox().await;
    common::builder_for(&sb, &sb.accounts()[0]).build().unwrap().orders().create(common::order("1001")).await.unwrap();
    // 10 per second with bursts of 2: eight calls from two clients take at least 6 intervals.
    let a = shared_client(&sb, "10/1s, burst 2", &redis.url(), 2);
    let b = shared_client(&sb, "10/1s, burst 2", &redis.url(), 2);
    let started = Instant::now();
    let calls = (0..8).map(|i| {
        let c = if i % 2 == 0 { a.clone() } else { b.clone() };
        async move { c.orders().get("1001").await.map(|_| ()) }
    });
    for r in futures_util::future::join_all(calls).await {
        r.unwrap();
    }
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(550), "8 calls at 10/s after a burst of 2 took {elapsed:?}");
    assert!(redis.hget(&key(&sb), "tat").is_some(), "the state is kept in Redis under {}", key(&sb));

    // Each client alone with its own budget would have had its own burst: 4 calls, 2 waits each.
    let alone = common::builder_for(&sb, &sb.accounts()[0]).rate_budget_text("10/1s, burst 2").unwrap().build().unwrap();
    let other = common::builder_for(&sb, &sb.accounts()[0]).rate_budget_text("10/1s, burst 2").unwrap().build().unwrap();
    let started = Instant::now();
    let calls = (0..8).map(|i| {
        let c = if i % 2 == 0 { alone.clone() } else { other.clone() };
        async move { c.orders().get("1001").await.map(|_| ()) }
    });
    futures_util::future::join_all(calls).await;
    assert!(started.elapsed() < elapsed, "two private budgets send sooner than one shared one");
}

#[tokio::test]
async fn one_workers_429_slows_every_worker() {
    let redis = Redis::start();
    let sb =
        Sandbox::start(SandboxConfig { rate_limit: Some((1, Duration::from_secs(60))), ..Default::default() }).await.unwrap();
    let a = common::builder_for(&sb, &sb.accounts()[0])
        .rate_budget_text("100/1s")
        .unwrap()
        .rate_budget_redis(redis.url())
        .max_attempts(1)
        .build()
        .unwrap();
    let _ = a.orders().get("1").await;
    let e = a.orders().get("1").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
    let rate: f64 = redis.hget(&key(&sb), "rate").unwrap().parse().unwrap();
    assert_eq!(rate, 50.0, "halved in the shared state, for every worker");
    // Another worker, starting now, reads the halved rate: its burst is gone too.
    let b = shared_client(&sb, "100/1s", &redis.url(), 8);
    let _ = b.orders().get("1").await;
    assert_eq!(redis.hget(&key(&sb), "rate").unwrap().parse::<f64>().unwrap(), 50.0);
}

#[test]
fn with_redis_away_a_worker_keeps_to_its_share_and_says_so_once() {
    let rt = runtime();
    let sb = rt.block_on(sandbox());
    rt.block_on(common::builder_for(&sb, &sb.accounts()[0]).build().unwrap().orders().create(common::order("1001"))).unwrap();
    let nothing_there = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("redis://:hunter2-secret@127.0.0.1:{nothing_there}");
    // 4 per second shared by 2 workers: alone, this one keeps 2 per second, bursts of 2.
    let client = shared_client(&sb, "4/1s, burst 4", &url, 2);
    let (elapsed, logs) = with_logs(|| {
        rt.block_on(async {
            let started = Instant::now();
            for _ in 0..3 {
                client.orders().get("1001").await.unwrap();
            }
            started.elapsed()
        })
    });
    assert!(elapsed >= Duration::from_millis(400), "the third call waits for the share's next slot: {elapsed:?}");
    assert_eq!(logs.matches("does not answer").count(), 1, "said once: {logs}");
    assert!(logs.contains("2 requests per 1.0 s"), "{logs}");
    assert!(!logs.contains("hunter2"), "no password in the log: {logs}");
}

#[test]
fn a_redis_that_never_answers_costs_one_timeout_then_the_share_decides() {
    let rt = runtime();
    let sb = rt.block_on(sandbox());
    rt.block_on(common::builder_for(&sb, &sb.accounts()[0]).build().unwrap().orders().create(common::order("1001"))).unwrap();
    // A "Redis" that accepts connections and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for c in silent.incoming().flatten() {
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            held.push(c);
        }
    });
    let client = shared_client(&sb, "1000/1s", &format!("redis://127.0.0.1:{port}"), 4);
    let (_, logs) = with_logs(|| {
        rt.block_on(async {
            let started = Instant::now();
            client.orders().get("1001").await.expect("a call never fails because Redis did");
            assert!(started.elapsed() >= narvar::shared_budget::REDIS_TIMEOUT, "waited for Redis once");
            for _ in 0..5 {
                client.orders().get("1001").await.unwrap();
            }
        })
    });
    let connections = accepted.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(connections, 1, "within the retry interval the share decides, without asking Redis again");
    assert_eq!(logs.matches("does not answer").count(), 1, "{logs}");
    assert!(logs.contains("no answer within 250 ms"), "{logs}");
}

#[test]
fn a_worker_rejoins_the_shared_budget_when_redis_is_back() {
    let rt = runtime();
    let mut redis = Redis::start();
    let sb = rt.block_on(sandbox());
    rt.block_on(common::builder_for(&sb, &sb.accounts()[0]).build().unwrap().orders().create(common::order("1001"))).unwrap();
    let client = shared_client(&sb, "50/1s", &redis.url(), 4);
    let (_, logs) = with_logs(|| {
        rt.block_on(async {
            client.orders().get("1001").await.unwrap();
            assert!(redis.hget(&key(&sb), "tat").is_some());
            let port = redis.port;
            redis.stop();
            for _ in 0..5 {
                client.orders().get("1001").await.expect("a call never fails because Redis did");
            }
            redis = Redis::start_on(port);
            assert!(redis.hget(&key(&sb), "tat").is_none(), "a fresh Redis");
            tokio::time::sleep(narvar::shared_budget::RETRY_INTERVAL + Duration::from_millis(100)).await;
            client.orders().get("1001").await.unwrap();
            assert!(redis.hget(&key(&sb), "tat").is_some(), "back on the shared budget");
        })
    });
    assert_eq!(logs.matches("does not answer").count(), 1, "{logs}");
    assert_eq!(logs.matches("answers again").count(), 1, "{logs}");
}

#[test]
fn a_bad_redis_url_is_a_configuration_error_that_does_not_quote_it() {
    let Err(e) = Client::builder().basic_auth("acme", "tok").rate_budget_redis("http://:hunter2@example.test").build() else {
        panic!("refused")
    };
    assert_eq!(e.code, ErrorCode::Configuration);
    assert!(e.message.contains("rate_budget_redis"), "{}", e.message);
    assert!(!e.message.contains("hunter2"), "{}", e.message);
    let Err(e) =
        Client::builder().basic_auth("acme", "tok").rate_budget_redis("redis://127.0.0.1:1").rate_budget_workers(0).build()
    else {
        panic!("refused")
    };
    assert!(e.message.contains("rate_budget_workers"), "{}", e.message);
}

/// The script in Redis and `RateBudget::apply` in the core agree, event by event, on a long
/// pseudo-random run (the script takes the time from the test instead of `TIME`).
#[test]
fn the_lua_script_does_the_cores_arithmetic() {
    let redis = Redis::start();
    let mut conn = redis.connection().unwrap();
    let script = redis::Script::new(narvar::shared_budget::SCRIPT);
    let budget = RateBudget::parse("60/2s, burst 5").unwrap();
    let mut state = BudgetState::fresh(&budget);
    let mut now = 1.8e9;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let events = [
        BudgetEvent::Acquire,
        BudgetEvent::Acquire,
        BudgetEvent::Acquire,
        BudgetEvent::Refund,
        BudgetEvent::Throttled,
        BudgetEvent::Succeeded,
    ];
    for step in 0..3000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let event = events[(seed % events.len() as u64) as usize];
        now += ((seed >> 8) % 1000) as f64 / 1000.0 * 0.05;
        let (wait, next) = budget.apply(&state, event, now);
        state = next;
        let (wait_micros, rate): (u64, String) =
            narvar::shared_budget::invocation(&script, "test-budget", &budget, event).arg(now).invoke(&mut conn).unwrap();
        let rate: f64 = rate.parse().unwrap();
        assert!((wait * 1e6 - wait_micros as f64).abs() <= 2.0, "step {step} {event:?}: core waits {wait}, Lua {wait_micros} µs");
        assert!((rate - state.rate).abs() <= 1e-9 * state.rate, "step {step} {event:?}: core rate {}, Lua {rate}", state.rate);
    }
}
