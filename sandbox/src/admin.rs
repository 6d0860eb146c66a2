//! `/_sandbox/...`: the clock, faults, webhooks, events, the request log, accounts, reset, labels.
//! Every route but the labels (fetched by their URLs, like Narvar's) needs the admin token, and
//! none answers cross-origin requests: a web page or another local user cannot drive it.

use crate::faults::FaultRule;
use crate::server::{raise, Shared};
use crate::state::{TestAccount, WebhookEndpoint};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type S = State<Arc<Shared>>;

fn bad(message: impl Into<String>) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"status": "FAILURE", "messages": [{"code": "sandbox.invalid", "message": message.into()}]})),
    )
        .into_response()
}

/// A JSON body, or a 400 naming the problem (never axum's plain-text rejection).
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(if body.is_empty() { b"{}" } else { body }).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

fn refuse(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (status, Json(json!({"status": "FAILURE", "messages": [{"code": code, "message": message.into()}]}))).into_response()
}

/// The admin token, a JSON content type on writes, and the body size, checked before any handler
/// runs; every refusal is the JSON envelope.
async fn guard(State(s): S, req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    use subtle::ConstantTimeEq as _;
    let given = req.headers().get(crate::ADMIN_TOKEN_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    if !bool::from(given.ct_eq(s.admin_token.as_bytes())) {
        let message =
            format!("admin requests need the sandbox's admin token in {} (printed at start-up)", crate::ADMIN_TOKEN_HEADER);
        return refuse(StatusCode::UNAUTHORIZED, "sandbox.admin_token", message);
    }
    let writes = !matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS);
    let content_type = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    let has_body = req.headers().get("content-length").is_some_and(|v| v.as_bytes() != b"0")
        || req.headers().contains_key("transfer-encoding");
    if writes && (has_body || *req.method() == axum::http::Method::POST) && !crate::server::is_json(content_type) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "request.unsupported_media_type",
            "Content-Type must be application/json",
        );
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::server::MAX_BODY).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", "The body is larger than 1 MiB");
    };
    next.run(axum::extract::Request::from_parts(parts, Body::from(bytes))).await
}

/// The admin routes.
pub fn routes(shared: Arc<Shared>) -> Router<Arc<Shared>> {
    let guarded = Router::new()
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance))
        .route("/_sandbox/faults", get(list_faults).post(add_faults).delete(clear_faults))
        .route("/_sandbox/webhooks", get(list_webhooks).post(add_webhook))
        .route("/_sandbox/events", get(events))
        .route("/_sandbox/requests", get(requests))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/accounts", get(accounts).post(add_account))
        .route("/_sandbox/rate-limit", post(rate_limit))
        .route("/_sandbox/drift", post(drift))
        .route_layer(axum::middleware::from_fn_with_state(shared, guard));
    Router::new().route("/_sandbox/labels/{file}", get(label)).merge(guarded)
}

async fn clock(State(s): S) -> Json<Value> {
    Json(json!({"now": s.world().now().to_rfc3339()}))
}

#[derive(Deserialize)]
struct Advance {
    #[serde(default)]
    seconds: i64,
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    days: i64,
}

async fn advance(State(s): S, body: axum::body::Bytes) -> Response {
    let a: Advance = match parse(&body) {
        Ok(a) => a,
        Err(r) => return r,
    };
    // Each part is checked on its own, so a huge one is named instead of overflowing the sum.
    let ten_years = chrono::Duration::days(3650);
    let mut by = chrono::Duration::zero();
    for (name, part) in [
        ("seconds", chrono::Duration::try_seconds(a.seconds)),
        ("hours", chrono::Duration::try_hours(a.hours)),
        ("days", chrono::Duration::try_days(a.days)),
    ] {
        match part.and_then(|p| by.checked_add(&p)) {
            Some(sum) if part.is_some_and(|p| p >= chrono::Duration::zero()) && sum <= ten_years => by = sum,
            _ => return bad(format!("{name}: the clock only moves forward, at most ten years at a time")),
        }
    }
    let (raised, now) = {
        let mut w = s.world();
        let raised = w.advance(by);
        (raised, w.now())
    };
    let count = raised.len();
    raise(&s, raised);
    Json(json!({"now": now.to_rfc3339(), "events": count})).into_response()
}

async fn list_faults(State(s): S) -> Json<Value> {
    Json(json!({"faults": s.world().faults}))
}

async fn add_faults(State(s): S, body: axum::body::Bytes) -> Response {
    let value: Value = match parse(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let list = if value.is_array() { value } else { Value::Array(vec![value]) };
    let rules: Vec<FaultRule> = match serde_json::from_value(list) {
        Ok(r) => r,
        Err(e) => return bad(format!("invalid fault: {e}")),
    };
    let mut w = s.world();
    let mut ids = Vec::new();
    for mut rule in rules {
        if let Err(e) = rule.check() {
            return bad(e);
        }
        if rule.id.is_empty() {
            rule.id = w.next_id("fault");
        }
        ids.push(rule.id.clone());
        w.faults.push(rule);
    }
    Json(json!({"ids": ids})).into_response()
}

async fn clear_faults(State(s): S) -> Json<Value> {
    s.world().faults.clear();
    Json(json!({"faults": []}))
}

/// A webhook endpoint to register, as `POST /_sandbox/webhooks` takes it.
#[derive(Deserialize)]
pub struct NewWebhook {
    pub url: String,
    #[serde(default)]
    pub account_id: Option<String>,
    /// `basic` (with username and password) or `hmac` (with secret).
    #[serde(default)]
    pub auth: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub topics: Vec<String>,
}

async fn add_webhook(State(s): S, body: axum::body::Bytes) -> Response {
    let n: NewWebhook = match parse(&body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    match register_webhook(&s, n) {
        Ok(endpoint) => Json(json!(endpoint)).into_response(),
        Err(why) => bad(why),
    }
}

/// Registers a webhook endpoint (the admin route and [`crate::Sandbox::add_webhook`]); a URL
/// beyond loopback needs `allow_remote_webhooks`.
pub(crate) fn register_webhook(s: &Shared, n: NewWebhook) -> Result<WebhookEndpoint, String> {
    let Ok(target) = reqwest::Url::parse(&n.url) else { return Err("url must be an http(s) URL".into()) };
    if !matches!(target.scheme(), "http" | "https") {
        return Err("url must be http(s)".into());
    }
    let loopback = match target.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback && !s.allow_remote_webhooks {
        return Err("url must be on loopback (127.0.0.1, [::1] or localhost); start the sandbox with --allow-remote-webhooks to send elsewhere".into());
    }
    let mut w = s.world();
    let account_id = n.account_id.or_else(|| w.accounts.keys().next().cloned()).unwrap_or_default();
    if !w.accounts.contains_key(&account_id) {
        return Err(format!("no account {account_id}"));
    }
    let (auth, username, secret) = match n.auth.as_deref().unwrap_or(if n.secret.is_some() { "hmac" } else { "basic" }) {
        "basic" => match (n.username, n.password) {
            (Some(u), Some(p)) => ("basic", Some(u), Some(p)),
            _ => return Err("basic auth needs username and password".into()),
        },
        "hmac" => match n.secret {
            Some(sec) => ("hmac", None, Some(sec)),
            None => return Err("hmac auth needs a secret".into()),
        },
        other => return Err(format!("auth must be basic or hmac, not {other}")),
    };
    let id = w.next_id("wh");
    let endpoint = WebhookEndpoint { id, account_id, url: n.url, auth: auth.into(), username, secret, topics: n.topics };
    w.webhooks.push(endpoint.clone());
    Ok(endpoint)
}

async fn list_webhooks(State(s): S) -> Json<Value> {
    Json(json!({"webhooks": s.world().webhooks}))
}

async fn events(State(s): S, Query(q): Query<HashMap<String, String>>) -> Json<Value> {
    let w = s.world();
    let list: Vec<_> = w
        .events
        .iter()
        .filter(|e| q.get("topic").is_none_or(|t| *t == e.topic))
        .filter(|e| q.get("account_id").is_none_or(|a| *a == e.account_id))
        .collect();
    Json(json!({"events": list}))
}

/// The most records one page of the request log holds.
const PAGE_MAX: usize = 1000;

/// The request log, a page at a time: `limit` records (at most 1,000) after the sequence number
/// `after`; `next` is the `after` of the following page, absent on the last. Copied under the
/// lock, written out after it, so reading never blocks the API for long.
async fn requests(State(s): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => PAGE_MAX,
        Some(Ok(n)) if (1..=PAGE_MAX).contains(&n) => n,
        Some(_) => return bad(format!("limit must be from 1 to {PAGE_MAX}")),
    };
    let after = match q.get("after").map(|a| a.parse::<u64>()) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return bad("after must be a request sequence number"),
    };
    let (page, more) = {
        let w = s.world();
        let mut matching = w
            .requests
            .iter()
            .filter(|r| r.seq > after)
            .filter(|r| q.get("operation").is_none_or(|o| r.operation.as_deref() == Some(o)))
            .filter(|r| q.get("method").is_none_or(|m| r.method.eq_ignore_ascii_case(m)))
            .filter(|r| q.get("path").is_none_or(|p| r.path.split('?').next() == Some(p)));
        let page: Vec<_> = matching.by_ref().take(limit).cloned().collect();
        (page, matching.next().is_some())
    };
    let next = more.then(|| page.last().map(|r| r.seq)).flatten();
    Json(json!({"requests": page, "next": next})).into_response()
}

async fn reset(State(s): S) -> Json<Value> {
    s.world().reset();
    Json(json!({"status": "reset"}))
}

async fn accounts(State(s): S) -> Json<Value> {
    let w = s.world();
    let list: Vec<&TestAccount> = w.accounts.values().map(|a| &a.creds).collect();
    Json(json!({"accounts": list}))
}

async fn add_account(State(s): S, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    struct NewAccount {
        account_id: String,
    }
    let n: NewAccount = match parse(&body) {
        Ok(n) => n,
        Err(r) => return r,
    };
    if n.account_id.is_empty() || !n.account_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return bad("account_id must be letters, digits, - or _");
    }
    let mut w = s.world();
    if w.accounts.contains_key(&n.account_id) {
        return bad("that account exists");
    }
    let creds = TestAccount::named(&n.account_id);
    w.add_account(creds.clone());
    Json(json!(creds)).into_response()
}

async fn rate_limit(State(s): S, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    struct Limit {
        #[serde(default = "yes")]
        enabled: bool,
        #[serde(default = "hundred")]
        requests: u32,
        #[serde(default = "sixty")]
        per_seconds: u64,
    }
    fn yes() -> bool {
        true
    }
    fn hundred() -> u32 {
        100
    }
    fn sixty() -> u64 {
        60
    }
    let l: Limit = match parse(&body) {
        Ok(l) => l,
        Err(r) => return r,
    };
    if l.requests == 0 || l.requests > 1_000_000 {
        return bad("requests must be from 1 to 1000000");
    }
    if l.per_seconds == 0 || l.per_seconds > 86_400 {
        return bad("per_seconds must be from 1 to 86400 (a day)");
    }
    let limit = l.enabled.then(|| (l.requests, std::time::Duration::from_secs(l.per_seconds)));
    s.world().set_rate_limit(limit);
    Json(json!({"enabled": l.enabled, "requests": l.requests, "per_seconds": l.per_seconds})).into_response()
}

/// `{"enabled": true}`: responses carry fields and enum values no model knows (see
/// [`crate::server::drifted`]), so a client's drift report fills.
async fn drift(State(s): S, body: axum::body::Bytes) -> Response {
    #[derive(Deserialize)]
    struct Drift {
        #[serde(default = "yes")]
        enabled: bool,
    }
    fn yes() -> bool {
        true
    }
    let d: Drift = match parse(&body) {
        Ok(d) => d,
        Err(r) => return r,
    };
    s.world().drift = d.enabled;
    Json(json!({"enabled": d.enabled, "field": crate::DRIFTED_FIELD, "enum_value": crate::DRIFTED_ENUM_VALUE})).into_response()
}

/// A return label, as a real (small) PDF or PNG.
async fn label(State(s): S, Path(file): Path<String>) -> Response {
    let Some((rrn, ext)) = file.rsplit_once('.') else { return StatusCode::NOT_FOUND.into_response() };
    let known = s.world().accounts.values().any(|a| a.returns.get(rrn).is_some_and(|r| r.label_type == ext));
    if !known {
        return (StatusCode::NOT_FOUND, Json(json!({"status": "FAILURE", "messages": [{"code": "label.not_found"}]})))
            .into_response();
    }
    let (bytes, ct) = match ext {
        "pdf" => (pdf(rrn), "application/pdf"),
        _ => (PNG.to_vec(), "image/png"),
    };
    let mut r = Response::new(Body::from(bytes));
    r.headers_mut().insert("content-type", HeaderValue::from_static(ct));
    r
}

/// A one-page PDF saying which return it is for, with a correct cross-reference table.
pub fn pdf(rrn: &str) -> Vec<u8> {
    let text = format!("BT /F1 18 Tf 72 720 Td (Narvar sandbox return label {rrn}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 288 432] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// A valid 1×1 PNG.
pub const PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00,
    0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9C, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44,
    0xAE, 0x42, 0x60, 0x82,
];
