//! Fault rules: what to break, for which requests, how often. Deterministic for a given seed.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// What a fault does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer `status` (429 with `Retry-After: retry_after`, 500, 502, 503, ...) without acting.
    Status,
    /// Wait `delay_ms`, then act normally.
    Delay,
    /// Act, then send half the body and stall (the client's timeout must fire).
    StallBody,
    /// Close the connection before acting: nothing happened.
    DropBefore,
    /// Act (the write happens), then close the connection without answering.
    DropAfter,
    /// Expire the credentials used (401 now and after); `GET /_sandbox/accounts` shows the new ones.
    ExpireCredentials,
}

/// A rule, as posted to `POST /_sandbox/faults` or given with `--fault`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FaultRule {
    #[serde(default)]
    pub id: String,
    pub kind: FaultKind,
    /// Operation name, e.g. `orders.get`.
    #[serde(default)]
    pub operation: Option<String>,
    /// Exact request path (without query).
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub status: Option<u16>,
    /// Seconds, for 429/503.
    #[serde(default)]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Fire with this probability (default 1).
    #[serde(default)]
    pub probability: Option<f64>,
    /// Seed of the rule's own random draws (default 0).
    #[serde(default)]
    pub seed: Option<u64>,
    /// Fire at most this many times (default: always).
    #[serde(default)]
    pub times: Option<u32>,
    /// How many times it fired.
    #[serde(default)]
    pub fired: u32,
    #[serde(skip)]
    rng: Option<StdRng>,
}

impl FaultRule {
    /// Checks the rule is usable; returns why not.
    pub fn check(&self) -> Result<(), String> {
        if self.operation.is_none() && self.path.is_none() {
            return Err("a fault needs an operation or a path".into());
        }
        if let Some(op) = &self.operation {
            if narvar_core::ops::find(op).is_none() {
                return Err(format!("there is no operation {op:?}"));
            }
        }
        if self.kind == FaultKind::Status && !self.status.is_some_and(|s| (400..600).contains(&s)) {
            return Err("a status fault needs a status from 400 to 599".into());
        }
        if self.probability.is_some_and(|p| !(0.0..=1.0).contains(&p)) {
            return Err("probability must be between 0 and 1".into());
        }
        Ok(())
    }

    /// Whether the rule fires for this request; counts it if so.
    pub fn fires(&mut self, operation: &str, method: &str, path: &str) -> bool {
        if self.operation.as_deref().is_some_and(|o| o != operation)
            || self.path.as_deref().is_some_and(|p| p != path)
            || self.method.as_deref().is_some_and(|m| !m.eq_ignore_ascii_case(method))
            || self.times.is_some_and(|t| self.fired >= t)
        {
            return false;
        }
        let p = self.probability.unwrap_or(1.0);
        if p < 1.0 {
            let seed = self.seed.unwrap_or(0);
            let draw: f64 = self.rng.get_or_insert_with(|| StdRng::seed_from_u64(seed)).random();
            if draw >= p {
                return false;
            }
        }
        self.fired += 1;
        true
    }
}
