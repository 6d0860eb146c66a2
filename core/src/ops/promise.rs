//! Promise API: delivery-date estimates.

use super::*;
use crate::models::{PromiseConfirmation, PromiseConfirmed, PromiseOptions, PromiseRequest};
use crate::validate;

/// Server-side Promise API version (a `YYYY-MM` path segment).
pub const PROMISE_SERVER_VERSION: &str = "2024-06";
/// Client-side Promise API version.
pub const PROMISE_CLIENT_VERSION: &str = "2025-06";

fn version_ok(p: &mut Problems, v: &Option<String>) {
    if let Some(v) = v {
        let b = v.as_bytes();
        if !(b.len() == 7 && b[4] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || c.is_ascii_digit())) {
            p.add("api_version", "format", "must be YYYY-MM, e.g. 2024-06");
        }
    }
}

op_input! {
    /// `promise.options` (server-side): delivery options for a cart. Auth is not visible in public
    /// material; the SDK assumes Basic.
    pub struct GetPromiseOptions {
        /// Defaults to [`PROMISE_SERVER_VERSION`].
        pub api_version: Option<String> = default,
        flatten pub request: PromiseRequest,
    }
}

impl Operation for GetPromiseOptions {
    type Output = PromiseOptions;
    const INFO: OpInfo = OpInfo {
        name: "promise.options",
        subject: "",
        method: Method::Post,
        path: "/api/{api_version}/promise/options",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true, // a read, though it is a POST
        idempotency_key: false,
        summary: "Delivery-date options for a cart (server-side).",
    };
    fn check(&self, p: &mut Problems) {
        version_ok(p, &self.api_version);
        validate::promise_request(p, &self.request);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.request.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        let v = self.api_version.as_deref().unwrap_or(PROMISE_SERVER_VERSION);
        Ok(RequestParts::at(["api", v, "promise", "options"]).json(&self.request))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<PromiseRequest>())
    }
    fn read(resp: &HttpResponse) -> Result<PromiseOptions, NarvarError> {
        read_enveloped(resp)
    }
}

fn retailer_headers(c: &Credentials) -> Result<Vec<(String, String)>, NarvarError> {
    let mut h = vec![(crate::http::RETAILER_HEADER.to_owned(), c.require_retailer()?.to_owned())];
    if let Some(o) = &c.origin {
        h.push((crate::http::ORIGIN_HEADER.to_owned(), o.clone()));
    }
    Ok(h)
}

op_input! {
    /// `promise.public_options` (client-side): the same question asked from a browser or app, with
    /// no secret: `GET ...?query=base64(JSON)` and `x-narvar-retailer`/`x-narvar-origin` headers.
    pub struct GetPublicPromiseOptions {
        /// Defaults to [`PROMISE_CLIENT_VERSION`].
        pub api_version: Option<String> = default,
        flatten pub request: PromiseRequest,
    }
}

impl Operation for GetPublicPromiseOptions {
    type Output = PromiseOptions;
    /// The request travels as base64 of its JSON in `query`.
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        let raw = wire.query("query").unwrap_or_default();
        let decoded = base64::engine::general_purpose::STANDARD.decode(raw).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let Some(serde_json::Value::Object(mut fields)) = decoded else {
            return Err(NarvarError::validation(vec![FieldError::new("query", "format", "must be base64 of a JSON object")]));
        };
        fields.insert("api_version".into(), serde_json::Value::String(wire.param("api_version").to_owned()));
        wire.decode::<Self>(fields)
    }
    const INFO: OpInfo = OpInfo {
        name: "promise.public_options",
        subject: "",
        method: Method::Get,
        path: "/api/{api_version}/promise/options?query={base64_json}",
        host: Host::PromisePublic,
        auth: AuthKind::RetailerHeaders,
        idempotent: true,
        idempotency_key: false,
        summary: "Delivery-date options for a cart (client-side, no secret).",
    };
    fn check(&self, p: &mut Problems) {
        version_ok(p, &self.api_version);
        validate::promise_request(p, &self.request);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.request.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, c: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        let v = self.api_version.as_deref().unwrap_or(PROMISE_CLIENT_VERSION);
        let mut parts = RequestParts::at(["api", v, "promise", "options"]).query("query", b64_json(&self.request));
        parts.headers = retailer_headers(c)?;
        Ok(parts)
    }
    fn read(resp: &HttpResponse) -> Result<PromiseOptions, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `promise.confirm`: tell Narvar which option the shopper chose for an order. Only the
    /// client-side path is public.
    pub struct ConfirmPromise {
        /// Defaults to [`PROMISE_CLIENT_VERSION`].
        pub api_version: Option<String> = default,
        flatten pub confirmation: PromiseConfirmation,
    }
}

impl Operation for ConfirmPromise {
    type Output = PromiseConfirmed;
    const INFO: OpInfo = OpInfo {
        name: "promise.confirm",
        subject: "order_id",
        method: Method::Post,
        path: "/api/{api_version}/promise/options/public/confirm",
        host: Host::PromisePublic,
        auth: AuthKind::RetailerHeaders,
        idempotent: false,
        idempotency_key: true,
        summary: "Confirm the delivery option chosen for an order.",
    };
    fn check(&self, p: &mut Problems) {
        version_ok(p, &self.api_version);
        validate::promise_confirmation(p, &self.confirmation);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.confirmation.misspellings(&crate::drift::Path::Root, out);
    }
    fn parts(&self, c: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        let v = self.api_version.as_deref().unwrap_or(PROMISE_CLIENT_VERSION);
        let mut parts = RequestParts::at(["api", v, "promise", "options", "public", "confirm"]).json(&self.confirmation);
        parts.headers = retailer_headers(c)?;
        Ok(parts)
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<PromiseConfirmation>())
    }
    fn read(resp: &HttpResponse) -> Result<PromiseConfirmed, NarvarError> {
        read_enveloped(resp)
    }
}
