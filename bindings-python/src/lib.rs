//! `narvar._native`: the thin native half of the Python package. It converts (JSON text both
//! ways), runs calls on a private, fork-safe tokio runtime with the GIL released, and raises the
//! exception classes defined in `narvar.errors`. All API knowledge stays in the core.

use narvar::{lane, CallOptions, Client, NarvarError};
use narvar_core::drift::Path;
use narvar_core::ops;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::BoundObject as _;
use serde_json::Value;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

mod pyjson;
mod view;

// ---- the runtime: created on first use, forgotten in a forked child (whose copy has no threads)

static RUNTIME: AtomicPtr<tokio::runtime::Runtime> = AtomicPtr::new(std::ptr::null_mut());
static GENERATION: AtomicU64 = AtomicU64::new(0);
const WORKERS: usize = 1;

fn runtime() -> PyResult<&'static tokio::runtime::Runtime> {
    let p = RUNTIME.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: runtimes are leaked, never freed; a non-null pointer stays valid.
        return Ok(unsafe { &*p });
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .thread_name("narvar-io")
        .enable_all()
        .build()
        .map_err(|e| PyRuntimeError::new_err(format!("narvar cannot start its I/O runtime: {e}")))?;
    let fresh = Box::into_raw(Box::new(rt));
    match RUNTIME.compare_exchange(std::ptr::null_mut(), fresh, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: we just stored it and never free it.
        Ok(_) => Ok(unsafe { &*fresh }),
        Err(existing) => {
            // SAFETY: `fresh` was never shared; `existing` is leaked and valid.
            drop(unsafe { Box::from_raw(fresh) });
            Ok(unsafe { &*existing })
        }
    }
}

/// Called in a forked child (`os.register_at_fork`): the parent's runtime threads do not exist
/// here, so forget (leak) it; clients rebuild their connections on next use.
#[pyfunction]
fn _after_fork_in_child() {
    RUNTIME.store(std::ptr::null_mut(), Ordering::Release);
    GENERATION.fetch_add(1, Ordering::AcqRel);
}

// ---- errors: one chokepoint

fn to_py_err(py: Python<'_>, e: NarvarError) -> PyErr {
    let raise = || -> PyResult<PyErr> {
        let make = py.import("narvar.errors")?.getattr("_from_core_json")?;
        let exc = make.call1((serde_json::to_string(&e.to_json()).unwrap_or_default(),))?;
        Ok(PyErr::from_value(exc))
    };
    raise().unwrap_or_else(|err| err)
}

fn bad_input(what: &str, e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("{what}: {e}"))
}

// ---- the client

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    base_url: Option<String>,
    environment: Option<String>,
    account_id: Option<String>,
    auth_token: Option<String>,
    bearer_token: Option<String>,
    retailer_moniker: Option<String>,
    hmac_key: Option<String>,
    origin: Option<String>,
    timeout: Option<f64>,
    max_attempts: Option<u32>,
    rate_budget: Option<narvar::RateBudgetSetting>,
    rate_budget_redis: Option<String>,
    rate_budget_workers: Option<u32>,
    user_agent_suffix: Option<String>,
    from_env: Option<bool>,
}

fn build(config: &Config) -> Result<Client, NarvarError> {
    let settings = narvar::Settings {
        environment: config.base_url.clone().or_else(|| config.environment.clone()),
        account_id: config.account_id.clone(),
        auth_token: config.auth_token.clone(),
        bearer_token: config.bearer_token.clone(),
        retailer_moniker: config.retailer_moniker.clone(),
        hmac_key: config.hmac_key.clone(),
        origin: config.origin.clone(),
        timeout: config.timeout.map(|t| narvar_core::config::timeout_from_secs("timeout", t)).transpose()?,
        max_attempts: config.max_attempts,
        rate_budget: config.rate_budget.clone(),
        rate_budget_redis: config.rate_budget_redis.clone(),
        rate_budget_workers: config.rate_budget_workers,
        user_agent_suffix: config.user_agent_suffix.clone(),
        from_env: config.from_env.unwrap_or(false),
        spelling: narvar::Spelling::Snake,
    };
    settings.builder("python")?.connections_per_thread(true).build()
}

/// A client: its configuration and the Rust client built from it (rebuilt after a fork; gone
/// once closed).
#[pyclass(frozen, module = "narvar._native")]
struct NativeClient {
    config: Config,
    inner: Mutex<(u64, Option<Client>)>,
}

/// Reads the client's settings (a dict of keyword arguments); a bad one is a
/// `ConfigurationError` naming it.
fn read_config(py: Python<'_>, settings: &Bound<'_, PyAny>) -> PyResult<Config> {
    let value = pyjson::to_value(settings, "").map_err(|e| {
        let e = NarvarError::new(narvar_core::ErrorCode::Configuration, format!("A client setting is not a plain value: {e}."));
        to_py_err(py, e)
    })?;
    serde_path_to_error::deserialize::<_, Config>(&value).map_err(|e| {
        let setting = e.path().to_string();
        let inner = e.inner().to_string();
        let message = match setting.as_str() {
            "." => format!("The client settings are invalid: {inner}."),
            _ => format!("The {setting} setting is invalid: {inner}."),
        };
        to_py_err(py, NarvarError::new(narvar_core::ErrorCode::Configuration, message))
    })
}

/// What a call gives Python: the result as an instance of its model class (`model`), over a
/// view of the value kept in Rust (see [`view`]), with its `meta`; without a model class, the
/// plain value.
struct Answer {
    value: String,
    meta: narvar_core::ResponseMeta,
    model: Option<Py<PyAny>>,
}

impl<'py> IntoPyObject<'py> for Answer {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        let value = view::view_of(py, self.value)?;
        let Some(model) = self.model else { return view::plain(&value) };
        let result = view::new_model(model.bind(py), value)?;
        result.setattr(pyo3::intern!(py, "meta"), ResponseMeta(self.meta))?;
        Ok(result)
    }
}

/// What came back with a result: HTTP status, headers, request id, tracer id, attempts. Kept in
/// Rust; each attribute is made when read (most callers never look).
#[pyclass(frozen, module = "narvar")]
struct ResponseMeta(narvar_core::ResponseMeta);

#[pymethods]
impl ResponseMeta {
    #[getter]
    fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// The response headers, names lower-cased (a new dict each time).
    #[getter]
    fn headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let headers = pyo3::types::PyDict::new(py);
        for (k, v) in &self.0.headers {
            headers.set_item(k, v)?;
        }
        Ok(headers)
    }

    /// `X-Narvar-Request-ID`: quote it to Narvar support.
    #[getter]
    fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }

    #[getter]
    fn tracer_id(&self) -> Option<&str> {
        self.0.tracer_id.as_deref()
    }

    /// How many times the request was sent.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    fn __repr__(&self) -> String {
        let quote = |s: &Option<String>| s.as_ref().map_or("None".to_owned(), |s| format!("{s:?}").replace('"', "'"));
        let status = self.0.status.map_or("None".to_owned(), |s| s.to_string());
        format!(
            "ResponseMeta(status={status}, request_id={}, tracer_id={}, attempts={})",
            quote(&self.0.request_id),
            quote(&self.0.tracer_id),
            self.0.attempts
        )
    }
}

/// A call's per-call options, from keyword arguments; a bad timeout is a `ConfigurationError`.
fn call_options(
    py: Python<'_>,
    idempotency_key: Option<String>,
    tracer_id: Option<String>,
    timeout: Option<f64>,
) -> PyResult<CallOptions> {
    let timeout =
        timeout.map(|t| narvar_core::config::timeout_from_secs("timeout", t)).transpose().map_err(|e| to_py_err(py, e))?;
    Ok(CallOptions { idempotency_key, tracer_id, timeout })
}

#[pymethods]
impl NativeClient {
    #[new]
    fn new(py: Python<'_>, settings: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config = read_config(py, settings)?;
        let client = build(&config).map_err(|e| to_py_err(py, e))?;
        Ok(NativeClient { config, inner: Mutex::new((GENERATION.load(Ordering::Acquire), Some(client))) })
    }

    /// Drops the client and its connection pools (this thread's at once; other threads' when
    /// they next call or end); later calls raise `ConfigurationError`.
    fn close(&self, py: Python<'_>) {
        let client = self.inner.lock().unwrap_or_else(|p| p.into_inner()).1.take();
        py.detach(|| {
            drop(client);
            narvar::prune_thread_pools();
        });
    }

    /// The drift report as JSON text: every field and enum value the API sent that the SDK
    /// does not know (see `narvar::Client::drift`).
    fn drift(&self, py: Python<'_>) -> PyResult<String> {
        let client = self.client(py)?;
        Ok(serde_json::to_string(&client.drift()).unwrap_or_default())
    }

    /// Whether `close` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).1.is_none()
    }

    /// Runs an operation with `data` (JSON data, models or views) and gives its result as an
    /// instance of `model`; the GIL is released while it runs and Ctrl-C cancels it.
    #[pyo3(signature = (operation, data, model=None, idempotency_key=None, tracer_id=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn call(
        &self,
        py: Python<'_>,
        operation: String,
        data: &Bound<'_, PyAny>,
        model: Option<Py<PyAny>>,
        idempotency_key: Option<String>,
        tracer_id: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Answer> {
        let call = self.prepare(py, operation, data, model, call_options(py, idempotency_key, tracer_id, timeout)?)?;
        block(py, call)
    }

    /// [`NativeClient::call`] as an asyncio future of the running loop; cancelling it cancels
    /// the request.
    #[pyo3(signature = (operation, data, model=None, idempotency_key=None, tracer_id=None, timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: String,
        data: &Bound<'py, PyAny>,
        model: Option<Py<PyAny>>,
        idempotency_key: Option<String>,
        tracer_id: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let call = self.prepare(py, operation, data, model, call_options(py, idempotency_key, tracer_id, timeout)?)?;
        spawn(py, call)
    }

    /// The normalized journey of an order, as a view.
    fn journey<'py>(&self, py: Python<'py>, order_number: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        let text =
            block(py, async move { client.journey(&order_number).await.map(|j| serde_json::to_string(&j).unwrap_or_default()) })?;
        view::view_of(py, text)
    }

    fn journey_async<'py>(&self, py: Python<'py>, order_number: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.client(py)?;
        spawn(
            py,
            async move { client.journey(&order_number).await.map(|j| JsonText(serde_json::to_string(&j).unwrap_or_default())) },
        )
    }
}

/// Runs `fut` with the GIL released on this thread's own runtime (see [`lane`]), and checks for
/// Ctrl-C every 100 ms; an interrupt drops (cancels) the call.
fn block<T: Send + 'static>(
    py: Python<'_>,
    fut: impl std::future::Future<Output = Result<T, NarvarError>> + Send + 'static,
) -> PyResult<T> {
    let generation = GENERATION.load(Ordering::Acquire);
    // Inside a tokio runtime (never from plain Python) a nested block_on would panic: use the
    // shared runtime from a scoped thread instead.
    let shared = if tokio::runtime::Handle::try_current().is_ok() { Some(runtime()?) } else { None };
    let outcome = wait(py, generation, shared, fut);
    if outcome.is_err() && shared.is_none() {
        // `fut` is dropped by now: let its connection close (see `lane::settle`).
        let _ = py.detach(|| lane::with_lane(generation, lane::settle));
    }
    outcome
}

/// [`block`]'s loop; `fut` is dropped when it returns.
fn wait<T: Send + 'static>(
    py: Python<'_>,
    generation: u64,
    shared: Option<&'static tokio::runtime::Runtime>,
    fut: impl std::future::Future<Output = Result<T, NarvarError>> + Send + 'static,
) -> PyResult<T> {
    let mut fut = std::pin::pin!(fut);
    loop {
        let waited = py.detach(|| {
            let step = async { tokio::time::timeout(Duration::from_millis(100), fut.as_mut()).await };
            match shared {
                Some(rt) => Ok(std::thread::scope(|s| {
                    s.spawn(|| rt.block_on(step)).join().unwrap_or_else(|p| std::panic::resume_unwind(p))
                })),
                None => {
                    lane::drop_retired(generation);
                    lane::with_lane(generation, |rt| rt.block_on(step))
                }
            }
        });
        match waited.map_err(|e| PyRuntimeError::new_err(format!("narvar cannot run the call: {e}")))? {
            Ok(result) => return result.map_err(|e| to_py_err(py, e)),
            Err(_) => py.check_signals()?,
        }
    }
}

/// Spawns `fut` and returns an asyncio future of the running loop that gets its result.
fn spawn<'py, T>(
    py: Python<'py>,
    fut: impl std::future::Future<Output = Result<T, NarvarError>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    T: for<'a> IntoPyObject<'a, Error: Into<PyErr>> + Send + 'static,
{
    let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
    let future = event_loop.call_method0("create_future")?;
    let resolve = py.import("narvar._glue")?.getattr("_resolve")?.unbind();
    let (loop_ref, future_ref) = (event_loop.unbind(), future.clone().unbind());
    let handle = runtime()?.spawn(async move {
        let result = fut.await;
        Python::attach(|py| {
            let converted = result
                .map_err(|e| to_py_err(py, e))
                .and_then(|v| v.into_pyobject(py).map(|o| o.into_any().unbind()).map_err(Into::into));
            let (ok, payload): (bool, Py<PyAny>) = match converted {
                Ok(v) => (true, v),
                Err(e) => (false, e.into_value(py).into_any()),
            };
            // The loop may be closed by now; then there is no one to tell.
            let _ = loop_ref.call_method1(py, "call_soon_threadsafe", (resolve, future_ref, ok, payload));
        });
    });
    let canceller = Py::new(py, Canceller { handle: Mutex::new(Some(handle)) })?;
    future.call_method1("add_done_callback", (canceller,))?;
    Ok(future)
}

/// JSON text the core wrote, given to Python as a view.
struct JsonText(String);

impl<'py> IntoPyObject<'py> for JsonText {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;
    fn into_pyobject(self, py: Python<'py>) -> PyResult<Self::Output> {
        view::view_of(py, self.0)
    }
}

impl NativeClient {
    /// One call, ready to run: its arguments read (bad ones refused here, before any I/O).
    fn prepare(
        &self,
        py: Python<'_>,
        operation: String,
        data: &Bound<'_, PyAny>,
        model: Option<Py<PyAny>>,
        opts: CallOptions,
    ) -> PyResult<impl std::future::Future<Output = Result<Answer, NarvarError>> + Send + 'static> {
        let client = self.client(py)?;
        // Conversion errors name the field as validation does (`order_info.order_items[0]...`).
        let root = ops::find(&operation).map(|e| e.input_root).unwrap_or_default();
        // Given as the wire envelope (`{"order_info": {...}}`), the input already names its root.
        let enveloped = !root.is_empty()
            && data.cast::<pyo3::types::PyDict>().is_ok_and(|d| d.len() == 1 && d.contains(root).unwrap_or(false));
        let at = if enveloped || root.is_empty() { Path::Root } else { Path::Field(&Path::Root, root) };
        let input = pyjson::to_raw(data, &at)?;
        Ok(async move {
            client.execute_text_raw(&operation, &input, opts).await.map(|r| Answer { value: r.value, meta: r.meta, model })
        })
    }

    fn client(&self, py: Python<'_>) -> PyResult<Client> {
        let generation = GENERATION.load(Ordering::Acquire);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &inner.1 {
            None => {
                let e = NarvarError::new(narvar_core::ErrorCode::Configuration, "The client is closed: make a new one.");
                Err(to_py_err(py, e))
            }
            Some(_) if inner.0 != generation => {
                let client = build(&self.config).map_err(|e| to_py_err(py, e))?;
                *inner = (generation, Some(client.clone()));
                Ok(client)
            }
            Some(client) => Ok(client.clone()),
        }
    }
}

/// Aborts the Rust task when its asyncio future is cancelled.
#[pyclass(frozen)]
struct Canceller {
    handle: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

#[pymethods]
impl Canceller {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            if let Some(h) = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take() {
                h.abort();
            }
        }
        Ok(())
    }
}

/// Ends an export as every language does (`narvar_core::export`): the number exported, or the
/// core's error naming each missing order.
#[pyfunction]
fn finish_export(py: Python<'_>, exported: usize, missing: Vec<String>) -> PyResult<usize> {
    narvar_core::export::ExportTally { exported, missing, failed: Vec::new() }.finish().map_err(|e| to_py_err(py, e))
}

// ---- offline pieces: request building and response reading (conformance), webhooks, schema

/// Validates and builds the request an operation would send (`narvar_core::conformance`):
/// `{method, url, path, headers, body}` as JSON; `context_json` overrides the vectors' context.
#[pyfunction]
fn build_request(py: Python<'_>, operation: &str, input_json: &str, context_json: &str) -> PyResult<String> {
    use narvar_core::conformance::{build_request, VectorContext};
    let input: Value = serde_json::from_str(input_json).map_err(|e| bad_input("input", e))?;
    let overrides: Value = serde_json::from_str(context_json).map_err(|e| bad_input("context", e))?;
    let ctx = VectorContext::with_overrides(Some(&overrides)).map_err(|e| to_py_err(py, e))?;
    build_request(operation, &input, &ctx).map(|r| r.to_string()).map_err(|e| to_py_err(py, e))
}

/// Reads a response as an operation would: the value as JSON, or the typed exception.
#[pyfunction]
fn read_response(py: Python<'_>, operation: &str, status: u16, headers: Vec<(String, String)>, body: &[u8]) -> PyResult<String> {
    narvar_core::conformance::read_response(operation, status, headers, body.to_vec())
        .map(|v| v.to_string())
        .map_err(|e| to_py_err(py, e))
}

/// Verifies a webhook delivery and parses it: the webhook as JSON, or the exception.
#[pyfunction]
#[pyo3(signature = (headers, body, secret=None, username=None, password=None, tolerance=300.0, require_timestamp=false, now=None))]
#[allow(clippy::too_many_arguments)]
fn verify_webhook(
    py: Python<'_>,
    headers: Vec<(String, String)>,
    body: &[u8],
    secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    tolerance: f64,
    require_timestamp: bool,
    now: Option<f64>,
) -> PyResult<String> {
    use narvar_core::webhooks::{WebhookAuth, WebhookVerifier};
    let auth = match (secret, username, password) {
        (Some(s), None, None) => WebhookAuth::HmacSha256 { secret: s.into() },
        (None, Some(u), Some(p)) => WebhookAuth::Basic { username: u, password: p.into() },
        _ => return Err(PyValueError::new_err("pass secret= (HMAC) or username= and password= (Basic)")),
    };
    let verifier = WebhookVerifier { auth, tolerance: Duration::from_secs_f64(tolerance.max(0.0)), require_timestamp };
    let now = match now {
        Some(t) => std::time::UNIX_EPOCH + Duration::from_secs_f64(t.max(0.0)),
        None => std::time::SystemTime::now(),
    };
    let w = verifier.verify(&headers, body, now).map_err(|e| to_py_err(py, e.into()))?;
    Ok(serde_json::to_string(&w).unwrap_or_default())
}

/// The operation registry as JSON: name, method, path, idempotent, summary.
#[pyfunction]
fn operations() -> String {
    let list: Vec<_> = narvar_core::REGISTRY.iter().map(|e| &e.info).collect();
    serde_json::to_string(&list).unwrap_or_default()
}

/// Reads an order document into the core's typed model and back (what typed results go
/// through): JSON text in, a view of the normalized JSON out, or a validation error naming the path.
#[pyfunction]
fn parse_model<'py>(py: Python<'py>, model: &str, json_text: &str) -> PyResult<Bound<'py, PyAny>> {
    macro_rules! typed {
        ($($name:literal => $t:ty),*) => {
            match model {
                $($name => ops::decode_model_text::<$t>(json_text).map(|m| serde_json::to_string(&m).unwrap_or_default()),)*
                other => return Err(PyValueError::new_err(format!("no model {other:?}"))),
            }
        };
    }
    use narvar_core::models::*;
    let out = typed!("OrderInfo" => OrderInfo, "ReturnLabel" => ReturnLabel, "OrderTracking" => OrderTracking, "CarrierAccount" => CarrierAccount);
    view::view_of(py, out.map_err(|e| to_py_err(py, e))?)
}

// ---- the embedded sandbox

#[pyclass(module = "narvar._native")]
struct NativeSandbox {
    inner: Option<narvar_sandbox::Sandbox>,
}

#[pymethods]
impl NativeSandbox {
    #[new]
    #[pyo3(signature = (port=0, seed=7, rate_limit=None))]
    fn new(py: Python<'_>, port: u16, seed: u64, rate_limit: Option<u32>) -> PyResult<Self> {
        let config = narvar_sandbox::SandboxConfig {
            port,
            seed,
            rate_limit: rate_limit.map(|n| (n, Duration::from_secs(60))),
            ..Default::default()
        };
        let sb = py
            .detach(|| narvar_sandbox::Sandbox::start_in_background(config))
            .map_err(|e| PyRuntimeError::new_err(format!("the sandbox cannot start: {e}")))?;
        Ok(NativeSandbox { inner: Some(sb) })
    }

    fn url(&self) -> PyResult<String> {
        Ok(self.get()?.url().to_owned())
    }

    /// The accounts and their current credentials, as JSON.
    fn accounts(&self) -> PyResult<String> {
        Ok(serde_json::to_string(&self.get()?.accounts()).unwrap_or_default())
    }

    /// Moves the simulated clock (forward, at most ten years at a time, as the admin API).
    fn advance(&self, py: Python<'_>, seconds: f64) -> PyResult<()> {
        let sb = self.get()?;
        if !(seconds.is_finite() && (0.0..=3650.0 * 86_400.0).contains(&seconds)) {
            return Err(PyValueError::new_err(format!(
                "the clock only moves forward, at most ten years at a time (got {seconds} s)"
            )));
        }
        py.detach(|| sb.advance(Duration::from_secs_f64(seconds)));
        Ok(())
    }

    /// The token admin requests carry in `x-sandbox-admin-token`.
    fn admin_token(&self) -> PyResult<String> {
        Ok(self.get()?.admin_token().to_owned())
    }

    fn stop(&mut self, py: Python<'_>) {
        if let Some(mut sb) = self.inner.take() {
            py.detach(|| sb.stop());
        }
    }
}

impl NativeSandbox {
    fn get(&self) -> PyResult<&narvar_sandbox::Sandbox> {
        self.inner.as_ref().ok_or_else(|| PyRuntimeError::new_err("the sandbox was stopped"))
    }
}

/// The client's INFO, WARN and ERROR events go to Python's `logging.getLogger("narvar")`.
fn forward_logs() {
    narvar::logs::forward_to(|level, line| {
        let level = match level {
            narvar::logs::Level::ERROR => 40,
            narvar::logs::Level::WARN => 30,
            _ => 20,
        };
        // Not while the interpreter is shutting down; a failing handler is logging's business.
        Python::try_attach(|py| {
            let log = || py.import("logging")?.getattr("getLogger")?.call1(("narvar",))?.call_method1("log", (level, line));
            let _ = log();
        });
    });
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    forward_logs();
    m.add_class::<NativeClient>()?;
    m.add_class::<NativeSandbox>()?;
    m.add_class::<ResponseMeta>()?;
    m.add_class::<view::JsonObject>()?;
    m.add_class::<view::JsonArray>()?;
    m.add_function(wrap_pyfunction!(view::parse_json, m)?)?;
    m.add_function(wrap_pyfunction!(_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(build_request, m)?)?;
    m.add_function(wrap_pyfunction!(read_response, m)?)?;
    m.add_function(wrap_pyfunction!(verify_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(parse_model, m)?)?;
    m.add_function(wrap_pyfunction!(finish_export, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

// Rust's own allocations in this module (results, request building, views): many small ones per
// call, which mimalloc serves faster than the system allocator. Python's objects are unaffected.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
