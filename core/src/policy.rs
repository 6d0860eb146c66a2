//! Pure decisions: whether and when to retry (the rate budget is [`crate::budget`]).
//! Time and randomness are passed in.

use crate::http::TransportError;
use std::time::{Duration, SystemTime};

/// When to try again.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// The back-off before the second attempt (before jitter).
    pub base_delay: Duration,
    /// The longest back-off (before jitter), and the longest `Retry-After` honoured.
    pub max_delay: Duration,
    /// Re-send non-idempotent writes that carry an `Idempotency-Key` even after "may have been
    /// sent". Off by default: Narvar documents no idempotency keys (the sandbox honours them).
    pub trust_idempotency_keys: bool,
}

impl RetryPolicy {
    /// The policy, or a `configuration` error when it cannot work (no attempt at all).
    pub fn checked(self) -> Result<Self, crate::NarvarError> {
        if self.max_attempts == 0 {
            return Err(crate::NarvarError::new(
                crate::ErrorCode::Configuration,
                "The max_attempts setting must be at least 1 (one attempt, no retries).",
            ));
        }
        Ok(self)
    }
}

impl Default for RetryPolicy {
    /// 5 attempts, back-off 1 s doubling to 32 s with full jitter (`narvar-api.md` §9).
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(32),
            trust_idempotency_keys: false,
        }
    }
}

/// What one attempt ended with, as far as retrying cares.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A response with this status (and `Retry-After`, when sent).
    Status { status: u16, retry_after: Option<Duration> },
    /// No response.
    Transport(TransportError),
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Stop: the outcome is final.
    Stop,
}

/// What the policy needs to know about the operation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetrySafety {
    /// Safe to send twice.
    pub idempotent: bool,
    /// Carries an idempotency key.
    pub keyed: bool,
}

impl RetryPolicy {
    /// The full-jitter back-off before attempt `attempt + 1` (0-based `attempt` just failed):
    /// `jitter × min(base × 2^attempt, max)`, `jitter` uniform in `[0, 1)`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << attempt.min(20)).min(self.max_delay);
        cap.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// Whether and when to retry after attempt `attempt` (0-based) ended with `outcome`.
    ///
    /// Never sent, 429 and 503 (the server refused before acting) are always retryable. "May
    /// have been sent", 500, 502 and 504 are retried only for idempotent operations (or keyed ones
    /// when `trust_idempotency_keys`). `Retry-After` replaces the back-off, up to `max_delay`.
    ///
    /// ```
    /// use narvar_core::policy::*;
    /// use narvar_core::http::TransportError;
    /// let p = RetryPolicy::default();
    /// let create_return = RetrySafety { idempotent: false, keyed: true };
    /// let lost = Outcome::Transport(TransportError::MaybeSent("reset".into()));
    /// assert_eq!(p.decide(create_return, 0, &lost, 0.5), Decision::Stop);
    /// ```
    pub fn decide(&self, op: RetrySafety, attempt: u32, outcome: &Outcome, jitter: f64) -> Decision {
        if attempt + 1 >= self.max_attempts {
            return Decision::Stop;
        }
        let safe = op.idempotent || (op.keyed && self.trust_idempotency_keys);
        let (retry, retry_after) = match outcome {
            Outcome::Transport(TransportError::NotSent(_)) => (true, None),
            Outcome::Transport(TransportError::MaybeSent(_)) => (safe, None),
            Outcome::Status { status: 429 | 503, retry_after } => (true, *retry_after),
            Outcome::Status { status: 500 | 502 | 504, retry_after } => (safe, *retry_after),
            Outcome::Status { .. } => (false, None),
        };
        if !retry {
            return Decision::Stop;
        }
        match retry_after {
            Some(d) if d > self.max_delay => Decision::Stop, // longer than we would wait: report it
            Some(d) => Decision::RetryAfter(d),
            None => Decision::RetryAfter(self.backoff(attempt, jitter)),
        }
    }
}

/// Reads `Retry-After`: delay-seconds, or an HTTP-date relative to `now` (without `now`, a date
/// cannot be read and gives `None`).
pub fn parse_retry_after(value: &str, now: Option<SystemTime>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now?).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: RetrySafety = RetrySafety { idempotent: true, keyed: false };
    const CREATE: RetrySafety = RetrySafety { idempotent: false, keyed: true };

    #[test]
    fn backoff_doubles_to_the_cap_with_full_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(3, 1.0), Duration::from_secs(8));
        assert_eq!(p.backoff(9, 1.0), Duration::from_secs(32));
        assert_eq!(p.backoff(3, 0.5), Duration::from_secs(4));
        assert_eq!(p.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn what_is_retried() {
        let p = RetryPolicy::default();
        let s = |status| Outcome::Status { status, retry_after: None };
        assert_eq!(p.decide(READ, 0, &s(503), 1.0), Decision::RetryAfter(Duration::from_secs(1)));
        assert_eq!(p.decide(READ, 1, &s(502), 1.0), Decision::RetryAfter(Duration::from_secs(2)));
        assert_eq!(p.decide(CREATE, 0, &s(502), 1.0), Decision::Stop);
        assert_eq!(p.decide(CREATE, 0, &s(503), 1.0), Decision::RetryAfter(Duration::from_secs(1)));
        assert_eq!(p.decide(READ, 0, &s(404), 1.0), Decision::Stop);
        assert_eq!(p.decide(READ, 4, &s(503), 1.0), Decision::Stop, "out of attempts");
        let never = Outcome::Transport(TransportError::NotSent("refused".into()));
        assert_eq!(p.decide(CREATE, 0, &never, 1.0), Decision::RetryAfter(Duration::from_secs(1)));
        let maybe = Outcome::Transport(TransportError::MaybeSent("reset".into()));
        assert_eq!(p.decide(CREATE, 0, &maybe, 1.0), Decision::Stop);
        let trusting = RetryPolicy { trust_idempotency_keys: true, ..p.clone() };
        assert_ne!(trusting.decide(CREATE, 0, &maybe, 1.0), Decision::Stop);
        let throttled = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(3)) };
        assert_eq!(p.decide(CREATE, 0, &throttled, 0.1), Decision::RetryAfter(Duration::from_secs(3)));
        let too_long = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(600)) };
        assert_eq!(p.decide(READ, 0, &too_long, 0.1), Decision::Stop);
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after("3", None), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", Some(now)), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:07 GMT", None), None);
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", Some(now)), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", Some(now)), None);
    }
}
