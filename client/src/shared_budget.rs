//! A rate budget shared through Redis by every worker of one account: the core's GCRA, run by
//! one Lua script (loaded once, then called by its hash) on Redis's clock.
//!
//! Redis never fails a call. When it does not answer within [`REDIS_TIMEOUT`], the worker
//! decides from its own share of the budget (the limit divided by the expected workers), says
//! so once, and tries Redis again every [`RETRY_INTERVAL`]; when Redis answers, the worker is
//! back on the shared budget (and says so once).
//!
//! Redis I/O runs on a small runtime of this module's own (one thread per process, made anew
//! in a forked child), so the store works the same from any caller: a multi-thread runtime, a
//! thread's current-thread runtime (Python's sync client), or Node's event loop.

use narvar_core::budget::{BudgetEvent, BudgetStore, LocalBudget, RateBudget};
use narvar_core::{ErrorCode, NarvarError, Secret};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The Lua script the store runs in Redis (for operators who want to see what runs there).
pub const SCRIPT: &str = include_str!("shared_budget.lua");

/// How long a worker waits for Redis before deciding alone.
pub const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// How often a worker that decides alone asks Redis again.
pub const RETRY_INTERVAL: Duration = Duration::from_secs(1);
/// Without a stated number, the fallback share assumes this many workers.
pub const DEFAULT_EXPECTED_WORKERS: u32 = 8;

/// The store: the shared state in Redis, and this worker's share for when Redis is away.
pub(crate) struct RedisBudget {
    shared: Arc<Shared>,
    fallback: LocalBudget,
    health: Mutex<Health>,
    /// The shared rate last seen (`f64` bits): at the configured rate a success changes
    /// nothing, and costs no round trip.
    last_rate: AtomicU64,
}

struct Shared {
    budget: RateBudget,
    key: String,
    client: redis::Client,
    script: redis::Script,
    /// The connection, and the process that made it (a forked child's copy is dead).
    connection: tokio::sync::Mutex<Option<(u32, redis::aio::MultiplexedConnection)>>,
}

#[derive(Default)]
struct Health {
    /// While Redis is away: when the next try is due.
    away_until: Option<Instant>,
}

impl RedisBudget {
    /// A store for `budget`, kept at `url` under `key`; `expected_workers` sets the fallback
    /// share. A URL that is not a Redis URL is a configuration error (that does not quote it:
    /// it may hold a password).
    pub(crate) fn new(budget: RateBudget, url: &Secret, key: String, expected_workers: u32) -> Result<Self, NarvarError> {
        let client = redis::Client::open(url.expose()).map_err(|_| {
            NarvarError::new(
                ErrorCode::Configuration,
                "The rate_budget_redis setting is not a Redis URL (redis://[:password@]host[:port][/db]).",
            )
        })?;
        if expected_workers == 0 {
            return Err(NarvarError::new(ErrorCode::Configuration, "The rate_budget_workers setting must be at least 1."));
        }
        let shared =
            Shared { budget, key, client, script: redis::Script::new(SCRIPT), connection: tokio::sync::Mutex::new(None) };
        Ok(RedisBudget {
            shared: Arc::new(shared),
            fallback: LocalBudget::new(budget.share(expected_workers)),
            health: Mutex::new(Health::default()),
            last_rate: AtomicU64::new(budget.rate().to_bits()),
        })
    }

    async fn decide(&self, event: BudgetEvent, now: Duration) -> Duration {
        let away = self.health.lock().unwrap_or_else(|p| p.into_inner()).away_until;
        if away.is_some_and(|until| Instant::now() < until) {
            return self.fallback.apply_now(event, now);
        }
        if away.is_none()
            && event == BudgetEvent::Succeeded
            && f64::from_bits(self.last_rate.load(Ordering::Relaxed)) >= self.shared.budget.rate()
        {
            return Duration::ZERO;
        }
        match self.shared.ask(event).await {
            Ok((wait, rate)) => {
                self.last_rate.store(rate.to_bits(), Ordering::Relaxed);
                if self.health.lock().unwrap_or_else(|p| p.into_inner()).away_until.take().is_some() {
                    tracing::info!(target: "narvar", key = %self.shared.key, "the shared rate budget in Redis answers again; this worker is back on it");
                }
                wait
            }
            Err(reason) => {
                let first = self
                    .health
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .away_until
                    .replace(Instant::now() + RETRY_INTERVAL)
                    .is_none();
                if first {
                    let share = self.fallback.budget();
                    tracing::warn!(target: "narvar", key = %self.shared.key, %reason,
                        "the shared rate budget in Redis does not answer; until it does, this worker keeps to its own share, {} requests per {:.1} s",
                        share.requests(), share.per().as_secs_f64());
                }
                self.fallback.apply_now(event, now)
            }
        }
    }
}

impl BudgetStore for RedisBudget {
    fn apply(&self, event: BudgetEvent, now: Duration) -> futures_util::future::BoxFuture<'_, Duration> {
        Box::pin(self.decide(event, now))
    }
}

impl Shared {
    /// Runs the script for `event` on the store's runtime, within [`REDIS_TIMEOUT`]: the wait
    /// and the shared rate, or why Redis did not answer.
    async fn ask(self: &Arc<Self>, event: BudgetEvent) -> Result<(Duration, f64), String> {
        let runtime = io_runtime().ok_or("no runtime for Redis I/O")?;
        let this = self.clone();
        let task = runtime.spawn(async move {
            match tokio::time::timeout(REDIS_TIMEOUT, this.run(event)).await {
                Ok(answer) => answer,
                Err(_) => {
                    // A connection that timed out may be stuck: the next try opens a new one.
                    this.connection.lock().await.take();
                    Err(format!("no answer within {} ms", REDIS_TIMEOUT.as_millis()))
                }
            }
        });
        task.await.map_err(|_| "the Redis task ended".to_owned())?
    }

    async fn run(&self, event: BudgetEvent) -> Result<(Duration, f64), String> {
        let pid = std::process::id();
        let mut connection = {
            let mut slot = self.connection.lock().await;
            match slot.as_ref() {
                Some((made_in, c)) if *made_in == pid => c.clone(),
                _ => {
                    let c = self.client.get_multiplexed_async_connection().await.map_err(|e| describe(&e))?;
                    *slot = Some((pid, c.clone()));
                    c
                }
            }
        };
        let answer: Result<(u64, String), _> =
            invocation(&self.script, &self.key, &self.budget, event).invoke_async(&mut connection).await;
        match answer {
            Ok((wait_micros, rate)) => {
                let rate = rate.parse::<f64>().map_err(|_| "the script's rate is not a number".to_owned())?;
                Ok((Duration::from_micros(wait_micros), rate))
            }
            Err(e) => {
                if e.is_unrecoverable_error() || e.is_connection_dropped() || e.is_io_error() {
                    self.connection.lock().await.take();
                }
                Err(describe(&e))
            }
        }
    }
}

/// The script's call for `event` on the budget at `key`: its arguments in the order
/// [`SCRIPT`] reads them. It answers `(wait in µs, rate as text)`.
pub fn invocation<'a>(
    script: &'a redis::Script,
    key: &str,
    budget: &RateBudget,
    event: BudgetEvent,
) -> redis::ScriptInvocation<'a> {
    let mut call = script.key(key);
    call.arg(event.as_str())
        .arg(budget.rate())
        .arg(budget.burst())
        .arg(RateBudget::FLOOR_FRACTION)
        .arg(RateBudget::WIN_BACK)
        .arg(RateBudget::THROTTLE_COOLDOWN_SECS);
    call
}

/// What went wrong, in words that quote neither the URL nor a password.
fn describe(e: &redis::RedisError) -> String {
    if e.is_connection_refusal() {
        "connection refused".to_owned()
    } else if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connection_dropped() {
        "connection dropped".to_owned()
    } else if e.is_io_error() {
        "I/O error".to_owned()
    } else {
        format!("Redis error ({:?})", e.kind())
    }
}

/// The runtime Redis connections live on: one worker thread, made on first use, and made anew
/// in a forked child (whose copy of the parent's has no thread). Never dropped.
fn io_runtime() -> Option<&'static tokio::runtime::Runtime> {
    static RUNTIME: Mutex<Option<(u32, &'static tokio::runtime::Runtime)>> = Mutex::new(None);
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((made_in, rt)) = *slot {
        if made_in == pid {
            return Some(rt);
        }
    }
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).thread_name("narvar-redis").enable_all().build().ok()?;
    let rt: &'static tokio::runtime::Runtime = Box::leak(Box::new(rt));
    *slot = Some((pid, rt));
    Some(rt)
}
