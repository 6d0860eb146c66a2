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
pub use settings::{RateBudgetSetting, Settings};
pub use transport::{prune_thread_pools, HttpTransport, ReqwestTransport};

use narvar_core::http::Method;
use narvar_core::journey::Journey;
use narvar_core::ops::Operation;
use narvar_core::Driver;
use serde_json::Value;
use std::collections::HashMap;
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
    /// Return references this client created, per order number (for `journey`).
    pub(crate) returns_by_order: Mutex<HashMap<String, Vec<String>>>,
    /// Delivery promises this client was offered and confirmed, for the journey.
    pub(crate) promises: Mutex<narvar_core::journey::PromiseBook>,
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
        let info = narvar_core::ops::find(name)
            .map(|e| e.info)
            .ok_or_else(|| NarvarError::new(ErrorCode::Configuration, format!("There is no operation named {name:?}.")))?;
        self.around(&info, input, opts, |opts| async move { self.inner.driver.execute_json(name, input, &opts).await }).await
    }

    /// [`Client::execute_json`] with the output as JSON text (what bindings parse in their own
    /// language). The read cache is not consulted: it holds typed values.
    pub async fn execute_text(&self, name: &str, input: &Value, opts: CallOptions) -> Result<Response<String>> {
        if self.inner.cache.is_some() {
            return self.execute_json(name, input, opts).await.map(|r| r.map(|v| v.to_string()));
        }
        let info = narvar_core::ops::find(name)
            .map(|e| e.info)
            .ok_or_else(|| NarvarError::new(ErrorCode::Configuration, format!("There is no operation named {name:?}.")))?;
        self.around(&info, input, opts, |opts| async move { self.inner.driver.execute_text(name, input, &opts).await }).await
    }

    /// Only the cache, the audit log and journey bookkeeping need the input as JSON.
    fn needs_input(&self, info: &narvar_core::ops::OpInfo) -> bool {
        let cacheable = info.method == Method::Get && info.idempotent;
        self.inner.cache.is_some()
            || (self.inner.audit.is_some() && !cacheable)
            || is_return(info.name)
            || info.name == "promise.confirm"
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
        let is_promise = matches!(info.name, "promise.options" | "promise.public_options" | "promise.confirm");
        if let (Ok(r), true) = (&result, is_return(info.name) || is_promise) {
            // The value may be JSON text (`execute_text`): read it either way.
            let value = match serde_json::to_value(&r.value) {
                Ok(Value::String(text)) => serde_json::from_str(&text).unwrap_or(Value::Null),
                Ok(v) => v,
                Err(_) => Value::Null,
            };
            if is_promise {
                let mut book = self.inner.promises.lock().unwrap_or_else(|p| p.into_inner());
                if info.name == "promise.confirm" {
                    if let Ok(confirmation) = serde_json::from_value(input.clone()) {
                        book.confirmed(&confirmation);
                    }
                } else if let Ok(options) = serde_json::from_value(value) {
                    book.offered(&options);
                }
                return result;
            }
            let rrn = value.get("return_reference_number").and_then(Value::as_str).map(str::to_owned);
            if let (Some(order), Some(rrn)) = (input.get("order_number").and_then(Value::as_str), rrn) {
                self.inner
                    .returns_by_order
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .entry(order.to_owned())
                    .or_default()
                    .push(rrn);
            }
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
        // Lateness is measured on Narvar's clock: the `Date` of its last answer.
        let server_date =
            |meta: &narvar_core::ResponseMeta| meta.headers.iter().find(|(k, _)| k == "date").map(|(_, v)| v.clone());
        let order = self.orders().get(order_number).await?;
        let mut now = server_date(&order.meta);
        let order = order.into_value();
        let has_key = self.inner.driver.credentials.0.current().tracking.is_some();
        let tracking = if has_key {
            let t = self.tracking().by_order(order_number).await?;
            now = server_date(&t.meta).or(now);
            Some(t.into_value())
        } else {
            None
        };
        let mut refs: Vec<String> =
            self.inner.returns_by_order.lock().unwrap_or_else(|p| p.into_inner()).get(order_number).cloned().unwrap_or_default();
        refs.extend(return_references.iter().cloned());
        refs.dedup();
        let mut returns = Vec::new();
        for rrn in refs {
            returns.push(self.returns().get(&rrn).await?.into_value());
        }
        let mine: Vec<_> = webhooks.iter().filter(|w| webhook_order(w).is_none_or(|n| n == order_number)).cloned().collect();
        let now = now.unwrap_or_else(local_http_date);
        let confirmed =
            self.inner.promises.lock().unwrap_or_else(|p| p.into_inner()).confirmed_for(order_number).map(str::to_owned);
        let context = narvar_core::journey::PromiseContext { now: Some(&now), confirmed_promise: confirmed.as_deref() };
        Ok(narvar_core::journey::build_at(&order, tracking.as_ref(), &returns, &mine, &context))
    }
}

fn is_return(operation: &str) -> bool {
    matches!(operation, "returns.create" | "returns.generate_label")
}

fn webhook_order(w: &narvar_core::webhooks::Webhook) -> Option<&str> {
    use narvar_core::webhooks::WebhookEvent::*;
    match &w.event {
        StandardRma(p) => p.order_number.as_deref(),
        FullRma(p) => p.order.as_ref().and_then(|o| o.order_number.as_deref()),
        Topic { data, .. } => data.order_number.as_deref(),
        Unknown { raw, .. } => raw.get("order_number").and_then(Value::as_str),
    }
}

/// This machine's time as an HTTP date, for when the server sent no `Date`.
fn local_http_date() -> String {
    httpdate::fmt_http_date(std::time::SystemTime::now())
}

fn chrono_now() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    format!("{}.{:03}", now.as_secs(), now.subsec_millis())
}
