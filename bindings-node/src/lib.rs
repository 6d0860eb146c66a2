//! The native half of the `narvar` npm package: conversion (JSON text both ways), calls run on
//! the JavaScript thread's own event loop ([`reactor`]) or else one I/O thread ([`LANE`]),
//! cancellation, and errors carried to JavaScript with every field of the core's error (the JS
//! layer turns them into `NarvarError` subclasses). All API knowledge stays in the core and the
//! client crate.

use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use narvar::{CallOptions, Client, NarvarError};
use narvar_core::codec::Raw;
use narvar_core::ErrorCode;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

mod reactor;
mod sandbox;

// ---- errors: one chokepoint

/// The JS `Error` for a core error: its message, and the core's error as JSON in `narvar`
/// (read by `lib/errors.js`, which builds the class instance users catch).
fn js_error(env: &Env, e: &NarvarError) -> Error {
    let build = || -> Result<Error> {
        let mut obj = env.create_error(Error::from_reason(e.message.clone()))?;
        obj.set_named_property("narvar", e.to_json().to_string())?;
        Ok(Error::from(obj.to_unknown()))
    };
    build().unwrap_or_else(|err| err)
}

fn configuration(message: String) -> NarvarError {
    NarvarError::new(ErrorCode::Configuration, message)
}

// ---- the client's settings, as JavaScript spells them

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct JsSettings {
    base_url: Option<String>,
    environment: Option<String>,
    account_id: Option<String>,
    auth_token: Option<String>,
    bearer_token: Option<String>,
    retailer_moniker: Option<String>,
    hmac_key: Option<String>,
    origin: Option<String>,
    timeout_ms: Option<f64>,
    max_attempts: Option<u32>,
    rate_budget: Option<narvar::RateBudgetSetting>,
    rate_budget_redis: Option<String>,
    rate_budget_workers: Option<u32>,
    user_agent_suffix: Option<String>,
}

/// Reads `new Client(options)`: a bad or unknown option is a configuration error naming it.
fn read_settings(json: &str, from_env: bool) -> std::result::Result<narvar::Settings, NarvarError> {
    let s: JsSettings = narvar_core::config::read_options(json)?;
    Ok(narvar::Settings {
        environment: s.base_url.or(s.environment),
        account_id: s.account_id,
        auth_token: s.auth_token,
        bearer_token: s.bearer_token,
        retailer_moniker: s.retailer_moniker,
        hmac_key: s.hmac_key,
        origin: s.origin,
        timeout: s.timeout_ms.map(|t| narvar_core::config::timeout_from_millis("timeoutMs", t)).transpose()?,
        max_attempts: s.max_attempts,
        rate_budget: s.rate_budget,
        rate_budget_redis: s.rate_budget_redis,
        rate_budget_workers: s.rate_budget_workers,
        user_agent_suffix: s.user_agent_suffix,
        from_env,
        spelling: narvar::Spelling::Camel,
    })
}

/// Per-call options: `{ timeoutMs, idempotencyKey, tracerId }` (the JS layer handles `signal`).
#[napi(object)]
pub struct CallSettings {
    pub timeout_ms: Option<f64>,
    pub idempotency_key: Option<String>,
    pub tracer_id: Option<String>,
}

impl CallSettings {
    fn options(self) -> std::result::Result<CallOptions, NarvarError> {
        let timeout = self.timeout_ms.map(|t| narvar_core::config::timeout_from_millis("timeoutMs", t)).transpose()?;
        Ok(CallOptions { idempotency_key: self.idempotency_key, tracer_id: self.tracer_id, timeout })
    }
}

fn meta_json(meta: &narvar_core::ResponseMeta) -> String {
    serde_json::to_string(meta).unwrap_or_default()
}

// ---- settling calls: one threadsafe function for every call

/// A call's outcome, as the JS settle function takes it: `(callId, ok, text, meta)`.
pub struct Settled {
    pub(crate) call_id: u32,
    pub(crate) ok: bool,
    pub(crate) text: String,
    pub(crate) meta: String,
}

impl Settled {
    fn of<T>(call_id: u32, outcome: std::result::Result<T, NarvarError>, ok: impl FnOnce(T) -> (String, String)) -> Self {
        match outcome {
            Ok(v) => {
                let (text, meta) = ok(v);
                Settled { call_id, ok: true, text, meta }
            }
            Err(e) => Settled { call_id, ok: false, text: e.to_json().to_string(), meta: String::new() },
        }
    }
}

type SettleArgs = FnArgs<(u32, bool, String, String)>;

/// Weak: it never keeps Node alive (the JS layer holds a ref'd handle while calls are pending).
/// One function for all calls, instead of a threadsafe function (and its libuv handle) per
/// promise: outcomes queue on it and many settle per wake-up of the JS thread.
static SETTLE: std::sync::OnceLock<ThreadsafeFunction<Settled, (), SettleArgs, Status, false, true>> = std::sync::OnceLock::new();

/// Registers the function every call's outcome is handed to (once per JS thread, at load):
/// directly from this thread's event loop ([`reactor`]), or, where that cannot be set up,
/// through a threadsafe function from the I/O thread.
#[napi(ts_args_type = "settle: (callId: number, ok: boolean, text: string, meta: string) => void")]
pub fn on_settled(env: Env, settle: Function<SettleArgs, ()>) -> Result<()> {
    // SAFETY: this thread's environment and a function value, as `install` requires.
    if std::env::var_os("NARVAR_NODE_IO_THREAD").is_none() && unsafe { reactor::install(env.raw(), settle.value().value) } {
        return Ok(());
    }
    let tsfn = settle
        .build_threadsafe_function::<Settled>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(|ctx| Ok(FnArgs::from((ctx.value.call_id, ctx.value.ok, ctx.value.text, ctx.value.meta))))?;
    SETTLE.set(tsfn).map_err(|_| Error::from_reason("narvar: onSettled was already registered"))
}

// ---- the client's log events, handed to JavaScript

type LogArgs = FnArgs<(String, String)>;

/// Weak, as [`SETTLE`]: a log line never keeps Node alive.
static LOG: std::sync::OnceLock<ThreadsafeFunction<(String, String), (), LogArgs, Status, false, true>> =
    std::sync::OnceLock::new();

/// Registers the function the client's INFO, WARN and ERROR events go to (`level`, `line`),
/// from whichever thread they happen on; the first registration in the process wins.
#[napi(ts_args_type = "log: (level: string, line: string) => void")]
pub fn on_log(log: Function<LogArgs, ()>) -> Result<()> {
    let tsfn = log
        .build_threadsafe_function::<(String, String)>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(|ctx| Ok(FnArgs::from(ctx.value)))?;
    if LOG.set(tsfn).is_ok() {
        narvar::logs::forward_to(|level, line| {
            if let Some(log) = LOG.get() {
                log.call((level.to_string(), line), ThreadsafeFunctionCallMode::NonBlocking);
            }
        });
    }
    Ok(())
}

// ---- cancellation: every call has an id from the JS layer, which settles and aborts by it

static IN_FLIGHT: LazyLock<Mutex<HashMap<u32, futures_util::future::AbortHandle>>> = LazyLock::new(Default::default);

fn in_flight() -> std::sync::MutexGuard<'static, HashMap<u32, futures_util::future::AbortHandle>> {
    IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Drops call `call_id`'s future: its request's connection is closed at once.
#[napi]
pub fn cancel(call_id: u32) {
    if let Some(h) = in_flight().remove(&call_id) {
        h.abort();
    }
}

// ---- the I/O lane: one thread running a current-thread tokio runtime

/// Every call, its connection tasks and the I/O driver run on one thread, so a call crosses
/// threads twice (JavaScript to the lane, the result back through a threadsafe function) and
/// never again inside the runtime; a multi-thread runtime hands each response between its
/// workers too, which costs about a third more per call here. The thread never keeps Node alive.
static LANE: LazyLock<std::result::Result<tokio::runtime::Handle, String>> = LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let handle = rt.handle().clone();
    std::thread::Builder::new()
        .name("narvar-io".into())
        .spawn(move || rt.block_on(std::future::pending::<()>()))
        .map_err(|e| e.to_string())?;
    Ok(handle)
});

fn lane() -> Result<&'static tokio::runtime::Handle> {
    LANE.as_ref().map_err(|e| Error::new(Status::GenericFailure, format!("narvar cannot start its I/O thread: {e}")))
}

/// Runs a call: on this thread's reactor when there is one, else on the I/O thread, settling
/// through the threadsafe function. `job`'s outcome goes to the JS settle function under
/// `call_id`; [`cancel`] drops it.
fn submit(call_id: u32, job: impl std::future::Future<Output = Settled> + Send + 'static) -> Result<()> {
    let (job, handle) = futures_util::future::abortable(job);
    in_flight().insert(call_id, handle);
    let job = async move {
        let outcome = job.await.ok(); // `None`: aborted, and rejected by the JS side already
        in_flight().remove(&call_id);
        outcome
    };
    let Err(job) = reactor::spawn(job) else { return Ok(()) };
    let settle = SETTLE.get().ok_or_else(|| Error::from_reason("narvar: onSettled was not registered"))?;
    lane()?.spawn(async move {
        if let Some(outcome) = job.await {
            settle.call(outcome, ThreadsafeFunctionCallMode::NonBlocking);
        }
    });
    Ok(())
}

/// A client: the Rust client, until closed.
#[napi]
pub struct NativeClient {
    client: Mutex<Option<Client>>,
}

#[napi]
impl NativeClient {
    /// Builds a client from `new Client(options)` as JSON; `from_env` (from `Client.fromEnv`)
    /// reads the `NARVAR_*` variables under those options.
    #[napi(constructor)]
    pub fn new(env: Env, settings_json: String, from_env: bool) -> Result<Self> {
        let client =
            read_settings(&settings_json, from_env).and_then(|s| s.builder("node")?.build()).map_err(|e| js_error(&env, &e))?;
        Ok(NativeClient { client: Mutex::new(Some(client)) })
    }

    /// Starts an operation with JSON input; its outcome arrives through the function given to
    /// [`on_settled`] under `call_id`: the result's JSON text and metadata, or the error's JSON.
    #[napi]
    pub fn call(&self, operation: String, input_json: String, options: CallSettings, call_id: u32) -> Result<()> {
        let prepared = self.client().and_then(|c| Ok((c, options.options()?)));
        submit(call_id, async move {
            // Read straight into the tree the models are read from: no `Value` in between.
            let outcome = match (prepared, Raw::parse(&input_json)) {
                (Ok((client, opts)), Ok(input)) => client.execute_text_raw(&operation, &input, opts).await,
                (Err(e), _) => Err(e),
                (_, Err(e)) => Err(NarvarError::new(ErrorCode::Validation, format!("The input is not JSON: {e}."))),
            };
            Settled::of(call_id, outcome, |r| (r.value, meta_json(&r.meta)))
        })
    }

    /// The drift report (JSON text): see `narvar::Client::drift`; empty once closed.
    #[napi]
    pub fn drift(&self) -> String {
        self.client().map(|c| serde_json::to_string(&c.drift()).unwrap_or_default()).unwrap_or_else(|_| "[]".into())
    }

    /// The normalized journey of an order (JSON text), settled as [`NativeClient::call`] is.
    #[napi]
    pub fn journey(&self, order_number: String, call_id: u32) -> Result<()> {
        let client = self.client();
        submit(call_id, async move {
            let outcome = match client {
                Ok(client) => client.journey(&order_number).await,
                Err(e) => Err(e),
            };
            Settled::of(call_id, outcome, |j| (serde_json::to_string(&j).unwrap_or_default(), String::new()))
        })
    }

    /// Downloads a return label from its `label_url`, settled as [`NativeClient::call`] is with
    /// `{"content_type", "base64"}` as the text.
    #[napi]
    pub fn download_label(&self, label_url: String, options: CallSettings, call_id: u32) -> Result<()> {
        let prepared = self.client().and_then(|c| Ok((c, options.options()?)));
        submit(call_id, async move {
            let outcome = match prepared {
                Ok((client, opts)) => client.returns().download_label_with(&label_url, opts).await,
                Err(e) => Err(e),
            };
            Settled::of(call_id, outcome, |r| {
                use base64::Engine as _;
                let file = serde_json::json!({
                    "content_type": r.value.content_type,
                    "base64": base64::engine::general_purpose::STANDARD.encode(&r.value.bytes),
                });
                (file.to_string(), meta_json(&r.meta))
            })
        })
    }

    /// Drops the client and its connection pool; later calls are configuration errors.
    #[napi]
    pub fn close(&self) {
        drop(self.client.lock().unwrap_or_else(|p| p.into_inner()).take());
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.client.lock().unwrap_or_else(|p| p.into_inner()).is_none()
    }
}

impl NativeClient {
    fn client(&self) -> std::result::Result<Client, NarvarError> {
        let guard = self.client.lock().unwrap_or_else(|p| p.into_inner());
        guard.clone().ok_or_else(|| configuration("The client is closed: make a new one.".into()))
    }
}

// ---- offline pieces: conformance, webhooks, the registry

fn header_pairs(flat: Vec<String>) -> Vec<(String, String)> {
    flat.chunks(2).filter(|c| c.len() == 2).map(|c| (c[0].clone(), c[1].clone())).collect()
}

/// Validates and builds the request an operation would send (the vectors' shape, JSON text);
/// `context_json` overrides the vectors' default context.
#[napi]
pub fn build_request(env: Env, operation: String, input_json: String, context_json: String) -> Result<String> {
    use narvar_core::conformance::{build_request, VectorContext};
    let built = (|| {
        let input: Value = serde_json::from_str(&input_json).map_err(|e| configuration(format!("input: {e}")))?;
        let overrides: Value = serde_json::from_str(&context_json).map_err(|e| configuration(format!("context: {e}")))?;
        build_request(&operation, &input, &VectorContext::with_overrides(Some(&overrides))?)
    })();
    built.map(|r| r.to_string()).map_err(|e| js_error(&env, &e))
}

/// Reads a response as an operation would: the result as JSON text, or the error.
#[napi]
pub fn read_response(env: Env, operation: String, status: u16, headers: Vec<String>, body: Buffer) -> Result<String> {
    narvar_core::conformance::read_response(&operation, status, header_pairs(headers), body.to_vec())
        .map(|v| v.to_string())
        .map_err(|e| js_error(&env, &e))
}

/// How to check a webhook: `{ secret }` (HMAC-SHA256) or `{ username, password }` (Basic).
#[napi(object)]
pub struct WebhookCheck {
    pub secret: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    pub tolerance_sec: Option<f64>,
    pub require_timestamp: Option<bool>,
    /// Unix seconds; now when absent.
    pub now: Option<f64>,
}

/// Verifies a webhook delivery and parses it: the webhook as JSON text, or the error.
#[napi]
pub fn verify_webhook(env: Env, headers: Vec<String>, body: Buffer, check: WebhookCheck) -> Result<String> {
    let options = narvar_core::webhooks::VerifyOptions {
        secret: check.secret.map(Into::into),
        username: check.username,
        password: check.password.map(Into::into),
        tolerance_sec: check.tolerance_sec,
        require_timestamp: check.require_timestamp,
        now: check.now,
    };
    let verifier = options.verifier().map_err(|e| js_error(&env, &e))?;
    let now = options.now_or(std::time::SystemTime::now());
    let webhook = verifier.verify(&header_pairs(headers), &body, now).map_err(|e| js_error(&env, &e.into()))?;
    Ok(serde_json::to_string(&webhook).unwrap_or_default())
}

/// The registry as JSON: each operation's info and its input's root field (for error paths).
#[napi]
pub fn operations() -> String {
    let list: Vec<Value> = narvar_core::REGISTRY
        .iter()
        .map(|e| {
            let mut info = serde_json::to_value(e.info).unwrap_or_default();
            info["input_root"] = Value::from(e.input_root);
            info
        })
        .collect();
    Value::from(list).to_string()
}

/// The core's stable error codes (the JS layer has one class per code; its tests compare).
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// How deep JSON may nest (`codec::MAX_NESTING`): the argument walk refuses deeper input.
#[napi]
pub fn max_nesting() -> u32 {
    narvar_core::codec::MAX_NESTING as u32
}

/// What the argument walk says of deeper input (`codec::too_deep`), after the path.
#[napi]
pub fn too_deep() -> String {
    narvar_core::codec::too_deep()
}

/// The package's version (the crate's).
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

// Rust's own allocations in this module (requests, responses, results): many small ones per call,
// which mimalloc serves faster than the system allocator. JavaScript's heap is unaffected.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
