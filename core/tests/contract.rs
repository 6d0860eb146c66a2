//! What the core promises the rest of the project: no runtime, a current schema, webhooks,
//! the journey.

use narvar_core::journey::{self, JourneySource, JourneyStatus};
use narvar_core::models::*;
use narvar_core::webhooks::{self, WebhookAuth, WebhookError, WebhookEvent, WebhookVerifier};
use narvar_core::{ErrorCode, NarvarError, Secret};
use serde_json::json;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[test]
fn the_core_depends_on_no_runtime_or_http_stack() {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "-p", "narvar-core", "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.contains("serde_json"), "the tree was read: {tree}");
    for banned in ["tokio", "reqwest", "hyper", "mio", "async-std", "smol", "wasm-bindgen", "getrandom", "rand"] {
        let hit = tree.lines().any(|l| l.split_whitespace().next() == Some(banned));
        assert!(!hit, "narvar-core must not depend on {banned}:\n{tree}");
    }
}

#[test]
fn the_checked_in_schema_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/schema/narvar.schema.json");
    let fresh = narvar_core::schema::document_text();
    if std::env::var_os("NARVAR_BLESS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == fresh,
        "tests/schema/narvar.schema.json is stale: run `NARVAR_BLESS=1 cargo test -p narvar-core --test contract` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(doc["x-operations"].as_array().unwrap().len(), narvar_core::REGISTRY.len());
    for name in ["OrderInfo", "ReturnLabel", "CarrierAccountRequest", "TimeWindow", "NarvarError", "Journey", "Capability"] {
        assert!(doc["$defs"].get(name).is_some(), "{name} is not in the schema");
    }
}

#[test]
fn registry_names_are_unique_and_namespaced() {
    let mut names: Vec<_> = narvar_core::REGISTRY.iter().map(|e| e.info.name).collect();
    assert_eq!(names.len(), 22);
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 22);
    assert!(names.iter().all(|n| n.split_once('.').is_some_and(|(f, v)| !f.is_empty() && !v.is_empty())));
}

const NOW: u64 = 1_700_000_000;
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}
fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[test]
fn webhooks_verify_basic_auth() {
    let v = WebhookVerifier::new(WebhookAuth::Basic { username: "narvar".into(), password: Secret::new("s3cret") });
    let body = br#"{"return_tracking_status":"return_initiated_standard","order_number":"1001","rma_number":"RA1"}"#;
    let good = h(&[("Authorization", "Basic bmFydmFyOnMzY3JldA==")]);
    let w = v.verify(&good, body, now()).unwrap();
    match w.event {
        WebhookEvent::StandardRma(p) => {
            assert_eq!(p.return_tracking_status, Some(ReturnTrackingStatus::Initiated));
            assert_eq!(p.order_number.as_deref(), Some("1001"));
        }
        other => panic!("{other:?}"),
    }
    let wrong = h(&[("authorization", "Basic bmFydmFyOndyb25n")]);
    assert_eq!(v.verify(&wrong, body, now()).unwrap_err(), WebhookError::WrongCredentials);
    assert_eq!(v.verify(&[], body, now()).unwrap_err(), WebhookError::MissingAuthorization);
    assert_eq!(v.verify(&h(&[("Authorization", "Bearer x")]), body, now()).unwrap_err(), WebhookError::MissingAuthorization);
}

#[test]
fn webhooks_verify_hmac_signatures_and_timestamps() {
    let secret = Secret::new("whsec_1");
    let v = WebhookVerifier::new(WebhookAuth::HmacSha256 { secret: secret.clone() });
    let body = br#"{"order_number":"1001","return_reference_number":"R1","occurred_at":"2024-03-20T10:00:00Z"}"#;
    let sig = webhooks::sign_base64(&secret, body);
    let hex_sig = narvar_core::tokens::hmac_sha256_hex(b"whsec_1", body);
    let ts = NOW.to_string();
    for s in [sig.as_str(), hex_sig.as_str(), &hex_sig.to_uppercase()] {
        let headers = h(&[
            ("X-Narvar-Hmac-Sha256", s),
            ("X-Narvar-Timestamp", &ts),
            ("X-Narvar-Topic", "refunded"),
            ("X-Narvar-Webhook-Id", "wh-1"),
        ]);
        let w = v.verify(&headers, body, now()).unwrap();
        assert_eq!((w.id.as_deref(), w.timestamp), (Some("wh-1"), Some(NOW as i64)));
        assert!(matches!(w.event, WebhookEvent::Topic { topic: WebhookTopic::Refunded, .. }));
    }
    let tampered = br#"{"order_number":"1002","return_reference_number":"R1","occurred_at":"2024-03-20T10:00:00Z"}"#;
    let headers = h(&[("X-Narvar-Hmac-Sha256", &sig), ("X-Narvar-Timestamp", &ts)]);
    assert_eq!(v.verify(&headers, tampered, now()).unwrap_err(), WebhookError::SignatureMismatch);
    assert_eq!(v.verify(&h(&[("X-Narvar-Hmac-Sha256", "zz!")]), body, now()).unwrap_err(), WebhookError::MalformedSignature);
    assert_eq!(v.verify(&[], body, now()).unwrap_err(), WebhookError::MissingSignature);
    let old = (NOW - 301).to_string();
    let stale = h(&[("X-Narvar-Hmac-Sha256", &sig), ("X-Narvar-Timestamp", &old)]);
    assert_eq!(v.verify(&stale, body, now()).unwrap_err(), WebhookError::StaleTimestamp { skew_seconds: -301 });
    let wide = WebhookVerifier { tolerance: Duration::from_secs(600), ..v.clone() };
    assert!(wide.verify(&stale, body, now()).is_ok());
    let bad_ts = h(&[("X-Narvar-Hmac-Sha256", &sig), ("X-Narvar-Timestamp", "yesterday")]);
    assert_eq!(v.verify(&bad_ts, body, now()).unwrap_err(), WebhookError::MalformedTimestamp);
    let strict = WebhookVerifier { require_timestamp: true, ..v.clone() };
    assert_eq!(strict.verify(&h(&[("X-Narvar-Hmac-Sha256", &sig)]), body, now()).unwrap_err(), WebhookError::MissingTimestamp);
    let err: NarvarError = WebhookError::SignatureMismatch.into();
    assert_eq!(err.code, ErrorCode::Authentication);
    assert!(!format!("{err:?}{v:?}").contains("whsec_1"));
}

#[test]
fn webhook_payload_kinds() {
    let full = json!({"order": {"order_number": "1001", "fulfillment_status": "FULFILLED",
        "billing_document": {"amount": "181.17", "billed_to": {"address": {"street1": "1 Elm", "zipcode": "78701"}}}},
        "return_tracking_status": "return_delivered_standard", "rma_number": "RA9", "restocking_fee": "5.00"});
    let w = webhooks::parse(&[], full.to_string().as_bytes()).unwrap();
    let WebhookEvent::FullRma(p) = w.event else { panic!() };
    let order = p.order.unwrap();
    assert_eq!(order.billing_document.unwrap().amount, narvar_core::Amount::parse("181.17"));
    assert_eq!(order.fulfillment_status, Some(FulfillmentStatus::Fulfilled));
    assert_eq!(p.extra["restocking_fee"], "5.00");
    let unknown = webhooks::parse(&h(&[("x-narvar-topic", "exchange_shipped")]), br#"{"a":1}"#).unwrap();
    assert_eq!(unknown.event, WebhookEvent::Unknown { topic: Some("exchange_shipped".into()), raw: json!({"a": 1}) });
    assert!(matches!(webhooks::parse(&[], b"[1]"), Err(WebhookError::InvalidPayload(_))));
    assert!(matches!(webhooks::parse(&[], b"<xml/>"), Err(WebhookError::InvalidPayload(_))));
}

#[test]
fn the_journey_orders_every_step_by_time() {
    let order: OrderInfo = serde_json::from_value(json!({"order_number": "1001", "order_date": "2024-03-09T17:45:00Z",
        "shipments": [{"carrier": "usps", "tracking_number": "T1", "ship_date": "2024-03-10"}]}))
    .unwrap();
    let tracking: OrderTracking = serde_json::from_value(json!({"shipments": [{"tracking_number": "T1", "events": [
        {"timestamp": "2024-03-12T15:00:00Z", "status": "delivered", "description": "Delivered, front door"},
        {"timestamp": "2024-03-11T08:00:00-05:00", "status": "out_for_delivery"},
        {"timestamp": "2024-03-10T09:00:00Z", "status": "in_transit"}]}]}))
    .unwrap();
    let ret: ReturnLabel = serde_json::from_value(json!({"return_reference_number": "R1", "created_at": "2024-03-15T10:00:00Z",
        "return_status": "in_transit", "return_methods": [{"tracking_number": "RT1"}]}))
    .unwrap();
    let hook = webhooks::parse(
        &h(&[("x-narvar-topic", "refunded"), ("x-narvar-timestamp", "1711000000")]),
        br#"{"order_number":"1001","return_reference_number":"R1"}"#,
    )
    .unwrap();
    let j = journey::build(&order, Some(&tracking), &[ret], &[hook]);
    let steps: Vec<_> = j.entries.iter().map(|e| (e.status.as_str().to_owned(), e.source)).collect();
    assert_eq!(
        steps,
        vec![
            ("order_placed".into(), JourneySource::Order),
            ("shipped".into(), JourneySource::Order),
            ("in_transit".into(), JourneySource::Tracking),
            ("out_for_delivery".into(), JourneySource::Tracking),
            ("delivered".into(), JourneySource::Tracking),
            ("return_initiated".into(), JourneySource::Return),
            ("refunded".into(), JourneySource::Webhook),
            ("return_in_transit".into(), JourneySource::Return),
        ]
    );
    assert_eq!(j.entries[4].description, "Delivered, front door");
    assert_eq!(j.entries[5].tracking_number.as_deref(), Some("RT1"));
    assert_eq!(j.entries[6].at.as_deref(), Some("2024-03-21T05:46:40+00:00"));
    assert_eq!(j.status, JourneyStatus::ReturnInTransit, "the untimed step comes last");
}

#[test]
fn carrier_credentials_follow_the_moniker_and_never_print() {
    let req: CarrierAccountRequest = serde_json::from_value(json!({"carrier_moniker": "gls", "account_alias": "a",
        "credentials": {"username": "u", "password": "pw_gls_1", "shipper_contact_id": "160", "region": "eu"}}))
    .unwrap();
    let Some(CarrierCredentials::Gls(c)) = &req.credentials else { panic!("{:?}", req.credentials) };
    assert_eq!(c.shipper_contact_id.as_deref(), Some("160"));
    assert!(!format!("{req:?}").contains("pw_gls_1"));
    let back = serde_json::to_value(&req).unwrap();
    assert_eq!(back["credentials"]["password"], "pw_gls_1", "sent as given");
    assert_eq!(back["credentials"]["region"], "eu", "unknown credential fields are kept");
    let other: CarrierAccountRequest = serde_json::from_value(json!({"carrier_moniker": "dhl", "account_alias": "a",
        "credentials": {"site_id": "x", "secret": "dhl_pw"}}))
    .unwrap();
    assert!(matches!(other.credentials, Some(CarrierCredentials::Other(_))));
    assert!(!format!("{other:?}").contains("dhl_pw"));
}

#[test]
fn every_subject_names_a_field_its_inputs_carry() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut inputs: Vec<(String, serde_json::Value)> = Vec::new();
    for f in std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")) {
        let cases: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        inputs.extend(cases.into_iter().map(|c| (c["operation"].as_str().unwrap().to_owned(), c["input"].clone())));
    }
    for e in narvar_core::REGISTRY {
        if e.info.subject.is_empty() {
            assert!(e.info.name.ends_with(".list") || e.info.name.contains("options"), "{} has no subject", e.info.name);
            continue;
        }
        let found = inputs.iter().any(|(op, input)| op == e.info.name && e.info.subject_of(input).is_some());
        assert!(found, "{}: no vector input carries {:?}", e.info.name, e.info.subject);
    }
}
