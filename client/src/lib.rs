//! # narvar
//!
//! The Rust client for Narvar's post-purchase API: every operation of `narvar-core`'s registry,
//! validated before sending, retried with back-off, rate-budgeted, re-authenticated, under one
//! total deadline per call, over reqwest (rustls) and tokio.
//!
//! ```no_run
//! # async fn demo() -> Result<(), narvar::NarvarError> {
//! let client = narvar::Client::builder()
//!     .base_url("http://127.0.0.1:8080")
//!     .basic_auth("acme", "tok_test_acme")
//!     .build()?;
//! let order = client.orders().get("1001").await?;
//! println!("{} items (request {:?})", order.order_items.len(), order.meta.request_id);
//! # Ok(()) }
//! ```
//!
//! `narvar::blocking::Client` mirrors the whole API for synchronous code.

mod api;
pub mod blocking;
mod builder;
mod cache;
pub mod lane;
pub mod logs;
mod settings;
#[cfg(feature = "redis")]
pub mod shared_budget;
mod transport;

pub use builder::{ClientBuilder, CredentialSource, Hooks};
pub use narvar_core::{
    self as core, drift, journey, models, ops, webhooks, Amount, CallOptions, Credentials, Environment, ErrorCode, FieldError,
    NarvarError, Response, ResponseMeta, Secret,
};
pub use settings::{RateBudgetSetting, Settings, Spelling};
pub use transport::{prune_thread_pools, HttpTransport, ReqwestTransport};

use narvar_core::http::Method;
use narvar_core::journey::Journey;
use narvar_core::ops::Operation;
use narvar_core::Driver;
use serde_json::Value;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tracing::Instrument;

/// `Result` with the SDK's error.
pub type Result<T> = std::result::Result<T, NarvarError>;

pub(crate) type CoreDriver = Driver<transport::Hooked, transport::TokioSleep, transport::RandomIds, builder::SourceAdapter>;

/// The client. Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) driver: CoreDriver,
    pub(crate) cache: Option<cache::ReadCache>,
    pub(crate) audit: Option<Mutex<Box<dyn Write + Send>>>,
    /// The returns and promises this client saw, for `journey`.
    pub(crate) ledger: narvar_core::journey::Ledger,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("endpoints", &self.inner.driver.config().endpoints).finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `NARVAR_*` environment variables (see [`ClientBuilder::from_env`]).
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// Runs any operation with default options.
    pub async fn execute<O: Operation>(&self, op: O) -> Result<Response<O::Output>> {
        self.execute_with(op, CallOptions::default()).await
    }

    /// Runs any operation with per-call options (idempotency key, tracer id, timeout).
    pub async fn execute_with<O: Operation>(&self, op: O, opts: CallOptions) -> Result<Response<O::Output>> {
        let needs_input = self.needs_input(&O::INFO);
        let input = if needs_input { serde_json::to_value(&op).unwrap_or(Value::Null) } else { Value::Null };
        self.around(&O::INFO, &input, opts, |opts| async move { self.inner.driver.execute(&op, &opts).await }).await
    }

    /// Every field and enum value the API has sent this client that this SDK does not know:
    /// per operation and JSON path, how often, and the first request id that carried it.
    ///
    /// ```no_run
    /// # async fn demo(client: narvar::Client) {
    /// for d in client.drift() {
    ///     println!("{} {} {:?} ×{} (first in {:?})", d.operation, d.path, d.value, d.count, d.first_request_id);
    /// }
    /// # }
    /// ```
    pub fn drift(&self) -> Vec<narvar_core::drift::DriftEntry> {
        self.inner.driver.drift()
    }

    /// Runs an operation named in the registry with JSON input and output (for bindings and the
    /// CLI), with the same cache, audit log and bookkeeping as typed calls.
    pub async fn execute_json(&self, name: &str, input: &Value, opts: CallOptions) -> Result<Response<Value>> {
        let info = operation_info(name)?;
        // Read into the core's tree only when the call is sent (not on a cache hit).
        self.around(&info, input, opts, |opts| async move {
            self.inner.driver.execute_json(name, &narvar_core::codec::Raw::from_value(input), &opts).await
        })
        .await
    }

    /// [`Client::execute_json`] with the output as JSON text (what bindings parse in their own
    /// language). The read cache is not consulted: it holds typed values.
    pub async fn execute_text(&self, name: &str, input: &Value, opts: CallOptions) -> Result<Response<String>> {
        if self.inner.cache.is_some() {
            return self.execute_json(name, input, opts).await.map(|r| r.map(|v| v.to_string()));
        }
        let info = operation_info(name)?;
        self.around(&info, input, opts, |opts| async move {
            self.inner.driver.execute_text(name, &narvar_core::codec::Raw::from_value(input), &opts).await
        })
        .await
    }

    /// [`Client::execute_text`] with the input as a [`narvar_core::codec::Raw`] tree, as a binding
    /// holding JSON text reads it (`Raw::parse`): no `Value` is built unless the cache, the audit
    /// log or the journey needs one.
    pub async fn execute_text_raw(
        &self,
        name: &str,
        input: &narvar_core::codec::Raw<'_>,
        opts: CallOptions,
    ) -> Result<Response<String>> {
        let info = operation_info(name)?;
        if self.inner.cache.is_some() {
            // The cache holds typed values: the JSON-level call, as `execute_text` makes it.
            return self.execute_text(name, &input.to_value(), opts).await;
        }
        let value = if self.needs_input(&info) { input.to_value() } else { Value::Null };
        self.around(&info, &value, opts, |opts| async move { self.inner.driver.execute_text(name, input, &opts).await }).await
    }

    /// Only the cache, the audit log and journey bookkeeping need the input as JSON.
    fn needs_input(&self, info: &narvar_core::ops::OpInfo) -> bool {
        let cacheable = info.method == Method::Get && info.idempotent;
        self.inner.cache.is_some() || (self.inner.audit.is_some() && !cacheable) || narvar_core::journey::Ledger::wants(info.name)
    }

    /// One call: its tracing span, the read cache, the audit log and return bookkeeping around
    /// `send`.
    async fn around<V, F, Fut>(
        &self,
        info: &narvar_core::ops::OpInfo,
        input: &Value,
        mut opts: CallOptions,
        send: F,
    ) -> Result<Response<V>>
    where
        V: serde::Serialize + serde::de::DeserializeOwned,
        F: FnOnce(CallOptions) -> Fut,
        Fut: std::future::Future<Output = Result<Response<V>>>,
    {
        let tracer = opts.tracer_id.get_or_insert_with(|| uuid::Uuid::new_v4().to_string()).clone();
        let span = tracing::info_span!("narvar.call", operation = info.name, tracer_id = %tracer, status = tracing::field::Empty,
            attempts = tracing::field::Empty, duration_ms = tracing::field::Empty, error = tracing::field::Empty);
        let cacheable = info.method == Method::Get && info.idempotent;
        if let (true, Some(cache)) = (cacheable, &self.inner.cache) {
            if let Some(hit) = cache.get::<V>(info.name, input) {
                span.record("status", "cached");
                return Ok(hit);
            }
        }
        let started = Instant::now();
        let result = send(opts).instrument(span.clone()).await;
        let (status, attempts) = match &result {
            Ok(r) => (r.meta.status, r.meta.attempts),
            Err(e) => (e.meta.status, e.meta.attempts),
        };
        span.record("status", status.unwrap_or(0));
        span.record("attempts", attempts);
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Err(e) = &result {
            span.record("error", e.code.as_str());
        }
        if let Some(cache) = &self.inner.cache {
            match (&result, cacheable) {
                (Ok(r), true) => cache.put(info.name, input, info.subject_of(input).map(str::to_owned), r),
                (Ok(_), false) => cache.invalidate(info.subject_of(input)),
                _ => {}
            }
        }
        if !cacheable {
            self.audit(info, input, &result);
        }
        if let (Ok(r), true) = (&result, narvar_core::journey::Ledger::wants(info.name)) {
            // The value may be JSON text (`execute_text`): read it either way.
            let value = match serde_json::to_value(&r.value) {
                Ok(Value::String(text)) => serde_json::from_str(&text).unwrap_or(Value::Null),
                Ok(v) => v,
                Err(_) => Value::Null,
            };
            self.inner.ledger.note(info.name, input, &value);
        }
        result
    }

    fn audit<T>(&self, info: &narvar_core::ops::OpInfo, input: &Value, result: &Result<Response<T>>) {
        let Some(audit) = &self.inner.audit else { return };
        let (outcome, meta) = match result {
            Ok(r) => ("ok", &r.meta),
            Err(e) => (e.code.as_str(), &e.meta),
        };
        let line = serde_json::json!({
            "at": chrono_now(),
            "operation": info.name,
            "key": info.subject_of(input),
            "outcome": outcome,
            "status": meta.status,
            "request_id": meta.request_id,
            "tracer_id": meta.tracer_id,
            "attempts": meta.attempts,
        });
        let mut w = audit.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(w, "{line}");
        let _ = w.flush();
    }

    /// The journey of an order: the order, its tracking (when a tracking key is configured), the
    /// returns this client created for it, and any `webhooks` received for it.
    pub async fn journey(&self, order_number: &str) -> Result<Journey> {
        self.journey_with(order_number, &[], &[]).await
    }

    /// [`Client::journey`] with more return references and received webhooks.
    pub async fn journey_with(
        &self,
        order_number: &str,
        return_references: &[String],
        webhooks: &[narvar_core::webhooks::Webhook],
    ) -> Result<Journey> {
        narvar_core::journey::gather(self, &self.inner.ledger, order_number, return_references, webhooks).await
    }
}

/// The journey's calls go through the client: its read cache and tracing see them.
impl narvar_core::journey::Calls for Client {
    async fn call<O: Operation + Send + Sync>(&self, op: O) -> Result<Response<O::Output>> {
        self.execute(op).await
    }
    fn can_track(&self, order_number: &str) -> bool {
        narvar_core::journey::Calls::can_track(&self.inner.driver, order_number)
    }
    fn wall(&self) -> std::time::SystemTime {
        std::time::SystemTime::now()
    }
}

fn chrono_now() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", now.as_secs(), now.subsec_millis())
}

/// An operation of the registry by name, or the configuration error naming it.
fn operation_info(name: &str) -> Result<narvar_core::ops::OpInfo> {
    narvar_core::ops::named(name).map(|e| e.info)
}
