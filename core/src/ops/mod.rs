//! Every API operation as a value: its name, whether it is idempotent, how it validates itself,
//! builds its request and reads its response. [`REGISTRY`] lists them all.

/// Declares an operation's input: serde's derive (its schema, and the native API's serde) and
/// its [`Decode`](crate::codec::Decode), from one field list. A field marked `= default` may be
/// absent (and is left out when written); the others are required; a key sent twice, or one
/// the input does not have, is refused (as serde's `deny_unknown_fields` does). `flatten` names
/// the model that takes every other key.
macro_rules! op_input {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty $(= $default:ident)? , )*
            flatten pub $flat:ident : $flty:ty $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[serde($default, skip_serializing_if = "crate::models::WireField::is_absent")])?
                pub $field: $ty,
            )*
            #[serde(flatten)]
            pub $flat: $flty,
        }

        impl crate::codec::Decode for $name {
            fn decode(value: &Raw<'_>, at: &crate::codec::Level<'_>) -> Result<Self, serde_json::Error> {
                const FIELDS: &[&str] = &[$(stringify!($field)),*];
                $( let mut $field: Option<$ty> = None; )*
                let mut rest = Vec::new();
                for (key, value) in crate::codec::entries(value, concat!("struct ", stringify!($name)))? {
                    op_input!(@read FIELDS, key, value, at, $($field)*);
                    rest.push((key.clone(), value.clone()));
                }
                Ok($name {
                    $( $field: op_input!(@take $field $(= $default)?), )*
                    $flat: crate::codec::flattened(rest, at)?,
                })
            }
        }

        impl crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                let mut object = crate::codec::Object::open(out);
                $( op_input!(@write object, $field, &self.$field $(, $default)?); )*
                crate::codec::EncodeFields::encode_fields(&self.$flat, &mut object);
                object.close();
            }
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty $(= $default:ident)? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[$fmeta])*
                $(#[serde($default, skip_serializing_if = "crate::models::WireField::is_absent")])?
                pub $field: $ty,
            )*
        }

        impl crate::codec::Decode for $name {
            #[allow(unused_variables)] // an input without fields reads no value
            fn decode(value: &Raw<'_>, at: &crate::codec::Level<'_>) -> Result<Self, serde_json::Error> {
                const FIELDS: &[&str] = &[$(stringify!($field)),*];
                $( let mut $field: Option<$ty> = None; )*
                for (key, value) in crate::codec::entries(value, concat!("struct ", stringify!($name)))? {
                    op_input!(@read FIELDS, key, value, at, $($field)*);
                    return Err(crate::codec::unknown_field(key, FIELDS, &at.field(key)));
                }
                Ok($name { $( $field: op_input!(@take $field $(= $default)?), )* })
            }
        }

        impl crate::codec::Encode for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                #[allow(unused_mut)]
                let mut object = crate::codec::Object::open(out);
                $( op_input!(@write object, $field, &self.$field $(, $default)?); )*
                object.close();
            }
        }
    };
    // Reads the entry into its field and goes on to the next entry, if it is one of the fields.
    (@read $fields:ident, $key:ident, $value:ident, $at:ident, $($field:ident)*) => {
        let found = crate::codec::position($fields, $key);
        #[allow(unused_mut)]
        let mut i = 0;
        $(
            if found == i {
                crate::codec::input_field(&mut $field, stringify!($field), $value, $at, $key)?;
                continue;
            }
            i += 1;
        )*
        let _ = (found, i);
    };
    // A field that may be absent is left out when it is; the others are always written.
    (@write $object:ident, $field:ident, $value:expr, default) => {
        $object.field(stringify!($field), $value)
    };
    (@write $object:ident, $field:ident, $value:expr) => {
        $object.required(stringify!($field), $value)
    };
    (@take $field:ident = default) => {
        $field.unwrap_or_default()
    };
    (@take $field:ident) => {
        crate::codec::required($field, stringify!($field))?
    };
}

/// An operation whose input is one model, read and written as that model.
macro_rules! transparent_input {
    ($($name:ident),* $(,)?) => {
        $(
            impl crate::codec::Decode for $name {
                fn decode(value: &Raw<'_>, at: &crate::codec::Level<'_>) -> Result<Self, serde_json::Error> {
                    crate::codec::Decode::decode(value, at).map($name)
                }
            }

            impl crate::codec::Encode for $name {
                fn encode(&self, out: &mut Vec<u8>) {
                    crate::codec::Encode::encode(&self.0, out)
                }
            }
        )*
    };
}

mod accounts;
mod carriers;
mod orders;
mod promise;
mod returns;
mod tracking;

pub use accounts::*;
pub use carriers::*;
pub use orders::*;
pub use promise::*;
pub use returns::*;
pub use tracking::*;

use crate::codec::Raw;
use crate::config::{Credentials, Endpoints};
use crate::error::{ErrorCode, FieldError, NarvarError};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::models::{ApiMessage, EnvelopeStatus};
use crate::validate::Problems;
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// How an operation is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthKind {
    /// `Authorization: Basic base64(account_id:auth_token)`.
    Basic,
    /// `Authorization: Bearer <token>` (carrier self-serve).
    Bearer,
    /// HMAC tokens in the query (track-by-order); no `Authorization` header.
    TrackingHmac,
    /// `x-narvar-retailer` and `x-narvar-origin` headers; no secret (client-side Promise).
    RetailerHeaders,
}

/// Which base URL an operation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Host {
    Api,
    PromisePublic,
}

/// What is known about an operation without an instance of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct OpInfo {
    /// Stable name, `family.verb`: `orders.get`.
    pub name: &'static str,
    /// The input field naming what the call reads or writes (`order_number`, `account_alias`,
    /// ...); empty for lists. Caches and audit logs key on it.
    pub subject: &'static str,
    pub method: Method,
    /// Path template, for docs, the sandbox's route table and its OpenAPI document:
    /// `/api/v1/orders/{order_number}`, followed by `?key={name}&...` for required query values.
    pub path: &'static str,
    pub host: Host,
    pub auth: AuthKind,
    /// Safe to send twice: retried even after "may have been sent".
    pub idempotent: bool,
    /// Sends an `Idempotency-Key` made once per call and reused on its retries.
    pub idempotency_key: bool,
    /// One sentence for docs and `--help`.
    pub summary: &'static str,
}

/// The parts of a request an operation decides; [`Operation::to_request`] adds the rest.
#[derive(Clone, Debug, Default)]
pub struct RequestParts {
    /// Path segments, unencoded: `["api", "v1", "orders", "A 1/x"]`.
    pub segments: Vec<String>,
    /// Query pairs, unencoded, in order.
    pub query: Vec<(String, String)>,
    /// JSON body, written (or why it cannot be).
    pub body: Option<Result<Vec<u8>, String>>,
    /// Operation-specific headers.
    pub headers: Vec<(String, String)>,
}

impl RequestParts {
    /// A request to `segments`.
    pub fn at<S: Into<String>>(segments: impl IntoIterator<Item = S>) -> Self {
        RequestParts { segments: segments.into_iter().map(Into::into).collect(), ..Default::default() }
    }
    /// Adds a query pair.
    pub fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_owned(), value.into()));
        self
    }
    /// Adds a query pair when the value is present.
    pub fn query_opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }
    /// Adds one query pair per value (`products=returns&products=tracking`).
    pub fn query_each<T: AsRef<str>>(mut self, key: &str, values: &[T]) -> Self {
        self.query.extend(values.iter().map(|v| (key.to_owned(), v.as_ref().to_owned())));
        self
    }
    /// Sets the JSON body.
    pub fn json(self, body: &impl crate::codec::Encode) -> Self {
        self.json_in(&[], body)
    }
    /// Sets the JSON body to `body` inside the objects `envelope` names, outermost first:
    /// `json_in(&["order_info", "shipments"], &s)` sends `{"order_info":{"shipments":[...]}}`.
    pub fn json_in(mut self, envelope: &[&str], body: &impl crate::codec::Encode) -> Self {
        let mut out = Vec::with_capacity(256);
        for key in envelope {
            out.push(b'{');
            crate::codec::Encode::encode(*key, &mut out);
            out.push(b':');
        }
        crate::codec::Encode::encode(body, &mut out);
        out.extend(std::iter::repeat_n(b'}', envelope.len()));
        self.body = Some(Ok(out));
        self
    }
}

/// A request as a server receives it: the path parameters its template names, the decoded
/// query pairs and the JSON body. What [`Operation::from_wire`] reads (the sandbox serves with it).
#[derive(Clone, Copy, Debug)]
pub struct WireRequest<'a> {
    pub params: &'a [(&'static str, String)],
    pub query: &'a [(String, String)],
    pub body: Option<&'a serde_json::Value>,
}

impl<'a> WireRequest<'a> {
    /// A path parameter (`order_number`), or empty.
    pub fn param(&self, name: &str) -> &'a str {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }
    /// The first value of a query key.
    pub fn query(&self, key: &str) -> Option<&'a str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    /// Every value of a repeated query key.
    pub fn query_all(&self, key: &str) -> Vec<&'a str> {
        self.query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
    /// The body's object, or an empty one (a body that is not an object is refused).
    fn body_object(&self) -> Result<serde_json::Map<String, serde_json::Value>, NarvarError> {
        match self.body {
            None | Some(serde_json::Value::Null) => Ok(serde_json::Map::new()),
            Some(serde_json::Value::Object(m)) => Ok(m.clone()),
            Some(_) => Err(NarvarError::validation(vec![FieldError::new("body", "type", "must be a JSON object")])),
        }
    }
    /// The body's fields, each path parameter and each query key of `info`'s path template, under
    /// the input's field names ([`Operation::from_wire`]'s default; not generic, so it exists once).
    pub fn fields(&self, info: &OpInfo) -> Result<serde_json::Map<String, serde_json::Value>, NarvarError> {
        let mut fields = self.body_object()?;
        for (name, value) in self.params {
            fields.insert((*name).to_owned(), serde_json::Value::String(value.clone()));
        }
        for (key, name) in info.query_keys() {
            if let Some(v) = self.query(key) {
                fields.insert(name.to_owned(), serde_json::Value::String(v.to_owned()));
            }
        }
        Ok(fields)
    }
    /// `fields` as the operation's input, read as `O` (type errors name their field path).
    pub fn decode<O: Operation>(&self, fields: serde_json::Map<String, serde_json::Value>) -> Result<O, NarvarError> {
        let fields = serde_json::Value::Object(fields);
        decode_input::<O>(&Raw::from_value(&fields))
    }
}

/// What a request needs from the client at the moment it is built.
#[derive(Clone, Copy, Debug)]
pub struct RequestContext<'a> {
    pub endpoints: &'a Endpoints,
    pub credentials: &'a Credentials,
    /// `X-Narvar-Tracer-ID`, the same on every attempt of a call.
    pub tracer_id: &'a str,
    pub user_agent: &'a str,
    /// Now, in Unix seconds: the track-by-order epoch.
    pub now_unix: u64,
    /// The call's idempotency key, for operations that send one.
    pub idempotency_key: Option<&'a str>,
}

/// The default `User-Agent`.
pub const USER_AGENT: &str = concat!("narvar-sdk/", env!("CARGO_PKG_VERSION"));

/// Every character but `A-Z a-z 0-9 - . _ ~` is percent-encoded in paths and queries.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one path segment or query component.
pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, ENCODE).to_string()
}

/// An API operation. See the module docs.
pub trait Operation:
    Serialize + DeserializeOwned + crate::codec::Decode + crate::codec::Encode + schemars::JsonSchema + Send + Sync + 'static
{
    /// What a success reads into.
    type Output: Serialize + DeserializeOwned + crate::codec::Encode + schemars::JsonSchema + crate::drift::Drift + Send + 'static;
    /// Name, method, path, auth, idempotency.
    const INFO: OpInfo;
    /// The path prefix validation gives the input (`order_info` for an order), so that type
    /// errors and rule errors name fields the same way.
    const INPUT_ROOT: &'static str = "";
    /// Query keys the request carries only when set (`country`, `dzip`, ...); the required ones
    /// are in the path template.
    const OPTIONAL_QUERY: &'static [&'static str] = &[];

    /// Records every problem with the input.
    fn check(&self, problems: &mut Problems);

    /// Path, query, body and operation headers.
    fn parts(&self, credentials: &Credentials, now_unix: u64) -> Result<RequestParts, NarvarError>;

    /// Reads a response (any status) into the output or an error.
    fn read(response: &HttpResponse) -> Result<Self::Output, NarvarError>;

    /// The operation a server received: the inverse of [`Operation::parts`], for the sandbox. By
    /// default the body's fields, each path parameter and each query key of the path template,
    /// under the input's field names; operations that send otherwise say how.
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        wire.decode::<Self>(wire.fields(&Self::INFO)?)
    }

    /// The JSON Schema of the request body as sent on the wire, when there is one (for the
    /// sandbox's OpenAPI document).
    fn body_schema(_: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        None
    }

    /// Unknown keys of the input that look like misspelt fields (see
    /// [`crate::models::Misspellings`]); operations whose input is a model forward to it.
    fn misspellings(&self, _out: &mut Vec<FieldError>) {}

    /// Every problem with the input, or nothing.
    fn validate(&self) -> Result<(), NarvarError> {
        let mut p = Problems::default();
        self.check(&mut p);
        let mut misspelt = Vec::new();
        self.misspellings(&mut misspelt);
        problems_found(p, misspelt, Self::INFO.name)
    }

    /// Validates, then builds the request.
    fn to_request(&self, ctx: &RequestContext<'_>) -> Result<HttpRequest, NarvarError> {
        self.validate()?;
        let parts = self.parts(ctx.credentials, ctx.now_unix);
        parts.and_then(|parts| assemble(&Self::INFO, parts, ctx)).map_err(|e| e.in_operation(Self::INFO.name))
    }

    /// Reads a response; errors name the operation.
    fn from_response(response: &HttpResponse) -> Result<Self::Output, NarvarError> {
        Self::read(response).map_err(|e| e.in_operation(Self::INFO.name))
    }
}

/// The end of [`Operation::validate`], apart so that it exists once, not once per operation.
fn problems_found(mut p: Problems, misspelt: Vec<FieldError>, operation: &str) -> Result<(), NarvarError> {
    for e in misspelt {
        p.add(e.path, &e.rule, e.message);
    }
    p.finish().map_err(|errs| NarvarError::validation(errs).in_operation(operation))
}

fn assemble(info: &OpInfo, parts: RequestParts, ctx: &RequestContext<'_>) -> Result<HttpRequest, NarvarError> {
    let base = match info.host {
        Host::Api => &ctx.endpoints.api,
        Host::PromisePublic => &ctx.endpoints.promise_public,
    };
    let mut url = String::with_capacity(base.len() + 64);
    url.push_str(base.trim_end_matches('/'));
    for seg in &parts.segments {
        url.push('/');
        url.push_str(&encode(seg));
    }
    for (i, (k, v)) in parts.query.iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        url.push_str(&encode(k));
        url.push('=');
        url.push_str(&encode(v));
    }
    let mut headers: Vec<(String, String)> = Vec::with_capacity(8);
    match info.auth {
        // The retailer's backend adds the credentials of proxied requests.
        AuthKind::Basic | AuthKind::Bearer if ctx.credentials.proxied => {}
        AuthKind::Basic => {
            let b = ctx.credentials.require_basic()?;
            let raw = format!("{}:{}", b.account_id, b.auth_token.expose());
            headers.push(("Authorization".into(), format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(raw))));
        }
        AuthKind::Bearer => {
            let t = ctx.credentials.require_bearer()?;
            headers.push(("Authorization".into(), format!("Bearer {}", t.expose())));
        }
        AuthKind::TrackingHmac | AuthKind::RetailerHeaders => {}
    }
    headers.push(("Accept".into(), "application/json".into()));
    headers.push(("User-Agent".into(), ctx.user_agent.to_owned()));
    headers.push((crate::http::TRACER_ID_HEADER.into(), ctx.tracer_id.to_owned()));
    let body = match parts.body {
        Some(written) => {
            headers.push(("Content-Type".into(), "application/json".into()));
            written.map_err(|e| NarvarError::new(ErrorCode::Validation, format!("The body cannot be written as JSON: {e}.")))?
        }
        None => Vec::new(),
    };
    if let (true, Some(key)) = (info.idempotency_key, ctx.idempotency_key) {
        headers.push((crate::http::IDEMPOTENCY_KEY_HEADER.into(), key.to_owned()));
    }
    headers.extend(parts.headers);
    Ok(HttpRequest { method: info.method, url, headers, body, max_response_bytes: crate::http::DEFAULT_MAX_RESPONSE_BYTES })
}

/// A response type that carries the v1/v2 envelope (`status`, `messages`, maybe `errors`).
pub trait Enveloped: DeserializeOwned + crate::codec::Decode + Default {
    /// The envelope status and messages.
    fn envelope(&self) -> (Option<&EnvelopeStatus>, Vec<&ApiMessage>);
    /// Whether an `errors` array is present (a failure even without a `status`).
    fn has_errors(&self) -> bool {
        false
    }
}

macro_rules! enveloped {
    ($($t:ty => |$s:ident| $body:expr $(, errors: $errs:ident)?;)*) => {
        $( impl Enveloped for $t {
            fn envelope(&self) -> (Option<&EnvelopeStatus>, Vec<&ApiMessage>) { let $s = self; $body }
            $( fn has_errors(&self) -> bool { !self.$errs.is_empty() } )?
        } )*
    };
}
use crate::models::*;
enveloped! {
    WriteResult => |s| (s.status.as_ref(), s.messages.iter().collect());
    OrderEnvelope => |s| (s.status.as_ref(), s.messages.iter().collect());
    OrderTracking => |s| (s.status.as_ref(), s.messages.iter().chain(&s.errors).collect()), errors: errors;
    TrackingInfo => |s| (s.status.as_ref(), s.messages.iter().collect());
    OrderItemVisibility => |s| (s.status.as_ref(), s.messages.iter().collect());
    ReturnLabel => |s| (s.status.as_ref(), s.messages.iter().collect());
    CarrierList => |_s| (None, Vec::new());
    CarrierDetails => |s| (s.status.as_ref(), Vec::new());
    CarrierServiceCreationResponse => |s| (s.status.as_ref(), Vec::new());
    StatusResponse => |s| (s.status.as_ref(), s.messages.iter().chain(&s.errors).collect()), errors: errors;
    CarrierAccountCreated => |s| (s.status.as_ref(), Vec::new());
    CarrierAccountList => |s| (s.status.as_ref(), Vec::new());
    PromiseOptions => |s| (s.status.as_ref(), s.messages.iter().collect());
    PromiseConfirmed => |s| (s.status.as_ref(), s.messages.iter().collect());
    serde_json::Value => |_s| (None, Vec::new());
}

/// Whether Narvar's messages say "not found" (the 2xx `FAILURE` way of answering a missing
/// order, e.g. "No Order Information found for Order Number 1001", or carrier code `15002`).
pub fn says_not_found(messages: &[&ApiMessage]) -> bool {
    messages.iter().any(|m| {
        let code = m.code.as_deref().unwrap_or_default().to_ascii_lowercase();
        let text = m.message.as_deref().unwrap_or_default().to_ascii_lowercase();
        code == crate::envelope::carrier_codes::NOT_FOUND
            || code.ends_with("not_found")
            || text.contains("not found")
            || text.contains("no order information found")
    })
}

/// Reads a JSON response carrying the envelope. Non-2xx: [`NarvarError::from_status`]. 2xx with
/// an empty body: `decode` (but for 204 No Content; a DELETE uses [`read_deleted`]). 2xx with a non-success `status`, or with only `errors`:
/// `not_found` when the messages say so, else `validation`. Unreadable body: `decode`.
pub fn read_enveloped<T: Enveloped>(resp: &HttpResponse) -> Result<T, NarvarError> {
    // Only the decoding is generic: the checks before and after exist once in the binary.
    let Some(text) = enveloped_text(resp)? else { return Ok(T::default()) };
    let value: T = crate::codec::from_text(text).map_err(|e| NarvarError::decode(resp, "the expected JSON", &e))?;
    let (status, messages) = value.envelope();
    envelope_failure(resp, status, messages, value.has_errors())?;
    Ok(value)
}

/// The body of a response to read as an envelope; `None` for a 204 No Content.
fn enveloped_text(resp: &HttpResponse) -> Result<Option<&str>, NarvarError> {
    if !resp.is_success() {
        return Err(NarvarError::from_status(resp));
    }
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        // Only "No Content" may be empty; an empty 200 to a write is no proof it was done.
        if resp.status == 204 {
            return Ok(None);
        }
        return Err(NarvarError::decode(resp, "the expected JSON", "the body is empty"));
    }
    // One UTF-8 check of the whole body is far cheaper than serde_json's check of each string.
    std::str::from_utf8(&resp.body).map(Some).map_err(|e| NarvarError::decode(resp, "the expected JSON", &e.to_string()))
}

/// A 2xx whose envelope says it failed: `not_found` when the messages say so, else `validation`.
fn envelope_failure(
    resp: &HttpResponse,
    status: Option<&EnvelopeStatus>,
    messages: Vec<&ApiMessage>,
    has_errors: bool,
) -> Result<(), NarvarError> {
    let failed = match status {
        Some(s) => !s.is_success(),
        None => has_errors,
    };
    if failed {
        let code = if says_not_found(&messages) { ErrorCode::NotFound } else { ErrorCode::Validation };
        let owned = messages.into_iter().cloned().collect();
        return Err(NarvarError::from_envelope(resp, code, status.map(EnvelopeStatus::as_str), owned));
    }
    Ok(())
}

/// [`read_enveloped`] for a DELETE, which Narvar may answer with an empty 2xx: the resource is
/// gone, and there is nothing more to say.
pub fn read_deleted<T: Enveloped>(resp: &HttpResponse) -> Result<T, NarvarError> {
    if resp.is_success() && resp.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    read_enveloped(resp)
}

/// Turns a serde error at a path into a validation error naming that path (under `root`, the
/// name the operation's validation gives its input, e.g. `order_info`).
fn input_error(e: crate::codec::DecodeError, root: &str) -> NarvarError {
    let inner = e.inner().to_string();
    let detail = inner.split(" at line ").next().unwrap_or(&inner).to_owned();
    let mut segments: Vec<String> = Vec::new();
    if !root.is_empty() {
        segments.push(root.to_owned());
    }
    let at = e.path().to_string();
    if at != "." {
        segments.push(at);
    }
    let named = |prefix: &str| detail.strip_prefix(prefix).and_then(|r| r.split('`').nth(1)).map(str::to_owned);
    let mut message = detail.clone();
    let rule = if let Some(field) = named("unknown field") {
        // serde says "unknown field `ordr_number`, expected `order_number`": name the likely one.
        let expected: Vec<&str> = detail.split('`').skip(3).step_by(2).collect();
        if let Some(meant) = crate::models::likely_field(&field, &expected) {
            message = format!("is an unknown field; did you mean `{meant}`?");
        }
        // The path of an unknown key's error already ends at the key.
        if segments.last() != Some(&field) && !segments.last().is_some_and(|l| l.ends_with(&format!(".{field}"))) {
            segments.push(field);
        }
        "unknown_field"
    } else if let Some(field) = named("missing field") {
        segments.push(field);
        "required"
    } else {
        "type"
    };
    let path = if segments.is_empty() { "input".to_owned() } else { segments.join(".") };
    NarvarError::validation(vec![FieldError::new(path, rule, message)])
}

/// `{"order_info": {...}}` given where the order itself is expected (the wire envelope, as a
/// user copies it from Narvar's documentation) is read as the order inside it.
fn without_envelope<'r, 'a>(input: &'r Raw<'a>, root: &str) -> &'r Raw<'a> {
    match input {
        // `Raw` keeps a key sent twice; the last one counts, as a `serde_json::Value` keeps it.
        Raw::Object(entries) if !root.is_empty() && entries.iter().all(|(key, _)| key == root) => match entries.last() {
            Some((_, inner @ Raw::Object(_))) => inner,
            _ => input,
        },
        _ => input,
    }
}

/// Reads an operation's input from JSON, naming the field path of any type error.
pub fn decode_input<O: Operation>(input: &Raw<'_>) -> Result<O, NarvarError> {
    let input = without_envelope(input, O::INPUT_ROOT);
    crate::codec::from_raw(input).map_err(|e| input_error(e, O::INPUT_ROOT).in_operation(O::INFO.name))
}

/// Reads any model from JSON, naming the field path of any type error (a `validation` error).
pub fn decode_input_value<T: crate::codec::Decode>(input: &serde_json::Value) -> Result<T, NarvarError> {
    crate::codec::from_json(input).map_err(|e| input_error(e, ""))
}

/// Reads any model from JSON text: straight from the text when it fits, and only when it does not,
/// again through [`decode_input_value`] to name the field path of the error.
pub fn decode_model_text<T: DeserializeOwned + crate::codec::Decode>(text: &str) -> Result<T, NarvarError> {
    match crate::codec::from_text(text) {
        Ok(model) => Ok(model),
        Err(_) => {
            let value: serde_json::Value = serde_json::from_str(text)
                .map_err(|e| NarvarError::new(crate::ErrorCode::Decode, format!("The document is not JSON: {e}.")))?;
            decode_input_value(&value)
        }
    }
}

/// Writes a value as base64 of its JSON, as client-side Promise sends its query.
pub(crate) fn b64_json(value: &impl crate::codec::Encode) -> String {
    base64::engine::general_purpose::STANDARD.encode(crate::codec::write(value))
}

/// One registry entry: the operation's info and its JSON-level build and read, for bindings and
/// the conformance runner.
pub struct OpEntry {
    pub info: OpInfo,
    /// [`Operation::INPUT_ROOT`]: the prefix validation gives the input's field paths, which
    /// bindings give their own conversion errors too.
    pub input_root: &'static str,
    /// [`Operation::OPTIONAL_QUERY`].
    pub optional_query: &'static [&'static str],
    /// [`Operation::from_wire`], with the operation as JSON (as [`OpEntry::build`] takes it).
    pub from_wire: fn(&WireRequest<'_>) -> Result<serde_json::Value, NarvarError>,
    /// Decodes the input, validates it, builds the request (the input as a [`Raw`] tree: parsed
    /// from text by [`Raw::parse`], or borrowed from a `Value` by [`Raw::from_value`]).
    pub build: fn(&Raw<'_>, &RequestContext<'_>) -> Result<HttpRequest, NarvarError>,
    /// Decodes and validates an input, as [`OpEntry::build`] does first: the same field errors,
    /// with nothing built or sent (for forms that check as the user types).
    pub check: fn(&Raw<'_>) -> Result<(), NarvarError>,
    /// Reads a response into the output as JSON.
    pub read: fn(&HttpResponse) -> Result<serde_json::Value, NarvarError>,
    /// Reads a response into the output as JSON text, straight from the typed value (what
    /// bindings hand to their language's JSON parser).
    pub read_text: fn(&HttpResponse) -> Result<String, NarvarError>,
    /// [`OpEntry::read_text`], also noting what the result holds that this SDK does not know.
    pub read_text_noting: fn(&HttpResponse, &mut Vec<crate::drift::Unknown>) -> Result<String, NarvarError>,
    /// [`OpEntry::read`], also noting the unknowns.
    pub read_noting: fn(&HttpResponse, &mut Vec<crate::drift::Unknown>) -> Result<serde_json::Value, NarvarError>,
}

impl OpEntry {
    /// [`OpEntry::build`] for an input held as a `Value`.
    pub fn build_value(&self, input: &serde_json::Value, ctx: &RequestContext<'_>) -> Result<HttpRequest, NarvarError> {
        (self.build)(&Raw::from_value(input), ctx)
    }

    /// [`OpEntry::check`] for an input held as a `Value`.
    pub fn check_value(&self, input: &serde_json::Value) -> Result<(), NarvarError> {
        (self.check)(&Raw::from_value(input))
    }
}

/// An operation's JSON Schemas, apart from its [`OpEntry`]: a build that never asks for them (the
/// wasm package) then carries none of their code, as nothing it keeps refers to them.
pub struct OpSchemas {
    pub name: &'static str,
    /// JSON Schema of the input and the output.
    pub schemas: fn(&mut schemars::SchemaGenerator) -> (schemars::Schema, schemars::Schema),
    /// JSON Schema of the request body on the wire, if any.
    pub body_schema: fn(&mut schemars::SchemaGenerator) -> Option<schemars::Schema>,
}

fn build_json<O: Operation>(input: &Raw<'_>, ctx: &RequestContext<'_>) -> Result<HttpRequest, NarvarError> {
    decode_input::<O>(input)?.to_request(ctx)
}

fn check_json<O: Operation>(input: &Raw<'_>) -> Result<(), NarvarError> {
    decode_input::<O>(input)?.validate()
}

/// An operation's output once read, as the JSON-level readers use it: each output type's code for
/// this exists once, and the four readers below are one small function per operation (each was
/// the whole read again, 22 times over, in a wasm module whose size is a budget).
trait ReadOutput {
    fn drift(&self, found: &mut Vec<crate::drift::Unknown>);
    fn text(&self) -> Result<String, serde_json::Error>;
    fn value(&self) -> Result<serde_json::Value, serde_json::Error>;
}

impl<T: Serialize + crate::codec::Encode + crate::drift::Drift> ReadOutput for T {
    fn drift(&self, found: &mut Vec<crate::drift::Unknown>) {
        crate::drift::Drift::drift(self, &crate::drift::Path::Root, found);
    }
    fn text(&self) -> Result<String, serde_json::Error> {
        Ok(crate::codec::write_text(self))
    }
    fn value(&self) -> Result<serde_json::Value, serde_json::Error> {
        crate::codec::write_value(self)
    }
}

fn read_output<O: Operation>(resp: &HttpResponse) -> Result<Box<dyn ReadOutput>, NarvarError> {
    Ok(Box::new(O::from_response(resp)?))
}

/// The output as text or as a value, having noted its unknowns if asked to.
fn written<T>(
    resp: &HttpResponse,
    out: Result<Box<dyn ReadOutput>, NarvarError>,
    found: Option<&mut Vec<crate::drift::Unknown>>,
    write: fn(&dyn ReadOutput) -> Result<T, serde_json::Error>,
) -> Result<T, NarvarError> {
    let out = out?;
    if let Some(found) = found {
        out.drift(found);
    }
    write(&*out).map_err(|e| NarvarError::decode(resp, "writable as JSON", &e.to_string()))
}

fn read_json<O: Operation>(resp: &HttpResponse) -> Result<serde_json::Value, NarvarError> {
    written(resp, read_output::<O>(resp), None, |o| o.value())
}

fn read_text<O: Operation>(resp: &HttpResponse) -> Result<String, NarvarError> {
    written(resp, read_output::<O>(resp), None, |o| o.text())
}

fn read_text_noting<O: Operation>(resp: &HttpResponse, found: &mut Vec<crate::drift::Unknown>) -> Result<String, NarvarError> {
    written(resp, read_output::<O>(resp), Some(found), |o| o.text())
}

fn read_noting<O: Operation>(
    resp: &HttpResponse,
    found: &mut Vec<crate::drift::Unknown>,
) -> Result<serde_json::Value, NarvarError> {
    written(resp, read_output::<O>(resp), Some(found), |o| o.value())
}

fn from_wire_json<O: Operation>(wire: &WireRequest<'_>) -> Result<serde_json::Value, NarvarError> {
    let op = O::from_wire(wire)?;
    crate::codec::write_value(&op)
        .map_err(|e| NarvarError::new(ErrorCode::Validation, format!("The input cannot be written as JSON: {e}.")))
}

fn schemas<O: Operation>(g: &mut schemars::SchemaGenerator) -> (schemars::Schema, schemars::Schema) {
    (g.subschema_for::<O>(), g.subschema_for::<O::Output>())
}

const fn entry<O: Operation>() -> OpEntry {
    OpEntry {
        info: O::INFO,
        input_root: O::INPUT_ROOT,
        optional_query: O::OPTIONAL_QUERY,
        from_wire: from_wire_json::<O>,
        build: build_json::<O>,
        check: check_json::<O>,
        read: read_json::<O>,
        read_text: read_text::<O>,
        read_text_noting: read_text_noting::<O>,
        read_noting: read_noting::<O>,
    }
}

const fn op_schemas<O: Operation>() -> OpSchemas {
    OpSchemas { name: O::INFO.name, schemas: schemas::<O>, body_schema: O::body_schema }
}

/// The statuses an operation answers, with what each means, as the SDK reads them
/// ([`NarvarError::from_status`]) and the sandbox serves them: for the OpenAPI document.
pub fn statuses(entry: &OpEntry) -> Vec<(u16, &'static str)> {
    let info = &entry.info;
    let has_body = matches!(info.method, Method::Post | Method::Put);
    let has_params = info.segments().iter().any(|s| matches!(s, Segment::Param(_)));
    let mut out = vec![
        (200, "Success, or a FAILURE envelope (a missing order: `not_found`; refused content: `validation`)"),
        (400, "Invalid input, or a path or query that is not percent-encoded UTF-8 (`validation`)"),
        (401, "Missing or wrong credentials or tokens (`authentication`)"),
    ];
    if has_params || !info.subject.is_empty() {
        out.push((404, "No such resource (`not_found`)"));
    }
    out.push((405, "Method not allowed here; see Allow"));
    if info.method == Method::Post {
        out.push((409, "Conflict: an Idempotency-Key reused with another body, or an existing alias (`conflict`)"));
    }
    if has_body {
        out.push((413, "Body too large (`validation`)"));
        out.push((415, "Body is not application/json (`validation`)"));
    }
    out.push((429, "Rate limited; see Retry-After (`rate_limited`)"));
    out
}

/// Calls `$m!(CreateOrder, GetOrder, ...)` with every operation type, in documentation order:
/// the one list [`REGISTRY`] is built from, and by which a server (the sandbox) dispatches by type,
/// so an operation without a handler does not compile.
#[macro_export]
macro_rules! for_each_operation {
    ($m:ident) => {
        $m! {
            CreateOrder,
            GetOrder,
            AddShipments,
            TrackOrder,
            GetTrackingInfo,
            GetItemVisibility,
            GenerateReturnLabel,
            GetReturnLabel,
            CreateReturn,
            GetReturn,
            ListCarriers,
            GetCarrier,
            EnableCarrier,
            DisableCarrierService,
            ListCarrierAccounts,
            GetCarrierAccount,
            CreateCarrierAccount,
            UpdateCarrierAccount,
            DeleteCarrierAccount,
            GetPromiseOptions,
            GetPublicPromiseOptions,
            ConfirmPromise
        }
    };
}

macro_rules! registry {
    ($($op:ident),*) => {
        /// Every operation, in documentation order.
        pub static REGISTRY: &[OpEntry] = &[$(entry::<$op>()),*];
        /// Every operation's JSON Schemas, in the order of [`REGISTRY`].
        pub static SCHEMAS: &[OpSchemas] = &[$(op_schemas::<$op>()),*];
    };
}
for_each_operation!(registry);

/// The JSON Schemas of `name` (`orders.get`).
pub fn schemas_of(name: &str) -> Option<&'static OpSchemas> {
    SCHEMAS.iter().find(|e| e.name == name)
}

/// The registry entry of `name` (`orders.get`).
pub fn find(name: &str) -> Option<&'static OpEntry> {
    REGISTRY.iter().find(|e| e.info.name == name)
}

/// [`find`], or the configuration error every language gives for a name not in the registry.
///
/// ```
/// let Err(err) = narvar_core::ops::named("orders.fetch") else { panic!("no such operation") };
/// assert_eq!(err.code, narvar_core::ErrorCode::Configuration);
/// assert!(err.message.contains("\"orders.fetch\""));
/// ```
pub fn named(name: &str) -> Result<&'static OpEntry, crate::NarvarError> {
    find(name)
        .ok_or_else(|| crate::NarvarError::new(crate::ErrorCode::Configuration, format!("There is no operation named {name:?}.")))
}

/// One piece of a path template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    Literal(&'a str),
    Param(&'a str),
}

impl OpInfo {
    /// Reads without changing anything at Narvar: every GET, and `promise.options`, a POST that
    /// only asks for delivery dates.
    pub fn is_read(&self) -> bool {
        self.method == Method::Get || self.name == "promise.options"
    }

    /// The value of [`OpInfo::subject`] in an input, if any: what a cache forgets after a write.
    pub fn subject_of<'a>(&self, input: &'a serde_json::Value) -> Option<&'a str> {
        (!self.subject.is_empty()).then(|| input.get(self.subject).and_then(serde_json::Value::as_str)).flatten()
    }

    /// The path template's segments: `/api/v1/orders/{order_number}` → `api`, `v1`, `orders`,
    /// `{order_number}`.
    pub fn segments(&self) -> Vec<Segment<'static>> {
        let path = self.path.split('?').next().unwrap_or_default();
        path.split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name),
                None => Segment::Literal(s),
            })
            .collect()
    }

    /// The required query keys of the template, with their parameter names.
    pub fn query_keys(&self) -> Vec<(&'static str, &'static str)> {
        let Some((_, q)) = self.path.split_once('?') else { return Vec::new() };
        q.split('&').filter_map(|kv| kv.split_once('=')).map(|(k, v)| (k, v.trim_matches(|c| c == '{' || c == '}'))).collect()
    }

    /// Whether `method` and the decoded path `segments` (and query keys present) match this
    /// operation; the path parameters if so.
    pub fn matches(&self, method: Method, segments: &[String], query_keys: &[&str]) -> Option<Vec<(&'static str, String)>> {
        let template = self.segments();
        if method != self.method || template.len() != segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (t, s) in template.iter().zip(segments) {
            match t {
                Segment::Literal(l) if l == s => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((*name, s.clone())),
            }
        }
        self.query_keys().iter().all(|(k, _)| query_keys.contains(k)).then_some(params)
    }
}

/// The operation a request is for: among matching operations, the one with the most required
/// query keys (so `GET /carrier-accounts?account-alias=x` is `carrier_accounts.get`).
pub fn route(
    method: Method,
    segments: &[String],
    query_keys: &[&str],
) -> Option<(&'static OpEntry, Vec<(&'static str, String)>)> {
    REGISTRY
        .iter()
        .filter_map(|e| e.info.matches(method, segments, query_keys).map(|p| (e, p)))
        .max_by_key(|(e, _)| e.info.query_keys().len())
}

/// A request's target, percent-decoded: the path's segments and the query's pairs.
pub type Target = (Vec<String>, Vec<(String, String)>);

/// A request's path and query, percent-decoded: the path's segments (a trailing slash dropped)
/// and the query's pairs (`+` is a space, as forms send it). `None` when either is not valid
/// percent-encoded UTF-8.
pub fn parse_target(path: &str, query: Option<&str>) -> Option<Target> {
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned());
    let mut segments: Vec<String> =
        if path == "/" || path.is_empty() { Vec::new() } else { path.split('/').skip(1).map(decode).collect::<Option<_>>()? };
    // `/api/v1/orders/` is the collection: an empty last segment is no segment.
    if segments.last().is_some_and(String::is_empty) {
        segments.pop();
    }
    let pairs = query
        .unwrap_or_default()
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((decode(&k.replace('+', " "))?, decode(&v.replace('+', " "))?))
        })
        .collect::<Option<_>>()?;
    Some((segments, pairs))
}

/// Which operation an HTTP request is, and its input as JSON, read as the sandbox reads it:
/// what a retailer's backend proxy checks before it adds credentials and forwards a page's
/// request (allow `orders.get` and `returns.create` for the shopper's own order, nothing else).
/// `Ok(None)` for a request that is no operation; a request that is one but whose input does not
/// read is that operation's validation error.
///
/// ```
/// let (entry, input) = narvar_core::ops::identify("GET", "/api/v1/orders/A%2F1", b"").unwrap().unwrap();
/// assert_eq!(entry.info.name, "orders.get");
/// assert_eq!(input["order_number"], "A/1");
/// assert!(narvar_core::ops::identify("GET", "/admin", b"").unwrap().is_none());
/// ```
pub fn identify(
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<Option<(&'static OpEntry, serde_json::Value)>, NarvarError> {
    let method = match method.to_ascii_uppercase().as_str() {
        "GET" => Method::Get,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        _ => return Ok(None),
    };
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let Some((segments, query)) = parse_target(path, query) else { return Ok(None) };
    let keys: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
    let Some((entry, params)) = route(method, &segments, &keys) else { return Ok(None) };
    let body: Option<serde_json::Value> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let parsed = serde_json::from_slice(body).map_err(|e| {
            NarvarError::validation(vec![FieldError::new("body", "json", format!("is not JSON: {e}"))])
                .in_operation(entry.info.name)
        })?;
        Some(parsed)
    };
    let wire = WireRequest { params: &params, query: &query, body: body.as_ref() };
    (entry.from_wire)(&wire).map(|input| Some((entry, input)))
}
