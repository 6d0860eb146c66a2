//! The client-side rate budget as pure GCRA arithmetic, and where its state is kept.
//!
//! GCRA (the generic cell rate algorithm) keeps one number per budget, the theoretical arrival
//! time `tat`: the moment the budget would be back to empty if requests kept coming at the
//! rate. A request at `now` may go at once while `tat - now` is within the burst tolerance;
//! otherwise it waits the difference. The state is two numbers (`tat` and the current rate),
//! so it fits in one Redis hash and one short script can update it for many workers at once.
//!
//! The adaptive part lives here too: a 429 halves the rate (at most once per
//! [`RateBudget::THROTTLE_COOLDOWN_SECS`], down to [`RateBudget::FLOOR_FRACTION`] of the
//! configured rate) and drops the burst; each success wins back [`RateBudget::WIN_BACK`] of
//! what was lost. Kept with the shared state, one worker's 429 slows every worker.
//!
//! ```
//! use narvar_core::budget::{BudgetEvent, BudgetState, RateBudget};
//! let budget = RateBudget::parse("60/2s, burst 3").unwrap();
//! let mut state = BudgetState::fresh(&budget);
//! let mut waits = Vec::new();
//! for _ in 0..4 {
//!     let (wait, next) = budget.apply(&state, BudgetEvent::Acquire, 100.0);
//!     waits.push(wait);
//!     state = next;
//! }
//! assert_eq!(&waits[..3], &[0.0, 0.0, 0.0]); // the burst
//! assert!((waits[3] - 1.0 / 30.0).abs() < 1e-9); // then one request per 1/30 s
//! ```

use crate::error::{ErrorCode, NarvarError};
use std::sync::Mutex;
use std::time::Duration;

/// A budget of `requests` per `per`, with bursts of up to `burst` requests at once.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateBudget {
    requests: u32,
    per: Duration,
    burst: u32,
}

/// The state a store keeps for one budget. Times are seconds on the store's own clock (the
/// process's monotonic clock in-process, Redis's `TIME` when shared).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BudgetState {
    /// The theoretical arrival time.
    pub tat: f64,
    /// The current rate, requests per second (the configured one unless 429s lowered it).
    pub rate: f64,
    /// When a 429 last halved the rate (`f64::MIN` when never).
    pub throttled_at: f64,
}

/// What happens to a budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetEvent {
    /// A request wants to go: reserve its slot; the answer is how long to wait first.
    Acquire,
    /// A request that had a slot was not sent: give the slot back.
    Refund,
    /// Narvar answered 429.
    Throttled,
    /// A request succeeded.
    Succeeded,
}

impl BudgetEvent {
    /// The event's name in the shared store's script.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetEvent::Acquire => "acquire",
            BudgetEvent::Refund => "refund",
            BudgetEvent::Throttled => "throttled",
            BudgetEvent::Succeeded => "succeeded",
        }
    }
}

impl Default for RateBudget {
    /// Narvar's one stated limit, 100 requests per 60 s (`narvar-api.md` §9), bursts of 10.
    fn default() -> Self {
        RateBudget { requests: 100, per: Duration::from_secs(60), burst: 10 }
    }
}

impl BudgetState {
    /// A budget nobody has used: a full burst is available.
    pub fn fresh(budget: &RateBudget) -> Self {
        BudgetState { tat: f64::MIN, rate: budget.rate(), throttled_at: f64::MIN }
    }
}

impl RateBudget {
    /// A 429 never takes the rate below this fraction of the configured one.
    pub const FLOOR_FRACTION: f64 = 0.1;
    /// Each success wins back this fraction of the rate lost to 429s.
    pub const WIN_BACK: f64 = 0.05;
    /// 429s within this many seconds of the one that halved the rate are the same overload
    /// (several requests, or several workers, in flight at once) and halve it only once.
    pub const THROTTLE_COOLDOWN_SECS: f64 = 1.0;
    /// Without a stated burst, bursts are of up to this many requests (or `requests`, if fewer).
    pub const DEFAULT_BURST: u32 = 10;

    /// `requests` per `per`, bursts of `burst`; each at least 1 (and `per` at least 1 ms).
    pub fn new(requests: u32, per: Duration, burst: u32) -> Self {
        RateBudget { requests: requests.max(1), per: per.max(Duration::from_millis(1)), burst: burst.max(1) }
    }

    /// A budget setting as every binding takes it: `"off"` (also `"false"`, `"none"`) for no
    /// budget, else [`RateBudget::parse`].
    pub fn parse_setting(text: &str) -> Result<Option<RateBudget>, NarvarError> {
        match text.trim() {
            "off" | "false" | "none" => Ok(None),
            spec => RateBudget::parse(spec).map(Some),
        }
    }

    /// Reads a budget written as `"120/2s"`, `"100/60s, burst 10"`, `"5/s"` or `"300/1m"`
    /// (units `ms`, `s`, `m`, `h`). Without a burst, bursts are of
    /// [`RateBudget::DEFAULT_BURST`] or `requests`, whichever is less.
    ///
    /// ```
    /// use narvar_core::budget::RateBudget;
    /// use std::time::Duration;
    /// assert_eq!(RateBudget::parse("100/60s, burst 10").unwrap(), RateBudget::default());
    /// assert_eq!(RateBudget::parse("5/s").unwrap(), RateBudget::new(5, Duration::from_secs(1), 5));
    /// assert!(RateBudget::parse("100 per minute").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<RateBudget, NarvarError> {
        let bad = || {
            NarvarError::new(
                ErrorCode::Configuration,
                format!(
                    "The rate budget {:?} is not of the form \"120/2s\" or \"100/60s, burst 10\" (requests / period with a unit of ms, s, m or h).",
                    text.chars().take(60).collect::<String>()
                ),
            )
        };
        let (rate, burst) = match text.split_once(',') {
            Some((rate, rest)) => {
                let n = rest.trim().strip_prefix("burst").ok_or_else(bad)?.trim();
                (rate, Some(n.parse::<u32>().ok().filter(|&b| b > 0).ok_or_else(bad)?))
            }
            None => (text, None),
        };
        let (requests, period) = rate.split_once('/').ok_or_else(bad)?;
        let requests = requests.trim().parse::<u32>().ok().filter(|&r| r > 0).ok_or_else(bad)?;
        let period = period.trim();
        let unit_at = period.find(|c: char| c.is_ascii_alphabetic()).ok_or_else(bad)?;
        let (amount, unit) = period.split_at(unit_at);
        let amount = if amount.is_empty() { 1.0 } else { amount.trim().parse::<f64>().map_err(|_| bad())? };
        let seconds = match unit {
            "ms" => amount / 1000.0,
            "s" => amount,
            "m" | "min" => amount * 60.0,
            "h" => amount * 3600.0,
            _ => return Err(bad()),
        };
        if !(0.001..=86_400.0).contains(&seconds) {
            return Err(bad());
        }
        let burst = burst.unwrap_or(Self::DEFAULT_BURST.min(requests));
        Ok(RateBudget::new(requests, Duration::from_secs_f64(seconds), burst))
    }

    /// Requests in each period.
    pub fn requests(&self) -> u32 {
        self.requests
    }
    /// The period.
    pub fn per(&self) -> Duration {
        self.per
    }
    /// The most requests sent at once.
    pub fn burst(&self) -> u32 {
        self.burst
    }
    /// The configured rate, requests per second.
    pub fn rate(&self) -> f64 {
        f64::from(self.requests) / self.per.as_secs_f64()
    }

    /// One worker's share when `workers` share the budget without a common store: the rate
    /// and the burst divided among them (at least one request of burst each).
    pub fn share(&self, workers: u32) -> RateBudget {
        let workers = workers.max(1);
        let burst = (self.burst / workers).max(1);
        if self.requests.is_multiple_of(workers) {
            RateBudget { requests: self.requests / workers, per: self.per, burst }
        } else {
            RateBudget { requests: self.requests, per: self.per.mul_f64(f64::from(workers)), burst }
        }
    }

    /// The event's effect at `now` (seconds on the store's clock): the wait before sending (for
    /// [`BudgetEvent::Acquire`]; 0 otherwise), in seconds, and the new state.
    ///
    /// The shared store's script does the same arithmetic in Lua; a test holds the two equal.
    pub fn apply(&self, state: &BudgetState, event: BudgetEvent, now: f64) -> (f64, BudgetState) {
        let configured = self.rate();
        let rate = state.rate.clamp(configured * Self::FLOOR_FRACTION, configured);
        let mut next = BudgetState { rate, ..*state };
        let interval = 1.0 / rate;
        match event {
            BudgetEvent::Acquire => {
                let tolerance = f64::from(self.burst - 1) * interval;
                let start = state.tat.max(now);
                next.tat = start + interval;
                return ((start - tolerance - now).max(0.0), next);
            }
            BudgetEvent::Refund => next.tat = state.tat - interval,
            BudgetEvent::Throttled => {
                if now - state.throttled_at >= Self::THROTTLE_COOLDOWN_SECS {
                    next.rate = (rate / 2.0).max(configured * Self::FLOOR_FRACTION);
                    next.throttled_at = now;
                }
                // No burst after a 429: the next request waits one interval at the new rate.
                let tolerance = f64::from(self.burst - 1) / next.rate;
                next.tat = state.tat.max(now + tolerance + 1.0 / next.rate);
            }
            BudgetEvent::Succeeded => next.rate = (rate + (configured - rate) * Self::WIN_BACK).min(configured),
        }
        (0.0, next)
    }

    /// For a judge rather than a client (the sandbox's limiter): admits a request at `now`
    /// without waiting, or says how long until one would be admitted (and reserves nothing).
    pub fn admit(&self, state: &BudgetState, now: f64) -> Result<BudgetState, f64> {
        match self.apply(state, BudgetEvent::Acquire, now) {
            (wait, next) if wait <= 0.0 => Ok(next),
            (wait, _) => Err(wait),
        }
    }
}

/// Where a budget's state is kept: in this process, or somewhere shared with other workers.
/// A shared store must never fail a call: when it cannot answer, it decides locally.
pub trait BudgetStore: Send + Sync + 'static {
    /// Applies `event`; `now` is the caller's monotonic clock, for stores that keep no clock of
    /// their own. Resolves to the wait before sending (for [`BudgetEvent::Acquire`]).
    fn apply(&self, event: BudgetEvent, now: Duration) -> futures_util::future::BoxFuture<'_, Duration>;
}

/// The in-process store: one budget's state behind a mutex.
#[derive(Debug)]
pub struct LocalBudget {
    budget: RateBudget,
    state: Mutex<BudgetState>,
}

impl LocalBudget {
    /// A fresh budget.
    pub fn new(budget: RateBudget) -> Self {
        LocalBudget { budget, state: Mutex::new(BudgetState::fresh(&budget)) }
    }

    /// The budget.
    pub fn budget(&self) -> &RateBudget {
        &self.budget
    }

    /// Applies `event` at `now` (the caller's monotonic clock); returns the wait.
    pub fn apply_now(&self, event: BudgetEvent, now: Duration) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (wait, next) = self.budget.apply(&state, event, now.as_secs_f64());
        *state = next;
        Duration::from_secs_f64(wait)
    }

    /// The current rate, requests per second.
    pub fn rate(&self) -> f64 {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).rate
    }
}

impl BudgetStore for LocalBudget {
    fn apply(&self, event: BudgetEvent, now: Duration) -> futures_util::future::BoxFuture<'_, Duration> {
        let wait = self.apply_now(event, now);
        Box::pin(std::future::ready(wait))
    }
}

/// The name a shared store keeps one account's budget under: per API host and account (the
/// account id, else the retailer moniker, else a digest of the bearer token; never a secret).
pub fn shared_key(endpoints: &crate::Endpoints, credentials: &crate::Credentials) -> String {
    use sha2::Digest as _;
    let host = endpoints.api.split_once("://").map_or(endpoints.api.as_str(), |(_, rest)| rest);
    let host = host.split('/').next().unwrap_or(host);
    let account = if let Some(b) = &credentials.basic {
        format!("account:{}", b.account_id)
    } else if let Some(m) = credentials.retailer_moniker.as_ref().or(credentials.tracking.as_ref().map(|t| &t.retailer_moniker)) {
        format!("retailer:{m}")
    } else if let Some(t) = &credentials.bearer {
        format!("bearer:{}", &hex::encode(sha2::Sha256::digest(t.expose().as_bytes()))[..16])
    } else {
        "anonymous".to_owned()
    };
    format!("narvar:rate-budget:{host}:{account}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(budget: &RateBudget, arrivals: &[f64]) -> Vec<f64> {
        let mut state = BudgetState::fresh(budget);
        arrivals
            .iter()
            .map(|&t| {
                let (wait, next) = budget.apply(&state, BudgetEvent::Acquire, t);
                state = next;
                t + wait
            })
            .collect()
    }

    #[test]
    fn parse_forms() {
        let b = RateBudget::parse("120/2s").unwrap();
        assert_eq!((b.requests(), b.per(), b.burst()), (120, Duration::from_secs(2), 10));
        assert_eq!(RateBudget::parse("300/1m").unwrap().per(), Duration::from_secs(60));
        assert_eq!(RateBudget::parse(" 10 / 500ms , burst 2 ").unwrap().burst(), 2);
        assert_eq!(RateBudget::parse("3/h").unwrap().burst(), 3);
        for bad in ["", "0/1s", "10/0s", "10/2", "10/2d", "ten/2s", "10/2s, 4", "10/2s, burst 0", "10/100000h"] {
            let e = RateBudget::parse(bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::Configuration, "{bad}");
        }
    }

    #[test]
    fn share_divides_rate_and_burst() {
        let s = RateBudget::parse("120/2s, burst 16").unwrap().share(8);
        assert!((s.rate() - 7.5).abs() < 1e-9);
        assert_eq!(s.burst(), 2);
        assert_eq!(RateBudget::default().share(100).burst(), 1);
    }

    #[test]
    fn throttling_halves_once_per_cooldown_and_drops_the_burst() {
        let b = RateBudget::parse("60/1s, burst 10").unwrap();
        let s = BudgetState::fresh(&b);
        let (_, s) = b.apply(&s, BudgetEvent::Throttled, 10.0);
        assert_eq!(s.rate, 30.0);
        let (_, s) = b.apply(&s, BudgetEvent::Throttled, 10.5);
        assert_eq!(s.rate, 30.0, "the same overload");
        let (wait, _) = b.apply(&s, BudgetEvent::Acquire, 10.5);
        assert!(wait > 0.0, "no burst right after a 429");
        let mut s = s;
        for i in 0..20 {
            s = b.apply(&s, BudgetEvent::Throttled, 12.0 + f64::from(i)).1;
        }
        assert!((s.rate - 6.0).abs() < 1e-9, "floor at a tenth: {}", s.rate);
        for _ in 0..1000 {
            s = b.apply(&s, BudgetEvent::Succeeded, 40.0).1;
        }
        assert!((s.rate - 60.0).abs() < 1e-6, "wins the rate back");
    }

    #[test]
    fn a_refund_frees_the_slot() {
        let b = RateBudget::parse("1/s, burst 1").unwrap();
        let s = BudgetState::fresh(&b);
        let (w0, s) = b.apply(&s, BudgetEvent::Acquire, 5.0);
        let (_, s) = b.apply(&s, BudgetEvent::Refund, 5.0);
        let (w1, _) = b.apply(&s, BudgetEvent::Acquire, 5.0);
        assert_eq!((w0, w1), (0.0, 0.0));
    }

    #[test]
    fn the_judge_admits_what_the_budget_allows() {
        let b = RateBudget::new(3, Duration::from_secs(3), 3);
        let mut s = BudgetState::fresh(&b);
        for _ in 0..3 {
            s = b.admit(&s, 0.0).unwrap();
        }
        let wait = b.admit(&s, 0.0).unwrap_err();
        assert!((wait - 1.0).abs() < 1e-9);
        assert!(b.admit(&s, 1.0).is_ok());
    }

    proptest! {
        /// However requests arrive, no window of length `per` ever holds more than
        /// `burst + requests` sends (the burst, plus what the rate refills within it); and no
        /// window of one interval holds more than the burst.
        #[test]
        fn never_more_than_the_burst(
            requests in 1u32..200, per_ms in 100u64..10_000, burst in 1u32..30,
            gaps in proptest::collection::vec(0.0f64..0.5, 1..400),
        ) {
            let b = RateBudget::new(requests, Duration::from_millis(per_ms), burst);
            let mut t = 0.0;
            let arrivals: Vec<f64> = gaps.iter().map(|g| { t += g * b.per().as_secs_f64() / f64::from(requests); t }).collect();
            let sends = run(&b, &arrivals);
            let interval = 1.0 / b.rate();
            for (i, &start) in sends.iter().enumerate() {
                // Sends in [start, start + window): at most burst + floor(window / interval).
                for window_intervals in [1.0, f64::from(requests)] {
                    let window = window_intervals * interval - 1e-9;
                    let n = sends[i..].iter().take_while(|&&s| s < start + window).count();
                    let allowed = f64::from(burst) + (window / interval).floor();
                    prop_assert!(n as f64 <= allowed, "{n} sends in {window} s, allowed {allowed}");
                }
            }
        }

        /// Under steady demand (a request always waiting) the budget is used in full: n sends
        /// take (n - burst) intervals.
        #[test]
        fn full_use_under_steady_demand(requests in 1u32..500, per_ms in 100u64..60_000, burst in 1u32..30, n in 50usize..500) {
            let b = RateBudget::new(requests, Duration::from_millis(per_ms), burst);
            let sends = run(&b, &vec![7.0; n]);
            let interval = 1.0 / b.rate();
            let expected = (n as f64 - f64::from(burst)).max(0.0) * interval;
            let last = sends.last().copied().unwrap_or(7.0) - 7.0;
            prop_assert!((last - expected).abs() <= interval + 1e-6, "{last} vs {expected}");
            for pair in sends.windows(2) {
                prop_assert!(pair[1] >= pair[0], "in order");
            }
        }

        /// Several workers drawing on one state in any interleaving get the same total as one.
        #[test]
        fn workers_share_one_state(order in proptest::collection::vec(0usize..8, 100..300)) {
            let b = RateBudget::parse("60/2s, burst 10").unwrap();
            let mut state = BudgetState::fresh(&b);
            let mut clocks = [0.0f64; 8];
            for &w in &order {
                let (wait, next) = b.apply(&state, BudgetEvent::Acquire, clocks[w]);
                state = next;
                clocks[w] += wait;
            }
            let interval = 1.0 / b.rate();
            let end = clocks.iter().cloned().fold(0.0, f64::max);
            prop_assert!(end + 1e-9 >= (order.len() as f64 - 10.0 - 1.0) * interval);
        }
    }
}

/// A binding's rate budget option: `true` (the default budget), `false` (none), or a budget
/// written as text, such as `"120/2s"` or `"100/60s, burst 10"`.
#[derive(Clone, Debug, PartialEq, serde::Deserialize)]
#[serde(untagged)]
pub enum RateBudgetSetting {
    Switch(bool),
    Text(String),
}

impl RateBudgetSetting {
    /// The budget a setting (or its absence: the default budget) asks for; `None` is no budget.
    pub fn budget(setting: Option<&Self>) -> Result<Option<RateBudget>, NarvarError> {
        match setting {
            Some(RateBudgetSetting::Switch(false)) => Ok(None),
            Some(RateBudgetSetting::Text(spec)) => RateBudget::parse_setting(spec),
            Some(RateBudgetSetting::Switch(true)) | None => Ok(Some(RateBudget::default())),
        }
    }
}
