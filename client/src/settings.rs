//! A client's settings as plain values: what a binding reads from its language's options
//! (keyword arguments, an options object) and turns into a [`Client`] the same way everywhere.

pub use narvar_core::budget::RateBudgetSetting;

use crate::{Client, ClientBuilder, Environment, Result};
use std::time::Duration;

/// Every setting a binding offers; `None` leaves the builder's default (or, with `from_env`, the
/// `NARVAR_*` variable's value).
#[derive(Clone, Default)]
pub struct Settings {
    /// `production`, `staging`, `qa` or an http(s) base URL.
    pub environment: Option<String>,
    pub account_id: Option<String>,
    pub auth_token: Option<String>,
    pub bearer_token: Option<String>,
    pub retailer_moniker: Option<String>,
    /// The track-by-order HMAC key (needs `retailer_moniker`).
    pub hmac_key: Option<String>,
    pub origin: Option<String>,
    pub timeout: Option<Duration>,
    pub max_attempts: Option<u32>,
    /// The client-side rate budget: on (the default budget), off, or a budget's text.
    pub rate_budget: Option<RateBudgetSetting>,
    /// A Redis URL: share the rate budget with the account's other workers.
    pub rate_budget_redis: Option<String>,
    /// How many workers share it (their share while Redis is away).
    pub rate_budget_workers: Option<u32>,
    /// Appended to the `User-Agent`, after the binding's own name.
    pub user_agent_suffix: Option<String>,
    /// Start from the `NARVAR_*` environment variables.
    pub from_env: bool,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("environment", &self.environment).finish_non_exhaustive()
    }
}

impl Settings {
    /// The builder these settings describe; `binding` names the language in the `User-Agent`.
    pub fn builder(&self, binding: &str) -> Result<ClientBuilder> {
        let mut b = if self.from_env { ClientBuilder::from_env()? } else { Client::builder() };
        if let Some(u) = &self.environment {
            b = b.environment(Environment::parse(u)?);
        }
        if let (Some(a), Some(t)) = (&self.account_id, &self.auth_token) {
            b = b.basic_auth(a.clone(), t.clone());
        }
        if let Some(t) = &self.bearer_token {
            b = b.bearer_token(t.clone());
        }
        if let Some(r) = &self.retailer_moniker {
            b = b.retailer_moniker(r.clone());
            if let Some(k) = &self.hmac_key {
                b = b.tracking_key(r.clone(), k.clone());
            }
        }
        if let Some(o) = &self.origin {
            b = b.origin(o.clone());
        }
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(n) = self.max_attempts {
            b = b.max_attempts(n);
        }
        match &self.rate_budget {
            Some(RateBudgetSetting::Switch(false)) => b = b.no_rate_budget(),
            Some(RateBudgetSetting::Text(spec)) => b = b.rate_budget_text(spec)?,
            Some(RateBudgetSetting::Switch(true)) | None => {}
        }
        if let Some(url) = &self.rate_budget_redis {
            b = b.rate_budget_redis(url.clone());
        }
        if let Some(n) = self.rate_budget_workers {
            b = b.rate_budget_workers(n);
        }
        let suffix = match &self.user_agent_suffix {
            Some(s) => format!("{binding} {s}"),
            None => binding.to_owned(),
        };
        Ok(b.user_agent_suffix(suffix))
    }
}
