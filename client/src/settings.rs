//! A client's settings as plain values: what a binding reads from its language's options
//! (keyword arguments, an options object) and turns into a [`Client`] the same way everywhere.

pub use narvar_core::budget::RateBudgetSetting;
pub use narvar_core::config::Spelling;

use crate::builder::env;
use crate::{Client, ClientBuilder, Environment, Result};
use narvar_core::config::CredentialPairs;
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
    /// How the binding's users spell these settings, for the errors that name them.
    pub spelling: Spelling,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings").field("environment", &self.environment).finish_non_exhaustive()
    }
}

impl Settings {
    /// The builder these settings describe; `binding` names the language in the `User-Agent`.
    pub fn builder(&self, binding: &str) -> Result<ClientBuilder> {
        // A setting given here replaces its variable; the pairs are checked once merged.
        let or_env = |given: &Option<String>, var: &str| given.clone().or_else(|| self.from_env.then(|| env(var)).flatten());
        let account_id = or_env(&self.account_id, "NARVAR_ACCOUNT_ID");
        let auth_token = or_env(&self.auth_token, "NARVAR_AUTH_TOKEN");
        let retailer_moniker = or_env(&self.retailer_moniker, "NARVAR_RETAILER_MONIKER");
        let hmac_key = or_env(&self.hmac_key, "NARVAR_HMAC_KEY");
        CredentialPairs {
            account_id: account_id.is_some(),
            auth_token: auth_token.is_some(),
            retailer_moniker: retailer_moniker.is_some(),
            hmac_key: hmac_key.is_some(),
            from_env: self.from_env,
        }
        .check(self.spelling)?;
        let mut b = if self.from_env { ClientBuilder::from_env_unpaired()? } else { Client::builder() };
        if let Some(u) = &self.environment {
            b = b.environment(Environment::parse(u)?);
        }
        if let (Some(a), Some(t)) = (account_id, auth_token) {
            b = b.basic_auth(a, t);
        }
        if let Some(t) = &self.bearer_token {
            b = b.bearer_token(t.clone());
        }
        if let Some(r) = retailer_moniker {
            b = b.retailer_moniker(r.clone());
            if let Some(k) = hmac_key {
                b = b.tracking_key(r, k);
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

#[cfg(test)]
mod tests {
    use super::*;
    use narvar_core::ErrorCode;

    fn refusal(settings: Settings) -> narvar_core::NarvarError {
        match settings.builder("rust") {
            Ok(_) => panic!("half a credential pair was taken"),
            Err(e) => e,
        }
    }

    #[test]
    fn half_a_credential_pair_is_refused_naming_both_settings_as_the_binding_spells_them() {
        let bearer = || Some("bear_test".to_owned());
        let e = refusal(Settings { account_id: Some("acme".into()), bearer_token: bearer(), ..Default::default() });
        assert_eq!(e.code, ErrorCode::Configuration);
        assert_eq!(e.message, "account_id and auth_token go together (HTTP Basic credentials): auth_token is missing.");
        let e = refusal(Settings {
            hmac_key: Some("k".into()),
            bearer_token: bearer(),
            spelling: Spelling::Camel,
            ..Default::default()
        });
        assert_eq!(e.message, "hmacKey needs retailerMoniker: the track-by-order token is signed for one retailer.");
        // A moniker alone is whole: client-side Promise calls use it.
        assert!(Settings { retailer_moniker: Some("acme".into()), ..Default::default() }.builder("rust").is_ok());
    }
}
