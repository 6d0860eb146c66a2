//! The client against the in-process sandbox over real loopback HTTP.

mod common;
use common::*;
use futures_util::StreamExt as _;
use narvar::models::*;
use narvar::ops::{GetTrackingInfo, ListCarriers};
use narvar::{CallOptions, Client, CredentialSource, Credentials, ErrorCode, NarvarError};
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::test]
async fn every_operation_through_the_namespaces() {
    let (sb, c) = start().await;
    c.orders().create(order("1001")).await.unwrap();
    let got = c.orders().get("1001").await.unwrap();
    assert_eq!(got.order_items.len(), 2);
    assert_eq!(got.meta.status, Some(200));
    assert!(got.meta.request_id.is_some() && got.meta.tracer_id.is_some());
    let s: Shipment =
        serde_json::from_value(json!({"carrier": "ups", "tracking_number": "1Z", "items_info": [{"sku": "CUP", "quantity": 1}]}))
            .unwrap();
    c.orders().add_shipments("1001", vec![s]).await.unwrap();
    assert_eq!(c.tracking().by_order("1001").await.unwrap().shipments.len(), 2);
    let info = c
        .tracking()
        .info(GetTrackingInfo { carrier_moniker: "usps".into(), tracking_numbers: vec!["T-1001".into()], ..Default::default() })
        .await
        .unwrap();
    assert_eq!(info.shipments.len(), 1);
    assert_eq!(c.tracking().item_visibility("1001", Some("78701")).await.unwrap().masked, Some(false));
    let label = c.returns().generate_label(a_return("1001")).await.unwrap();
    let rrn = label.return_reference_number.clone().unwrap();
    assert_eq!(c.returns().get_label(&rrn).await.unwrap().order_number.as_deref(), Some("1001"));
    let v2 = c.returns().create(a_return("1001")).await.unwrap();
    assert_eq!(
        c.returns().get(v2.return_reference_number.as_deref().unwrap()).await.unwrap().return_status,
        Some(ReturnStatus::Initiated)
    );
    let carriers: Vec<_> = c.carriers().stream(ListCarriers::default()).collect().await;
    assert_eq!(carriers.len(), 8);
    assert!(c.carriers().get("fedex").await.unwrap().carrier_services.len() >= 2);
    let cfg: CarrierServiceConfigurationRequest =
        serde_json::from_value(json!({"capabilities": ["returns_label"], "products": ["returns"], "carrier_service_configurations": [{"service_name": "FEDEX_X"}]})).unwrap();
    c.carriers().enable("fedex", cfg).await.unwrap();
    c.carriers().disable("fedex", "FEDEX_X").await.unwrap();
    let acc: CarrierAccountRequest =
        serde_json::from_value(json!({"carrier_moniker": "gls", "capabilities": ["returns_label"], "products": ["returns"],
        "account_alias": "acme-gls", "credentials": {"username": "u", "password": "pw_gls_secret", "shipper_contact_id": "1"}}))
        .unwrap();
    c.carrier_accounts().create(acc).await.unwrap();
    assert_eq!(c.carrier_accounts().get("acme-gls").await.unwrap().carrier_moniker, "gls");
    let accounts: Vec<_> = c.carrier_accounts().stream().collect().await;
    assert_eq!(accounts.len(), 1);
    let upd: CarrierAccountUpdateRequest =
        serde_json::from_value(json!({"carrier_moniker": "gls", "account_alias": "acme-gls", "is_active": false})).unwrap();
    c.carrier_accounts().update(upd).await.unwrap();
    c.carrier_accounts().delete("acme-gls").await.unwrap();
    let pr: PromiseRequest =
        serde_json::from_value(json!({"destination": {"postal_code": "78701", "country": "US"}, "items": [{"sku": "MUG"}]}))
            .unwrap();
    let opts = c.promise().options(pr.clone()).await.unwrap();
    c.promise().public_options(pr).await.unwrap();
    let id = opts.value.cart_delivery_options.unwrap().delivery_options[0].promise_id.clone().unwrap();
    let conf: PromiseConfirmation =
        serde_json::from_value(json!({"order_id": "1001", "selected_delivery_options": [{"promise_id": id}]})).unwrap();
    c.promise().confirm(conf).await.unwrap();
    let served: std::collections::BTreeSet<_> =
        sb.requests().into_iter().filter(|r| r.status == Some(200)).filter_map(|r| r.operation).collect();
    for e in narvar::core::REGISTRY {
        assert!(served.contains(e.info.name), "{} not exercised", e.info.name);
    }
}

#[tokio::test]
async fn errors_are_typed_with_their_metadata() {
    let (sb, c) = start().await;
    let e = c.orders().get("nope").await.unwrap_err();
    assert_eq!((e.code, e.meta.status), (ErrorCode::NotFound, Some(200)));
    assert!(e.meta.request_id.is_some());
    let mut bad = order("1");
    bad.order_items[1].quantity = Some((-1).into());
    let e = c.orders().create(bad).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert_eq!(e.field_errors[0].path, "order_info.order_items[1].quantity");
    assert_eq!(e.meta.attempts, 0);
    let no_bearer = Client::builder().base_url(sb.url()).basic_auth("acme", "tok_test_acme").build().unwrap();
    let e = no_bearer.carriers().list(ListCarriers::default()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration);
    assert!(e.to_string().contains("NARVAR_BEARER_TOKEN"));
    let e = Client::builder().base_url(sb.url()).build().unwrap_err();
    assert!(e.to_string().contains("NARVAR_ACCOUNT_ID") && e.to_string().contains("NARVAR_AUTH_TOKEN"), "{e}");
}

#[tokio::test]
async fn the_total_timeout_fires_on_a_stalled_body_and_dropping_a_call_cancels_it() {
    let (sb, _) = start().await;
    let c = builder_for(&sb, &sb.accounts()[0]).timeout(Duration::from_millis(500)).max_attempts(1).build().unwrap();
    fault(&sb, json!({"kind": "stall_body", "operation": "orders.get", "times": 1}));
    let started = Instant::now();
    let e = c.orders().get("1").await.unwrap_err();
    assert_eq!((e.code, e.may_have_been_sent), (ErrorCode::Transport, Some(true)));
    assert!(started.elapsed() < Duration::from_secs(2));
    fault(&sb, json!({"kind": "delay", "operation": "orders.get", "delay_ms": 5000, "times": 1}));
    let started = Instant::now();
    let dropped = tokio::time::timeout(Duration::from_millis(100), c.orders().get("1")).await;
    assert!(dropped.is_err() && started.elapsed() < Duration::from_secs(1));
    assert_eq!(c.orders().get("1").await.unwrap_err().code, ErrorCode::NotFound, "the client works after a cancelled call");
}

#[tokio::test]
async fn the_read_cache_serves_repeats_and_forgets_on_write() {
    let (sb, _) = start().await;
    let c = builder_for(&sb, &sb.accounts()[0]).read_cache(Duration::from_secs(60)).build().unwrap();
    c.orders().create(order("1001")).await.unwrap();
    c.orders().get("1001").await.unwrap();
    let started = Instant::now();
    for _ in 0..100 {
        c.orders().get("1001").await.unwrap();
    }
    let per_read = started.elapsed() / 100;
    let gets = || sb.requests().iter().filter(|r| r.operation.as_deref() == Some("orders.get")).count();
    assert_eq!(gets(), 1);
    println!("cached read: {per_read:?}");
    let mut changed = order("1001");
    changed.selected_ship_method = Some("express".into());
    c.orders().create(changed).await.unwrap();
    assert_eq!(c.orders().get("1001").await.unwrap().selected_ship_method.as_deref(), Some("express"));
    assert_eq!(gets(), 2);
}

#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);
impl std::io::Write for Lines {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn audit_log_and_hooks() {
    let (sb, _) = start().await;
    let audit = Lines::default();
    let before = Arc::new(AtomicU32::new(0));
    let after = Arc::new(AtomicU32::new(0));
    let (b, a) = (before.clone(), after.clone());
    let c = builder_for(&sb, &sb.accounts()[0])
        .audit_log(audit.clone())
        .before_request(move |_| {
            b.fetch_add(1, Ordering::SeqCst);
        })
        .after_response(move |_, r, _| {
            assert!(r.is_ok());
            a.fetch_add(1, Ordering::SeqCst);
        })
        .build()
        .unwrap();
    c.orders().create(order("1001")).await.unwrap();
    c.orders().get("1001").await.unwrap();
    c.returns().create(a_return("1001")).await.unwrap();
    assert_eq!((before.load(Ordering::SeqCst), after.load(Ordering::SeqCst)), (3, 3));
    let text = String::from_utf8(audit.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "writes only: {text}");
    assert_eq!(lines[0]["operation"], "orders.create");
    assert_eq!(lines[0]["key"], "1001");
    assert_eq!(lines[1]["outcome"], "ok");
    assert!(lines[1]["request_id"].as_str().unwrap().starts_with("req_"));
    assert!(!text.contains("tok_test_acme") && !text.contains("ada@example.test"));
}

/// Reads the sandbox's current credentials after a 401.
struct FromSandbox {
    sandbox: Arc<narvar_sandbox::Sandbox>,
    current: Mutex<Credentials>,
    refreshes: AtomicU32,
}

impl CredentialSource for FromSandbox {
    fn current(&self) -> Credentials {
        self.current.lock().unwrap().clone()
    }
    fn refresh(&self, rejected: Credentials) -> futures_util::future::BoxFuture<'static, Result<Credentials, NarvarError>> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let a = self.sandbox.accounts()[0].clone();
        let fresh = Credentials { version: rejected.version + 1, ..Credentials::basic(a.account_id, a.auth_token) };
        *self.current.lock().unwrap() = fresh.clone();
        Box::pin(async move { Ok(fresh) })
    }
}

#[tokio::test]
async fn credentials_rotate_after_a_401_without_a_restart() {
    let sb = Arc::new(narvar_sandbox::Sandbox::start(Default::default()).await.unwrap());
    let source = FromSandbox {
        sandbox: sb.clone(),
        current: Mutex::new(Credentials { version: 1, ..Credentials::basic("acme", "tok_test_acme") }),
        refreshes: AtomicU32::new(0),
    };
    let c = Client::builder().base_url(sb.url()).credential_source(source).no_rate_budget().build().unwrap();
    c.orders().create(order("1001")).await.unwrap();
    fault(&sb, json!({"kind": "expire_credentials", "operation": "orders.get", "times": 1}));
    let got = c.orders().get("1001").await.unwrap();
    assert_eq!(got.meta.attempts, 2, "the 401, then the retry with new credentials");
    assert_eq!(c.orders().get("1001").await.unwrap().meta.attempts, 1);
}

/// An order whose promise is `promise_in_hours` after now, on the sandbox's clock (at zero
/// offset now); `exception` makes its carrier report a delivery exception instead of delivering.
fn promised(n: &str, promise_in_hours: i64, on_item: bool, exception: bool) -> OrderInfo {
    let at = (chrono::Utc::now() + chrono::Duration::hours(promise_in_hours)).to_rfc3339();
    let mut o = serde_json::to_value(order(n)).unwrap();
    if on_item {
        o["order_items"][0]["item_promise_date"] = json!(at);
        o["order_promise_date"] = json!("2000-01-01"); // the item's promise wins for its shipment
    } else {
        o["order_promise_date"] = json!(at);
    }
    if exception {
        o["shipments"][0]["attributes"] = json!({"sandbox_scenario": "delivery_exception"});
    }
    serde_json::from_value(o).unwrap()
}

#[tokio::test]
async fn promise_versus_actual_delivery_on_the_sandbox_clock() {
    use narvar::journey::PromiseVerdict::*;
    let (sb, c) = start().await;
    // The sandbox delivers 40 h after it first sees a shipment.
    c.orders().create(promised("ON-TIME", 48, false, false)).await.unwrap();
    c.orders().create(promised("LATE", 24, false, false)).await.unwrap();
    c.orders().create(promised("ITEM", 24, true, false)).await.unwrap();
    c.orders().create(promised("EXCEPTION", 48, false, true)).await.unwrap();

    let j = c.journey("ON-TIME").await.unwrap();
    assert_eq!((j.promises[0].verdict, j.promise.verdict), (Pending, Pending), "not due, not delivered");
    sb.advance(Duration::from_secs(30 * 3600));
    let j = c.journey("ITEM").await.unwrap();
    let p = &j.promises[0];
    assert_eq!(p.verdict, Late, "still in transit 6 h after the item's promise");
    assert_eq!(p.promise_source.as_deref(), Some("item_promise_date"));
    assert!((p.lateness_hours.unwrap() - 6.0).abs() < 0.1, "{p:?}");
    assert_eq!(p.delivered_at, None);

    sb.advance(Duration::from_secs(11 * 3600));
    let on_time = c.journey("ON-TIME").await.unwrap();
    assert_eq!(on_time.promises[0].verdict, OnTime);
    assert!(on_time.promises[0].delivered_at.is_some());
    assert_eq!((on_time.promise.on_time, on_time.promise.verdict), (1, OnTime));
    let late = c.journey("LATE").await.unwrap();
    assert_eq!(late.promises[0].verdict, Late);
    assert!(
        (late.promises[0].lateness_hours.unwrap() - 16.0).abs() < 0.1,
        "delivered at +40 h, promised +24 h: {:?}",
        late.promises[0]
    );
    assert_eq!((late.promise.late, late.promise.verdict), (1, Late));
    let ex = c.journey("EXCEPTION").await.unwrap();
    assert_eq!(ex.promises[0].verdict, Exception);
    assert_eq!(ex.promise.verdict, Exception);
    assert_eq!(ex.promises[0].lateness_hours, None, "the exception came before the promise was due");
    let json = serde_json::to_value(&late).unwrap();
    assert_eq!(json["promise"]["verdict"], "late");
    assert_eq!(json["promises"][0]["verdict"], "late");
}

#[tokio::test]
async fn a_promise_this_client_confirmed_measures_an_order_without_promise_fields() {
    use narvar::journey::PromiseVerdict::*;
    let (sb, c) = start().await;
    c.orders().create(order("1001")).await.unwrap();
    let cart = json!({"destination": {"postal_code": "78701", "country": "US"}, "items": [{"sku": "MUG"}]});
    let offered = c.execute_json("promise.options", &cart, CallOptions::default()).await.unwrap();
    let express = offered.value["cart_delivery_options"]["delivery_options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["delivery_option_name"] == "Express")
        .unwrap()
        .clone();
    let confirm = json!({"order_id": "1001", "selected_delivery_options": [{"promise_id": express["promise_id"]}]});
    c.execute_json("promise.confirm", &confirm, CallOptions::default()).await.unwrap();
    sb.advance(Duration::from_secs(41 * 3600));
    let j = c.journey("1001").await.unwrap();
    let p = &j.promises[0];
    assert_eq!(p.promise_source.as_deref(), Some("promise_confirmed"));
    assert!(p.promised_by.as_deref().unwrap().starts_with(express["estimated_delivery_date"].as_str().unwrap()), "{p:?}");
    assert_eq!(p.verdict, OnTime, "delivered at +40 h, promised within 2 days");
}

#[tokio::test]
async fn drift_is_counted_per_operation_and_path_with_the_first_request() {
    use narvar::drift::DriftKind;
    let (sb, c) = start().await;
    c.orders().create(order("1001")).await.unwrap();
    c.orders().get("1001").await.unwrap();
    assert!(c.drift().is_empty(), "the sandbox speaks what the SDK knows");
    sb.set_drift(true);
    let first = c.orders().get("1001").await.unwrap();
    c.orders().get("1001").await.unwrap();
    c.execute_json("tracking.item_visibility", &json!({"order_number": "1001"}), CallOptions::default()).await.unwrap();
    let report = c.drift();
    let find = |op: &str, path: &str| report.iter().find(|d| d.operation == op && d.path == path);
    let root = find("orders.get", narvar_sandbox::DRIFTED_FIELD).expect("a new field at the order's root");
    assert_eq!((root.kind, root.count), (DriftKind::Field, 2));
    assert_eq!(root.first_request_id, first.meta.request_id);
    assert_eq!(
        find("orders.get", &format!("order_items[].{}", narvar_sandbox::DRIFTED_FIELD)).unwrap().count,
        4,
        "2 items × 2 reads"
    );
    let status = find("tracking.item_visibility", "items[].fulfillment_status").expect("a new enum value");
    assert_eq!(status.kind, DriftKind::EnumValue);
    assert_eq!(status.value.as_deref(), Some(narvar_sandbox::DRIFTED_ENUM_VALUE));
    // The values of unknown fields are not kept (they may be personal data).
    assert!(report.iter().filter(|d| d.kind == DriftKind::Field).all(|d| d.value.is_none()));
    // The result still carries the unknown field, as always.
    assert!(first.extra.contains_key(narvar_sandbox::DRIFTED_FIELD));
}

#[tokio::test]
async fn journey_of_an_order() {
    let (sb, c) = start().await;
    c.orders().create(order("1001")).await.unwrap();
    sb.advance(Duration::from_secs(41 * 3600));
    c.returns().create(a_return("1001")).await.unwrap();
    sb.advance(Duration::from_secs(30 * 3600));
    let j = c.journey("1001").await.unwrap();
    let steps: Vec<&str> = j.entries.iter().map(|e| e.status.as_str()).collect();
    assert_eq!(
        steps,
        [
            "order_placed",
            "shipped",
            "label_created",
            "in_transit",
            "out_for_delivery",
            "delivered",
            "return_initiated",
            "return_in_transit"
        ]
    );
}

#[test]
fn the_blocking_client_mirrors_the_api_even_inside_a_runtime() {
    let sb = narvar_sandbox::Sandbox::start_in_background(Default::default()).unwrap();
    let a = sb.accounts()[0].clone();
    let c = narvar::blocking::Client::new(builder_for(&sb, &a)).unwrap();
    c.orders().create(order("1001")).unwrap();
    assert_eq!(c.orders().get("1001").unwrap().order_number, "1001");
    assert_eq!(c.carriers().iter(ListCarriers::default()).unwrap().count(), 8);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let inside = rt.block_on(async { c.orders().get("1001").map(|o| o.order_items.len()) });
    assert_eq!(inside.unwrap(), 2);
    assert_eq!(c.journey("1001").unwrap().entries[0].status.as_str(), "order_placed");
}

#[tokio::test]
async fn idempotency_keys_can_be_given_per_call() {
    let (_sb, c) = start().await;
    c.orders().create(order("1001")).await.unwrap();
    let opts = CallOptions { idempotency_key: Some("k-1".into()), ..Default::default() };
    let a = c.execute_with(narvar::ops::CreateReturn(a_return("1001")), opts.clone()).await.unwrap();
    let b = c.execute_with(narvar::ops::CreateReturn(a_return("1001")), opts).await.unwrap();
    assert_eq!(a.return_reference_number, b.return_reference_number);
}

#[test]
fn with_connections_per_thread_each_current_thread_runtime_drives_its_own_connections() {
    let sb = narvar_sandbox::Sandbox::start_in_background(Default::default()).unwrap();
    let a = sb.accounts()[0].clone();
    let c = builder_for(&sb, &a).timeout(Duration::from_secs(2)).connections_per_thread(true).build().unwrap();
    let current = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Thread A opens a connection on its runtime, then keeps that runtime alive without driving it.
    let (opened_tx, opened_rx) = std::sync::mpsc::channel();
    let (finish_tx, finish_rx) = std::sync::mpsc::channel::<()>();
    let ca = c.clone();
    let thread_a = std::thread::spawn(move || {
        let rt = current();
        rt.block_on(ca.orders().create(order("1001"))).unwrap();
        opened_tx.send(()).unwrap();
        finish_rx.recv().unwrap();
        rt.block_on(ca.orders().get("1001")).unwrap().order_number.clone()
    });
    opened_rx.recv().unwrap();
    // Thread B: from one shared pool it would take A's idle connection, whose task only A's
    // runtime runs, and time out (checked: it does without the setting).
    let rt = current();
    for _ in 0..3 {
        assert_eq!(rt.block_on(c.orders().get("1001")).unwrap().order_number, "1001");
    }
    // Multi-thread runtimes share one pool, as without the setting.
    let shared = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(shared.block_on(c.orders().get("1001")).unwrap().order_items.len(), 2);
    finish_tx.send(()).unwrap();
    assert_eq!(thread_a.join().unwrap(), "1001");
}

#[tokio::test]
async fn https_urls_go_through_rustls_with_settings_shared_by_every_client() {
    use tokio::io::AsyncWriteExt as _;
    // Plain HTTP behind an https URL: the TLS handshake is tried and fails, as a transport error.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
        }
    });
    for _ in 0..2 {
        let c = Client::builder()
            .base_url(format!("https://127.0.0.1:{port}"))
            .basic_auth("acme", "tok")
            .no_rate_budget()
            .max_attempts(1)
            .build()
            .unwrap();
        let e = c.orders().get("1001").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Transport, "{e}");
        assert!(e.to_string().contains("InvalidContentType"), "rustls read the plain reply: {e}");
    }
}

#[tokio::test]
async fn carriers_get_honours_its_country_product_and_capability_filters() {
    use narvar::core::models::{Capability, Product};
    use narvar::core::ops::GetCarrier;
    let (_sb, c) = common::start().await;
    let all = c.carriers().get("usps").await.unwrap();
    assert!(!all.carrier_services.is_empty());
    let query = |products: Vec<Product>, capabilities: Vec<Capability>| GetCarrier {
        carrier_moniker: "usps".into(),
        country: None,
        products,
        capabilities,
    };
    let offered = c.carriers().get_filtered(query(vec![Product::Returns], vec![Capability::ReturnsLabel])).await.unwrap();
    assert_eq!(offered.carrier_services, all.carrier_services);
    let not_offered = c.carriers().get_filtered(query(vec![Product::Delivery], vec![])).await.unwrap();
    assert!(not_offered.carrier_services.is_empty(), "usps offers no delivery product: {:?}", not_offered.carrier_services);
    let not_capable = c.carriers().get_filtered(query(vec![], vec![Capability::LocalDelivery])).await.unwrap();
    assert!(not_capable.carrier_services.is_empty());
}
