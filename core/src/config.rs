//! Where requests go and what they are signed with.

use crate::error::{ErrorCode, NarvarError};
use crate::secret::Secret;
use std::future::Future;

/// A Narvar environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// `https://ws.narvar.com`.
    Production,
    /// `https://ws-st01.narvar.qa`.
    Staging,
    /// `https://ws-qa01.narvar.qa`.
    Qa,
    /// Any base URL, such as a sandbox's `http://127.0.0.1:PORT`.
    Custom(String),
}

impl Environment {
    /// Reads `production`, `staging`, `qa` or a URL.
    pub fn parse(value: &str) -> Result<Self, NarvarError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Environment::Production),
            "staging" => Ok(Environment::Staging),
            "qa" => Ok(Environment::Qa),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                Ok(Environment::Custom(value.trim().trim_end_matches('/').to_owned()))
            }
            _ => Err(NarvarError::new(
                ErrorCode::Configuration,
                format!("The environment {value:?} is unknown: use production, staging, qa or an http(s) URL (NARVAR_BASE_URL)."),
            )),
        }
    }

    /// The base URLs of this environment.
    pub fn endpoints(&self) -> Endpoints {
        let api = match self {
            Environment::Production => "https://ws.narvar.com",
            Environment::Staging => "https://ws-st01.narvar.qa",
            Environment::Qa => "https://ws-qa01.narvar.qa",
            Environment::Custom(url) => url.trim_end_matches('/'),
        };
        // The client-side Promise API lives on a CDN host in production; other environments
        // (and sandboxes) serve it beside everything else. Narvar publishes no staging CDN host.
        let promise_public = match self {
            Environment::Production => "https://ship-cdn.domain-ship.prod20.narvar.com",
            _ => api,
        };
        Endpoints { api: api.to_owned(), promise_public: promise_public.to_owned() }
    }
}

/// Base URLs, without a trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Orders, tracking, returns, carriers, server-side Promise.
    pub api: String,
    /// Client-side Promise (`/api/2025-06/promise/...`).
    pub promise_public: String,
}

/// HTTP Basic credentials of the v1/v2 APIs: Narvar account id and auth token (Hub: Admin >
/// Company > API credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BasicAuth {
    pub account_id: String,
    pub auth_token: Secret,
}

/// The per-retailer HMAC key that signs track-by-order requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackingKey {
    pub retailer_moniker: String,
    pub hmac_key: Secret,
}

/// Everything a client can sign with. `version` changes whenever a provider hands out new
/// credentials, so the driver re-authenticates once per version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    pub basic: Option<BasicAuth>,
    /// Carrier self-serve.
    pub bearer: Option<Secret>,
    pub tracking: Option<TrackingKey>,
    /// The retailer moniker for client-side Promise calls and tracking info paths (defaults to
    /// the tracking key's).
    pub retailer_moniker: Option<String>,
    /// The site origin sent as `x-narvar-origin` on client-side Promise calls.
    pub origin: Option<String>,
    /// Requests go to the retailer's own backend, which adds the account's credentials: Basic
    /// and Bearer operations are sent without an `Authorization` header and need no secret
    /// here (a browser holds none).
    pub proxied: bool,
    /// Track-by-order tokens a backend computed for single orders
    /// ([`crate::tokens::TrackingGrant`]): `tracking.by_order` uses them when there is no HMAC
    /// key.
    pub tracking_grants: Vec<crate::tokens::TrackingGrant>,
    pub version: u64,
}

impl Credentials {
    /// Basic credentials only.
    pub fn basic(account_id: impl Into<String>, auth_token: impl Into<Secret>) -> Self {
        Credentials {
            basic: Some(BasicAuth { account_id: account_id.into(), auth_token: auth_token.into() }),
            ..Default::default()
        }
    }

    /// The retailer moniker: explicit, else the tracking key's.
    pub fn retailer(&self) -> Option<&str> {
        self.retailer_moniker.as_deref().or(self.tracking.as_ref().map(|t| t.retailer_moniker.as_str()))
    }

    /// The grant for `order_number`, if a backend gave one.
    pub fn tracking_grant(&self, order_number: &str) -> Option<&crate::tokens::TrackingGrant> {
        self.tracking_grants.iter().rev().find(|g| g.order_number == order_number)
    }

    /// Fails with a `configuration` error naming the settings when there is nothing to sign
    /// with (and the requests are not proxied).
    pub fn require_any(&self) -> Result<(), NarvarError> {
        let none = self.basic.is_none() && self.bearer.is_none() && self.tracking.is_none() && self.retailer_moniker.is_none();
        if none && !self.proxied && self.tracking_grants.is_empty() {
            return Err(NarvarError::configuration(
                "credentials",
                "NARVAR_ACCOUNT_ID and NARVAR_AUTH_TOKEN (or NARVAR_BEARER_TOKEN, or NARVAR_RETAILER_MONIKER and NARVAR_HMAC_KEY)",
            ));
        }
        Ok(())
    }

    pub(crate) fn require_basic(&self) -> Result<&BasicAuth, NarvarError> {
        self.basic
            .as_ref()
            .ok_or_else(|| NarvarError::configuration("account id and auth token", "NARVAR_ACCOUNT_ID and NARVAR_AUTH_TOKEN"))
    }
    pub(crate) fn require_bearer(&self) -> Result<&Secret, NarvarError> {
        self.bearer.as_ref().ok_or_else(|| NarvarError::configuration("carrier self-serve bearer token", "NARVAR_BEARER_TOKEN"))
    }
    /// The track-by-order tokens for `order_number` at `now_unix`: signed with the HMAC key, or
    /// else a grant a backend gave for that order.
    pub(crate) fn tracking_tokens(
        &self,
        order_number: &str,
        now_unix: u64,
    ) -> Result<std::borrow::Cow<'_, crate::tokens::TrackingGrant>, NarvarError> {
        use std::borrow::Cow;
        match (&self.tracking, self.tracking_grant(order_number)) {
            (Some(key), _) => Ok(Cow::Owned(crate::tokens::TrackingGrant::new(key, order_number, now_unix))),
            // A page without the key tracks the orders its backend granted it.
            (None, Some(grant)) => Ok(Cow::Borrowed(grant)),
            (None, None) => Err(NarvarError::configuration(
                "tracking HMAC key and retailer moniker",
                "NARVAR_HMAC_KEY and NARVAR_RETAILER_MONIKER",
            )),
        }
    }
    pub(crate) fn require_retailer(&self) -> Result<&str, NarvarError> {
        self.retailer().ok_or_else(|| NarvarError::configuration("retailer moniker", "NARVAR_RETAILER_MONIKER"))
    }
}

/// Supplies credentials, and fresh ones after a 401 (rotation without restart).
pub trait CredentialProvider: Send + Sync {
    /// The credentials to sign with now.
    fn current(&self) -> Credentials;
    /// Called once per credential version after a 401 with that version; returns credentials
    /// (a new `version` means "try again with these").
    fn refresh(&self, rejected: &Credentials) -> impl Future<Output = Result<Credentials, NarvarError>> + Send;
}

/// Credentials that never change: a 401 is final.
#[derive(Clone, Debug, Default)]
pub struct StaticCredentials(pub Credentials);

impl CredentialProvider for StaticCredentials {
    fn current(&self) -> Credentials {
        self.0.clone()
    }
    async fn refresh(&self, rejected: &Credentials) -> Result<Credentials, NarvarError> {
        Ok(rejected.clone())
    }
}

/// The longest timeout a setting takes: one day. Anything longer is a mistake (`inf`, `1e20`),
/// and `Duration::from_secs_f64` would panic on it.
pub const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// Reads a timeout given in seconds, as every binding, the CLI and the environment give it.
/// `setting` names where it came from (`timeout`, `--timeout`, `NARVAR_TIMEOUT_SECS`).
///
/// ```
/// use narvar_core::config::timeout_from_secs;
/// assert_eq!(timeout_from_secs("timeout", 2.5).unwrap().as_millis(), 2500);
/// for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e20] {
///     let e = timeout_from_secs("NARVAR_TIMEOUT_SECS", bad).unwrap_err();
///     assert!(e.message.contains("NARVAR_TIMEOUT_SECS"));
/// }
/// ```
pub fn timeout_from_secs(setting: &str, secs: f64) -> Result<std::time::Duration, NarvarError> {
    if secs.is_finite() && secs > 0.0 && secs <= MAX_TIMEOUT_SECS {
        // At least a millisecond: a shorter total deadline cannot be met by any request.
        Ok(std::time::Duration::from_secs_f64(secs.max(0.001)))
    } else {
        Err(NarvarError::new(
            ErrorCode::Configuration,
            format!("The {setting} setting must be a number of seconds above 0 and at most {MAX_TIMEOUT_SECS} (got {secs})."),
        ))
    }
}

/// How a binding spells its settings, so that an error names the setting its user wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spelling {
    /// `account_id`: Rust and Python.
    #[default]
    Snake,
    /// `accountId`: JavaScript, Kotlin and Swift.
    Camel,
    /// `NARVAR_ACCOUNT_ID`: the environment.
    Env,
}

impl Spelling {
    /// A paired credential setting's name in this spelling (a table, not string building:
    /// the wasm module's size is a budget).
    fn name(self, setting: Paired) -> &'static str {
        // One row per `Paired` variant, one column per `Spelling` variant, each in declaration
        // order (the casts below index by it).
        const NAMES: [[&str; 3]; 4] = [
            ["account_id", "accountId", "NARVAR_ACCOUNT_ID"],
            ["auth_token", "authToken", "NARVAR_AUTH_TOKEN"],
            ["retailer_moniker", "retailerMoniker", "NARVAR_RETAILER_MONIKER"],
            ["hmac_key", "hmacKey", "NARVAR_HMAC_KEY"],
        ];
        NAMES[setting as usize][self as usize]
    }
}

#[derive(Clone, Copy)]
enum Paired {
    AccountId,
    AuthToken,
    RetailerMoniker,
    HmacKey,
}

/// Which of the credential settings that only work in pairs a client was given.
#[derive(Clone, Copy, Debug, Default)]
pub struct CredentialPairs {
    pub account_id: bool,
    pub auth_token: bool,
    pub retailer_moniker: bool,
    pub hmac_key: bool,
    /// The client also reads the `NARVAR_*` variables, so an error names the missing setting's
    /// variable too.
    pub from_env: bool,
}

impl CredentialPairs {
    /// Half of a pair is a `configuration` error naming both settings, at construction: left
    /// alone it would be dropped, and the first call that needs it would fail instead. The
    /// pairs are an account id with its auth token (HTTP Basic), and an HMAC key with the
    /// retailer moniker it signs for (a moniker alone is fine: client-side Promise calls use it).
    ///
    /// ```
    /// use narvar_core::config::{CredentialPairs, Spelling};
    /// let half = CredentialPairs { account_id: true, ..Default::default() };
    /// let err = half.check(Spelling::Camel).unwrap_err();
    /// assert!(err.message.starts_with("accountId and authToken go together"), "{}", err.message);
    /// ```
    pub fn check(&self, spelling: Spelling) -> Result<(), NarvarError> {
        let name = |s| spelling.name(s);
        // Where the client reads the environment too, the variable completes a pair as well.
        let missing = |s| match self.from_env && spelling != Spelling::Env {
            true => format!("{} (or {})", name(s), Spelling::Env.name(s)),
            false => name(s).to_owned(),
        };
        let message = if self.account_id != self.auth_token {
            let absent = missing(if self.account_id { Paired::AuthToken } else { Paired::AccountId });
            format!(
                "{} and {} go together (HTTP Basic credentials): {absent} is missing.",
                name(Paired::AccountId),
                name(Paired::AuthToken)
            )
        } else if self.hmac_key && !self.retailer_moniker {
            let absent = missing(Paired::RetailerMoniker);
            format!("{} needs {absent}: the track-by-order token is signed for one retailer.", name(Paired::HmacKey))
        } else {
            return Ok(());
        };
        Err(NarvarError::new(ErrorCode::Configuration, message))
    }
}

/// [`timeout_from_secs`] for languages whose timeouts are milliseconds (JavaScript's `timeoutMs`).
pub fn timeout_from_millis(setting: &str, millis: f64) -> Result<std::time::Duration, NarvarError> {
    let max_millis = MAX_TIMEOUT_SECS * 1000.0;
    if millis.is_finite() && millis > 0.0 && millis <= max_millis {
        Ok(std::time::Duration::from_secs_f64((millis / 1000.0).max(0.001)))
    } else {
        Err(NarvarError::new(
            ErrorCode::Configuration,
            format!("The {setting} setting must be a number of milliseconds above 0 and at most {max_millis} (got {millis})."),
        ))
    }
}

/// Checks a timeout given as a `Duration` (zero is refused; over a day too).
pub fn check_timeout(setting: &str, timeout: std::time::Duration) -> Result<std::time::Duration, NarvarError> {
    timeout_from_secs(setting, timeout.as_secs_f64()).map(|_| timeout)
}

/// Reads a timeout given as text (an environment variable, a flag): a number of seconds.
pub fn timeout_from_text(setting: &str, text: &str) -> Result<std::time::Duration, NarvarError> {
    let secs: f64 = text.trim().parse().map_err(|_| {
        NarvarError::new(
            ErrorCode::Configuration,
            format!("The {setting} setting must be a number of seconds (got {:?}).", text.chars().take(40).collect::<String>()),
        )
    })?;
    timeout_from_secs(setting, secs)
}

/// Reads a binding's options object (JSON text, the binding's own spelling, a struct with
/// `deny_unknown_fields`): an unknown option is a `configuration` error naming it and what it
/// was likely meant to be (among the struct's own fields, as serde names them), a bad value
/// names the option.
///
/// ```
/// #[derive(serde::Deserialize)]
/// #[serde(deny_unknown_fields, rename_all = "camelCase")]
/// struct Options { timeout_ms: Option<f64> }
/// let e = narvar_core::config::read_options::<Options>(r#"{"timeoutMS": 5}"#).err().unwrap();
/// assert_eq!(e.message, "There is no client option timeoutMS. Did you mean timeoutMs?");
/// let e = narvar_core::config::read_options::<Options>(r#"{"zzz": 5}"#).err().unwrap();
/// assert_eq!(e.message, "There is no client option zzz. The options are timeoutMs.");
/// ```
pub fn read_options<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, NarvarError> {
    let configuration = |m: String| NarvarError::new(ErrorCode::Configuration, m);
    // Through a `Value` and the core's own path-tracking reader, as every input is read: no
    // second deserializer instantiated for the options types (it counts in the wasm module).
    let value: serde_json::Value =
        serde_json::from_str(json).map_err(|e| configuration(format!("The client options are invalid: {e}.")))?;
    crate::codec::from_json_by_serde(&value).map_err(|e| {
        let setting = e.path();
        let inner = e.inner().to_string();
        let unknown = inner.strip_prefix("unknown field `").and_then(|r| r.split('`').next());
        match unknown {
            Some(name) => {
                let names = expected_fields(&inner);
                let hint = crate::models::likely_field(name, &names)
                    .map(|m| format!(" Did you mean {m}?"))
                    .unwrap_or_else(|| format!(" The options are {}.", names.join(", ")));
                configuration(format!("There is no client option {name}.{hint}"))
            }
            None if setting == "." => configuration(format!("The client options are invalid: {inner}.")),
            None => {
                configuration(format!("The {setting} option is invalid: {}.", inner.split(" at line").next().unwrap_or(&inner)))
            }
        }
    })
}

/// The fields a struct has, from serde's unknown-field error (``unknown field `x`, expected one
/// of `a`, `b` ``): the derive's own list, so the options are listed in one place, the struct.
fn expected_fields(message: &str) -> Vec<&str> {
    let Some((_, expected)) = message.split_once(", expected ") else { return Vec::new() };
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    expected.split(", ").filter_map(|f| f.strip_prefix('`')?.strip_suffix('`')).collect()
}
