//! The envelopes Narvar answers in, as the SDK reads them and the sandbox writes them: one place
//! for their codes and wording.

use serde_json::{json, Value};

/// `messages[].code` of a success.
pub const SUCCESS_CODE: &str = "response.status.success";
/// `messages[].code` of a missing order (a 2xx `FAILURE`).
pub const ORDER_NOT_FOUND_CODE: &str = "order.not_found";

/// The message of a missing order, as Narvar words it (what [`crate::ops::says_not_found`] reads).
pub fn order_not_found_message(order_number: &str) -> String {
    format!("No Order Information found for Order Number {order_number}")
}

/// Carrier self-serve error codes (`errors[].code`).
pub mod carrier_codes {
    /// The request is invalid.
    pub const VALIDATION: &str = "15000";
    /// The resource exists already.
    pub const CONFLICT: &str = "15001";
    /// No such carrier, service or account.
    pub const NOT_FOUND: &str = "15002";
}

/// `{"status": "SUCCESS", "messages": [{"code": SUCCESS_CODE, "message": ...}]}`, as Narvar's
/// answers carry, reads included.
pub fn success(message: &str) -> Value {
    json!({"status": "SUCCESS", "messages": [{"code": SUCCESS_CODE, "message": message}]})
}

/// The one message of a success, for typed answers that carry `messages`.
pub fn success_message(message: &str) -> crate::models::ApiMessage {
    crate::models::ApiMessage { code: Some(SUCCESS_CODE.into()), message: Some(message.into()), ..Default::default() }
}

/// `{"status": "FAILURE", "messages": [{"code", "message"}]}`.
pub fn failure(code: &str, message: &str) -> Value {
    json!({"status": "FAILURE", "messages": [{"code": code, "message": message}]})
}

/// The carrier self-serve failure: `errors` with a numeric code and its kind.
pub fn carrier_failure(code: &str, message: &str) -> Value {
    let kind = if code == carrier_codes::NOT_FOUND { "NotFound" } else { "Validation" };
    json!({"status": "FAILURE", "errors": [{"source": "narvar_reported", "type": kind, "code": code, "message": message}]})
}
