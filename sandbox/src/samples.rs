//! Sample data to seed the sandbox with in tests: one order with two items and a shipment, and
//! a return of one of its items.

use narvar_core::models::{OrderInfo, ReturnRequest};

/// An order `order_number` (ordered 2024-03-09): a mug (×2, shipped by USPS as `T-{order_number}`
/// to ZIP 78701) and a cup.
pub fn order(order_number: &str) -> OrderInfo {
    serde_json::from_value(serde_json::json!({
        "order_number": order_number, "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
        "order_items": [{"sku": "MUG", "item_id": "L1", "name": "Blue mug", "quantity": 2, "unit_price": 14.5},
                        {"sku": "CUP", "name": "Cup", "quantity": 1, "unit_price": "3.00"}],
        "shipments": [{"carrier": "usps", "tracking_number": format!("T-{order_number}"), "ship_date": "2024-03-10",
            "items_info": [{"sku": "MUG", "item_id": "L1", "quantity": 2}],
            "shipped_to": {"first_name": "Ada", "address": {"street_1": "12 Elm St", "zip": "78701", "country": "US"}}}],
        "customer": {"email": "ada@example.test"}
    }))
    .unwrap_or_else(|e| unreachable!("the sample order is a valid OrderInfo: {e}"))
}

/// A return of one mug of [`order`] `order_number`, damaged, by USPS.
pub fn a_return(order_number: &str) -> ReturnRequest {
    serde_json::from_value(serde_json::json!({"order_number": order_number, "billing_zip": "78701", "carrier": "usps",
        "order_items": [{"sku": "MUG", "quantity": 1, "return_reason_code": "DAMAGED"}]}))
    .unwrap_or_else(|e| unreachable!("the sample return is a valid ReturnRequest: {e}"))
}
