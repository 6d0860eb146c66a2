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
            fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
                Ok(RequestParts::at([$($seg),*]).json(&self.0))
            }
            fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
                Some(g.subschema_for::<ReturnRequest>())
            }
            fn read(resp: &HttpResponse) -> Result<ReturnLabel, NarvarError> {
                read_enveloped(resp)
            }
        }
    };
}

macro_rules! label_lookup {
    ($(#[$doc:meta])* $ty:ident, $name:literal, $path:literal, [$($seg:literal),*], $summary:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $ty {
            pub return_reference_number: String,
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
