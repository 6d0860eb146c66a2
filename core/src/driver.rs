//! The runtime-free async driver: one operation through a [`Transport`] and a [`Sleep`], with
//! the retry policy, the rate budget, re-authentication, idempotency keys and one total deadline.
//! Dropping the returned future cancels the call.

use crate::budget::{BudgetEvent, BudgetStore, LocalBudget, RateBudget};
use crate::config::{CredentialProvider, Credentials, Endpoints};
use crate::error::{ErrorCode, NarvarError, Response, ResponseMeta};
use crate::http::{Entropy, HttpRequest, HttpResponse, Sleep, Transport, TransportError};
use crate::ops::{self, OpInfo, Operation, RequestContext};
use crate::policy::{parse_retry_after, Decision, Outcome, RetryPolicy, RetrySafety};
use futures_util::future::{select, Either};
use std::pin::pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::{Duration, UNIX_EPOCH};

/// Per-call options.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallOptions {
    /// `X-Narvar-Tracer-ID`; a fresh UUID when absent.
    pub tracer_id: Option<String>,
    /// The idempotency key for operations that send one; a fresh UUID when absent. Reused on
    /// every retry of the call.
    pub idempotency_key: Option<String>,
    /// Overrides the client's total timeout for this call.
    pub timeout: Option<Duration>,
}

/// Settings of a driver that are not I/O.
#[derive(Clone, Debug)]
pub struct DriverConfig {
    pub endpoints: Endpoints,
    /// The whole `User-Agent` value.
    pub user_agent: String,
    pub retry: RetryPolicy,
    /// One deadline per call, covering every attempt, back-off and body.
    pub timeout: Duration,
    /// The client-side rate budget; `None` turns it off. Kept in this process unless the
    /// driver is given a shared store ([`Driver::with_budget_store`]).
    pub rate_budget: Option<RateBudget>,
    /// The most response body read; a longer one is a `decode` error.
    pub max_response_bytes: usize,
}

impl DriverConfig {
    /// Defaults for an environment: 30 s total timeout, default retries and rate budget.
    pub fn new(endpoints: Endpoints) -> Self {
        DriverConfig {
            endpoints,
            user_agent: ops::USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            rate_budget: Some(RateBudget::default()),
            max_response_bytes: crate::http::DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// Drives calls. Generic over the I/O it is given; holds no runtime.
pub struct Driver<T, S, E, P> {
    pub transport: T,
    pub sleep: S,
    pub entropy: E,
    pub credentials: P,
    config: DriverConfig,
    budget: Option<Budget>,
    /// Credential versions already refreshed after a 401: once per version.
    refreshed: Mutex<Vec<u64>>,
    /// What the API sent that this SDK does not know.
    drift: crate::drift::DriftLog,
    /// Told of each unknown the first time it is seen.
    on_new_drift: Option<DriftHook>,
}

type DriftHook = Box<dyn Fn(&crate::drift::DriftEntry) + Send + Sync>;

/// Where the budget's state is: in-process (no allocation per call), or a shared store.
enum Budget {
    Local(LocalBudget),
    Shared(Arc<dyn BudgetStore>),
}

enum Attempt {
    Response(HttpResponse),
    Failed(TransportError),
    TimedOut,
}

impl<T: Transport, S: Sleep, E: Entropy, P: CredentialProvider> Driver<T, S, E, P> {
    /// A driver over this I/O.
    pub fn new(config: DriverConfig, transport: T, sleep: S, entropy: E, credentials: P) -> Self {
        let budget = config.rate_budget.map(|b| Budget::Local(LocalBudget::new(b)));
        Driver {
            transport,
            sleep,
            entropy,
            credentials,
            config,
            budget,
            refreshed: Mutex::new(Vec::new()),
            drift: Default::default(),
            on_new_drift: None,
        }
    }

    /// Calls `hook` with each unknown field or enum value the first time a response carries it
    /// (a client logs it).
    pub fn with_drift_hook(mut self, hook: impl Fn(&crate::drift::DriftEntry) + Send + Sync + 'static) -> Self {
        self.on_new_drift = Some(Box::new(hook));
        self
    }

    /// Every unknown field and enum value the API has sent this driver, with counts.
    pub fn drift(&self) -> Vec<crate::drift::DriftEntry> {
        self.drift.report()
    }

    fn note_drift(&self, operation: &str, found: Vec<crate::drift::Unknown>, meta: &ResponseMeta) {
        for new in self.drift.record(operation, found, meta.request_id.as_deref()) {
            if let Some(hook) = &self.on_new_drift {
                hook(&new);
            }
        }
    }

    /// Keeps the rate budget's state in `store` (shared with other workers) instead of in this
    /// process. A driver whose config has no rate budget ignores it.
    pub fn with_budget_store(mut self, store: Arc<dyn BudgetStore>) -> Self {
        if self.budget.is_some() {
            self.budget = Some(Budget::Shared(store));
        }
        self
    }

    /// The configuration.
    pub fn config(&self) -> &DriverConfig {
        &self.config
    }

    /// Runs a typed operation.
    pub async fn execute<O: Operation>(&self, op: &O, opts: &CallOptions) -> Result<Response<O::Output>, NarvarError> {
        let (resp, meta) = self.send(&O::INFO, &|ctx| op.to_request(ctx), opts).await?;
        let read = O::from_response(&resp);
        if let Ok(out) = &read {
            let mut found = Vec::new();
            crate::drift::Drift::drift(out, &crate::drift::Path::Root, &mut found);
            self.note_drift(O::INFO.name, found, &meta);
        }
        finish(read, meta, &resp, self.sleep.wall())
    }

    /// Runs an operation named in the registry, with JSON in and out (for bindings).
    pub async fn execute_json(
        &self,
        name: &str,
        input: &crate::codec::Raw<'_>,
        opts: &CallOptions,
    ) -> Result<Response<serde_json::Value>, NarvarError> {
        let entry = ops::named(name)?;
        let (resp, meta) = self.send(&entry.info, &|ctx| (entry.build)(input, ctx), opts).await?;
        let mut found = Vec::new();
        let read = (entry.read_noting)(&resp, &mut found);
        self.note_drift(entry.info.name, found, &meta);
        finish(read, meta, &resp, self.sleep.wall())
    }

    /// [`Driver::execute_json`] with the output as JSON text, never built as a `Value`.
    pub async fn execute_text(
        &self,
        name: &str,
        input: &crate::codec::Raw<'_>,
        opts: &CallOptions,
    ) -> Result<Response<String>, NarvarError> {
        let entry = ops::named(name)?;
        let (resp, meta) = self.send(&entry.info, &|ctx| (entry.build)(input, ctx), opts).await?;
        let mut found = Vec::new();
        let read = (entry.read_text_noting)(&resp, &mut found);
        self.note_drift(entry.info.name, found, &meta);
        finish(read, meta, &resp, self.sleep.wall())
    }

    /// Downloads a return label from its `label_url` as any call is made: one deadline, retries
    /// of a GET, the response cap, no redirects; no credentials are sent, and no error quotes
    /// the URL (its `order_token` grants access to the label).
    pub async fn download_label(&self, label_url: &str, opts: &CallOptions) -> Result<Response<ops::LabelFile>, NarvarError> {
        let (resp, meta) = self.send(&ops::DOWNLOAD_LABEL, &|ctx| ops::download_label_request(label_url, ctx), opts).await?;
        finish(ops::read_label_download(&resp), meta, &resp, self.sleep.wall())
    }

    /// Sends with retries, the rate budget and re-authentication; returns the final response
    /// (any status) for the operation to read, or the error that ended the call.
    pub async fn send(
        &self,
        info: &OpInfo,
        // Not generic: one retry loop in the binary for every operation, rather than one copy
        // inlined into each caller (three in a journey), in a wasm module whose size is a budget.
        build: &(dyn Fn(&RequestContext<'_>) -> Result<HttpRequest, NarvarError> + Sync),
        opts: &CallOptions,
    ) -> Result<(HttpResponse, ResponseMeta), NarvarError> {
        let tracer_id = opts.tracer_id.clone().unwrap_or_else(|| self.entropy.new_id());
        let key = info.idempotency_key.then(|| opts.idempotency_key.clone().unwrap_or_else(|| self.entropy.new_id()));
        let timeout = match opts.timeout {
            Some(t) => crate::config::check_timeout("per-call timeout", t).map_err(|e| e.in_operation(info.name))?,
            None => self.config.timeout,
        };
        let deadline = self.sleep.monotonic() + timeout;
        let safety = RetrySafety { idempotent: info.idempotent, keyed: key.is_some() };
        let mut meta = ResponseMeta { tracer_id: Some(tracer_id.clone()), ..Default::default() };
        let fail = |e: NarvarError, meta: &ResponseMeta| {
            let mut e = e.in_operation(info.name);
            e.meta = ResponseMeta { tracer_id: meta.tracer_id.clone(), attempts: meta.attempts, ..e.meta };
            e
        };

        let mut credentials = self.credentials.current();
        let mut reauthenticated = false;
        let build_now = |creds: &Credentials| {
            let now_unix = self.sleep.wall().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            let ctx = RequestContext {
                endpoints: &self.config.endpoints,
                credentials: creds,
                tracer_id: &tracer_id,
                user_agent: &self.config.user_agent,
                now_unix,
                idempotency_key: key.as_deref(),
            };
            build(&ctx).map(|mut request| {
                request.max_response_bytes = self.config.max_response_bytes;
                request
            })
        };
        // The last 429 of this call: if the budget then has no room before the deadline, it is
        // Narvar's answer, not the client's budget, that the caller must hear about.
        let mut throttled: Option<HttpResponse> = None;
        // Validation and configuration errors surface here, before anything is sent.
        let mut request = build_now(&credentials).map_err(|e| fail(e, &meta))?;

        loop {
            if let Some(wait) = self.take_budget().await {
                if self.sleep.monotonic() + wait >= deadline {
                    _ = self.budget_event(BudgetEvent::Refund).await;
                    if let Some(resp) = throttled.take() {
                        return Err(fail(NarvarError::from_status(&resp), &meta));
                    }
                    // The client's own budget, not Narvar, says no: nothing is sent.
                    let mut e = NarvarError::new(
                        ErrorCode::RateLimited,
                        format!(
                            "The client's rate budget has no room before the call's deadline (next slot in {:.1} s).",
                            wait.as_secs_f64()
                        ),
                    );
                    e.retry_after = Some(wait);
                    return Err(fail(e, &meta));
                }
                self.sleep.sleep(wait).await;
            }
            let remaining = deadline.saturating_sub(self.sleep.monotonic());
            if remaining.is_zero() {
                return Err(fail(timed_out(timeout, meta.attempts > 0, "before sending"), &meta));
            }
            meta.attempts += 1;
            let attempt = {
                let send = pin!(self.transport.send(request.clone()));
                let timer = pin!(self.sleep.sleep(remaining));
                match select(send, timer).await {
                    Either::Left((Ok(resp), _)) => Attempt::Response(resp),
                    Either::Left((Err(e), _)) => Attempt::Failed(e),
                    Either::Right(_) => Attempt::TimedOut,
                }
            };
            let outcome = match attempt {
                Attempt::TimedOut => return Err(fail(timed_out(timeout, true, "waiting for the response"), &meta)),
                Attempt::Response(resp) => {
                    if resp.body.len() > self.config.max_response_bytes {
                        let e = NarvarError::response_too_large(&resp, self.config.max_response_bytes);
                        return Err(fail(e, &meta));
                    }
                    let m = ResponseMeta::from_response(&resp);
                    meta.status = m.status;
                    meta.headers = m.headers;
                    meta.request_id = m.request_id;
                    if resp.status == 401 && !reauthenticated {
                        reauthenticated = true;
                        if let Some(fresh) = self.reauthenticate(&credentials).await.map_err(|e| fail(e, &meta))? {
                            credentials = fresh;
                            request = build_now(&credentials).map_err(|e| fail(e, &meta))?;
                            continue;
                        }
                    }
                    match resp.status {
                        429 => _ = self.budget_event(BudgetEvent::Throttled).await,
                        200..=299 => _ = self.budget_event(BudgetEvent::Succeeded).await,
                        _ => {}
                    }
                    let retry_after = resp.header("retry-after").and_then(|v| parse_retry_after(v, Some(self.sleep.wall())));
                    let outcome = Outcome::Status { status: resp.status, retry_after };
                    match self.config.retry.decide(safety, meta.attempts - 1, &outcome, self.entropy.unit()) {
                        Decision::RetryAfter(d) if self.sleep.monotonic() + d < deadline => {
                            self.sleep.sleep(d).await;
                            request = build_now(&credentials).map_err(|e| fail(e, &meta))?;
                            throttled = (resp.status == 429).then_some(resp);
                            continue;
                        }
                        _ if resp.status == 413 => {
                            return Err(fail(NarvarError::request_too_large(&resp, request.body.len()), &meta));
                        }
                        _ => return Ok((resp, meta)),
                    }
                }
                Attempt::Failed(e) => Outcome::Transport(e),
            };
            let Outcome::Transport(e) = &outcome else { unreachable!("responses returned above") };
            meta.status = None;
            meta.headers.clear();
            meta.request_id = None;
            match self.config.retry.decide(safety, meta.attempts - 1, &outcome, self.entropy.unit()) {
                Decision::RetryAfter(d) if self.sleep.monotonic() + d < deadline => {
                    self.sleep.sleep(d).await;
                    request = build_now(&credentials).map_err(|e| fail(e, &meta))?;
                }
                _ => {
                    // Once any attempt may have reached Narvar, the call as a whole may have.
                    let error = NarvarError::transport(e.detail(), e.may_have_been_sent());
                    return Err(fail(error, &meta));
                }
            }
        }
    }

    async fn take_budget(&self) -> Option<Duration> {
        let wait = self.budget_event(BudgetEvent::Acquire).await;
        (!wait.is_zero()).then_some(wait)
    }

    async fn budget_event(&self, event: BudgetEvent) -> Duration {
        let now = self.sleep.monotonic();
        match &self.budget {
            None => Duration::ZERO,
            Some(Budget::Local(b)) => b.apply_now(event, now),
            Some(Budget::Shared(store)) => store.apply(event, now).await,
        }
    }

    /// After a 401 with `rejected`: fresh credentials to retry with, or `None` when there are
    /// none (the 401 stands). The provider is asked once per credential version.
    async fn reauthenticate(&self, rejected: &Credentials) -> Result<Option<Credentials>, NarvarError> {
        let first = {
            let mut seen = self.refreshed.lock().unwrap_or_else(|p| p.into_inner());
            let first = !seen.contains(&rejected.version);
            if first {
                seen.push(rejected.version);
            }
            first
        };
        let fresh = if first { self.credentials.refresh(rejected).await? } else { self.credentials.current() };
        Ok((fresh.version != rejected.version).then_some(fresh))
    }
}

fn timed_out(timeout: Duration, may_have_been_sent: bool, when: &str) -> NarvarError {
    NarvarError::transport(&format!("timed out after {:.1} s {when}", timeout.as_secs_f64()), may_have_been_sent)
}

fn finish<V>(
    read: Result<V, NarvarError>,
    meta: ResponseMeta,
    resp: &HttpResponse,
    now: std::time::SystemTime,
) -> Result<Response<V>, NarvarError> {
    match read {
        Ok(value) => Ok(Response { value, meta }),
        Err(mut e) => {
            if e.code == ErrorCode::RateLimited && e.retry_after.is_none() {
                e.retry_after = resp.header("retry-after").and_then(|v| parse_retry_after(v, Some(now)));
            }
            e.meta = meta;
            Err(e)
        }
    }
}
