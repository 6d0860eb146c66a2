//! Returns: v1 label generation, v2 return creation, and their labels.

use super::common::{ApiMessage, EnvelopeStatus};
use crate::values::{ReturnQuantity, StringBool};

open_enum! {
    /// How the shopper sends the item back. Only `MAIL` is seen in Narvar's spec; the others are
    /// the methods RMA payloads describe.
    pub enum ReturnMethodType {
        Mail = "MAIL",
        InStore = "IN_STORE",
        SelfShip = "SELF_SHIP",
        Printerless = "PRINTERLESS",
        KeepItem = "KEEP_ITEM",
    }
}

open_enum! {
    /// A return's lifecycle status (sandbox spelling; Narvar's literals are not public beyond the
    /// RMA webhook statuses).
    pub enum ReturnStatus {
        Initiated = "initiated",
        InTransit = "in_transit",
        Received = "received",
        Refunded = "refunded",
        Cancelled = "cancelled",
    }
}

model! {
    /// One item being returned. `quantity` is a string on the wire (`"1"`).
    pub struct ReturnItem {
        pub sku: Option<String>,
        pub item_id: Option<String>,
        pub quantity: Option<ReturnQuantity>,
        pub return_reason_code: Option<String>,
        pub return_reason_comment: Option<String>,
    }
}

model! {
    /// Body of `POST /api/v1/returns/labels/generate` and (same fields plus extras) of
    /// `POST /api/v2/returns`, whose own field list is not public.
    pub struct ReturnRequest {
        pub order_number: String,
        /// The retailer's RMA; Narvar answers `RA` when omitted.
        pub rma_number: Option<String>,
        /// Carrier moniker, e.g. `fedex`.
        pub carrier: Option<String>,
        pub billing_zip: Option<String>,
        pub email: Option<String>,
        pub order_items: Vec<ReturnItem>,
        /// `"true"` asks Narvar to email the shopper.
        pub send_email: Option<StringBool>,
        /// Said to fetch an earlier post; not relied on.
        pub return_reference_number: Option<String>,
    }
}

model! {
    /// The carrier of a return method.
    pub struct ReturnCarrier {
        pub name: Option<String>,
    }
}

model! {
    /// One way to send the return back, with its label.
    pub struct ReturnMethod {
        pub kind as "type": Option<ReturnMethodType>,
        pub carrier: Option<ReturnCarrier>,
        pub label_url: Option<String>,
        pub tracking_number: Option<String>,
        pub tracking_url: Option<String>,
    }
}

model! {
    /// A created return and its label(s): the answer of label generation, return creation and
    /// both label lookups.
    pub struct ReturnLabel {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        /// 16 alphanumeric characters in Narvar's example.
        pub return_reference_number: Option<String>,
        pub order_number: Option<String>,
        pub rma_number: Option<String>,
        pub return_status: Option<ReturnStatus>,
        pub created_at: Option<String>,
        pub return_methods: Vec<ReturnMethod>,
    }
}
