//! Shapes shared by several API families: the response envelope, messages, addresses, people.

use super::Extra;

open_enum! {
    /// The `status` of a v1/v2 response envelope. Compared without regard to case, as Narvar's
    /// own checker does.
    pub enum EnvelopeStatus {
        Success = "SUCCESS",
        Failure = "FAILURE",
    }
}

impl EnvelopeStatus {
    /// Whether the status says success (`SUCCESS`, `success`, `Success`, ...).
    pub fn is_success(&self) -> bool {
        self.as_str().eq_ignore_ascii_case("success")
    }
}

model! {
    /// One entry of a response's `messages` (v1/v2 APIs) or `errors` (carrier self-serve).
    ///
    /// v1/v2 send `{code, message, level}`; carrier self-serve sends `{source, type, code, message}`
    /// with codes such as `15000` (validation) and `15002` (not found).
    pub struct ApiMessage {
        pub code: Option<String>,
        pub message: Option<String>,
        pub level: Option<String>,
        pub source: Option<String>,
        /// Broad category, e.g. `Validation`.
        pub kind as "type": Option<String>,
    }
}

model! {
    /// The status and messages every v1/v2 response carries; the resource sits beside them.
    pub struct Envelope {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        /// Carrier self-serve errors.
        pub errors: Vec<ApiMessage>,
    }
}

model! {
    /// A postal address as the Order API writes it (`street_1`, `zip`). Webhooks use another
    /// spelling: see [`super::WebhookAddress`].
    pub struct Address {
        pub street_1: Option<String>,
        pub street_2: Option<String>,
        pub city: Option<String>,
        pub state: Option<String>,
        /// Any postal code.
        pub zip: Option<String>,
        /// ISO 3166 alpha-2.
        pub country: Option<String>,
    }
}

model! {
    /// A person or company with contact details (`shipped_to`, `shipped_from`, `billed_to`).
    pub struct Contact {
        pub company_name: Option<String>,
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        pub phone: Option<String>,
        pub phone_extension: Option<String>,
        pub email: Option<String>,
        pub address: Option<Address>,
        pub location_id: Option<String>,
    }
}

/// Free key/values (`attributes`): kept as JSON since values are not always strings.
pub type Attributes = Extra;
