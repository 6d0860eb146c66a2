//! Tracking: track-by-order (v2, HMAC tokens), tracking info and item visibility.
//!
//! Narvar publishes none of these response schemas. The typed views here are best-effort
//! (`narvar-api.md` §4.2–4.3): every field is optional and all others are kept in `extra`.

use super::common::{ApiMessage, EnvelopeStatus};
use super::orders::FulfillmentStatus;
use crate::values::Quantity;

open_enum! {
    /// A shipment's tracking status, as the SDK and sandbox spell it (Narvar's codes are not
    /// public).
    pub enum TrackingStatus {
        LabelCreated = "label_created",
        InTransit = "in_transit",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        Exception = "exception",
        Returned = "returned",
    }
}

model! {
    /// A place a scan happened.
    pub struct TrackingLocation {
        pub city: Option<String>,
        pub state: Option<String>,
        pub zip: Option<String>,
        pub country: Option<String>,
    }
}

model! {
    /// One carrier scan.
    pub struct TrackingEvent {
        /// When it happened (ISO 8601).
        pub timestamp: Option<String>,
        pub status: Option<TrackingStatus>,
        /// The carrier's or Narvar's status code.
        pub code: Option<String>,
        pub description: Option<String>,
        pub location: Option<TrackingLocation>,
    }
}

model! {
    /// One tracked package.
    pub struct TrackedShipment {
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub status: Option<TrackingStatus>,
        pub status_description: Option<String>,
        pub estimated_delivery_date: Option<String>,
        pub delivered_at: Option<String>,
        pub tracking_url: Option<String>,
        pub events: Vec<TrackingEvent>,
    }
}

model! {
    /// Answer of track-by-order: `GET /api/v2/orders/{order_number}/tracking`.
    pub struct OrderTracking {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub errors: Vec<ApiMessage>,
        pub order_number: Option<String>,
        pub retailer_moniker: Option<String>,
        pub shipments: Vec<TrackedShipment>,
    }
}

model! {
    /// Answer of `GET /trackinginfo/{retailer}/{carrier}`.
    pub struct TrackingInfo {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub locale: Option<String>,
        pub carrier: Option<String>,
        pub shipments: Vec<TrackedShipment>,
    }
}

model! {
    /// The state of one order line, as item visibility shows it.
    pub struct ItemVisibility {
        pub sku: Option<String>,
        pub item_id: Option<String>,
        pub name: Option<String>,
        pub quantity: Option<Quantity>,
        pub fulfillment_status: Option<FulfillmentStatus>,
        pub carrier: Option<String>,
        pub tracking_number: Option<String>,
        pub tracking_status: Option<TrackingStatus>,
    }
}

model! {
    /// Answer of `GET /tracking/itemvisibility/v1/{retailer}/orders/{order_number}`. With
    /// retailer 2FA on and a `dzip` that does not match, Narvar answers a masked result.
    pub struct OrderItemVisibility {
        pub status: Option<EnvelopeStatus>,
        pub messages: Vec<ApiMessage>,
        pub order_number: Option<String>,
        pub masked: Option<bool>,
        pub items: Vec<ItemVisibility>,
    }
}
