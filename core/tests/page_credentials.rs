//! A page's credentials: proxied requests carry no secret, a tracking grant tracks its order
//! (and no other) without the HMAC key, and `check` validates without building.

use narvar_core::config::{Credentials, Endpoints, TrackingKey};
use narvar_core::ops::{self, RequestContext};
use narvar_core::tokens::TrackingGrant;
use narvar_core::ErrorCode;
use serde_json::json;

fn build(
    operation: &str,
    input: serde_json::Value,
    credentials: &Credentials,
) -> Result<narvar_core::http::HttpRequest, narvar_core::NarvarError> {
    let endpoints = Endpoints { api: "https://shop.example/narvar".into(), promise_public: "https://shop.example/narvar".into() };
    let ctx = RequestContext {
        endpoints: &endpoints,
        credentials,
        tracer_id: "t-1",
        user_agent: "test",
        now_unix: 1_700_000_000,
        idempotency_key: None,
    };
    ops::find(operation).expect("registered").build_value(&input, &ctx)
}

#[test]
fn proxied_requests_carry_no_authorization() {
    let page = Credentials { proxied: true, ..Default::default() };
    let request = build("orders.get", json!({"order_number": "1001"}), &page).expect("built without secrets");
    assert_eq!(request.url, "https://shop.example/narvar/api/v1/orders/1001");
    assert_eq!(request.header("authorization"), None);
    // Without the proxy, the same credentials are a configuration error before anything is sent.
    let e = build("orders.get", json!({"order_number": "1001"}), &Credentials::default()).unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration);
}

#[test]
fn a_grant_tracks_its_order_only() {
    let key = TrackingKey { retailer_moniker: "acme".into(), hmac_key: "hk_secret".into() };
    let grant = TrackingGrant::new(&key, "1001", 1_699_999_900);
    let page = Credentials { proxied: true, tracking_grants: vec![grant.clone()], ..Default::default() };
    let request = build("tracking.by_order", json!({"order_number": "1001"}), &page).expect("granted");
    assert!(request.url.contains(&format!("order_token={}", grant.order_token.expose())), "{}", request.url);
    assert!(request.url.contains("epoch=1699999900"));
    // Signed with the key, the same epoch gives the same tokens.
    let backend = Credentials { tracking: Some(key), ..Default::default() };
    let signed = build("tracking.by_order", json!({"order_number": "1001"}), &backend).expect("signed");
    assert!(signed.url.contains(&format!("epoch_token={}", narvar_core::tokens::epoch_token("hk_secret", 1_700_000_000))));
    let e = build("tracking.by_order", json!({"order_number": "1002"}), &page).unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration);
    assert!(!format!("{page:?}").contains(grant.order_token.expose()));
}

#[test]
fn check_gives_the_field_errors_build_gives() {
    let entry = ops::find("orders.get").expect("registered");
    assert!(entry.check_value(&json!({"order_number": "1001"})).is_ok());
    let e = entry.check_value(&json!({"order_numbr": "1001"})).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    let built =
        build("orders.get", json!({"order_numbr": "1001"}), &Credentials { proxied: true, ..Default::default() }).unwrap_err();
    assert_eq!(e.field_errors, built.field_errors);
    assert!(!e.field_errors.is_empty());
}
