//! Returns: v1 label generation and lookup, v2 creation and lookup.

use super::*;
use crate::models::{ReturnLabel, ReturnRequest};
use crate::validate;

macro_rules! return_op {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $path:literal, [$($seg:literal),*], $summary:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $ty(pub ReturnRequest);

        transparent_input!($ty);

        impl Operation for $ty {
            type Output = ReturnLabel;
            const INFO: OpInfo = OpInfo {
                name: $name,
                subject: "order_number",
                method: Method::Post,
                path: $path,
                host: Host::Api,
                auth: AuthKind::Basic,
                // Creates a return and a label: a lost answer may hide a created return, so it
                // is never re-sent after "may have been sent" (Narvar documents no idempotency).
                idempotent: false,
                idempotency_key: true,
                summary: $summary,
            };
            fn check(&self, p: &mut Problems) {
                validate::return_request(p, &self.0);
            }
            fn misspellings(&self, out: &mut Vec<FieldError>) {
                use crate::models::Misspellings as _;
                self.0.misspellings(&crate::drift::Path::Root, out);
            }
            fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
                Ok(RequestParts::at([$($seg),*]).json(&self.0))
            }
            fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
                Some(g.subschema_for::<ReturnRequest>())
            }
            fn read(resp: &HttpResponse) -> Result<ReturnLabel, NarvarError> {
                created_return(resp)
            }
        }
    };
}

/// A created return must name itself: a 2xx without a `return_reference_number` is no proof that
/// a return exists, and the caller could never look it up.
fn created_return(resp: &HttpResponse) -> Result<ReturnLabel, NarvarError> {
    let label: ReturnLabel = read_enveloped(resp)?;
    match label.return_reference_number.as_deref() {
        Some(rrn) if !rrn.trim().is_empty() => Ok(label),
        _ => Err(NarvarError::decode(resp, "a created return", "it has no return_reference_number")),
    }
}

/// Downloading a return label from its `label_url`: not an API operation (the URL comes from a
/// response and may point at a CDN), but a call like any other, with the client's deadline,
/// retries and response cap. No credentials are sent: the URL itself grants access (its
/// `order_token`), and a URL from a response must never receive the account's secrets.
pub const DOWNLOAD_LABEL: OpInfo = OpInfo {
    name: "returns.download_label",
    subject: "",
    method: Method::Get,
    path: "{label_url}",
    host: Host::Api,
    auth: AuthKind::TrackingHmac, // tokens in the URL, no Authorization header
    idempotent: true,
    idempotency_key: false,
    summary: "Download a return label (PDF or PNG) from its label_url.",
};

/// The request for [`DOWNLOAD_LABEL`]: a GET of `label_url` with no credentials.
pub fn download_label_request(label_url: &str, ctx: &RequestContext<'_>) -> Result<HttpRequest, NarvarError> {
    if !(label_url.starts_with("https://") || label_url.starts_with("http://")) {
        let shown = crate::http::redact_query(label_url).chars().take(80).collect::<String>();
        return Err(NarvarError::validation(vec![FieldError::new(
            "label_url",
            "format",
            format!("must be an http(s) URL (got {shown:?})"),
        )]));
    }
    let mut request = HttpRequest::new(Method::Get, label_url);
    request.headers.push(("Accept".into(), "application/pdf, image/png, */*".into()));
    request.headers.push(("User-Agent".into(), ctx.user_agent.to_owned()));
    request.headers.push((crate::http::TRACER_ID_HEADER.into(), ctx.tracer_id.to_owned()));
    Ok(request)
}

/// A downloaded label: its bytes and what they are.
#[derive(Clone, PartialEq, Eq)]
pub struct LabelFile {
    /// The label itself.
    pub bytes: Vec<u8>,
    /// The response's `Content-Type` (`application/pdf`, `image/png`).
    pub content_type: Option<String>,
}

impl LabelFile {
    /// `pdf`, `png`, or `bin` when the type is neither, for naming the file.
    pub fn extension(&self) -> &'static str {
        match self.content_type.as_deref().map(|t| t.split(';').next().unwrap_or(t).trim().to_ascii_lowercase()) {
            Some(t) if t == "image/png" => "png",
            Some(t) if t == "application/pdf" => "pdf",
            _ if self.bytes.starts_with(b"%PDF") => "pdf",
            _ if self.bytes.starts_with(b"\x89PNG") => "png",
            _ => "bin",
        }
    }
}

impl std::fmt::Debug for LabelFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabelFile").field("bytes", &self.bytes.len()).field("content_type", &self.content_type).finish()
    }
}

/// Reads a label download: the bytes of a 2xx, else the error its status means.
pub fn read_label_download(resp: &HttpResponse) -> Result<LabelFile, NarvarError> {
    if !resp.is_success() {
        return Err(NarvarError::from_status(resp).in_operation(DOWNLOAD_LABEL.name));
    }
    if resp.body.is_empty() {
        return Err(NarvarError::decode(resp, "a label", "the body is empty").in_operation(DOWNLOAD_LABEL.name));
    }
    Ok(LabelFile { bytes: resp.body.clone(), content_type: resp.header("content-type").map(str::to_owned) })
}

macro_rules! label_lookup {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $path:literal, [$($seg:literal),*], $summary:literal) => {
        op_input! {
            $(#[$doc])*
            pub struct $ty {
                pub return_reference_number: String,
            }
        }

        impl Operation for $ty {
            type Output = ReturnLabel;
            const INFO: OpInfo = OpInfo {
                name: $name,
                subject: "return_reference_number",
                method: Method::Get,
                path: $path,
                host: Host::Api,
                auth: AuthKind::Basic,
                idempotent: true,
                idempotency_key: false,
                summary: $summary,
            };
            fn check(&self, p: &mut Problems) {
                validate::path_value(p, "return_reference_number", &self.return_reference_number);
            }
            fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
                Ok(RequestParts::at([$($seg),*, self.return_reference_number.as_str()]))
            }
            fn read(resp: &HttpResponse) -> Result<ReturnLabel, NarvarError> {
                read_enveloped(resp)
            }
        }
    };
}

return_op!(
    /// `returns.generate_label` (v1): start a return for items of an order and get its label.
    GenerateReturnLabel, "returns.generate_label", "/api/v1/returns/labels/generate",
    ["api", "v1", "returns", "labels", "generate"],
    "Generate a return label (v1) for items of an order."
);
return_op!(
    /// `returns.create` (v2): start a return; v2's own field list is not public, so the v1
    /// fields are sent, plus anything in `extra`.
    CreateReturn, "returns.create", "/api/v2/returns",
    ["api", "v2", "returns"],
    "Create a return (v2) for items of an order."
);
label_lookup!(
    /// `returns.get_label` (v1): the label of an existing return.
    GetReturnLabel, "returns.get_label", "/api/v1/returns/labels/{return_reference_number}",
    ["api", "v1", "returns", "labels"],
    "Retrieve the label of a return (v1)."
);
label_lookup!(
    /// `returns.get` (v2): an existing return and its label.
    GetReturn, "returns.get", "/api/v2/returns/labels/{return_reference_number}",
    ["api", "v2", "returns", "labels"],
    "Retrieve a return and its label (v2)."
);
