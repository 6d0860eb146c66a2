//! Every operation of core's registry, served with state, over real loopback HTTP, driven by
//! core's own operations.

mod common;
use common::*;
use narvar_core::models::*;
use narvar_core::ops::*;
use narvar_core::ErrorCode;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test]
async fn orders_upsert_get_and_add_shipments() {
    let (sb, d) = start().await;
    let created = call(&d, CreateOrder(order("1001"))).await.unwrap();
    assert_eq!(created.value.messages[0].message.as_deref(), Some("Order created"));
    assert!(created.meta.request_id.as_deref().is_some_and(|r| r.starts_with("req_")));
    let got = call(&d, GetOrder { order_number: "1001".into() }).await.unwrap().value;
    assert_eq!(got.order_items.len(), 2);
    assert_eq!(got.order_items[1].unit_price, narvar_core::Amount::parse("3"));
    // An upsert with only some keys replaces those and keeps the rest.
    let mut partial = OrderInfo { order_number: "1001".into(), ..Default::default() };
    partial.extra.insert("order_date".into(), json!("2024-03-09T17:45:00Z"));
    partial.extra.insert("selected_ship_method".into(), json!("express"));
    let raw = serde_json::to_value(&partial).unwrap();
    let body = json!({"order_info": raw});
    let resp = http()
        .post(format!("{}/api/v1/orders", sb.url()))
        .basic_auth("acme", Some("tok_test_acme"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let got = call(&d, GetOrder { order_number: "1001".into() }).await.unwrap().value;
    assert_eq!(got.selected_ship_method.as_deref(), Some("express"));
    assert_eq!(got.order_items.len(), 2, "unsent keys are kept");
    // Shipments upsert by carrier + tracking number.
    let s: Shipment = serde_json::from_value(json!({"carrier": "ups", "tracking_number": "1Z9", "ship_date": "2024-03-11",
        "items_info": [{"sku": "CUP", "quantity": 1}]}))
    .unwrap();
    call(&d, AddShipments { order_number: "1001".into(), shipments: vec![s.clone(), s] }).await.unwrap_err(); // duplicate: rejected before sending
    let s: Shipment = serde_json::from_value(
        json!({"carrier": "ups", "tracking_number": "1Z9", "items_info": [{"sku": "CUP", "quantity": 1}]}),
    )
    .unwrap();
    call(&d, AddShipments { order_number: "1001".into(), shipments: vec![s.clone()] }).await.unwrap();
    call(&d, AddShipments { order_number: "1001".into(), shipments: vec![s] }).await.unwrap();
    let got = call(&d, GetOrder { order_number: "1001".into() }).await.unwrap().value;
    assert_eq!(got.shipments.len(), 2);
    let err = call(&d, AddShipments { order_number: "nope".into(), shipments: got.shipments.clone() }).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_missing_order_answers_like_narvar_and_an_empty_number_is_405() {
    let (sb, d) = start().await;
    let err = call(&d, GetOrder { order_number: "SBX-404".into() }).await.unwrap_err();
    assert_eq!((err.code, err.meta.status), (ErrorCode::NotFound, Some(200)));
    assert!(err.messages[0].message.as_deref().unwrap().starts_with("No Order Information found"));
    let resp = http().get(format!("{}/api/v1/orders/", sb.url())).basic_auth("acme", Some("tok_test_acme")).send().await.unwrap();
    assert_eq!(resp.status(), 405);
}

#[tokio::test]
async fn accounts_are_isolated() {
    let (sb, acme) = start().await;
    call(&acme, CreateOrder(order("1001"))).await.unwrap();
    let globex = driver_with(sb.url(), credentials(&sb.accounts()[1]), Duration::from_secs(5), 1);
    assert_eq!(call(&globex, GetOrder { order_number: "1001".into() }).await.unwrap_err().code, ErrorCode::NotFound);
    let wrong = driver_with(sb.url(), narvar_core::Credentials::basic("acme", "tok_wrong"), Duration::from_secs(5), 1);
    assert_eq!(call(&wrong, GetOrder { order_number: "1001".into() }).await.unwrap_err().code, ErrorCode::Authentication);
}

#[tokio::test]
async fn tracking_moves_with_the_clock_and_checks_hmac_tokens() {
    let (sb, d) = start().await;
    call(&d, CreateOrder(order("1001"))).await.unwrap();
    let mut exc = order("1002");
    exc.shipments[0].attributes.insert("sandbox_scenario".into(), json!("delivery_exception"));
    call(&d, CreateOrder(exc)).await.unwrap();
    let t = call(&d, TrackOrder { order_number: "1001".into() }).await.unwrap().value;
    assert_eq!(t.shipments[0].status, Some(TrackingStatus::LabelCreated));
    admin_post(&sb, "/_sandbox/clock/advance", json!({"hours": 37})).await;
    let t = call(&d, TrackOrder { order_number: "1001".into() }).await.unwrap().value;
    let steps: Vec<_> = t.shipments[0].events.iter().map(|e| e.status.clone().unwrap()).collect();
    assert_eq!(steps, vec![TrackingStatus::LabelCreated, TrackingStatus::InTransit, TrackingStatus::OutForDelivery]);
    admin_post(&sb, "/_sandbox/clock/advance", json!({"hours": 4})).await;
    let t = call(&d, TrackOrder { order_number: "1001".into() }).await.unwrap().value;
    assert_eq!(t.shipments[0].status, Some(TrackingStatus::Delivered));
    assert!(t.shipments[0].delivered_at.is_some());
    let t = call(&d, TrackOrder { order_number: "1002".into() }).await.unwrap().value;
    assert_eq!(t.shipments[0].status, Some(TrackingStatus::Exception));
    // Tracking info and item visibility see the same scans.
    let info = call(
        &d,
        GetTrackingInfo { carrier_moniker: "usps".into(), tracking_numbers: vec!["T-1001".into()], ..Default::default() },
    )
    .await
    .unwrap();
    assert_eq!(info.value.shipments[0].status, Some(TrackingStatus::Delivered));
    let vis = call(&d, GetItemVisibility { order_number: "1001".into(), destination_zip: Some("78701".into()), locale: None })
        .await
        .unwrap()
        .value;
    assert_eq!(vis.masked, Some(false));
    assert_eq!(vis.items[0].tracking_status, Some(TrackingStatus::Delivered));
    let masked = call(&d, GetItemVisibility { order_number: "1001".into(), destination_zip: Some("10001".into()), locale: None })
        .await
        .unwrap()
        .value;
    assert_eq!((masked.masked, masked.items[0].tracking_number.clone()), (Some(true), None));
    // A wrong key, and a stale epoch, are refused.
    let mut creds = credentials(&sb.accounts()[0]);
    creds.tracking.as_mut().unwrap().hmac_key = narvar_core::Secret::new("hk_wrong");
    let bad = driver_with(sb.url(), creds, Duration::from_secs(5), 1);
    let err = call(&bad, TrackOrder { order_number: "1001".into() }).await.unwrap_err();
    assert_eq!((err.code, err.messages[0].code.as_deref()), (ErrorCode::Authentication, Some("token.invalid")));
    let old = 1_700_000_000u64;
    let key = "hk_test_acme";
    let url = format!(
        "{}/api/v2/orders/1001/tracking?retailer_moniker=acme&order_token={}&epoch={old}&epoch_token={}",
        sb.url(),
        narvar_core::tokens::order_token(key, "1001", old),
        narvar_core::tokens::epoch_token(key, old)
    );
    let resp = http().get(url).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.text().await.unwrap().contains("stale"));
}

#[tokio::test]
async fn returns_are_created_labelled_and_move_along() {
    let (sb, d) = start().await;
    call(&d, CreateOrder(order("1001"))).await.unwrap();
    let label = call(&d, GenerateReturnLabel(a_return("1001"))).await.unwrap().value;
    let rrn = label.return_reference_number.clone().unwrap();
    assert_eq!(rrn.len(), 16);
    assert!(rrn.chars().all(|c| c.is_ascii_alphanumeric()));
    let url = label.return_methods[0].label_url.clone().unwrap();
    assert!(url.starts_with(sb.url()));
    let pdf = http().get(&url).send().await.unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4") && bytes.ends_with(b"%%EOF\n"));
    let v2 = call(&d, CreateReturn(narvar_core::models::ReturnRequest { carrier: Some("auspost".into()), ..a_return("1001") }))
        .await
        .unwrap()
        .value;
    let png = http().get(v2.return_methods[0].label_url.clone().unwrap()).send().await.unwrap().bytes().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(
        call(&d, GetReturnLabel { return_reference_number: rrn.clone() }).await.unwrap().value.return_status,
        Some(ReturnStatus::Initiated)
    );
    admin_post(&sb, "/_sandbox/clock/advance", json!({"hours": 80})).await;
    assert_eq!(
        call(&d, GetReturn { return_reference_number: rrn.clone() }).await.unwrap().value.return_status,
        Some(ReturnStatus::Received)
    );
    admin_post(&sb, "/_sandbox/clock/advance", json!({"days": 1})).await;
    assert_eq!(
        call(&d, GetReturn { return_reference_number: rrn }).await.unwrap().value.return_status,
        Some(ReturnStatus::Refunded)
    );
    assert_eq!(call(&d, GetReturn { return_reference_number: "NOPE".into() }).await.unwrap_err().code, ErrorCode::NotFound);
    // A SKU not on the order, or more than was ordered, is refused by the sandbox.
    let mut too_many = a_return("1001");
    too_many.order_items[0].quantity = Some(5.into());
    let err = call(&d, GenerateReturnLabel(too_many)).await.unwrap_err();
    assert_eq!((err.code, err.meta.status), (ErrorCode::Validation, Some(400)));
    assert_eq!(call(&d, GenerateReturnLabel(a_return("nope"))).await.unwrap_err().code, ErrorCode::NotFound);
}

#[tokio::test]
async fn carriers_and_carrier_accounts() {
    let (_sb, d) = start().await;
    let list = call(&d, ListCarriers { products: vec![Product::Delivery], capabilities: vec![] }).await.unwrap().value;
    let names: BTreeSet<_> = list.carriers.iter().map(|c| c.carrier_moniker.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["fedex", "gls"]));
    assert!(list.carriers.iter().all(|c| c.status == Some(CarrierStatus::Inactive)));
    let fedex = call(&d, GetCarrier { carrier_moniker: "fedex".into(), country: Some("US".into()), ..Default::default() })
        .await
        .unwrap()
        .value;
    assert_eq!(fedex.carrier_services.len(), 2, "US service and the unrestricted one");
    let req: CarrierServiceConfigurationRequest = serde_json::from_value(json!({"capabilities": ["returns_label"], "products": ["returns"],
        "carrier_service_configurations": [{"service_name": "FEDEX_SMART_POST", "countries": ["US"],
            "configuration": {"label_specs": [{"label_type": "PDF", "label_size": "A6"}]}}],
        "carrier_configuration": {"carrier_closures": [{"name": "Independence Day", "countries": ["US"], "date": "2026-07-04"}]}})).unwrap();
    let enabled = call(&d, EnableCarrier { carrier_moniker: "fedex".into(), request: req }).await.unwrap().value;
    assert_eq!(enabled.carrier_services.len(), 3);
    call(&d, DisableCarrierService { carrier_moniker: "fedex".into(), carrier_service: "FEDEX_SMART_POST".into() })
        .await
        .unwrap();
    let err = call(&d, DisableCarrierService { carrier_moniker: "fedex".into(), carrier_service: "FEDEX_SMART_POST".into() })
        .await
        .unwrap_err();
    assert_eq!((err.code, err.messages[0].code.as_deref()), (ErrorCode::NotFound, Some("15002")));

    let account: CarrierAccountRequest =
        serde_json::from_value(json!({"carrier_moniker": "postnord", "capabilities": ["returns_label"],
        "products": ["returns"], "account_alias": "acme-postnord-label", "is_active": true,
        "credentials": {"api_key": "pn_secret_key", "party_id": "1", "party_id_type": "160", "issuer_code": "Z11"}}))
        .unwrap();
    let created = call(&d, CreateCarrierAccount(account.clone())).await.unwrap();
    assert!(created.value.account_identifier.is_some());
    assert!(created.value.credentials.is_none(), "credentials are never echoed");
    let dup = call(&d, CreateCarrierAccount(account)).await.unwrap_err();
    assert_eq!(dup.code, ErrorCode::Conflict);
    let got = call(&d, GetCarrierAccount { account_alias: "acme-postnord-label".into() }).await.unwrap().value;
    assert_eq!(got.carrier_moniker, "postnord");
    let listed = call(&d, ListCarrierAccounts {}).await.unwrap();
    assert_eq!(listed.value.carrier_accounts.len(), 1);
    let body = String::from_utf8(serde_json::to_vec(&listed.value).unwrap()).unwrap();
    assert!(!body.contains("pn_secret_key"));
    let list = call(&d, ListCarriers::default()).await.unwrap().value;
    assert_eq!(list.carriers.iter().find(|c| c.carrier_moniker == "postnord").unwrap().status, Some(CarrierStatus::Active));
    let update: CarrierAccountUpdateRequest = serde_json::from_value(
        json!({"carrier_moniker": "postnord", "account_alias": "acme-postnord-label", "is_active": false}),
    )
    .unwrap();
    call(&d, UpdateCarrierAccount(update)).await.unwrap();
    assert_eq!(
        call(&d, GetCarrierAccount { account_alias: "acme-postnord-label".into() }).await.unwrap().value.is_active,
        Some(false)
    );
    let moved: CarrierAccountUpdateRequest =
        serde_json::from_value(json!({"carrier_moniker": "gls", "account_alias": "acme-postnord-label"})).unwrap();
    assert_eq!(call(&d, UpdateCarrierAccount(moved)).await.unwrap_err().messages[0].code.as_deref(), Some("15000"));
    call(&d, DeleteCarrierAccount { account_alias: "acme-postnord-label".into() }).await.unwrap();
    let gone = call(&d, DeleteCarrierAccount { account_alias: "acme-postnord-label".into() }).await.unwrap_err();
    assert_eq!((gone.code, gone.messages[0].code.as_deref()), (ErrorCode::NotFound, Some("15002")));
}

#[tokio::test]
async fn the_sandbox_validates_credentials_per_carrier() {
    let (sb, _d) = start().await;
    // Sent raw, past the SDK's own validation: the sandbox answers 400 with code 15000.
    let body = json!({"carrier_moniker": "gls", "capabilities": ["returns_label"], "products": ["returns"], "account_alias": "a",
        "credentials": {"username": "u"}});
    let resp =
        http().post(format!("{}/carrier-accounts", sb.url())).bearer_auth("bear_test_acme").json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["errors"][0]["code"], "15000");
    assert!(v["errors"].as_array().unwrap().iter().any(|e| e["message"].as_str().unwrap().contains("credentials.password")));
}

#[tokio::test]
async fn promise_options_and_confirm() {
    let (_sb, d) = start().await;
    let req: PromiseRequest = serde_json::from_value(json!({"destination": {"postal_code": "78701", "country": "US"},
        "items": [{"sku": "MUG", "quantity": 1}]}))
    .unwrap();
    let opts = call(&d, GetPromiseOptions { api_version: None, request: req.clone() }).await.unwrap().value;
    let options = opts.cart_delivery_options.unwrap().delivery_options;
    assert_eq!(options.len(), 2);
    assert!(options[0].text.as_deref().unwrap().starts_with("Get it by "));
    let public = call(&d, GetPublicPromiseOptions { api_version: None, request: req }).await.unwrap().value;
    assert_eq!(public.cart_delivery_options.unwrap().delivery_options.len(), 2);
    let confirm = PromiseConfirmation {
        order_id: "1001".into(),
        selected_delivery_options: vec![SelectedDeliveryOption {
            promise_id: options[1].promise_id.clone().unwrap(),
            ..Default::default()
        }],
        channel: Some("website".into()),
        ..Default::default()
    };
    assert_eq!(
        call(&d, ConfirmPromise { api_version: None, confirmation: confirm.clone() }).await.unwrap().value.order_id.as_deref(),
        Some("1001")
    );
    let mut unknown = confirm;
    unknown.selected_delivery_options[0].promise_id = "pr_nope".into();
    assert_eq!(
        call(&d, ConfirmPromise { api_version: None, confirmation: unknown }).await.unwrap_err().code,
        ErrorCode::NotFound
    );
}

#[tokio::test]
async fn every_registry_operation_is_served() {
    let (sb, _d) = start().await;
    let log = {
        // Run the other scenarios' operations once more, here, to see the log name each.
        let d = driver_with(sb.url(), credentials(&sb.accounts()[0]), Duration::from_secs(5), 1);
        call(&d, CreateOrder(order("1001"))).await.unwrap();
        let _ = call(&d, GetOrder { order_number: "1001".into() }).await;
        let s: Shipment = serde_json::from_value(
            json!({"carrier": "ups", "tracking_number": "1Z", "items_info": [{"sku": "CUP", "quantity": 1}]}),
        )
        .unwrap();
        let _ = call(&d, AddShipments { order_number: "1001".into(), shipments: vec![s] }).await;
        let _ = call(&d, TrackOrder { order_number: "1001".into() }).await;
        let _ = call(
            &d,
            GetTrackingInfo { carrier_moniker: "usps".into(), tracking_numbers: vec!["T-1001".into()], ..Default::default() },
        )
        .await;
        let _ = call(&d, GetItemVisibility { order_number: "1001".into(), destination_zip: None, locale: None }).await;
        let rrn = call(&d, GenerateReturnLabel(a_return("1001"))).await.unwrap().value.return_reference_number.unwrap();
        let _ = call(&d, GetReturnLabel { return_reference_number: rrn.clone() }).await;
        let _ = call(&d, CreateReturn(a_return("1001"))).await;
        let _ = call(&d, GetReturn { return_reference_number: rrn }).await;
        let _ = call(&d, ListCarriers::default()).await;
        let _ = call(&d, GetCarrier { carrier_moniker: "ups".into(), ..Default::default() }).await;
        let req: CarrierServiceConfigurationRequest =
            serde_json::from_value(json!({"capabilities": ["returns_label"], "products": ["returns"], "carrier_service_configurations": [{"service_name": "X"}]})).unwrap();
        let _ = call(&d, EnableCarrier { carrier_moniker: "ups".into(), request: req }).await;
        let _ = call(&d, DisableCarrierService { carrier_moniker: "ups".into(), carrier_service: "X".into() }).await;
        let acc: CarrierAccountRequest =
            serde_json::from_value(json!({"carrier_moniker": "auspost", "capabilities": ["returns_label"],
            "products": ["returns"], "account_alias": "a1", "credentials": {"username": "u"}}))
            .unwrap();
        let _ = call(&d, CreateCarrierAccount(acc)).await;
        let _ = call(&d, ListCarrierAccounts {}).await;
        let _ = call(&d, GetCarrierAccount { account_alias: "a1".into() }).await;
        let upd: CarrierAccountUpdateRequest =
            serde_json::from_value(json!({"carrier_moniker": "auspost", "account_alias": "a1"})).unwrap();
        let _ = call(&d, UpdateCarrierAccount(upd)).await;
        let _ = call(&d, DeleteCarrierAccount { account_alias: "a1".into() }).await;
        let pr: PromiseRequest =
            serde_json::from_value(json!({"destination": {"postal_code": "1", "country": "US"}, "items": [{"sku": "A"}]}))
                .unwrap();
        let opts = call(&d, GetPromiseOptions { api_version: None, request: pr.clone() }).await.unwrap().value;
        let _ = call(&d, GetPublicPromiseOptions { api_version: None, request: pr }).await;
        let id = opts.cart_delivery_options.unwrap().delivery_options[0].promise_id.clone().unwrap();
        let c: PromiseConfirmation =
            serde_json::from_value(json!({"order_id": "1001", "selected_delivery_options": [{"promise_id": id}]})).unwrap();
        let _ = call(&d, ConfirmPromise { api_version: None, confirmation: c }).await;
        sb.requests()
    };
    for entry in narvar_core::REGISTRY {
        let served = log.iter().any(|r| r.operation.as_deref() == Some(entry.info.name) && r.status == Some(200));
        assert!(
            served,
            "{} was not served with 200: {:?}",
            entry.info.name,
            log.iter().filter(|r| r.operation.as_deref() == Some(entry.info.name)).collect::<Vec<_>>()
        );
    }
}
