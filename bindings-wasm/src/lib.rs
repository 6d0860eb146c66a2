//! The native half of the `narvar-wasm` npm package: the core's driver over the host's `fetch`
//! ([`io`]), JSON text both ways, cancellation by dropping a call's future, and errors carried to
//! JavaScript with every field of the core's error (the Node package's `errors.js` turns them
//! into the same `NarvarError` subclasses). All API knowledge stays in the core.

use futures_util::future::{select, Either};
use narvar_core::budget::RateBudgetSetting;
use narvar_core::codec::Raw;
use narvar_core::config::{BasicAuth, CredentialPairs, Credentials, Environment, Spelling, StaticCredentials, TrackingKey};
use narvar_core::journey::Ledger;
use narvar_core::tokens::TrackingGrant;
use narvar_core::{CallOptions, Driver, DriverConfig, ErrorCode, NarvarError, ResponseMeta};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

mod io;

type WasmDriver = Driver<io::FetchTransport, io::Timers, io::Crypto, StaticCredentials>;

// ---- errors: one chokepoint

/// The JS `Error` for a core error: its message, and the core's error as JSON in `narvar`
/// (read by `errors.js`, which builds the class instance users catch).
fn js_error(e: &NarvarError) -> JsValue {
    let error = js_sys::Error::new(&e.message);
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("narvar"), &JsValue::from_str(&e.to_json().to_string()));
    error.into()
}

fn configuration(message: impl Into<String>) -> NarvarError {
    NarvarError::new(ErrorCode::Configuration, message)
}

fn not_json(what: &str, e: serde_json::Error) -> NarvarError {
    NarvarError::new(ErrorCode::Validation, format!("The {what} is not JSON: {e}."))
}

fn parse_json(what: &str, text: &str) -> Result<Value, NarvarError> {
    serde_json::from_str(text).map_err(|e| not_json(what, e))
}

/// An operation's input, read for the models to be read from (no `Value` built).
fn parse_input(text: &str) -> Result<Raw<'_>, NarvarError> {
    Raw::parse(text).map_err(|e| not_json("input", e))
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
    rate_budget: Option<RateBudgetSetting>,
    user_agent_suffix: Option<String>,
    proxied: Option<bool>,
    tracking_grants: Option<Vec<TrackingGrant>>,
}

impl JsSettings {
    fn credentials(&self) -> Result<Credentials, NarvarError> {
        CredentialPairs {
            account_id: self.account_id.is_some(),
            auth_token: self.auth_token.is_some(),
            retailer_moniker: self.retailer_moniker.is_some(),
            hmac_key: self.hmac_key.is_some(),
            from_env: false,
        }
        .check(Spelling::Camel)?;
        let basic = match (&self.account_id, &self.auth_token) {
            (Some(a), Some(t)) => Some(BasicAuth { account_id: a.clone(), auth_token: t.clone().into() }),
            _ => None,
        };
        let tracking = match (&self.retailer_moniker, &self.hmac_key) {
            (Some(r), Some(k)) => Some(TrackingKey { retailer_moniker: r.clone(), hmac_key: k.clone().into() }),
            _ => None,
        };
        let credentials = Credentials {
            basic,
            bearer: self.bearer_token.clone().map(Into::into),
            tracking,
            retailer_moniker: self.retailer_moniker.clone(),
            origin: self.origin.clone(),
            proxied: self.proxied.unwrap_or(false),
            tracking_grants: self.tracking_grants.clone().unwrap_or_default(),
            version: 0,
        };
        credentials.require_any()?;
        Ok(credentials)
    }

    fn config(&self) -> Result<DriverConfig, NarvarError> {
        let environment = match (&self.base_url, &self.environment) {
            (Some(url), _) | (None, Some(url)) => Environment::parse(url)?,
            // A proxied client talks to the retailer's backend, never to Narvar itself.
            (None, None) if self.proxied == Some(true) => {
                return Err(configuration("A proxied client needs baseUrl: your backend's URL that forwards to Narvar."))
            }
            (None, None) => Environment::Production,
        };
        let mut config = DriverConfig::new(environment.endpoints());
        if let Some(t) = self.timeout_ms {
            config.timeout = narvar_core::config::timeout_from_millis("timeoutMs", t)?;
        }
        if let Some(n) = self.max_attempts {
            config.retry.max_attempts = n;
            config.retry = config.retry.checked()?;
        }
        config.rate_budget = RateBudgetSetting::budget(self.rate_budget.as_ref())?;
        config.user_agent = match &self.user_agent_suffix {
            Some(s) => format!("{} wasm {s}", config.user_agent),
            None => format!("{} wasm", config.user_agent),
        };
        Ok(config)
    }
}

fn call_options(
    timeout_ms: Option<f64>,
    idempotency_key: Option<String>,
    tracer_id: Option<String>,
) -> Result<CallOptions, NarvarError> {
    let timeout = timeout_ms.map(|t| narvar_core::config::timeout_from_millis("timeoutMs", t)).transpose()?;
    Ok(CallOptions { idempotency_key, tracer_id, timeout })
}

fn meta_json(meta: &ResponseMeta) -> String {
    narvar_core::codec::to_text(meta).unwrap_or_default()
}

/// The driver and what it remembers for journeys.
struct Inner {
    driver: WasmDriver,
    ledger: Ledger,
}

/// Runs `work` unless `aborted` (a promise the JS layer resolves when the call's signal aborts)
/// settles first: then `work` is dropped, and with it its `fetch` (aborted) and timers.
async fn abortable<T>(
    work: impl std::future::Future<Output = Result<T, NarvarError>>,
    aborted: Option<js_sys::Promise>,
) -> Result<T, JsValue> {
    let outcome = match aborted {
        None => work.await,
        Some(p) => {
            let work = std::pin::pin!(work);
            match select(work, JsFuture::from(p)).await {
                Either::Left((outcome, _)) => outcome,
                // The JS layer has rejected the call with an AbortError already.
                Either::Right(_) => return Err(JsValue::from_str("aborted")),
            }
        }
    };
    outcome.map_err(|e| js_error(&e))
}

/// A client: the core's driver over `fetch`, until closed.
#[wasm_bindgen]
pub struct NativeClient {
    inner: RefCell<Option<Rc<Inner>>>,
}

#[wasm_bindgen]
impl NativeClient {
    /// Builds a client from `new Client(options)` as JSON text.
    #[wasm_bindgen(constructor)]
    pub fn new(settings_json: &str) -> Result<NativeClient, JsValue> {
        let build = || -> Result<Inner, NarvarError> {
            let settings: JsSettings = narvar_core::config::read_options(settings_json)?;
            let driver = Driver::new(
                settings.config()?,
                io::FetchTransport,
                io::Timers,
                io::Crypto,
                StaticCredentials(settings.credentials()?),
            );
            Ok(Inner { driver, ledger: Ledger::default() })
        };
        let inner = build().map_err(|e| js_error(&e))?;
        Ok(NativeClient { inner: RefCell::new(Some(Rc::new(inner))) })
    }

    /// Runs an operation with JSON input: `[resultText, metaText]`, or rejects with the error.
    pub async fn call(
        &self,
        operation: String,
        input_json: String,
        timeout_ms: Option<f64>,
        idempotency_key: Option<String>,
        tracer_id: Option<String>,
        aborted: Option<js_sys::Promise>,
    ) -> Result<js_sys::Array, JsValue> {
        let inner = self.inner();
        let work = async move {
            let inner = inner?;
            let input = parse_input(&input_json)?;
            let opts = call_options(timeout_ms, idempotency_key, tracer_id)?;
            let r = inner.driver.execute_text(&operation, &input, &opts).await?;
            if Ledger::wants(&operation) {
                if let Ok(output) = serde_json::from_str::<Value>(&r.value) {
                    inner.ledger.note(&operation, &input.to_value(), &output);
                }
            }
            Ok(r)
        };
        let r = abortable(work, aborted).await?;
        Ok(js_sys::Array::of2(&JsValue::from_str(&r.value), &JsValue::from_str(&meta_json(&r.meta))))
    }

    /// The journey of an order (JSON text): the order, its tracking (with a tracking key or a
    /// grant for it), the returns this client made for it.
    pub async fn journey(&self, order_number: String, aborted: Option<js_sys::Promise>) -> Result<String, JsValue> {
        let inner = self.inner();
        let work = async move {
            let inner = inner?;
            let journey = narvar_core::journey::gather(&inner.driver, &inner.ledger, &order_number, &[], &[]).await?;
            Ok(narvar_core::codec::to_text(&journey).unwrap_or_default())
        };
        abortable(work, aborted).await
    }

    /// Downloads a return label from its `label_url`: `[contentType, bytes, metaText]`.
    #[wasm_bindgen(js_name = downloadLabel)]
    pub async fn download_label(
        &self,
        label_url: String,
        timeout_ms: Option<f64>,
        aborted: Option<js_sys::Promise>,
    ) -> Result<js_sys::Array, JsValue> {
        let inner = self.inner();
        let work = async move {
            let opts = call_options(timeout_ms, None, None)?;
            inner?.driver.download_label(&label_url, &opts).await
        };
        let r = abortable(work, aborted).await?;
        let content_type = r.value.content_type.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL);
        let bytes = js_sys::Uint8Array::from(r.value.bytes.as_slice());
        Ok(js_sys::Array::of3(&content_type, &bytes, &JsValue::from_str(&meta_json(&r.meta))))
    }

    /// The drift report (JSON text): what the API sent that this SDK does not know.
    pub fn drift(&self) -> Result<String, JsValue> {
        let inner = self.inner().map_err(|e| js_error(&e))?;
        Ok(narvar_core::codec::to_text(&inner.driver.drift()).unwrap_or_default())
    }

    /// Drops the driver; later calls are configuration errors (calls in flight finish).
    pub fn close(&self) {
        self.inner.borrow_mut().take();
    }

    #[wasm_bindgen(getter)]
    pub fn closed(&self) -> bool {
        self.inner.borrow().is_none()
    }
}

impl NativeClient {
    fn inner(&self) -> Result<Rc<Inner>, NarvarError> {
        self.inner.borrow().clone().ok_or_else(|| configuration("The client is closed: make a new one."))
    }
}

// ---- offline: validation, webhooks, tracking grants, proxies, the registry, conformance

/// Checks an operation's input as sending it would, with nothing sent: the core's rules
/// (required fields, enums, quantities, time windows, label specs). Throws the error (a
/// `ValidationError` with every field's problem) or returns nothing.
#[wasm_bindgen]
pub fn check(operation: &str, input_json: &str) -> Result<(), JsValue> {
    let checked = || -> Result<(), NarvarError> {
        let entry = narvar_core::ops::named(operation)?;
        let input = parse_input(input_json)?;
        (entry.check)(&input).map_err(|e| e.in_operation(operation))
    };
    checked().map_err(|e| js_error(&e))
}

/// Verifies a webhook delivery (`headers` flat: name, value, ...) and parses it: JSON text.
#[wasm_bindgen(js_name = verifyWebhook)]
pub fn verify_webhook(headers: Vec<String>, body: &[u8], options_json: &str) -> Result<String, JsValue> {
    let verified = || -> Result<String, NarvarError> {
        let options: narvar_core::webhooks::VerifyOptions = narvar_core::config::read_options(options_json)?;
        let verifier = options.verifier()?;
        let pairs: Vec<(String, String)> = headers.chunks_exact(2).map(|kv| (kv[0].clone(), kv[1].clone())).collect();
        let webhook = verifier.verify(&pairs, body, options.now_or(io::wall_clock()))?;
        Ok(narvar_core::codec::write_text(&webhook))
    };
    verified().map_err(|e| js_error(&e))
}

/// The per-order tracking grant a retailer's backend makes with its HMAC key for a page that
/// must never hold the key (JSON text; `epoch` in Unix seconds, now when absent). The page's
/// client takes it as `trackingGrants`, and tracks that one order for about five minutes.
#[wasm_bindgen(js_name = trackingGrant)]
pub fn tracking_grant(
    retailer_moniker: String,
    hmac_key: String,
    order_number: &str,
    epoch: Option<f64>,
) -> Result<String, JsValue> {
    let bad = |what: &str| js_error(&configuration(format!("trackingGrant needs {what}.")));
    if retailer_moniker.is_empty() {
        return Err(bad("a retailer moniker"));
    }
    if hmac_key.is_empty() {
        return Err(bad("the HMAC key"));
    }
    if order_number.trim().is_empty() {
        return Err(bad("an order number"));
    }
    let epoch = epoch.filter(|e| e.is_finite() && *e >= 0.0).unwrap_or_else(|| (io::wall_ms() / 1000.0).floor()) as u64;
    let key = TrackingKey { retailer_moniker, hmac_key: hmac_key.into() };
    Ok(narvar_core::codec::to_text(&TrackingGrant::new(&key, order_number, epoch)).unwrap_or_default())
}

/// Which operation a request is, and its input (JSON text `{"operation", "input"}`, or `null`
/// for no operation): what a backend proxy checks before it adds credentials and forwards.
#[wasm_bindgen]
pub fn identify(method: &str, path_and_query: &str, body: &[u8]) -> Result<JsValue, JsValue> {
    match narvar_core::ops::identify(method, path_and_query, body) {
        Ok(Some((entry, input))) => {
            let found = serde_json::json!({ "operation": entry.info.name, "input": input });
            Ok(JsValue::from_str(&found.to_string()))
        }
        Ok(None) => Ok(JsValue::NULL),
        Err(e) => Err(js_error(&e)),
    }
}

/// The registry as JSON: each operation's info and its input's root field (for error paths).
#[wasm_bindgen]
pub fn operations() -> String {
    let list: Vec<Value> = narvar_core::REGISTRY
        .iter()
        .map(|e| {
            let mut info = narvar_core::codec::to_value(&e.info).unwrap_or_default();
            info["input_root"] = Value::from(e.input_root);
            info
        })
        .collect();
    Value::from(list).to_string()
}

/// The core's stable error codes (the JS layer has one class per code; its tests compare).
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// Validates and builds the request an operation would send (the conformance vectors' shape,
/// JSON text); `context_json` overrides the vectors' default context.
#[wasm_bindgen(js_name = buildRequest)]
pub fn build_request(operation: &str, input_json: &str, context_json: &str) -> Result<String, JsValue> {
    use narvar_core::conformance::{build_request, VectorContext};
    let built = || -> Result<Value, NarvarError> {
        let input = parse_json("input", input_json)?;
        let overrides = parse_json("context", context_json)?;
        build_request(operation, &input, &VectorContext::with_overrides(Some(&overrides))?)
    };
    built().map(|r| r.to_string()).map_err(|e| js_error(&e))
}

/// Reads a response as an operation would: the result as JSON text, or the error.
#[wasm_bindgen(js_name = readResponse)]
pub fn read_response(operation: &str, status: u16, headers: Vec<String>, body: Vec<u8>) -> Result<String, JsValue> {
    let pairs = headers.chunks_exact(2).map(|kv| (kv[0].clone(), kv[1].clone())).collect();
    narvar_core::conformance::read_response(operation, status, pairs, body).map(|v| v.to_string()).map_err(|e| js_error(&e))
}

/// How deep JSON may nest (`codec::MAX_NESTING`): the argument walk refuses deeper input.
#[wasm_bindgen(js_name = maxNesting)]
pub fn max_nesting() -> u32 {
    narvar_core::codec::MAX_NESTING as u32
}

/// What the argument walk says of deeper input (`codec::too_deep`), after the path.
#[wasm_bindgen(js_name = tooDeep)]
pub fn too_deep() -> String {
    narvar_core::codec::too_deep()
}

/// The package's version (the crate's).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
