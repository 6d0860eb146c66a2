//! Runs a whole scenario — successes, retries, every error kind the sandbox can cause — with
//! tracing at TRACE, and greps every log line and every error (Display, Debug, JSON) for the
//! test secrets: 0 hits.

mod common;
use common::*;
use narvar::models::CarrierAccountRequest;
use narvar::ops::ListCarriers;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test]
async fn no_secret_reaches_logs_or_errors() {
    let capture = Capture::default();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_writer(capture.clone()).with_ansi(false).finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (sb, _) = start().await;
    let client = builder_for(&sb, &sb.accounts()[0]).max_attempts(3).timeout(Duration::from_secs(3)).build().unwrap();
    let mut seen = Vec::new();
    let mut note = |r: Result<String, narvar::NarvarError>| match r {
        Ok(s) => seen.push(s),
        Err(e) => seen.push(format!("{e} | {e:?} | {}", e.to_json())),
    };
    note(client.orders().create(order("1001")).await.map(|r| format!("{r:?}")));
    note(client.orders().get("nope").await.map(|r| format!("{r:?}")));
    note(client.tracking().by_order("1001").await.map(|r| format!("{r:?}")));
    fault(&sb, serde_json::json!({"kind": "status", "status": 503, "operation": "orders.get", "times": 2}));
    note(client.orders().get("1001").await.map(|r| format!("{r:?}")));
    fault(&sb, serde_json::json!({"kind": "drop_after", "operation": "returns.create", "times": 1}));
    note(client.returns().create(a_return("1001")).await.map(|r| format!("{r:?}")));
    let acc: CarrierAccountRequest = serde_json::from_value(serde_json::json!({"carrier_moniker": "postnord", "capabilities": ["returns_label"],
        "products": ["returns"], "account_alias": "a1", "credentials": {"api_key": "pn_secret_api_key", "party_id": "1", "party_id_type": "2", "issuer_code": "Z"}})).unwrap();
    note(client.carrier_accounts().create(acc.clone()).await.map(|r| format!("{r:?}")));
    note(client.carrier_accounts().create(acc.clone()).await.map(|r| format!("{r:?}")));
    note(client.carriers().list(ListCarriers::default()).await.map(|r| format!("{r:?}")));
    let wrong = builder_for(&sb, &sb.accounts()[0])
        .basic_auth("acme", "tok_wrong_secret")
        .tracking_key("acme", "hk_wrong_secret")
        .build()
        .unwrap();
    note(wrong.orders().get("1001").await.map(|r| format!("{r:?}")));
    note(wrong.tracking().by_order("1001").await.map(|r| format!("{r:?}")));
    fault(&sb, serde_json::json!({"kind": "expire_credentials", "operation": "orders.get", "times": 1}));
    note(client.orders().get("1001").await.map(|r| format!("{r:?}")));
    seen.push(format!("{client:?} {acc:?}"));

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("narvar.call") && logs.contains("narvar.attempt"), "tracing spans were recorded");
    let everything = format!("{logs}\n{}", seen.join("\n"));
    let secrets = [
        "tok_test_acme",
        "bear_test_acme",
        "hk_test_acme",
        "pn_secret_api_key",
        "tok_wrong_secret",
        "hk_wrong_secret",
        "YWNtZTp0b2tfdGVzdF9hY21l",
    ];
    let hits: Vec<&str> = secrets.iter().copied().filter(|s| everything.contains(s)).collect();
    assert!(hits.is_empty(), "secrets leaked: {hits:?}");
    println!("grepped {} log bytes and {} results/errors for {} secrets: 0 hits", logs.len(), seen.len(), secrets.len());
}
