//! Order API v1.

use super::*;
use crate::models::{OrderEnvelope, OrderInfo, Shipment, WriteResult};
use crate::validate;

/// `orders.create`: create an order, or update it if its number exists (upsert).
///
/// ```
/// use narvar_core::ops::{CreateOrder, Operation};
/// let order: narvar_core::models::OrderInfo = serde_json::from_value(serde_json::json!({
///     "order_number": "1001", "order_date": "2024-03-09T17:45:00Z",
///     "order_items": [{"sku": "MUG", "quantity": 0}]})).unwrap();
/// let err = CreateOrder(order).validate().unwrap_err();
/// assert_eq!(err.field_errors[0].path, "order_info.order_items[0].quantity");
/// ```
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct CreateOrder(pub OrderInfo);

transparent_input!(CreateOrder);

impl Operation for CreateOrder {
    type Output = WriteResult;
    const INPUT_ROOT: &'static str = "order_info";
    const INFO: OpInfo = OpInfo {
        name: "orders.create",
        subject: "order_number",
        method: Method::Post,
        path: "/api/v1/orders",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true, // an upsert keyed by order_number
        idempotency_key: false,
        summary: "Create an order, or update the order with the same order_number.",
    };
    fn check(&self, p: &mut Problems) {
        validate::order(p, "order_info", &self.0);
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.0.misspellings(&crate::drift::Path::Field(&crate::drift::Path::Root, "order_info"), out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["api", "v1", "orders"]).json_in(&["order_info"], &self.0))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<crate::models::OrderEnvelope>())
    }
    fn read(resp: &HttpResponse) -> Result<WriteResult, NarvarError> {
        read_enveloped(resp)
    }
}

op_input! {
    /// `orders.get`: one order by number. A missing order is `not_found` (Narvar answers 2xx with
    /// `FAILURE` and "No Order Information found ...").
    pub struct GetOrder {
        pub order_number: String,
    }
}

impl Operation for GetOrder {
    type Output = OrderInfo;
    const INFO: OpInfo = OpInfo {
        name: "orders.get",
        subject: "order_number",
        method: Method::Get,
        path: "/api/v1/orders/{order_number}",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true,
        idempotency_key: false,
        summary: "Retrieve an order by its order_number.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "order_number", &self.order_number);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["api", "v1", "orders", &self.order_number]))
    }
    fn read(resp: &HttpResponse) -> Result<OrderInfo, NarvarError> {
        let env: OrderEnvelope = read_enveloped(resp)?;
        env.order_info.ok_or_else(|| NarvarError::decode(resp, "an order", "order_info is missing"))
    }
}

op_input! {
    /// `orders.add_shipments`: add or change shipments of an existing order.
    pub struct AddShipments {
        pub order_number: String,
        pub shipments: Vec<Shipment>,
    }
}

impl Operation for AddShipments {
    type Output = WriteResult;
    const INFO: OpInfo = OpInfo {
        name: "orders.add_shipments",
        subject: "order_number",
        method: Method::Put,
        path: "/api/v1/orders/{order_number}/shipments",
        host: Host::Api,
        auth: AuthKind::Basic,
        idempotent: true, // shipments are keyed by tracking number
        idempotency_key: false,
        summary: "Add or modify shipments of an order.",
    };
    fn check(&self, p: &mut Problems) {
        validate::path_value(p, "order_number", &self.order_number);
        if self.shipments.is_empty() {
            p.add("shipments", "min_items", "must have at least one shipment");
        }
        validate::shipments(p, "shipments", &self.shipments, None);
    }
    fn from_wire(wire: &WireRequest<'_>) -> Result<Self, NarvarError> {
        let shipments = wire.body.and_then(|b| b.pointer("/order_info/shipments")).cloned().unwrap_or_default();
        let order_number = serde_json::Value::String(wire.param("order_number").to_owned());
        wire.decode::<Self>(serde_json::Map::from_iter([
            ("order_number".to_owned(), order_number),
            ("shipments".to_owned(), shipments),
        ]))
    }
    fn misspellings(&self, out: &mut Vec<FieldError>) {
        use crate::models::Misspellings as _;
        self.shipments.misspellings(&crate::drift::Path::Field(&crate::drift::Path::Root, "shipments"), out);
    }
    fn parts(&self, _: &Credentials, _: u64) -> Result<RequestParts, NarvarError> {
        Ok(RequestParts::at(["api", "v1", "orders", &self.order_number, "shipments"])
            .json_in(&["order_info", "shipments"], &self.shipments))
    }
    fn body_schema(g: &mut schemars::SchemaGenerator) -> Option<schemars::Schema> {
        Some(g.subschema_for::<crate::models::OrderEnvelope>())
    }
    fn read(resp: &HttpResponse) -> Result<WriteResult, NarvarError> {
        read_enveloped(resp)
    }
}
