//! `narvar demo`: the whole journey against an embedded sandbox, narrated.

use crate::{Failure, Outcome};
use narvar::journey::Journey;
use narvar::models::*;
use narvar::webhooks::{Webhook, WebhookAuth, WebhookVerifier};
use narvar::Client;
use narvar_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const WEBHOOK_SECRET: &str = "whsec_demo";

/// Downloads a return's label next to `path` (the right extension is added).
pub async fn download_label(client: &Client, label: &ReturnLabel, path: &Path) -> Outcome<(PathBuf, usize)> {
    let url = label
        .return_methods
        .iter()
        .find_map(|m| m.label_url.clone())
        .ok_or_else(|| Failure::new("the return has no label URL"))?;
    // Through the client: its deadline, response cap and error messages (which never quote
    // the URL and its order_token).
    let file = client.returns().download_label(&url).await?.into_value();
    let path = if path.extension().is_some() { path.to_path_buf() } else { path.with_extension(file.extension()) };
    std::fs::write(&path, &file.bytes).map_err(|e| Failure::new(format!("cannot write {}: {e}", path.display())))?;
    Ok((path, file.bytes.len()))
}

/// Prints a journey as a table.
pub fn print_journey(j: &Journey) {
    println!("   journey of {} — now {}", j.order_number, j.status);
    for e in &j.entries {
        let at = e.at.as_deref().unwrap_or("(no time)");
        let at = at.get(..16).unwrap_or(at).replace('T', " ");
        let reference = e.tracking_number.as_deref().or(e.return_reference_number.as_deref()).unwrap_or("");
        println!(
            "     {at:<16}  {:<18} {:<9} {:<24} {}",
            e.status.as_str(),
            format!("{:?}", e.source).to_lowercase(),
            reference,
            e.description
        );
    }
    let p = &j.promise;
    println!(
        "   promise: {} ({} on time, {} late, {} exception, {} pending)",
        verdict(p.verdict),
        p.on_time,
        p.late,
        p.exception,
        p.pending
    );
    for s in &j.promises {
        let short =
            |t: &Option<String>| t.as_deref().map(|t| t.get(..16).unwrap_or(t).replace('T', " ")).unwrap_or_else(|| "-".into());
        let late = s.lateness_hours.map(|h| format!(", {h:.1} h late")).unwrap_or_default();
        println!(
            "     {:<24} promised {} ({}), delivered {}: {}{late}",
            s.tracking_number.as_deref().unwrap_or("?"),
            short(&s.promised_by),
            s.promise_source.as_deref().unwrap_or("no promise"),
            short(&s.delivered_at),
            verdict(s.verdict)
        );
    }
}

fn verdict(v: narvar::journey::PromiseVerdict) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

type Received = Arc<Mutex<Vec<Webhook>>>;

/// A local endpoint that verifies and keeps every webhook.
async fn webhook_listener() -> Outcome<(String, Received)> {
    let got: Received = Arc::default();
    let keep = got.clone();
    let verifier = WebhookVerifier::new(WebhookAuth::HmacSha256 { secret: narvar::Secret::new(WEBHOOK_SECRET) });
    let app = axum::Router::new().route(
        "/webhooks",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let (keep, verifier) = (keep.clone(), verifier.clone());
            async move {
                let hs: Vec<(String, String)> =
                    headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned())).collect();
                match verifier.verify(&hs, &body, SystemTime::now()) {
                    Ok(w) => {
                        keep.lock().unwrap_or_else(|p| p.into_inner()).push(w);
                        axum::http::StatusCode::OK
                    }
                    Err(_) => axum::http::StatusCode::UNAUTHORIZED,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| Failure::new(format!("cannot listen for webhooks: {e}")))?;
    let url = format!("http://{}/webhooks", listener.local_addr().map_err(|e| Failure::new(e.to_string()))?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((url, got))
}

/// Waits until every event the sandbox raised has been delivered (or its retries ran out).
async fn wait_for_deliveries(http: &reqwest::Client, sandbox: &Sandbox) {
    let until = Instant::now() + Duration::from_secs(5);
    while Instant::now() < until {
        let events: serde_json::Value = match http
            .get(format!("{}/_sandbox/events", sandbox.url()))
            .header(narvar_sandbox::ADMIN_TOKEN_HEADER, sandbox.admin_token())
            .send()
            .await
        {
            Ok(r) => r.json().await.unwrap_or_default(),
            Err(_) => break,
        };
        let pending = events["events"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|e| e["deliveries"].as_array().into_iter().flatten())
            .any(|d| d["delivered"] != true && d["attempts"].as_u64().unwrap_or(0) < 5);
        if !pending {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn step(n: &mut u32, text: impl AsRef<str>) {
    *n += 1;
    println!("{:>2}. {}", n, text.as_ref());
}

fn timeline(t: &TrackedShipment) {
    for e in &t.events {
        let at = e.timestamp.as_deref().unwrap_or("");
        println!(
            "       {}  {:<17} {}",
            at.get(..16).unwrap_or(at).replace('T', " "),
            e.status.as_ref().map(|s| s.as_str()).unwrap_or("?"),
            e.description.as_deref().unwrap_or("")
        );
    }
}

pub async fn run(out: Option<PathBuf>, json_output: bool) -> Outcome {
    let started = Instant::now();
    let mut n = 0;
    println!("narvar demo: the post-purchase journey against an embedded sandbox (loopback only, no credentials needed)\n");
    let sandbox =
        Sandbox::start(SandboxConfig::default()).await.map_err(|e| Failure::new(format!("cannot start the sandbox: {e}")))?;
    let acct = sandbox.accounts()[0].clone();
    step(&mut n, format!("Started the sandbox at {} (account {})", sandbox.url(), acct.account_id));
    let client = Client::builder()
        .base_url(sandbox.url())
        .basic_auth(acct.account_id.clone(), acct.auth_token.clone())
        .bearer_token(acct.bearer_token.clone())
        .tracking_key(acct.retailer_moniker.clone(), acct.hmac_key.clone())
        .no_rate_budget()
        .timeout(Duration::from_secs(5))
        .build()?;

    let (hook_url, received) = webhook_listener().await?;
    let http = reqwest::Client::new();
    http.post(format!("{}/_sandbox/webhooks", sandbox.url()))
        .header(narvar_sandbox::ADMIN_TOKEN_HEADER, sandbox.admin_token())
        .json(&json!({"url": hook_url, "auth": "hmac", "secret": WEBHOOK_SECRET, "account_id": acct.account_id}))
        .send()
        .await
        .map_err(|e| Failure::new(format!("cannot register the webhook: {e}")))?;
    step(&mut n, format!("Listening for webhooks at {hook_url} (HMAC-SHA256 signed, verified on arrival)"));

    let carriers = client.carriers().list(Default::default()).await?;
    let names: Vec<&str> = carriers.carriers.iter().map(|c| c.carrier_moniker.as_str()).collect();
    step(&mut n, format!("Carriers available to {}: {}", carriers.retailer_moniker.as_deref().unwrap_or("?"), names.join(", ")));
    let account: CarrierAccountRequest = serde_json::from_value(json!({
        "carrier_moniker": "postnord", "capabilities": ["returns_label"], "products": ["returns"], "is_active": true,
        "account_alias": "acme-postnord-returns", "carrier_services": ["PN_PARCEL"],
        "credentials": {"api_key": "pn_demo_key", "party_id": "277000941", "party_id_type": "160", "issuer_code": "Z11"}}))
    .map_err(|e| Failure::new(e.to_string()))?;
    let created = client.carrier_accounts().create(account).await?;
    step(
        &mut n,
        format!(
            "Created carrier account {} for {} (id {}; credentials sent, never echoed back)",
            created.account_alias,
            created.carrier_moniker,
            created.account_identifier.as_deref().unwrap_or("?")
        ),
    );

    // Promised on the sandbox's clock: the mugs within 48 h, the order (the kettle) within 36 h.
    let in_hours = |h: i64| (chrono::Utc::now() + chrono::Duration::hours(h)).to_rfc3339();
    let order: OrderInfo = serde_json::from_value(json!({
        "order_number": "DEMO-1001", "order_date": "2026-11-20T17:45:00Z", "currency_code": "USD",
        "order_promise_date": in_hours(36),
        "order_items": [
            {"sku": "MUG-BLU-12", "item_id": "L1", "name": "Blue mug, 12 oz", "quantity": 2, "unit_price": 14.5,
             "item_promise_date": in_hours(48)},
            {"sku": "KETTLE-01", "item_id": "L2", "name": "Kettle", "quantity": 1, "unit_price": "49.00"}],
        "customer": {"customer_id": "C-88", "email": "ada@example.test"},
        "billing": {"amount": 78.0, "billed_to": {"first_name": "Ada", "last_name": "Rowe"}}}))
    .map_err(|e| Failure::new(e.to_string()))?;
    let r = client.orders().create(order).await?;
    step(&mut n, format!("Created order DEMO-1001 with 2 lines (request {})", r.meta.request_id.as_deref().unwrap_or("?")));

    let shipments: Vec<Shipment> = serde_json::from_value(json!([
        {"carrier": "usps", "tracking_number": "9400100000000000000017", "ship_date": "2026-11-21",
         "items_info": [{"sku": "MUG-BLU-12", "item_id": "L1", "quantity": 2}],
         "shipped_to": {"first_name": "Ada", "address": {"street_1": "12 Elm St", "city": "Austin", "state": "TX", "zip": "78701", "country": "US"}}},
        {"carrier": "ups", "tracking_number": "1Z999AA10123456784", "ship_date": "2026-11-21",
         "items_info": [{"sku": "KETTLE-01", "item_id": "L2", "quantity": 1}],
         "attributes": {"sandbox_scenario": "delivery_exception"}}]))
    .map_err(|e| Failure::new(e.to_string()))?;
    client.orders().add_shipments("DEMO-1001", shipments).await?;
    step(&mut n, "Added two shipments: USPS 9400100000000000000017 (mugs) and UPS 1Z999AA10123456784 (kettle)");

    sandbox.advance(Duration::from_secs(41 * 3600));
    let tracking = client.tracking().by_order("DEMO-1001").await?;
    step(&mut n, "Advanced the sandbox clock 41 hours; tracking by order (HMAC-signed):");
    for t in &tracking.shipments {
        println!(
            "     {} {} — {}",
            t.carrier.as_deref().unwrap_or("?"),
            t.tracking_number.as_deref().unwrap_or("?"),
            t.status.as_ref().map(|s| s.as_str()).unwrap_or("?")
        );
        timeline(t);
    }
    let exception = tracking.shipments.iter().find(|t| t.status == Some(TrackingStatus::Exception));
    step(
        &mut n,
        match exception {
            Some(t) => format!(
                "Delivery exception on {}: {}",
                t.tracking_number.as_deref().unwrap_or("?"),
                t.status_description.as_deref().unwrap_or("?")
            ),
            None => "No delivery exception (unexpected)".to_owned(),
        },
    );

    let request: ReturnRequest = serde_json::from_value(json!({"order_number": "DEMO-1001", "billing_zip": "78701", "carrier": "usps",
        "email": "ada@example.test", "order_items": [{"sku": "KETTLE-01", "quantity": 1, "return_reason_code": "NOT_DELIVERED"}]}))
    .map_err(|e| Failure::new(e.to_string()))?;
    let label = client.returns().create(request).await?;
    let rrn = label.return_reference_number.clone().unwrap_or_default();
    let dir = match out {
        Some(d) => d,
        None => std::env::temp_dir().join(format!("narvar-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Failure::new(format!("cannot create {}: {e}", dir.display())))?;
    let (path, bytes) = download_label(&client, &label, &dir.join(format!("return-label-{rrn}"))).await?;
    step(&mut n, format!("Created return {rrn}; downloaded its label to {} ({bytes} bytes)", path.display()));

    sandbox.advance(Duration::from_secs(4 * 24 * 3600));
    let ret = client.returns().get(&rrn).await?;
    step(
        &mut n,
        format!(
            "Advanced the clock 4 days: return {rrn} is now {}",
            ret.return_status.as_ref().map(|s| s.as_str()).unwrap_or("?")
        ),
    );

    wait_for_deliveries(&http, &sandbox).await;
    let mut hooks = received.lock().unwrap_or_else(|p| p.into_inner()).clone();
    hooks.sort_by(|a, b| a.id.cmp(&b.id));
    step(&mut n, format!("Webhooks received and verified: {}", hooks.len()));
    for w in &hooks {
        let detail = match &w.event {
            narvar::webhooks::WebhookEvent::Topic { data, .. } => {
                data.status.clone().or(data.return_reference_number.clone()).unwrap_or_default()
            }
            _ => String::new(),
        };
        println!("     {:<24} {:<11} {}", w.topic.as_deref().unwrap_or("?"), w.id.as_deref().unwrap_or("?"), detail);
    }

    let journey = client.journey_with("DEMO-1001", &[], &hooks).await?;
    step(&mut n, "The normalized journey:");
    if json_output {
        println!("{}", serde_json::to_string(&journey).unwrap_or_default());
    } else {
        print_journey(&journey);
    }
    println!("\nDone in {:.1} s. Everything ran on 127.0.0.1.", started.elapsed().as_secs_f64());
    Ok(())
}
