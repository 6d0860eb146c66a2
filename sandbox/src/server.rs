//! The HTTP side: the accept loop (which can drop a connection on purpose), the API handler that
//! routes by core's operation registry, and the responses.

use crate::faults::FaultKind;
use crate::state::{failure, Delivery, EventRecord, Reply, RequestRecord, World};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method as HttpMethod, Request, StatusCode};
use axum::response::Response;
use narvar_core::http::Method;
use narvar_core::ops::AuthKind;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// The largest body accepted.
pub const MAX_BODY: usize = 1024 * 1024;

/// What every handler shares.
pub struct Shared {
    pub world: Mutex<World>,
    pub base_url: String,
    pub started: Instant,
    pub http: reqwest::Client,
    /// What admin requests must carry in `ADMIN_TOKEN_HEADER`.
    pub admin_token: String,
    /// Whether webhook targets may be other than loopback.
    pub allow_remote_webhooks: bool,
}

impl Shared {
    /// The world, even if a handler panicked while holding it.
    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Put in each request's extensions: notifying it closes the connection without an answer.
#[derive(Clone)]
pub struct ConnKill(pub Arc<Notify>);

fn envelope(status: u16, body: &Value) -> Response {
    let mut r = Response::new(Body::from(serde_json::to_vec(body).unwrap_or_default()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn reply(r: &Reply) -> Response {
    match &r.raw {
        Some(raw) => {
            let mut resp = Response::new(Body::from(raw.clone()));
            *resp.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            resp.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
            resp
        }
        None => envelope(r.status, &r.body),
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Whether a `Content-Type` is JSON: `application/json`, with or without parameters
/// (`; charset=utf-8`), in any case; not `application/jsonfoo`.
pub fn is_json(content_type: &str) -> bool {
    content_type.split(';').next().unwrap_or_default().trim().eq_ignore_ascii_case("application/json")
}

/// Percent-decoded UTF-8; `None` when the bytes are not UTF-8.
fn redacted(path: &str, query: &[(String, String)]) -> String {
    if query.is_empty() {
        return path.to_owned();
    }
    let q: Vec<String> = query
        .iter()
        .map(|(k, v)| if k.ends_with("token") { format!("{k}=***") } else { format!("{k}={}", narvar_core::ops::encode(v)) })
        .collect();
    format!("{path}?{}", q.join("&"))
}

/// Which account the request is signed for, or the 401 to answer.
fn authenticate(
    world: &World,
    auth: AuthKind,
    headers: &HeaderMap,
    query: &[(String, String)],
    order_number: &str,
) -> Result<String, Reply> {
    let unauthorized = |m: &str| failure(401, "auth.unauthorized", m);
    match auth {
        AuthKind::Basic => {
            let raw = header(headers, "authorization").ok_or_else(|| unauthorized("Basic credentials are required"))?;
            let (id, token) = narvar_core::http::parse_basic_authorization(raw).ok_or_else(|| {
                unauthorized("Basic credentials are required (Authorization: Basic base64(account_id:auth_token))")
            })?;
            let (id, token) = (id.as_str(), token.as_str());
            match world.accounts.get(id) {
                Some(a) if a.creds.auth_token == token => Ok(id.to_owned()),
                Some(a) if a.expired.iter().any(|t| t == token) => Err(unauthorized("The auth token has expired")),
                _ => Err(unauthorized("Invalid account id or auth token")),
            }
        }
        AuthKind::Bearer => {
            let token = header(headers, "authorization")
                .and_then(narvar_core::http::parse_bearer_authorization)
                .ok_or_else(|| unauthorized("A Bearer token is required"))?;
            world.accounts.values().find(|a| a.creds.bearer_token == token).map(|a| a.creds.account_id.clone()).ok_or_else(|| {
                let expired = world.accounts.values().any(|a| a.expired.iter().any(|t| t == token));
                unauthorized(if expired { "The bearer token has expired" } else { "Invalid bearer token" })
            })
        }
        AuthKind::TrackingHmac => {
            let token_error = |m: &str| Reply {
                status: 401,
                body: json!({"errors": [{"code": "token.invalid", "message": m}]}),
                raw: None,
                events: vec![],
            };
            let proof = narvar_core::tokens::TrackingProof::from_query(query).map_err(|e| token_error(&e))?;
            let a = world
                .accounts
                .values()
                .find(|a| a.creds.retailer_moniker == proof.retailer_moniker)
                .ok_or_else(|| token_error("Unknown retailer"))?;
            let real_now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            if real_now.abs_diff(proof.epoch) > 300 {
                return Err(token_error("The epoch is stale (more than 300 s from now)"));
            }
            let ok = narvar_core::tokens::tokens_match(
                &a.creds.hmac_key,
                order_number,
                proof.epoch,
                proof.epoch_token,
                proof.order_token,
            );
            if ok {
                Ok(a.creds.account_id.clone())
            } else {
                Err(token_error("The order or epoch token does not match"))
            }
        }
        AuthKind::RetailerHeaders => {
            let retailer = header(headers, narvar_core::http::RETAILER_HEADER)
                .ok_or_else(|| unauthorized(&format!("{} is required", narvar_core::http::RETAILER_HEADER)))?;
            world
                .accounts
                .values()
                .find(|a| a.creds.retailer_moniker == retailer)
                .map(|a| a.creds.account_id.clone())
                .ok_or_else(|| unauthorized("Unknown retailer"))
        }
    }
}

fn finish_record(shared: &Shared, seq: u64, status: Option<u16>, outcome: &str) {
    let mut w = shared.world();
    if let Some(r) = w.requests.iter_mut().rev().find(|r| r.seq == seq) {
        r.status = status;
        r.outcome = outcome.to_owned();
    }
}

/// Raises events: records them and starts their deliveries.
pub fn raise(shared: &Arc<Shared>, raised: Vec<(String, String, Value)>) {
    let mut deliveries = Vec::new();
    {
        let mut w = shared.world();
        for (account_id, topic, payload) in raised {
            let id = format!("evt_{:06}", w.events.len() + 1);
            let at = w.now();
            let endpoints: Vec<_> = w
                .webhooks
                .iter()
                .filter(|e| e.account_id == account_id && (e.topics.is_empty() || e.topics.contains(&topic)))
                .cloned()
                .collect();
            w.events.push(EventRecord {
                id: id.clone(),
                account_id,
                topic: topic.clone(),
                at: at.to_rfc3339(),
                payload: payload.clone(),
                deliveries: endpoints
                    .iter()
                    .map(|e| Delivery { endpoint_id: e.id.clone(), attempts: 0, last_status: None, delivered: false })
                    .collect(),
            });
            for e in endpoints {
                deliveries.push((id.clone(), topic.clone(), payload.clone(), e));
            }
        }
    }
    for (event_id, topic, payload, endpoint) in deliveries {
        tokio::spawn(crate::webhooks::deliver(shared.clone(), event_id, topic, payload, endpoint));
    }
}

/// The API: every operation of core's registry.
pub async fn api(shared: Arc<Shared>, req: Request<Body>) -> Response {
    let mut r = api_inner(shared.clone(), req).await;
    // The sandbox's own clock, as a server's `Date` says it: what the journey measures lateness by.
    let now = shared.world().now();
    if let Ok(v) = HeaderValue::from_str(&now.format("%a, %d %b %Y %H:%M:%S GMT").to_string()) {
        r.headers_mut().insert(axum::http::header::DATE, v);
    }
    r
}

async fn api_inner(shared: Arc<Shared>, req: Request<Body>) -> Response {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (parts, body) = req.into_parts();
    let method = match parts.method {
        HttpMethod::GET => Method::Get,
        HttpMethod::POST => Method::Post,
        HttpMethod::PUT => Method::Put,
        HttpMethod::DELETE => Method::Delete,
        ref other => {
            let segments = narvar_core::ops::parse_target(parts.uri.path(), None).map(|(s, _)| s).unwrap_or_default();
            return method_not_allowed(other.as_str(), &allowed_methods(&segments));
        }
    };
    let path = parts.uri.path().to_owned();
    let Some((segments, query)) = narvar_core::ops::parse_target(&path, parts.uri.query()) else {
        return envelope(
            400,
            &json!({"status": "FAILURE", "messages": [{"code": "request.malformed", "message": "The path or query is not valid percent-encoded UTF-8"}]}),
        );
    };
    let keys: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    let Some((entry, params)) = narvar_core::ops::route(method, &segments, &keys) else {
        let allowed = allowed_methods(&segments);
        if allowed.is_empty() {
            let message = format!("No operation for {} {path}", method.as_str());
            return envelope(404, &json!({"status": "FAILURE", "messages": [{"code": "route.not_found", "message": message}]}));
        }
        return method_not_allowed(method.as_str(), &allowed);
    };
    let info = entry.info;
    let tracer = header(&parts.headers, narvar_core::http::TRACER_ID_HEADER).map(str::to_owned);
    let idem_key = header(&parts.headers, narvar_core::http::IDEMPOTENCY_KEY_HEADER).map(str::to_owned);

    // Log it, authenticate, throttle, find a fault: all under one lock.
    let (seq, account_id, fault) = {
        let mut w = shared.world();
        w.request_seq += 1;
        let seq = w.request_seq;
        let logged = |v: &Option<String>| v.as_deref().map(crate::state::log_value);
        w.log_request(RequestRecord {
            seq,
            method: method.as_str().into(),
            path: crate::state::log_value(&redacted(&path, &query)),
            operation: Some(info.name.into()),
            account_id: None,
            idempotency_key: logged(&idem_key),
            tracer_id: logged(&tracer),
            status: None,
            outcome: "ok".into(),
        });
        let order_number = params.iter().find(|(k, _)| *k == "order_number").map(|(_, v)| v.as_str()).unwrap_or_default();
        let account_id = match authenticate(&w, info.auth, &parts.headers, &query, order_number) {
            Ok(a) => a,
            Err(r) => {
                drop(w);
                finish_record(&shared, seq, Some(r.status), "unauthorized");
                return with_ids(reply(&r), &tracer, seq);
            }
        };
        if let Some(rec) = w.requests.iter_mut().rev().find(|r| r.seq == seq) {
            rec.account_id = Some(account_id.clone());
        }
        let now = shared.started.elapsed();
        let limited = w.accounts.get_mut(&account_id).and_then(|a| a.limiter.as_mut()).and_then(|l| l.admit(now).err());
        if let Some(wait) = limited {
            drop(w);
            let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
            finish_record(&shared, seq, Some(429), "rate_limited");
            let mut r = with_ids(reply(&failure(429, "rate.limited", "Too many requests")), &tracer, seq);
            r.headers_mut().insert("retry-after", HeaderValue::from(secs));
            return r;
        }
        let fault = w.faults.iter_mut().find_map(|f| f.fires(info.name, method.as_str(), &path).then(|| f.clone()));
        if let Some(f) = &fault {
            if f.kind == FaultKind::ExpireCredentials {
                let a = w.accounts.get_mut(&account_id).expect("authenticated");
                let (old_token, old_bearer) = (a.creds.auth_token.clone(), a.creds.bearer_token.clone());
                a.expired.push(old_token.clone());
                a.expired.push(old_bearer.clone());
                let n = a.expired.len() / 2;
                a.creds.auth_token = format!("{}_r{n}", old_token.split("_r").next().unwrap_or(&old_token));
                a.creds.bearer_token = format!("{}_r{n}", old_bearer.split("_r").next().unwrap_or(&old_bearer));
            }
        }
        (seq, account_id, fault)
    };

    let kind = fault.as_ref().map(|f| f.kind);
    match (kind, &fault) {
        (Some(FaultKind::Status), Some(f)) => {
            let status = f.status.unwrap_or(503);
            finish_record(&shared, seq, Some(status), "status");
            let mut r = with_ids(reply(&failure(status, "sandbox.fault", format!("Injected fault {}", f.id))), &tracer, seq);
            if let Some(s) = f.retry_after {
                r.headers_mut().insert("retry-after", HeaderValue::from(s));
            }
            return r;
        }
        (Some(FaultKind::ExpireCredentials), _) => {
            finish_record(&shared, seq, Some(401), "expire_credentials");
            return with_ids(reply(&failure(401, "auth.expired", "The credentials have expired")), &tracer, seq);
        }
        (Some(FaultKind::DropBefore), _) => {
            finish_record(&shared, seq, None, "drop_before");
            return drop_connection(kill).await;
        }
        (Some(FaultKind::Delay), Some(f)) => tokio::time::sleep(Duration::from_millis(f.delay_ms.unwrap_or(1000))).await,
        _ => {}
    }

    // The body.
    let needs_body = matches!(method, Method::Post | Method::Put);
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            finish_record(&shared, seq, Some(413), "too_large");
            return with_ids(reply(&failure(413, "request.too_large", "The body is larger than 1 MiB")), &tracer, seq);
        }
    };
    let json_body = if needs_body {
        if !is_json(header(&parts.headers, "content-type").unwrap_or_default()) {
            finish_record(&shared, seq, Some(415), "unsupported_media_type");
            return with_ids(
                reply(&failure(415, "request.unsupported_media_type", "Content-Type must be application/json")),
                &tracer,
                seq,
            );
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                finish_record(&shared, seq, Some(400), "malformed_json");
                return with_ids(
                    reply(&failure(400, "request.malformed_json", format!("The body is not valid JSON: {e}"))),
                    &tracer,
                    seq,
                );
            }
        }
    } else {
        None
    };

    // Idempotency, then the operation itself.
    let (result, replayed) = {
        let mut w = shared.world();
        let key = if method == Method::Post { idem_key.clone() } else { None };
        let prior = key.as_ref().and_then(|k| w.accounts.get(&account_id).and_then(|a| a.idempotency.get(k).cloned()));
        match prior {
            Some((body, status, answer)) if body == bytes.as_ref() => {
                (Reply { status, body: answer, raw: None, events: vec![] }, true)
            }
            Some(_) => (failure(409, "idempotency.conflict", "This Idempotency-Key was used with another body"), false),
            None => {
                let wire = narvar_core::ops::WireRequest { params: &params, query: &query, body: json_body.as_ref() };
                let r = crate::handlers::handle(&mut w, &account_id, info.name, &wire, &shared.base_url);
                if let (Some(k), true) = (key, r.status < 500) {
                    if let Some(a) = w.accounts.get_mut(&account_id) {
                        a.idempotency.insert(k, (bytes.to_vec(), r.status, r.body.clone()));
                    }
                }
                (r, false)
            }
        }
    };
    let raised: Vec<_> = result.events.iter().map(|(t, p)| (account_id.clone(), t.clone(), p.clone())).collect();
    raise(&shared, raised);
    let mut result = result;
    if shared.world().drift && (200..300).contains(&result.status) {
        // A hot read's body comes serialized: drift it as a value.
        if let Some(raw) = result.raw.take() {
            result.body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        }
        drifted(&mut result.body, 0);
    }

    match kind {
        Some(FaultKind::DropAfter) => {
            finish_record(&shared, seq, None, "drop_after");
            drop_connection(kill).await
        }
        Some(FaultKind::StallBody) => {
            finish_record(&shared, seq, Some(result.status), "stall_body");
            let mut r = with_ids(stalled(&result), &tracer, seq);
            *r.status_mut() = StatusCode::from_u16(result.status).unwrap_or(StatusCode::OK);
            r
        }
        _ => {
            finish_record(&shared, seq, Some(result.status), if replayed { "replayed" } else { "ok" });
            let mut r = with_ids(reply(&result), &tracer, seq);
            if replayed {
                r.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            }
            r
        }
    }
}

/// What `POST /_sandbox/drift` turns on: every object below the top level gains a field no
/// model knows, and each `fulfillment_status` and `return_status` a value no enum lists, as if
/// Narvar had moved on since this SDK was built.
pub(crate) fn drifted(v: &mut Value, depth: usize) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if matches!(k.as_str(), "fulfillment_status" | "return_status") && x.is_string() {
                    *x = Value::String(crate::DRIFTED_ENUM_VALUE.to_owned());
                } else {
                    drifted(x, depth + 1);
                }
            }
            if depth > 0 {
                o.insert(crate::DRIFTED_FIELD.to_owned(), Value::from("added by /_sandbox/drift"));
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| drifted(x, depth + 1)),
        _ => {}
    }
}

/// The methods some operation serves at this path (query keys aside).
fn allowed_methods(segments: &[String]) -> Vec<&'static str> {
    let mut allowed: Vec<&'static str> = narvar_core::REGISTRY
        .iter()
        .filter(|e| {
            let keys: Vec<&str> = e.info.query_keys().iter().map(|(k, _)| *k).collect();
            e.info.matches(e.info.method, segments, &keys).is_some()
        })
        .map(|e| e.info.method.as_str())
        .collect();
    allowed.sort_unstable();
    allowed.dedup();
    allowed
}

/// 405 with the `Allow` header RFC 9110 asks for.
fn method_not_allowed(method: &str, allowed: &[&str]) -> Response {
    let body = json!({"status": "FAILURE", "messages": [{"code": "method.not_allowed", "message": format!("{method} is not allowed here")}]});
    let mut r = envelope(405, &body);
    if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
        r.headers_mut().insert("allow", v);
    }
    r
}

fn with_ids(mut r: Response, tracer: &Option<String>, seq: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("req_{seq:08}")) {
        r.headers_mut().insert(narvar_core::http::REQUEST_ID_HEADER, v);
    }
    if let Some(t) = tracer.as_deref().and_then(|t| HeaderValue::from_str(t).ok()) {
        r.headers_mut().insert(narvar_core::http::TRACER_ID_HEADER, t);
    }
    r
}

/// Half the body, then nothing: the client's timeout must fire.
fn stalled(r: &Reply) -> Response {
    let bytes = serde_json::to_vec(&r.body).unwrap_or_default();
    let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
    let stream =
        futures_util::stream::once(async move { Ok::<Bytes, std::io::Error>(half) }).chain(futures_util::stream::pending());
    let mut resp = Response::new(Body::from_stream(stream));
    resp.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
    resp.headers_mut().insert("content-length", HeaderValue::from(bytes.len()));
    resp
}

use futures_util::StreamExt as _;

async fn drop_connection(kill: Option<ConnKill>) -> Response {
    match kill {
        Some(k) => {
            k.0.notify_one();
            std::future::pending().await
        }
        // Served outside the accept loop (never in practice): answer 502 rather than hang.
        None => envelope(502, &json!({"status": "FAILURE"})),
    }
}
