//! Webhooks Narvar sends: verify (Basic auth or HMAC-SHA256, timestamp window) and parse into
//! typed events.
//!
//! Narvar documents Basic auth only; the HMAC scheme follows its inbound SFCC signing
//! (`x-narvar-hmac-sha256` = base64 or hex of HMAC-SHA256(secret, raw body)). The timestamp is
//! `X-Narvar-Timestamp` (Unix seconds) and is not covered by the signature, as in Narvar's scheme.

use crate::models::{FullRmaPayload, StandardRmaPayload, TopicPayload, WebhookTopic};
use crate::secret::Secret;
use base64::Engine as _;
use serde::Serialize;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

/// Header names (compared case-insensitively).
pub mod headers {
    pub const TOPIC: &str = "x-narvar-topic";
    pub const TIMESTAMP: &str = "x-narvar-timestamp";
    pub const WEBHOOK_ID: &str = "x-narvar-webhook-id";
    pub const SIGNATURE: &str = "x-narvar-hmac-sha256";
    pub const AUTHORIZATION: &str = "authorization";
    /// The webhook API version a delivery is in.
    pub const API_VERSION: &str = "x-narvar-api-version";
    /// The version Narvar's return webhooks document.
    pub const API_VERSION_VALUE: &str = "1.07";
}

/// How the retailer's endpoint authenticates Narvar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookAuth {
    /// HTTP Basic with credentials the retailer issued.
    Basic { username: String, password: Secret },
    /// HMAC-SHA256 of the raw body under a shared secret, base64 or hex.
    HmacSha256 { secret: Secret },
}

/// Verification settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookVerifier {
    pub auth: WebhookAuth,
    /// How far `X-Narvar-Timestamp` may be from now, either way. Default 300 s.
    pub tolerance: Duration,
    /// Reject a delivery without `X-Narvar-Timestamp`. Off by default: Narvar's RMA webhooks
    /// are not documented to send it.
    pub require_timestamp: bool,
}

impl WebhookVerifier {
    /// A verifier with the default 300 s window.
    pub fn new(auth: WebhookAuth) -> Self {
        WebhookVerifier { auth, tolerance: Duration::from_secs(300), require_timestamp: false }
    }
}

/// A binding's `verifyWebhook` options, as JavaScript spells them: `secret` (HMAC-SHA256) or
/// `username` and `password` (Basic), with `toleranceSec`, `requireTimestamp` and, for tests,
/// `now` (Unix seconds).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyOptions {
    pub secret: Option<Secret>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tolerance_sec: Option<f64>,
    pub require_timestamp: Option<bool>,
    pub now: Option<f64>,
}

impl VerifyOptions {
    /// The verifier these options describe: the core's defaults, overridden where given.
    pub fn verifier(&self) -> Result<WebhookVerifier, crate::NarvarError> {
        let auth = match (&self.secret, &self.username, &self.password) {
            (Some(s), None, None) => WebhookAuth::HmacSha256 { secret: s.clone() },
            (None, Some(u), Some(p)) => WebhookAuth::Basic { username: u.clone(), password: p.clone() },
            _ => {
                return Err(crate::NarvarError::new(
                    crate::ErrorCode::Configuration,
                    "Pass { secret } (HMAC) or { username, password } (Basic) to verifyWebhook.",
                ))
            }
        };
        let mut verifier = WebhookVerifier::new(auth);
        if let Some(t) = self.tolerance_sec {
            verifier.tolerance = Duration::from_secs_f64(if t.is_finite() { t.clamp(0.0, 1e9) } else { 0.0 });
        }
        verifier.require_timestamp = self.require_timestamp.unwrap_or(verifier.require_timestamp);
        Ok(verifier)
    }

    /// The time to check the timestamp against: `now` if given, else `clock`.
    pub fn now_or(&self, clock: SystemTime) -> SystemTime {
        match self.now {
            Some(t) if t.is_finite() => std::time::UNIX_EPOCH + Duration::from_secs_f64(t.clamp(0.0, 1e12)),
            _ => clock,
        }
    }
}

/// Why a delivery was rejected. Each has a stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WebhookError {
    MissingAuthorization,
    WrongCredentials,
    MissingSignature,
    /// The signature is neither base64 nor hex of 32 bytes.
    MalformedSignature,
    SignatureMismatch,
    MissingTimestamp,
    MalformedTimestamp,
    /// Outside the window by this much.
    StaleTimestamp {
        skew_seconds: i64,
    },
    /// The body is not the JSON object a webhook sends.
    InvalidPayload(String),
}

impl WebhookError {
    /// A stable code, e.g. `signature_mismatch`.
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::MissingAuthorization => "missing_authorization",
            WebhookError::WrongCredentials => "wrong_credentials",
            WebhookError::MissingSignature => "missing_signature",
            WebhookError::MalformedSignature => "malformed_signature",
            WebhookError::SignatureMismatch => "signature_mismatch",
            WebhookError::MissingTimestamp => "missing_timestamp",
            WebhookError::MalformedTimestamp => "malformed_timestamp",
            WebhookError::StaleTimestamp { .. } => "stale_timestamp",
            WebhookError::InvalidPayload(_) => "invalid_payload",
        }
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::MissingAuthorization => f.write_str("The webhook has no Basic Authorization header."),
            WebhookError::WrongCredentials => f.write_str("The webhook's Basic credentials do not match."),
            WebhookError::MissingSignature => f.write_str("The webhook has no X-Narvar-Hmac-Sha256 signature."),
            WebhookError::MalformedSignature => f.write_str("The webhook signature is not base64 or hex of a SHA-256 HMAC."),
            WebhookError::SignatureMismatch => f.write_str("The webhook signature does not match the body."),
            WebhookError::MissingTimestamp => f.write_str("The webhook has no X-Narvar-Timestamp header."),
            WebhookError::MalformedTimestamp => f.write_str("The webhook's X-Narvar-Timestamp is not Unix seconds."),
            WebhookError::StaleTimestamp { skew_seconds } => {
                write!(f, "The webhook's timestamp is {skew_seconds} s from now, outside the allowed window.")
            }
            WebhookError::InvalidPayload(d) => {
                write!(f, "The webhook body is not a valid payload: {d}.")
            }
        }
    }
}

impl std::error::Error for WebhookError {}

impl From<WebhookError> for crate::NarvarError {
    fn from(e: WebhookError) -> Self {
        use crate::ErrorCode;
        let code = match e {
            WebhookError::InvalidPayload(_) => ErrorCode::Decode,
            WebhookError::MissingTimestamp | WebhookError::MalformedTimestamp | WebhookError::StaleTimestamp { .. } => {
                ErrorCode::Validation
            }
            _ => ErrorCode::Authentication,
        };
        let mut out = crate::NarvarError::new(code, e.to_string());
        out.messages.push(crate::models::ApiMessage { code: Some(format!("webhook.{}", e.code())), ..Default::default() });
        out.operation = Some("webhooks.verify".into());
        out
    }
}

/// A typed webhook event.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum WebhookEvent {
    /// The standard RMA payload (`/rma`).
    StandardRma(Box<StandardRmaPayload>),
    /// The full RMA payload (`/return`).
    FullRma(Box<FullRmaPayload>),
    /// A topic-based event with a known topic.
    Topic { topic: WebhookTopic, data: Box<TopicPayload> },
    /// An event this SDK does not know, as received.
    Unknown { topic: Option<String>, raw: serde_json::Value },
}

/// Written as its `Serialize` writes it (`{"kind": "topic", "payload": {...}}`), by the models'
/// own writers: no serde code per model in the wasm module.
impl crate::codec::Encode for WebhookEvent {
    fn encode(&self, out: &mut Vec<u8>) {
        use crate::codec::Encode;
        /// A variant's named fields, as the payload object.
        struct Fields<'a>([(&'a str, &'a dyn Encode); 2]);
        impl Encode for Fields<'_> {
            fn encode(&self, out: &mut Vec<u8>) {
                let mut object = crate::codec::Object::open(out);
                for (key, value) in self.0 {
                    object.required(key, value);
                }
                object.close();
            }
        }
        let fields;
        let (kind, payload): (&str, &dyn Encode) = match self {
            Self::StandardRma(payload) => ("standard_rma", payload),
            Self::FullRma(payload) => ("full_rma", payload),
            Self::Topic { topic, data } => {
                fields = Fields([("topic", topic), ("data", data)]);
                ("topic", &fields)
            }
            Self::Unknown { topic, raw } => {
                fields = Fields([("topic", topic), ("raw", raw)]);
                ("unknown", &fields)
            }
        };
        let mut object = crate::codec::Object::open(out);
        object.required("kind", kind);
        object.required("payload", payload);
        object.close();
    }
}

/// One verified delivery.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Webhook {
    /// `X-Narvar-Webhook-Id`: deduplicate on it.
    pub id: Option<String>,
    /// `X-Narvar-Topic`.
    pub topic: Option<String>,
    /// `X-Narvar-Timestamp`, Unix seconds.
    pub timestamp: Option<i64>,
    pub event: WebhookEvent,
}

impl crate::codec::Encode for Webhook {
    fn encode(&self, out: &mut Vec<u8>) {
        let mut object = crate::codec::Object::open(out);
        object.required("id", &self.id);
        object.required("topic", &self.topic);
        object.required("timestamp", &self.timestamp);
        object.required("event", &self.event);
        object.close();
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim())
}

fn eq_ct(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Checks the Basic `Authorization` header in constant time.
pub fn verify_basic(headers: &[(String, String)], username: &str, password: &Secret) -> Result<(), WebhookError> {
    let value = header(headers, headers::AUTHORIZATION).ok_or(WebhookError::MissingAuthorization)?;
    let (scheme, b64) = value.split_once(' ').ok_or(WebhookError::MissingAuthorization)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(WebhookError::MissingAuthorization);
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(b64.trim()).map_err(|_| WebhookError::WrongCredentials)?;
    let expected = format!("{username}:{}", password.expose());
    if eq_ct(&decoded, expected.as_bytes()) {
        Ok(())
    } else {
        Err(WebhookError::WrongCredentials)
    }
}

/// Checks an HMAC-SHA256 signature of `body` (base64 or lowercase/uppercase hex) in constant time.
pub fn verify_hmac(headers: &[(String, String)], body: &[u8], secret: &Secret) -> Result<(), WebhookError> {
    let given = header(headers, headers::SIGNATURE).ok_or(WebhookError::MissingSignature)?;
    let given = given.strip_prefix("sha256=").unwrap_or(given);
    let bytes = if given.len() == 64 && given.bytes().all(|c| c.is_ascii_hexdigit()) {
        hex::decode(given).map_err(|_| WebhookError::MalformedSignature)?
    } else {
        base64::engine::general_purpose::STANDARD.decode(given).map_err(|_| WebhookError::MalformedSignature)?
    };
    if bytes.len() != 32 {
        return Err(WebhookError::MalformedSignature);
    }
    let expected = crate::tokens::hmac_sha256(secret.expose().as_bytes(), body);
    if eq_ct(&bytes, &expected) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

/// Checks `X-Narvar-Timestamp` against `now` and the tolerance.
pub fn verify_timestamp(
    headers: &[(String, String)],
    now: SystemTime,
    tolerance: Duration,
    required: bool,
) -> Result<Option<i64>, WebhookError> {
    let Some(raw) = header(headers, headers::TIMESTAMP) else {
        return if required { Err(WebhookError::MissingTimestamp) } else { Ok(None) };
    };
    let ts: i64 = raw.parse().map_err(|_| WebhookError::MalformedTimestamp)?;
    let now = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let skew = ts.saturating_sub(now);
    if skew.unsigned_abs() > tolerance.as_secs() {
        return Err(WebhookError::StaleTimestamp { skew_seconds: skew });
    }
    Ok(Some(ts))
}

impl WebhookVerifier {
    /// Verifies auth and timestamp, then parses. `now` is passed in.
    pub fn verify(&self, headers: &[(String, String)], body: &[u8], now: SystemTime) -> Result<Webhook, WebhookError> {
        match &self.auth {
            WebhookAuth::Basic { username, password } => verify_basic(headers, username, password)?,
            WebhookAuth::HmacSha256 { secret } => verify_hmac(headers, body, secret)?,
        }
        verify_timestamp(headers, now, self.tolerance, self.require_timestamp)?;
        parse(headers, body)
    }
}

/// Parses a delivery without verifying it (verify first with [`WebhookVerifier::verify`]).
///
/// With `X-Narvar-Topic`: a known topic gives [`WebhookEvent::Topic`], an unknown one
/// [`WebhookEvent::Unknown`]. Without: an `order` object means the full RMA payload, a
/// `return_tracking_status` the standard one.
pub fn parse(headers: &[(String, String)], body: &[u8]) -> Result<Webhook, WebhookError> {
    let raw: serde_json::Value = serde_json::from_slice(body).map_err(|e| WebhookError::InvalidPayload(e.to_string()))?;
    if !raw.is_object() {
        return Err(WebhookError::InvalidPayload("not a JSON object".into()));
    }
    let topic = header(headers, headers::TOPIC).map(str::to_owned);
    let typed = |e: crate::codec::DecodeError| WebhookError::InvalidPayload(e.to_string());
    let event = match topic.as_deref().map(WebhookTopic::parse) {
        Some(WebhookTopic::Other(_)) => WebhookEvent::Unknown { topic: topic.clone(), raw },
        Some(t) => WebhookEvent::Topic { topic: t, data: Box::new(crate::codec::from_json(&raw).map_err(typed)?) },
        None if raw.get("order").is_some_and(|o| o.is_object()) => {
            WebhookEvent::FullRma(Box::new(crate::codec::from_json(&raw).map_err(typed)?))
        }
        None if raw.get("return_tracking_status").is_some() => {
            WebhookEvent::StandardRma(Box::new(crate::codec::from_json(&raw).map_err(typed)?))
        }
        None => WebhookEvent::Unknown { topic: None, raw },
    };
    Ok(Webhook {
        id: header(headers, headers::WEBHOOK_ID).map(str::to_owned),
        topic,
        timestamp: header(headers, headers::TIMESTAMP).and_then(|t| t.parse().ok()),
        event,
    })
}

/// Signs a body the way [`verify_hmac`] checks it (base64). For senders and tests.
pub fn sign_base64(secret: &Secret, body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::tokens::hmac_sha256(secret.expose().as_bytes(), body))
}
