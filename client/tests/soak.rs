//! Fault soak: 10,000 operations (upserts, gets, shipments, return creations) against the sandbox
//! with 30% injected faults of every kind, bounded in count and time.

mod common;
use common::*;
use narvar::models::Shipment;
use narvar::{CallOptions, Client, CredentialSource, Credentials, ErrorCode, NarvarError};
use narvar_sandbox::{Sandbox, SandboxConfig};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ORDERS: usize = 200;
const OPS_PER_ORDER: usize = 50; // 10,000 in all

struct FromSandbox {
    sandbox: Arc<Sandbox>,
    current: Mutex<Credentials>,
}

impl CredentialSource for FromSandbox {
    fn current(&self) -> Credentials {
        self.current.lock().unwrap().clone()
    }
    fn refresh(&self, rejected: Credentials) -> futures_util::future::BoxFuture<'static, Result<Credentials, NarvarError>> {
        let a = self.sandbox.accounts()[0].clone();
        let mut current = self.current.lock().unwrap();
        if current.basic.as_ref().map(|b| b.auth_token.expose() != a.auth_token).unwrap_or(true) {
            *current = Credentials {
                version: rejected.version.max(current.version) + 1,
                ..Credentials::basic(a.account_id, a.auth_token)
            };
        }
        let fresh = current.clone();
        Box::pin(async move { Ok(fresh) })
    }
}

#[derive(Default)]
struct Counts {
    ok: AtomicU64,
    errors: Mutex<BTreeMap<&'static str, u64>>,
}

impl Counts {
    fn record<T>(&self, r: &Result<T, NarvarError>) {
        match r {
            Ok(_) => {
                self.ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                assert!(!e.message.is_empty() && e.operation.is_some(), "an untyped failure: {e:?}");
                *self.errors.lock().unwrap().entry(e.code.as_str()).or_default() += 1;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_operations_under_thirty_percent_faults() {
    let started = Instant::now();
    let sb = Arc::new(Sandbox::start(SandboxConfig::default()).await.unwrap());
    let source = FromSandbox {
        sandbox: sb.clone(),
        current: Mutex::new(Credentials { version: 1, ..Credentials::basic("acme", "tok_test_acme") }),
    };
    let client = Client::builder()
        .base_url(sb.url())
        .credential_source(source)
        .no_rate_budget()
        .timeout(Duration::from_millis(1500))
        .retry_policy(narvar::core::policy::RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(100),
            trust_idempotency_keys: false,
        })
        .build()
        .unwrap();

    // Order upserts happen first and last: a fault-free baseline, then the soak under faults.
    for i in 0..ORDERS {
        client.orders().create(order(&format!("S-{i}"))).await.unwrap();
    }
    // 30% of requests hit a fault, spread over every kind the sandbox has.
    let kinds = [
        json!({"kind": "status", "status": 429, "retry_after": 0}),
        json!({"kind": "status", "status": 500}),
        json!({"kind": "status", "status": 502}),
        json!({"kind": "status", "status": 503}),
        json!({"kind": "delay", "delay_ms": 20}),
        json!({"kind": "stall_body"}),
        json!({"kind": "drop_before"}),
        json!({"kind": "drop_after"}),
    ];
    let per_kind = 0.29 / kinds.len() as f64;
    for (i, k) in kinds.iter().enumerate() {
        for op in ["orders.create", "orders.get", "orders.add_shipments", "returns.create"] {
            let mut rule = k.clone();
            rule["operation"] = json!(op);
            // Each rule draws independently: the chance that this one fires, given the earlier ones did not.
            rule["probability"] = json!(per_kind / (1.0 - per_kind * i as f64));
            rule["seed"] = json!(i * 10 + op.len());
            fault(&sb, rule);
        }
    }
    fault(&sb, json!({"kind": "expire_credentials", "operation": "orders.get", "probability": 0.002, "seed": 99}));

    let counts = Arc::new(Counts::default());
    // order number → (last acknowledged version, later versions whose outcome is unknown)
    type Acked = HashMap<String, (u64, Vec<u64>)>;
    let last_acked: Arc<Mutex<Acked>> = Arc::default();
    let mut tasks = Vec::new();
    for i in 0..ORDERS {
        let (client, counts, last_acked) = (client.clone(), counts.clone(), last_acked.clone());
        tasks.push(tokio::spawn(async move {
            let n = format!("S-{i}");
            let mut version = 0u64;
            for step in 0..OPS_PER_ORDER {
                match step % 5 {
                    0 | 3 => {
                        version += 1;
                        let mut o = order(&n);
                        o.attributes.insert("version".into(), json!(version));
                        let r = client.orders().create(o).await;
                        let mut acked = last_acked.lock().unwrap();
                        let entry = acked.entry(n.clone()).or_default();
                        match &r {
                            Ok(_) => *entry = (version, Vec::new()),
                            // Unknown outcome: this version may or may not have been written.
                            Err(e) if e.may_have_been_sent == Some(true) || e.code != ErrorCode::Transport => {
                                entry.1.push(version)
                            }
                            Err(_) => {}
                        }
                        counts.record(&r);
                    }
                    1 => counts.record(&client.orders().get(&n).await),
                    2 => {
                        let s: Shipment =
                            serde_json::from_value(json!({"carrier": "ups", "tracking_number": format!("1Z-{n}-{step}"),
                            "items_info": [{"sku": "CUP", "quantity": 1}]}))
                            .unwrap();
                        counts.record(&client.orders().add_shipments(&n, vec![s]).await);
                    }
                    _ => {
                        let opts = CallOptions { idempotency_key: Some(format!("ret-{n}-{step}")), ..Default::default() };
                        counts.record(&client.execute_with(narvar::ops::CreateReturn(a_return(&n)), opts).await);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("no task panicked");
    }
    let soak_time = started.elapsed();

    // Every order's final state is the last value written.
    sb.clear_faults();
    let clean = Client::builder()
        .base_url(sb.url())
        .basic_auth("acme", sb.accounts()[0].auth_token.clone())
        .no_rate_budget()
        .build()
        .unwrap();
    let acked = last_acked.lock().unwrap().clone();
    let mut checked = 0;
    for (n, (last_ok, unknown_after)) in &acked {
        let got = clean.orders().get(n).await.unwrap();
        let v = got.attributes.get("version").and_then(|v| v.as_u64()).unwrap_or(0);
        assert!(
            v == *last_ok || unknown_after.contains(&v),
            "{n}: final version {v}, last acknowledged {last_ok}, unknown {unknown_after:?}"
        );
        checked += 1;
    }
    assert_eq!(checked, ORDERS);

    // No return was created twice by the client's own retries.
    let log = sb.requests();
    let mut created: HashMap<String, u32> = HashMap::new();
    let mut sent: HashMap<String, u32> = HashMap::new();
    for r in log.iter().filter(|r| r.operation.as_deref() == Some("returns.create")) {
        let key = r.idempotency_key.clone().expect("returns carry a key");
        *sent.entry(key.clone()).or_default() += 1;
        if matches!(r.outcome.as_str(), "ok" | "drop_after" | "stall_body") {
            *created.entry(key).or_default() += 1;
        }
    }
    let twice: Vec<_> = created.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "returns created twice: {twice:?}");
    let retried_safely = sent.values().filter(|n| **n > 1).count();

    let total_ops = ORDERS * OPS_PER_ORDER;
    let faulted = log.iter().filter(|r| !matches!(r.outcome.as_str(), "ok" | "replayed" | "unauthorized")).count();
    let errors = counts.errors.lock().unwrap().clone();
    let failed: u64 = errors.values().sum();
    assert_eq!(counts.ok.load(Ordering::Relaxed) + failed, total_ops as u64);
    assert!(faulted as f64 / log.len() as f64 > 0.2, "faults were injected: {faulted} of {}", log.len());
    println!(
        "soak: {total_ops} operations in {soak_time:.1?}: {} ok, {failed} surfaced as typed errors {errors:?}; {} requests sent, {faulted} faulted; \
         {retried_safely} return calls were re-sent (never-sent or refused-before-acting faults) and none created twice; {checked} orders end at their last written version",
        counts.ok.load(Ordering::Relaxed),
        log.len()
    );
    assert!(started.elapsed() < Duration::from_secs(120), "bounded: {:?}", started.elapsed());
}
