//! Building a client: environment, credentials, timeouts, retries, rate budget, hooks.

use crate::transport::{Hooked, HttpTransport, RandomIds, ReqwestTransport, TokioSleep};
use crate::{cache, Client, Inner, Result};
use futures_util::future::BoxFuture;
use narvar_core::budget::RateBudget;
use narvar_core::config::{BasicAuth, CredentialPairs, CredentialProvider, Spelling, TrackingKey};
use narvar_core::http::{HttpRequest, HttpResponse, TransportError};
use narvar_core::policy::RetryPolicy;
use narvar_core::{Credentials, Driver, DriverConfig, Environment, ErrorCode, NarvarError, Secret};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Supplies credentials, and new ones after a 401: rotation without a restart.
pub trait CredentialSource: Send + Sync + 'static {
    /// The credentials to sign with now.
    fn current(&self) -> Credentials;
    /// Called once per credential version after a 401; return credentials with a new `version`
    /// to retry with them, or the same ones to let the 401 stand.
    fn refresh(&self, rejected: Credentials) -> BoxFuture<'static, Result<Credentials>>;
}

struct Fixed(Credentials);

impl CredentialSource for Fixed {
    fn current(&self) -> Credentials {
        self.0.clone()
    }
    fn refresh(&self, rejected: Credentials) -> BoxFuture<'static, Result<Credentials>> {
        Box::pin(async move { Ok(rejected) })
    }
}

/// Adapts a [`CredentialSource`] to the core's provider.
pub struct SourceAdapter(pub(crate) Arc<dyn CredentialSource>);

impl CredentialProvider for SourceAdapter {
    fn current(&self) -> Credentials {
        self.0.current()
    }
    fn refresh(&self, rejected: &Credentials) -> impl std::future::Future<Output = Result<Credentials>> + Send {
        self.0.refresh(rejected.clone())
    }
}

type BeforeHook = Arc<dyn Fn(&HttpRequest) + Send + Sync>;
type AfterHook = Arc<dyn Fn(&HttpRequest, &std::result::Result<HttpResponse, TransportError>, Duration) + Send + Sync>;

/// Functions called around every attempt. The request's `Debug` hides its `Authorization`.
#[derive(Clone, Default)]
pub struct Hooks {
    pub(crate) before_request: Vec<BeforeHook>,
    pub(crate) after_response: Vec<AfterHook>,
}

/// Configures a [`Client`]. Every setting has a `NARVAR_*` environment variable read by
/// [`ClientBuilder::from_env`].
#[derive(Default)]
pub struct ClientBuilder {
    environment: Option<Environment>,
    basic: Option<BasicAuth>,
    bearer: Option<Secret>,
    tracking: Option<TrackingKey>,
    retailer_moniker: Option<String>,
    origin: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    connections_per_thread: bool,
    retry: Option<RetryPolicy>,
    rate_budget: Option<Option<RateBudget>>,
    rate_budget_redis: Option<Secret>,
    rate_budget_workers: Option<u32>,
    user_agent_suffix: Option<String>,
    source: Option<Arc<dyn CredentialSource>>,
    transport: Option<Arc<dyn HttpTransport>>,
    hooks: Hooks,
    cache_ttl: Option<Duration>,
    audit: Option<Box<dyn Write + Send>>,
}

pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl ClientBuilder {
    /// A builder filled from the environment: `NARVAR_BASE_URL` (or `NARVAR_ENVIRONMENT`:
    /// production, staging, qa), `NARVAR_ACCOUNT_ID` + `NARVAR_AUTH_TOKEN`, `NARVAR_BEARER_TOKEN`,
    /// `NARVAR_RETAILER_MONIKER` + `NARVAR_HMAC_KEY`, `NARVAR_ORIGIN`, `NARVAR_TIMEOUT_SECS`.
    /// Half of a pair (an account id without its token, an HMAC key without the moniker) is a
    /// `configuration` error naming both variables.
    pub fn from_env() -> Result<ClientBuilder> {
        let given = |var| env(var).is_some();
        CredentialPairs {
            account_id: given("NARVAR_ACCOUNT_ID"),
            auth_token: given("NARVAR_AUTH_TOKEN"),
            retailer_moniker: given("NARVAR_RETAILER_MONIKER"),
            hmac_key: given("NARVAR_HMAC_KEY"),
            from_env: true,
        }
        .check(Spelling::Env)?;
        Self::from_env_unpaired()
    }

    /// [`ClientBuilder::from_env`] without the pairs check, for [`crate::Settings`], whose own
    /// settings may complete a pair.
    pub(crate) fn from_env_unpaired() -> Result<ClientBuilder> {
        let mut b = ClientBuilder::default();
        match (env("NARVAR_BASE_URL"), env("NARVAR_ENVIRONMENT")) {
            (Some(url), _) => b.environment = Some(Environment::parse(&url)?),
            (None, Some(e)) => b.environment = Some(Environment::parse(&e)?),
            (None, None) => {
                return Err(NarvarError::configuration("base URL", "NARVAR_BASE_URL (production, staging, qa or a URL)"));
            }
        }
        if let (Some(a), Some(t)) = (env("NARVAR_ACCOUNT_ID"), env("NARVAR_AUTH_TOKEN")) {
            b = b.basic_auth(a, t);
        }
        if let Some(t) = env("NARVAR_BEARER_TOKEN") {
            b = b.bearer_token(t);
        }
        if let Some(r) = env("NARVAR_RETAILER_MONIKER") {
            b.retailer_moniker = Some(r.clone());
            if let Some(k) = env("NARVAR_HMAC_KEY") {
                b = b.tracking_key(r, k);
            }
        }
        if let Some(o) = env("NARVAR_ORIGIN") {
            b = b.origin(o);
        }
        if let Some(t) = env("NARVAR_TIMEOUT_SECS") {
            b = b.timeout(narvar_core::config::timeout_from_text("NARVAR_TIMEOUT_SECS", &t)?);
        }
        if let Some(spec) = env("NARVAR_RATE_BUDGET") {
            b.rate_budget = Some(parse_rate_budget(&spec).map_err(|mut e| {
                e.message = format!("NARVAR_RATE_BUDGET: {}", e.message);
                e
            })?);
        }
        if let Some(url) = env("NARVAR_RATE_BUDGET_REDIS") {
            b = b.rate_budget_redis(url);
        }
        if let Some(n) = env("NARVAR_RATE_BUDGET_WORKERS") {
            let n = n.trim().parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| {
                NarvarError::new(ErrorCode::Configuration, "NARVAR_RATE_BUDGET_WORKERS must be a whole number of at least 1.")
            })?;
            b = b.rate_budget_workers(n);
        }
        Ok(b)
    }

    /// Production, staging, QA, or a custom base URL.
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }
    /// A base URL, such as a sandbox's.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.environment = Some(Environment::Custom(url.into().trim_end_matches('/').to_owned()));
        self
    }
    /// Account id and auth token (orders, tracking info, returns, server-side Promise).
    pub fn basic_auth(mut self, account_id: impl Into<String>, auth_token: impl Into<Secret>) -> Self {
        self.basic = Some(BasicAuth { account_id: account_id.into(), auth_token: auth_token.into() });
        self
    }
    /// The carrier self-serve bearer token.
    pub fn bearer_token(mut self, token: impl Into<Secret>) -> Self {
        self.bearer = Some(token.into());
        self
    }
    /// The retailer moniker and HMAC key that sign track-by-order.
    pub fn tracking_key(mut self, retailer_moniker: impl Into<String>, hmac_key: impl Into<Secret>) -> Self {
        self.tracking = Some(TrackingKey { retailer_moniker: retailer_moniker.into(), hmac_key: hmac_key.into() });
        self
    }
    /// The retailer moniker (tracking info paths, client-side Promise), if not the tracking key's.
    pub fn retailer_moniker(mut self, moniker: impl Into<String>) -> Self {
        self.retailer_moniker = Some(moniker.into());
        self
    }
    /// The site origin for client-side Promise calls.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
    /// Total time per call: every attempt, back-off and body. Default 30 s.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }
    /// The most response body read (default 8 MiB, [`narvar_core::http::DEFAULT_MAX_RESPONSE_BYTES`]);
    /// a longer body is a `decode` error, and no more of it is read.
    pub fn max_response_bytes(mut self, n: usize) -> Self {
        self.max_response_bytes = Some(n);
        self
    }

    /// Time to connect. Default 10 s.
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = Some(t);
        self
    }
    /// Retry policy (default: 5 attempts, 1 s doubling to 32 s, full jitter).
    pub fn retry_policy(mut self, p: RetryPolicy) -> Self {
        self.retry = Some(p);
        self
    }
    /// Attempts in all; 1 turns retries off.
    pub fn max_attempts(mut self, n: u32) -> Self {
        let mut p = self.retry.take().unwrap_or_default();
        p.max_attempts = n;
        self.retry = Some(p);
        self
    }
    /// The client-side rate budget: `requests` per `per`, bursts of `burst`. Default 100 / 60 s,
    /// bursts of 10.
    pub fn rate_budget(mut self, requests: u32, per: Duration, burst: u32) -> Self {
        self.rate_budget = Some(Some(RateBudget::new(requests, per, burst)));
        self
    }
    /// The client-side rate budget written as text: `"120/2s"`, `"100/60s, burst 10"`, or
    /// `"off"` (see [`RateBudget::parse`]).
    pub fn rate_budget_text(mut self, spec: &str) -> Result<Self> {
        self.rate_budget = Some(parse_rate_budget(spec)?);
        Ok(self)
    }
    /// No client-side rate budget (the server may still answer 429).
    pub fn no_rate_budget(mut self) -> Self {
        self.rate_budget = Some(None);
        self
    }
    /// Shares the rate budget with every other worker of the account through the Redis at
    /// `url` (`redis://[:password@]host[:port][/db]`; needs the `redis` feature): the budget is
    /// then the account's, not this process's, and one worker's 429 slows them all. When Redis
    /// does not answer, this worker keeps to its share (see [`ClientBuilder::rate_budget_workers`])
    /// until it does; a call never fails because of Redis.
    ///
    /// ```no_run
    /// let client = narvar::Client::builder()
    ///     .basic_auth("acme", "tok_live_acme")
    ///     .rate_budget_redis("redis://10.0.0.5:6379")
    ///     .rate_budget_workers(8)
    ///     .build()?;
    /// # Ok::<(), narvar::NarvarError>(())
    /// ```
    pub fn rate_budget_redis(mut self, url: impl Into<Secret>) -> Self {
        self.rate_budget_redis = Some(url.into());
        self
    }
    /// How many workers share the budget, for the share each keeps while Redis is away (the
    /// limit divided by this). Default 8.
    pub fn rate_budget_workers(mut self, workers: u32) -> Self {
        self.rate_budget_workers = Some(workers);
        self
    }
    /// Appended to the `User-Agent`.
    pub fn user_agent_suffix(mut self, s: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(s.into());
        self
    }
    /// Where credentials come from (overrides the fixed ones).
    pub fn credential_source(mut self, s: impl CredentialSource) -> Self {
        self.source = Some(Arc::new(s));
        self
    }
    /// One connection pool per calling thread for calls made on a current-thread runtime (see
    /// [`ReqwestTransport::with_connections_per_thread`]): for synchronous wrappers that keep one
    /// such runtime per thread. Ignored with a transport of your own.
    pub fn connections_per_thread(mut self, on: bool) -> Self {
        self.connections_per_thread = on;
        self
    }
    /// A transport of your own.
    pub fn transport(mut self, t: impl HttpTransport) -> Self {
        self.transport = Some(Arc::new(t));
        self
    }
    /// Called before each attempt.
    pub fn before_request(mut self, f: impl Fn(&HttpRequest) + Send + Sync + 'static) -> Self {
        self.hooks.before_request.push(Arc::new(f));
        self
    }
    /// Called after each attempt with its outcome and duration.
    pub fn after_response(
        mut self,
        f: impl Fn(&HttpRequest, &std::result::Result<HttpResponse, TransportError>, Duration) + Send + Sync + 'static,
    ) -> Self {
        self.hooks.after_response.push(Arc::new(f));
        self
    }
    /// Caches reads for `ttl`; writes to an order, return or account forget what was read of it.
    pub fn read_cache(mut self, ttl: Duration) -> Self {
        self.cache_ttl = Some(ttl);
        self
    }
    /// Writes one JSON line per write (operation, key, outcome, status, request id, tracer id,
    /// attempts); never a body or a secret.
    pub fn audit_log(mut self, w: impl Write + Send + 'static) -> Self {
        self.audit = Some(Box::new(w));
        self
    }

    /// Builds the client. Without any credentials it is a `configuration` error naming the
    /// variables.
    pub fn build(self) -> Result<Client> {
        let environment = self.environment.unwrap_or(Environment::Production);
        let credentials = Credentials {
            basic: self.basic,
            bearer: self.bearer,
            tracking: self.tracking,
            retailer_moniker: self.retailer_moniker,
            origin: self.origin,
            proxied: false,
            tracking_grants: Vec::new(),
            version: 1,
        };
        let source: Arc<dyn CredentialSource> = match self.source {
            Some(s) => s,
            None => {
                credentials.require_any()?;
                Arc::new(Fixed(credentials))
            }
        };
        let shared_key = narvar_core::budget::shared_key(&environment.endpoints(), &source.current());
        let mut config = DriverConfig::new(environment.endpoints());
        if let Some(t) = self.timeout {
            config.timeout = narvar_core::config::check_timeout("timeout", t)?;
        }
        if let Some(t) = self.connect_timeout {
            narvar_core::config::check_timeout("connect_timeout", t)?;
        }
        if let Some(n) = self.max_response_bytes {
            if n == 0 {
                return Err(NarvarError::new(ErrorCode::Configuration, "The max_response_bytes setting must be above 0."));
            }
            config.max_response_bytes = n;
        }
        if let Some(r) = self.retry {
            config.retry = r.checked()?;
        }
        if let Some(b) = self.rate_budget {
            config.rate_budget = b;
        }
        if let Some(s) = self.user_agent_suffix {
            config.user_agent = format!("{} {s}", config.user_agent);
        }
        let transport: Arc<dyn HttpTransport> = match self.transport {
            Some(t) => t,
            None => {
                let connect_timeout = self.connect_timeout.unwrap_or(Duration::from_secs(10));
                let t = ReqwestTransport::new(connect_timeout)?;
                Arc::new(if self.connections_per_thread { t.with_connections_per_thread(connect_timeout) } else { t })
            }
        };
        let shared_budget = match (&self.rate_budget_redis, config.rate_budget) {
            (Some(url), Some(budget)) => Some(shared_store(budget, url, shared_key, self.rate_budget_workers)?),
            _ => None,
        };
        let mut driver = Driver::new(
            config,
            Hooked { inner: transport, hooks: self.hooks },
            TokioSleep(Instant::now()),
            RandomIds,
            SourceAdapter(source),
        );
        if let Some(store) = shared_budget {
            driver = driver.with_budget_store(store);
        }
        let driver = driver.with_drift_hook(|e| {
            tracing::info!(target: "narvar", operation = %e.operation, path = %e.path, value = ?e.value,
                request_id = ?e.first_request_id, "the API sent {} this SDK does not know",
                if e.kind == narvar_core::drift::DriftKind::Field { "a field" } else { "an enum value" });
        });
        Ok(Client {
            inner: Arc::new(Inner {
                driver,
                cache: self.cache_ttl.map(cache::ReadCache::new),
                audit: self.audit.map(Mutex::new),
                ledger: Default::default(),
            }),
        })
    }
}

/// `"off"` or a budget's text.
fn parse_rate_budget(spec: &str) -> Result<Option<RateBudget>> {
    RateBudget::parse_setting(spec)
}

#[cfg(feature = "redis")]
fn shared_store(
    budget: RateBudget,
    url: &Secret,
    key: String,
    workers: Option<u32>,
) -> Result<Arc<dyn narvar_core::budget::BudgetStore>> {
    let workers = workers.unwrap_or(crate::shared_budget::DEFAULT_EXPECTED_WORKERS);
    Ok(Arc::new(crate::shared_budget::RedisBudget::new(budget, url, key, workers)?))
}

#[cfg(not(feature = "redis"))]
fn shared_store(_: RateBudget, _: &Secret, _: String, _: Option<u32>) -> Result<Arc<dyn narvar_core::budget::BudgetStore>> {
    Err(NarvarError::new(
        ErrorCode::Configuration,
        "The rate_budget_redis setting needs a build with Redis support (the narvar crate's `redis` feature).",
    ))
}
