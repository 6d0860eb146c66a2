//! The plain HTTP types a transport sees, and the traits the driver is generic over.

use std::future::Future;
use std::time::{Duration, SystemTime};

/// `X-Narvar-Tracer-ID`: sent with every request (the same on each attempt), echoed back.
pub const TRACER_ID_HEADER: &str = "X-Narvar-Tracer-ID";
/// `X-Narvar-Request-ID`: Narvar's id of one exchange, to quote to support.
pub const REQUEST_ID_HEADER: &str = "X-Narvar-Request-ID";
/// `Idempotency-Key`: one per call of an operation that sends one, reused on its retries.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// `x-narvar-retailer`: the retailer moniker of client-side Promise calls (no secret).
pub const RETAILER_HEADER: &str = "x-narvar-retailer";
/// `x-narvar-origin`: the shopper-facing origin of client-side Promise calls.
pub const ORIGIN_HEADER: &str = "x-narvar-origin";

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// `GET`, `POST`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// A request, ready to send.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    /// Absolute URL, path and query percent-encoded.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The most response body a transport should read: it stops after one byte more (and drops
    /// the connection), so a hostile or broken server cannot fill memory; the driver then
    /// reports a `decode` error. Set by the driver from [`crate::DriverConfig::max_response_bytes`].
    pub max_response_bytes: usize,
}

/// The default cap on a response body: 8 MiB. Narvar's largest documents (an order with
/// hundreds of lines and its tracking, a carrier catalogue, a PDF label) are well under 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 8 << 20;

impl HttpRequest {
    /// A request with no headers or body, capped at [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub fn new(method: Method, url: impl Into<String>) -> Self {
        HttpRequest {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
    /// Sets a header, replacing any of the same name.
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
    }
    /// The path and query, without scheme and host.
    pub fn path_and_query(&self) -> &str {
        let rest = self.url.split_once("://").map(|(_, r)| r).unwrap_or(&self.url);
        rest.find('/').map(|i| &rest[i..]).unwrap_or("/")
    }
}

/// Credentials are in the `Authorization` header: `Debug` shows the request without it.
impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), if k.eq_ignore_ascii_case("authorization") { "***" } else { v.as_str() }))
            .collect();
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &redact_query(&self.url))
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// The URL with token-bearing query values (`*_token`) replaced by `***`, for logs.
pub fn redact_query(url: &str) -> String {
    let Some((base, query)) = url.split_once('?') else {
        return url.to_owned();
    };
    let parts: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k.ends_with("token") => format!("{k}=***"),
            _ => kv.to_owned(),
        })
        .collect();
    format!("{base}?{}", parts.join("&"))
}

/// Reads `Authorization: Basic base64(user:password)` (the scheme in any case, as RFC 9110
/// says), as the core writes it for Basic operations.
///
/// ```
/// use narvar_core::http::parse_basic_authorization;
/// assert_eq!(parse_basic_authorization("basic YWNtZTp0b2s="), Some(("acme".into(), "tok".into())));
/// assert_eq!(parse_basic_authorization("Bearer x"), None);
/// ```
pub fn parse_basic_authorization(value: &str) -> Option<(String, String)> {
    use base64::Engine as _;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// Reads `Authorization: Bearer <token>` (the scheme in any case).
pub fn parse_bearer_authorization(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim())
}

/// A response, body read in full.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with a status and a body.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        HttpResponse { status, headers: Vec::new(), body: body.into() }
    }
    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

/// Why a transport could not deliver a response. Only `NotSent` is always safe to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// DNS, connection refused, TLS: the request never reached the server.
    NotSent(String),
    /// Reset or timeout after the request left: the server may have acted on it.
    MaybeSent(String),
}

impl TransportError {
    /// Whether the server may have received the request.
    pub fn may_have_been_sent(&self) -> bool {
        matches!(self, TransportError::MaybeSent(_))
    }
    /// What happened.
    pub fn detail(&self) -> &str {
        match self {
            TransportError::NotSent(s) | TransportError::MaybeSent(s) => s,
        }
    }
}

/// Moves bytes: the only I/O the SDK needs. reqwest in Rust, `fetch` in the browser.
pub trait Transport: Send + Sync {
    /// Sends one request and reads the whole response.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send;
}

/// Time, as the driver sees it: waiting, and two clocks. Tests pass a fake one.
pub trait Sleep: Send + Sync {
    /// Waits for `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
    /// A monotonic clock (any origin), for deadlines and the rate budget.
    fn monotonic(&self) -> Duration;
    /// Wall-clock time, for tracking epochs and HTTP-date `Retry-After`.
    fn wall(&self) -> SystemTime;
}

/// Randomness, passed in: jitter and ids.
pub trait Entropy: Send + Sync {
    /// A uniform value in `[0, 1)`.
    fn unit(&self) -> f64;
    /// A fresh random id (UUIDv4 text), for tracer ids and idempotency keys.
    fn new_id(&self) -> String;
}
