#![allow(dead_code)]
use narvar::{Client, ClientBuilder};
use narvar_sandbox::{Sandbox, SandboxConfig, TestAccount};
use std::time::Duration;

pub fn builder_for(sb: &Sandbox, a: &TestAccount) -> ClientBuilder {
    Client::builder()
        .base_url(sb.url())
        .basic_auth(a.account_id.clone(), a.auth_token.clone())
        .bearer_token(a.bearer_token.clone())
        .tracking_key(a.retailer_moniker.clone(), a.hmac_key.clone())
        .origin("http://127.0.0.1")
        .no_rate_budget()
        .timeout(Duration::from_secs(10))
}

pub async fn start() -> (Sandbox, Client) {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let c = builder_for(&sb, &sb.accounts()[0]).build().unwrap();
    (sb, c)
}

pub fn order(n: &str) -> narvar::models::OrderInfo {
    serde_json::from_value(serde_json::json!({
        "order_number": n, "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
        "order_items": [{"sku": "MUG", "item_id": "L1", "name": "Blue mug", "quantity": 2, "unit_price": 14.5},
                        {"sku": "CUP", "name": "Cup", "quantity": 1, "unit_price": "3.00"}],
        "shipments": [{"carrier": "usps", "tracking_number": format!("T-{n}"), "ship_date": "2024-03-10",
            "items_info": [{"sku": "MUG", "item_id": "L1", "quantity": 2}],
            "shipped_to": {"first_name": "Ada", "address": {"street_1": "12 Elm St", "zip": "78701", "country": "US"}}}],
        "customer": {"email": "ada@example.test"}
    }))
    .unwrap()
}

pub fn a_return(n: &str) -> narvar::models::ReturnRequest {
    serde_json::from_value(serde_json::json!({"order_number": n, "billing_zip": "78701", "carrier": "usps",
        "order_items": [{"sku": "MUG", "quantity": 1, "return_reason_code": "DAMAGED"}]}))
    .unwrap()
}

pub fn fault(sb: &Sandbox, v: serde_json::Value) {
    sb.add_fault(serde_json::from_value(v).unwrap()).unwrap();
}
