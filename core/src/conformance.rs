//! What every binding needs to replay `tests/vectors/`: the vectors' default context (their
//! README's table, written once here), building a case's request and reading its canned
//! response through the registry. Bindings expose these two calls and compare in their own
//! language; none restates the context or the shape of a built request.
//!
//! ```
//! use narvar_core::conformance::{build_request, VectorContext};
//! let ctx = VectorContext::with_overrides(None).unwrap();
//! let req = build_request("orders.get", &serde_json::json!({"order_number": "1001"}), &ctx).unwrap();
//! assert_eq!(req["path"], "/api/v1/orders/1001");
//! ```

use crate::config::{BasicAuth, Credentials, Endpoints, TrackingKey};
use crate::error::{ErrorCode, NarvarError};
use crate::http::HttpResponse;
use crate::ops::{self, RequestContext};
use crate::secret::Secret;
use serde_json::{json, Value};

/// A vector's context: the README's defaults, with a case's `context` overrides applied
/// (`null` removes a setting).
#[derive(Clone, Debug)]
pub struct VectorContext {
    endpoints: Endpoints,
    credentials: Credentials,
    tracer_id: String,
    user_agent: String,
    now_unix: u64,
    idempotency_key: Option<String>,
}

/// The default context of `tests/vectors/README.md`.
fn defaults() -> Value {
    json!({
        "base_url": "https://ws.narvar.test", "account_id": "acme", "auth_token": "tok_9f2", "bearer": "bear_55",
        "retailer_moniker": "acme", "hmac_key": "hk_test", "origin": "https://shop.acme.test", "tracer_id": "tr-0001",
        "user_agent": "narvar-sdk/conformance", "now_unix": 1_700_000_000u64, "idempotency_key": "idem-0001"
    })
}

impl VectorContext {
    /// The defaults with `overrides` (a case's `context` object) applied.
    pub fn with_overrides(overrides: Option<&Value>) -> Result<Self, NarvarError> {
        let mut s = defaults();
        match overrides {
            None | Some(Value::Null) => {}
            Some(Value::Object(o)) => o.iter().for_each(|(k, v)| s[k] = v.clone()),
            Some(other) => return Err(bad_context(format!("context must be an object, not {other}"))),
        }
        let text = |k: &str| s[k].as_str().map(str::to_owned);
        let base = text("base_url").ok_or_else(|| bad_context("context.base_url is required".into()))?;
        let credentials = Credentials {
            basic: text("account_id")
                .zip(text("auth_token"))
                .map(|(a, t)| BasicAuth { account_id: a, auth_token: Secret::new(t) }),
            bearer: text("bearer").map(Secret::new),
            tracking: text("retailer_moniker")
                .zip(text("hmac_key"))
                .map(|(r, k)| TrackingKey { retailer_moniker: r, hmac_key: Secret::new(k) }),
            retailer_moniker: text("retailer_moniker"),
            origin: text("origin"),
            proxied: s["proxied"].as_bool().unwrap_or(false),
            tracking_grants: Vec::new(),
            version: 1,
        };
        Ok(VectorContext {
            endpoints: Endpoints { api: base.clone(), promise_public: base },
            credentials,
            tracer_id: text("tracer_id").unwrap_or_default(),
            user_agent: text("user_agent").unwrap_or_default(),
            now_unix: s["now_unix"].as_u64().ok_or_else(|| bad_context("context.now_unix must be Unix seconds".into()))?,
            idempotency_key: text("idempotency_key"),
        })
    }

    /// The API's base URL.
    pub fn api_base(&self) -> &str {
        &self.endpoints.api
    }

    /// The context operations build requests with.
    pub fn request_context(&self) -> RequestContext<'_> {
        RequestContext {
            endpoints: &self.endpoints,
            credentials: &self.credentials,
            tracer_id: &self.tracer_id,
            user_agent: &self.user_agent,
            now_unix: self.now_unix,
            idempotency_key: self.idempotency_key.as_deref(),
        }
    }
}

fn bad_context(message: String) -> NarvarError {
    NarvarError::new(ErrorCode::Configuration, message)
}

/// Validates `input` and builds the request `operation` would send, as the vectors describe one:
/// `{method, url, path (with query), headers: [[name, value]], body (JSON or null)}`.
pub fn build_request(operation: &str, input: &Value, ctx: &VectorContext) -> Result<Value, NarvarError> {
    let entry = ops::named(operation)?;
    let req = entry.build_value(input, &ctx.request_context())?;
    let body = if req.body.is_empty() { Value::Null } else { serde_json::from_slice(&req.body).unwrap_or(Value::Null) };
    Ok(json!({"method": req.method.as_str(), "url": req.url, "path": req.path_and_query(), "headers": req.headers, "body": body}))
}

/// Reads a response as `operation` would: its result as JSON, or the error every binding raises.
pub fn read_response(operation: &str, status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Result<Value, NarvarError> {
    let entry = ops::named(operation)?;
    (entry.read)(&HttpResponse { status, headers, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_and_null_removes() {
        let ctx = VectorContext::with_overrides(Some(&json!({"bearer": null, "tracer_id": "t-9"}))).unwrap();
        assert!(ctx.credentials.bearer.is_none());
        assert_eq!(ctx.tracer_id, "t-9");
        assert!(VectorContext::with_overrides(Some(&json!([1]))).is_err());
        assert_eq!(build_request("no.such", &Value::Null, &ctx).unwrap_err().code, ErrorCode::Configuration);
    }
}
