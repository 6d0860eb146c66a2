//! Tracking: track-by-order (HMAC), tracking info, item visibility.

use super::*;
use crate::models::{OrderItemVisibility, OrderTracking, TrackingInfo};
use crate::tokens;
use crate::validate;

op_input! {
    /// `tracking.by_order`: every shipment of an order with its scans. Signed with the retailer's
    /// HMAC key: `epoch_token` = HMAC(epoch), `order_token` = HMAC(order_number + ":" + epoch).
    pub struct TrackOrder {
        pub order_number: String,
    }
}

impl Operation for TrackOrder {
    type Output = OrderTracking;
    /// The tokens in the query are credentials, checked by the server before this.
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        Ok(TrackOrder { order_number: wire.param("order_number").to_owned() })
    }
    const INFO: OpInfo = OpInfo {
        name: "tracking.by_order",
        subject: "order_number",
        method: Method::Get,
        path: "/api/v2/orders/{order_number}/tracking?retailer_moniker={retailer_moniker}&order_token={order_token}&epoch={epoch}&epoch_token={epoch_token}",
        host: Host::Api,
        auth: AuthKind::TrackingHmac,
        idempotent: true,
        idempotency_key: false,
        summary: "Track every shipment of an order (HMAC-signed query).",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "order_number", &self.order_number);
    }
    fn parts(&self, c: &Credentials, now_unix: u64) -> Result<RequestParts, NarvarError> {
        let grant = c.tracking_tokens(&self.order_number, now_unix)?;
        Ok(RequestParts::at(["api", "v2", "orders", &self.order_number, "tracking"])
            .query(tokens::query_keys::RETAILER_MONIKER, grant.retailer_moniker.as_str())
            .query(tokens::query_keys::ORDER_TOKEN, grant.order_token.expose())
            .query(tokens::query_keys::EPOCH, grant.epoch.to_string())
            .query(tokens::query_keys::EPOCH_TOKEN, grant.epoch_token.expose()))
    }
    fn read(resp: &HttpResponse) -> Result<OrderTracking, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `tracking.info`: tracking of packages by carrier and tracking numbers. The retailer comes from
    /// the client's retailer moniker. Host and auth are not stated by Narvar: the SDK uses the API
    /// host and Basic auth.
    pub struct GetTrackingInfo {
        /// E.g. `usps`, `narvar-speede`.
        pub carrier_moniker: String,
        /// Sent comma-separated.
        pub tracking_numbers: Vec<String>,
        /// E.g. `en_US`.
        pub locale: Option<String> = default,
        pub order_date: Option<String> = default,
        pub ship_date: Option<String> = default,
        /// Origin postal code (`ozip`).
        pub origin_zip: Option<String> = default,
        /// Destination postal code (`dzip`).
        pub destination_zip: Option<String> = default,
        /// Shipment type: `ret` for returns.
        pub shipment_type: Option<String> = default,
    }
}

impl Operation for GetTrackingInfo {
    type Output = TrackingInfo;
    const OPTIONAL_QUERY: &'static [&'static str] = &["locale", "order_date", "ship_date", "ozip", "dzip", "type"];
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        let own = |k: &str| wire.query(k).filter(|v| !v.is_empty()).map(str::to_owned);
        Ok(GetTrackingInfo {
            carrier_moniker: wire.param("carrier_moniker").to_owned(),
            tracking_numbers: wire
                .query("tracking_numbers")
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
            locale: own("locale"),
            order_date: own("order_date"),
            ship_date: own("ship_date"),
            origin_zip: own("ozip"),
            destination_zip: own("dzip"),
            shipment_type: own("type"),
        })
    }
    const INFO: OpInfo = OpInfo {
        name: "tracking.info",
        subject: "carrier_moniker",
        method: Method::Get,
        path: "/trackinginfo/{retailer_moniker}/{carrier_moniker}?tracking_numbers={tracking_numbers}",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true,
        idempotency_key: false,
        summary: "Tracking of packages by carrier and tracking numbers.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "carrier_moniker", &self.carrier_moniker);
        if self.tracking_numbers.is_empty() {
            p.add("tracking_numbers", "min_items", "must have at least one tracking number");
        }
        for (i, n) in self.tracking_numbers.iter().enumerate() {
            let path = format!("tracking_numbers[{i}]");
            if n.trim().is_empty() {
                p.add(path, "required", "is required");
            } else if n.contains(',') || n.chars().any(char::is_control) {
                p.add(path, "format", "must not contain commas or control characters");
            }
        }
    }
    fn parts(&self, c: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        let retailer = c.require_retailer()?;
        Ok(RequestParts::at(["trackinginfo", retailer, &self.carrier_moniker])
            .query("tracking_numbers", self.tracking_numbers.join(","))
            .query_opt("locale", self.locale.as_deref())
            .query_opt("order_date", self.order_date.as_deref())
            .query_opt("ship_date", self.ship_date.as_deref())
            .query_opt("ozip", self.origin_zip.as_deref())
            .query_opt("dzip", self.destination_zip.as_deref())
            .query_opt("type", self.shipment_type.as_deref()))
    }
    fn read(resp: &HttpResponse) -> Result<TrackingInfo, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `tracking.item_visibility`: the state of each line of an order. With retailer 2FA on,
    /// `destination_zip` must match or Narvar masks the answer.
    pub struct GetItemVisibility {
        pub order_number: String,
        /// Destination postal code (`dzip`), the second factor.
        pub destination_zip: Option<String> = default,
        pub locale: Option<String> = default,
    }
}

impl Operation for GetItemVisibility {
    type Output = OrderItemVisibility;
    const OPTIONAL_QUERY: &'static [&'static str] = &["dzip", "locale"];
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        Ok(GetItemVisibility {
            order_number: wire.param("order_number").to_owned(),
            destination_zip: wire.query("dzip").map(str::to_owned),
            locale: wire.query("locale").map(str::to_owned),
        })
    }
    const INFO: OpInfo = OpInfo {
        name: "tracking.item_visibility",
        subject: "order_number",
        method: Method::Get,
        path: "/tracking/itemvisibility/v1/{retailer_moniker}/orders/{order_number}",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true,
        idempotency_key: false,
        summary: "The fulfillment and tracking state of each line of an order.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "order_number", &self.order_number);
    }
    fn parts(&self, c: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        let retailer = c.require_retailer()?;
        Ok(RequestParts::at(["tracking", "itemvisibility", "v1", retailer, "orders", &self.order_number])
            .query_opt("dzip", self.destination_zip.as_deref())
            .query_opt("locale", self.locale.as_deref()))
    }
    fn read(resp: &HttpResponse) -> Result<OrderItemVisibility, NarvarError> {
        read_enveloped(resp)
    }
}
