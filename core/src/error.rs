//! The one public error of the SDK, with stable codes. Every binding maps it to its language's own
//! types and keeps every field.

use crate::http::HttpResponse;
use crate::models::{ApiMessage, Envelope};
use serde::Serialize;
use std::fmt;
use std::time::Duration;

/// What kind of failure an error is. The string forms are stable across releases and languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input is invalid: found before sending (with `field_errors`), or Narvar refused it
    /// (400, 405, 413, 415, 422, or a 2xx `FAILURE` that is not a not-found).
    Validation,
    /// Credentials missing at Narvar's end or wrong (401).
    Authentication,
    /// Credentials valid but not allowed (403).
    Permission,
    /// No such order, return, carrier or account (404, or 2xx `FAILURE` saying so).
    NotFound,
    /// The request conflicts with the resource's state (409).
    Conflict,
    /// Too many requests (429); `retry_after` says when to come back.
    RateLimited,
    /// Narvar failed (5xx).
    Server,
    /// The request did not complete: connection, TLS, timeout. `may_have_been_sent` says whether
    /// Narvar may have acted on it.
    Transport,
    /// The response could not be read (not JSON, wrong shape, unexpected status).
    Decode,
    /// The client is missing a setting (credentials, base URL, tracking key).
    Configuration,
}

impl ErrorCode {
    /// Every code, for bindings that build one class per code.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::Validation,
        ErrorCode::Authentication,
        ErrorCode::Permission,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::Server,
        ErrorCode::Transport,
        ErrorCode::Decode,
        ErrorCode::Configuration,
    ];

    /// The stable string form, e.g. `not_found`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::Authentication => "authentication",
            ErrorCode::Permission => "permission",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Server => "server",
            ErrorCode::Transport => "transport",
            ErrorCode::Decode => "decode",
            ErrorCode::Configuration => "configuration",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one field of the input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FieldError {
    /// Where, e.g. `order_info.order_items[2].quantity`.
    pub path: String,
    /// The rule broken, stable across releases, e.g. `min`, `required`, `format`.
    pub rule: String,
    /// What is wrong, for people.
    pub message: String,
}

impl FieldError {
    /// A problem at `path`.
    pub fn new(path: impl Into<String>, rule: &str, message: impl Into<String>) -> Self {
        FieldError { path: path.into(), rule: rule.to_owned(), message: message.into() }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.path, self.message)
    }
}

/// What came back with a response: every success and every error carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ResponseMeta {
    /// HTTP status of the last attempt (absent when no response came).
    pub status: Option<u16>,
    /// Response headers of the last attempt, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// `X-Narvar-Request-ID`: quote it to Narvar support.
    pub request_id: Option<String>,
    /// `X-Narvar-Tracer-ID` sent with the call (the same on every attempt).
    pub tracer_id: Option<String>,
    /// How many times the request was sent.
    pub attempts: u32,
}

/// A successful result with its response metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Response<T> {
    /// The typed result.
    pub value: T,
    /// Status, headers, request id, tracer id, attempts.
    pub meta: ResponseMeta,
}

/// A response reads as its value: `client.orders().get("1001").await?.order_items`.
impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T> Response<T> {
    /// The value, without the metadata.
    pub fn into_value(self) -> T {
        self.value
    }

    /// Converts the value, keeping the metadata.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response { value: f(self.value), meta: self.meta }
    }
}

/// The SDK's error. `Display` is one sentence with no secret in it.
///
/// ```
/// use narvar_core::{ErrorCode, NarvarError};
/// let e = NarvarError::new(ErrorCode::NotFound, "No order 1001 was found.");
/// assert_eq!(e.code.as_str(), "not_found");
/// assert_eq!(e.to_string(), "No order 1001 was found.");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct NarvarError {
    /// The kind of failure.
    pub code: ErrorCode,
    /// One sentence for people.
    pub message: String,
    /// The operation, e.g. `orders.get`.
    pub operation: Option<String>,
    /// Narvar's `messages` (or carrier `errors`).
    pub messages: Vec<ApiMessage>,
    /// For `validation` found before sending: every problem, with its field path.
    pub field_errors: Vec<FieldError>,
    /// For `rate_limited`: when to come back.
    #[serde(serialize_with = "secs")]
    #[schemars(with = "Option<f64>")]
    pub retry_after: Option<Duration>,
    /// For `transport`: whether Narvar may have received (and acted on) the request.
    pub may_have_been_sent: Option<bool>,
    /// Status, headers, request id, tracer id and attempts of the last exchange.
    pub meta: ResponseMeta,
}

fn secs<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_f64(d.as_secs_f64()),
        None => s.serialize_none(),
    }
}

impl fmt::Display for NarvarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for NarvarError {}

/// How much of a body a decode error quotes.
const SNIPPET_CHARS: usize = 120;

impl NarvarError {
    /// An error with a code and a message and nothing else.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        NarvarError {
            code,
            message: message.into(),
            operation: None,
            messages: Vec::new(),
            field_errors: Vec::new(),
            retry_after: None,
            may_have_been_sent: None,
            meta: ResponseMeta::default(),
        }
    }

    /// The input broke these rules; nothing was sent.
    pub fn validation(field_errors: Vec<FieldError>) -> Self {
        let message = match field_errors.as_slice() {
            [] => "The input is invalid.".to_owned(),
            [one] => format!("Invalid input: {one}."),
            [first, rest @ ..] => {
                format!("Invalid input: {first} (and {} more problem{}).", rest.len(), if rest.len() == 1 { "" } else { "s" })
            }
        };
        NarvarError { field_errors, ..Self::new(ErrorCode::Validation, message) }
    }

    /// A setting is missing; `env_var` names where it can come from.
    pub fn configuration(setting: &str, env_var: &str) -> Self {
        Self::new(ErrorCode::Configuration, format!("The {setting} is not set: pass it to the client or set {env_var}."))
    }

    /// The response body could not be read as `what`.
    pub fn decode(resp: &HttpResponse, what: &str, detail: &str) -> Self {
        let mut e = Self::new(
            ErrorCode::Decode,
            format!("The response (HTTP {}) is not {what}: {detail}; body starts {:?}.", resp.status, snippet(&resp.body)),
        );
        e.meta = ResponseMeta::from_response(resp);
        e
    }

    /// A transport failure.
    pub fn transport(detail: &str, may_have_been_sent: bool) -> Self {
        let tail = if may_have_been_sent { "Narvar may have received it" } else { "it was never sent" };
        NarvarError {
            may_have_been_sent: Some(may_have_been_sent),
            ..Self::new(ErrorCode::Transport, format!("The request did not complete ({detail}); {tail}."))
        }
    }

    /// Reads a non-2xx response into an error (also used for 2xx `FAILURE` envelopes with
    /// `code` chosen by the caller). This is the one place a status becomes a code.
    pub fn from_status(resp: &HttpResponse) -> Self {
        let code = match resp.status {
            401 => ErrorCode::Authentication,
            403 => ErrorCode::Permission,
            404 => ErrorCode::NotFound,
            409 => ErrorCode::Conflict,
            429 => ErrorCode::RateLimited,
            500..=599 => ErrorCode::Server,
            400..=499 => ErrorCode::Validation,
            300..=399 => return Self::redirected(resp),
            _ => ErrorCode::Decode,
        };
        let env: Envelope = serde_json::from_slice(&resp.body).unwrap_or_default();
        let messages: Vec<ApiMessage> = env.messages.into_iter().chain(env.errors).collect();
        Self::from_parts(resp, code, messages)
    }

    /// A 3xx. Narvar does not redirect, and following one would re-send the body (an order's
    /// personal data, credentials) to wherever `Location` points; nothing is followed.
    fn redirected(resp: &HttpResponse) -> Self {
        let location = resp.header("location").map(crate::http::redact_query);
        let to = location.map(|l| format!(" to {:?}", l.chars().take(200).collect::<String>())).unwrap_or_default();
        let mut e = Self::new(
            ErrorCode::Decode,
            format!(
                "Narvar answered with a redirect (HTTP {}){to}; the SDK follows no redirects, so nothing was sent there.",
                resp.status
            ),
        );
        e.meta = ResponseMeta::from_response(resp);
        e
    }

    /// A body the server refused as too large (413): a `validation` error naming the size.
    /// Sending it again would be refused again, so it is never retried.
    pub fn request_too_large(resp: &HttpResponse, body_bytes: usize) -> Self {
        let mut e = Self::from_status(resp);
        e.code = ErrorCode::Validation;
        e.message = format!(
            "Narvar refused the request body of {body_bytes} bytes as too large (HTTP 413){}; send less data per call.",
            Self::request_id_note(resp)
        );
        e
    }

    /// A response body longer than the client's cap: a `decode` error; the rest was not read.
    pub fn response_too_large(resp: &HttpResponse, max_response_bytes: usize) -> Self {
        let mut e = Self::new(
            ErrorCode::Decode,
            format!(
                "The response (HTTP {}) is larger than the client's limit of {max_response_bytes} bytes (max_response_bytes); it was not read further.",
                resp.status
            ),
        );
        e.meta = ResponseMeta::from_response(resp);
        e
    }

    /// `; request id X` when the response has one, for messages people quote to support.
    fn request_id_note(resp: &HttpResponse) -> String {
        resp.header(crate::http::REQUEST_ID_HEADER)
            .map(|id| format!("; request id {}", id.chars().take(80).collect::<String>()))
            .unwrap_or_default()
    }

    /// An error of `code` for `resp`, carrying Narvar's `messages`.
    pub fn from_parts(resp: &HttpResponse, code: ErrorCode, messages: Vec<ApiMessage>) -> Self {
        Self::from_envelope(resp, code, None, messages)
    }

    /// [`NarvarError::from_parts`] for a 2xx envelope whose `status` is not a success: the
    /// message names that status, so an unknown one (`"PENDING"`) is not a mystery.
    pub fn from_envelope(resp: &HttpResponse, code: ErrorCode, status: Option<&str>, messages: Vec<ApiMessage>) -> Self {
        let said = messages
            .iter()
            .find_map(|m| m.message.as_deref().or(m.code.as_deref()))
            .map(|s| s.chars().take(200).collect::<String>());
        let what = match code {
            ErrorCode::Authentication => "Narvar did not accept the credentials",
            ErrorCode::Permission => "The credentials are not allowed to do this",
            ErrorCode::NotFound => "Narvar found no such resource",
            ErrorCode::Conflict => "The request conflicts with the resource's current state",
            ErrorCode::RateLimited => "Narvar is rate limiting these credentials",
            ErrorCode::Server => "Narvar failed to handle the request",
            ErrorCode::Validation => "Narvar rejected the request",
            _ => "Narvar answered with an unexpected status",
        };
        let retry_after = (code == ErrorCode::RateLimited)
            .then(|| resp.header("retry-after").and_then(|v| crate::policy::parse_retry_after(v, None)))
            .flatten();
        let mut context = format!("HTTP {}", resp.status);
        if let Some(status) = status {
            context.push_str(&format!(", status {:?}", status.chars().take(40).collect::<String>()));
        }
        if let Some(wait) = retry_after {
            context.push_str(&format!(", Retry-After {} s", wait.as_secs_f64()));
        }
        context.push_str(&Self::request_id_note(resp));
        let message = match said {
            Some(s) => format!("{what} ({context}): {s}"),
            None if code == ErrorCode::Decode || code == ErrorCode::Server => {
                format!("{what} ({context}); body starts {:?}.", snippet(&resp.body))
            }
            None if status.is_some() => format!("{what} ({context}) with no messages."),
            None => format!("{what} ({context})."),
        };
        let mut e = Self::new(code, message);
        e.messages = messages;
        e.meta = ResponseMeta::from_response(resp);
        e.retry_after = retry_after;
        e
    }

    /// Names the operation this error came from.
    pub fn in_operation(mut self, name: &str) -> Self {
        self.operation = Some(name.to_owned());
        self
    }

    /// The error as JSON: what bindings hand to their languages.
    pub fn to_json(&self) -> serde_json::Value {
        crate::codec::to_value(self).unwrap_or_default()
    }
}

impl ResponseMeta {
    /// The metadata of one response (attempts and tracer id are filled in by the driver).
    pub fn from_response(resp: &HttpResponse) -> Self {
        ResponseMeta {
            status: Some(resp.status),
            headers: resp.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
            request_id: resp.header(crate::http::REQUEST_ID_HEADER).map(str::to_owned),
            tracer_id: None,
            attempts: 1,
        }
    }
}

/// The first characters of a body, for error messages; never the whole body.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_CHARS * 4)]);
    let mut s: String = text.chars().take(SNIPPET_CHARS).collect();
    if text.chars().count() > SNIPPET_CHARS {
        s.push('…');
    }
    s
}
