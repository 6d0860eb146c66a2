//! Webhook payloads Narvar sends to the retailer (`narvar-api.md` §8).

use super::common::Attributes;
use super::orders::FulfillmentStatus;
use super::tracking::TrackingEvent;
use crate::values::{Amount, StringBool};

open_enum! {
    /// `return_tracking_status` of the standard and full RMA webhooks.
    pub enum ReturnTrackingStatus {
        /// Just initiated.
        Initiated = "return_initiated_standard",
        /// First carrier scan.
        OnItsWay = "return_on_its_way_standard",
        /// Delivered to the retailer.
        Delivered = "return_delivered_standard",
        /// Cancelled by the shopper.
        Cancelled = "return_cancellation_standard",
    }
}

open_enum! {
    /// `X-Narvar-Topic` of the topic-based (Shopify app) return webhooks, plus the order and
    /// shipment topics the sandbox emits (Narvar documents none for those).
    pub enum WebhookTopic {
        Initiated = "initiated",
        OnItsWayToRetailer = "on_its_way_to_retailer",
        DeliveredToRetailer = "delivered_to_retailer",
        Approved = "approved",
        CancelledByRetailer = "cancelled_by_retailer",
        CancelledByUser = "cancelled_by_user",
        Rejected = "rejected",
        Exception = "exception",
        OutOfStockException = "out_of_stock_exception",
        Refunded = "refunded",
        OrderUpdated = "order_updated",
        ShipmentStatusChanged = "shipment_status_changed",
        DeliveryException = "delivery_exception",
    }
}

model! {
    /// The parcel of a mail return.
    pub struct ReturnPackage {
        pub tracking_number: Option<String>,
        pub tracking_url: Option<String>,
        pub carrier: Option<String>,
        pub carrier_service_method: Option<String>,
        pub destination_zip: Option<String>,
        pub destination_city: Option<String>,
        pub destination_country: Option<String>,
    }
}

model! {
    /// The standard RMA webhook (`POST {retailer}/rma`).
    pub struct StandardRmaPayload {
        pub return_tracking_status: Option<ReturnTrackingStatus>,
        pub rma_number: Option<String>,
        pub order_number: Option<String>,
        pub return_creation_date: Option<String>,
        pub retailer_name: Option<String>,
        /// Sent only for mail returns.
        pub package: Option<ReturnPackage>,
        pub return_reference_number: Option<String>,
        pub is_gift: Option<StringBool>,
        pub email: Option<String>,
        pub locale: Option<String>,
    }
}

model! {
    /// An address as webhooks spell it (`street1`, `zipcode`).
    pub struct WebhookAddress {
        pub street1: Option<String>,
        pub street2: Option<String>,
        pub city: Option<String>,
        pub state: Option<String>,
        pub zipcode: Option<String>,
        pub country: Option<String>,
    }
}

model! {
    /// Who was billed, in a full RMA payload.
    pub struct WebhookBilledTo {
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        pub phone: Option<String>,
        pub phone_extension: Option<String>,
        pub email: Option<String>,
        pub fax: Option<String>,
        pub address: Option<WebhookAddress>,
    }
}

model! {
    /// A payment in a full RMA payload.
    pub struct WebhookPayment {
        pub method: Option<String>,
        /// Last four digits.
        pub payment_card: Option<String>,
        pub merchant: Option<String>,
        pub merchant_ref: Option<String>,
        pub payment_ref: Option<String>,
        pub gift_card: Option<bool>,
    }
}

model! {
    /// The bill in a full RMA payload; amounts are strings on the wire.
    pub struct BillingDocument {
        pub billed_to: Option<WebhookBilledTo>,
        pub amount: Option<Amount>,
        pub tax_rate: Option<Amount>,
        pub tax_amount: Option<Amount>,
        pub payments: Vec<WebhookPayment>,
    }
}

model! {
    /// The order in a full RMA payload.
    pub struct WebhookOrder {
        pub retailer_moniker: Option<String>,
        pub order_number: Option<String>,
        pub placement_date: Option<String>,
        pub customer_id: Option<String>,
        pub billing_document: Option<BillingDocument>,
        pub custom_attributes: Attributes,
        pub fulfillment_status: Option<FulfillmentStatus>,
    }
}

model! {
    /// The full RMA webhook (`POST {retailer}/return`): a superset of the standard one.
    pub struct FullRmaPayload {
        pub order: Option<WebhookOrder>,
        pub return_tracking_status: Option<ReturnTrackingStatus>,
        pub rma_number: Option<String>,
        pub return_reference_number: Option<String>,
        pub return_creation_date: Option<String>,
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub tracking_url: Option<String>,
        pub return_method: Option<String>,
    }
}

model! {
    /// A topic-based webhook body (return topics, and the sandbox's order/shipment topics).
    pub struct TopicPayload {
        pub order_number: Option<String>,
        pub return_reference_number: Option<String>,
        pub rma_number: Option<String>,
        pub tracking_number: Option<String>,
        pub carrier: Option<String>,
        pub status: Option<String>,
        pub occurred_at: Option<String>,
        pub event: Option<TrackingEvent>,
    }
}
