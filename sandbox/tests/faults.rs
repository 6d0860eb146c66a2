//! Every fault kind, the rate limit, idempotency, and expired credentials.

mod common;
use common::*;
use narvar_core::ops::*;
use narvar_core::{CallOptions, ErrorCode};
use narvar_sandbox::{FaultKind, FaultRule, SandboxConfig};
use serde_json::json;
use std::time::{Duration, Instant};

fn rule(kind: FaultKind, operation: &str) -> FaultRule {
    serde_json::from_value(json!({"kind": kind, "operation": operation})).unwrap()
}

#[tokio::test]
async fn status_faults_answer_without_acting_and_count_down() {
    let (sb, d) = start().await;
    let mut r = rule(FaultKind::Status, "orders.create");
    r.status = Some(503);
    r.times = Some(2);
    sb.add_fault(r).unwrap();
    for _ in 0..2 {
        let e = call(&d, CreateOrder(order("1001"))).await.unwrap_err();
        assert_eq!((e.code, e.meta.status), (ErrorCode::Server, Some(503)));
    }
    assert_eq!(
        call(&d, GetOrder { order_number: "1001".into() }).await.unwrap_err().code,
        ErrorCode::NotFound,
        "a status fault does not act"
    );
    call(&d, CreateOrder(order("1001"))).await.unwrap();
    // With retries, the SDK gets through a 502 and a 429 with Retry-After.
    let retrying = driver_with(sb.url(), credentials(&sb.accounts()[0]), Duration::from_secs(10), 3);
    let mut r = rule(FaultKind::Status, "orders.get");
    r.status = Some(429);
    r.retry_after = Some(1);
    r.times = Some(1);
    sb.add_fault(r).unwrap();
    let started = Instant::now();
    let out = call(&retrying, GetOrder { order_number: "1001".into() }).await.unwrap();
    assert_eq!(out.meta.attempts, 2);
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After: 1 was honoured");
    let log = sb.requests();
    assert_eq!(log.iter().filter(|r| r.outcome == "status").count(), 3);
}

#[tokio::test]
async fn delay_faults_delay() {
    let (sb, d) = start().await;
    let mut r = rule(FaultKind::Delay, "orders.get");
    r.delay_ms = Some(300);
    sb.add_fault(r).unwrap();
    let started = Instant::now();
    let _ = call(&d, GetOrder { order_number: "1001".into() }).await;
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn a_stalled_body_trips_the_total_timeout() {
    let (sb, _) = start().await;
    sb.add_fault(rule(FaultKind::StallBody, "orders.create")).unwrap();
    let d = driver_with(sb.url(), credentials(&sb.accounts()[0]), Duration::from_millis(700), 1);
    let started = Instant::now();
    let e = call(&d, CreateOrder(order("1001"))).await.unwrap_err();
    assert_eq!((e.code, e.may_have_been_sent), (ErrorCode::Transport, Some(true)));
    assert!(e.to_string().contains("timed out"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn dropped_before_processing_means_nothing_happened() {
    let (sb, d) = start().await;
    let mut r = rule(FaultKind::DropBefore, "orders.create");
    r.times = Some(1);
    sb.add_fault(r).unwrap();
    let e = call(&d, CreateOrder(order("1001"))).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Transport);
    assert_eq!(call(&d, GetOrder { order_number: "1001".into() }).await.unwrap_err().code, ErrorCode::NotFound);
}

#[tokio::test]
async fn dropped_after_processing_means_the_write_happened() {
    let (sb, d) = start().await;
    call(&d, CreateOrder(order("1001"))).await.unwrap();
    let mut r = rule(FaultKind::DropAfter, "returns.create");
    r.times = Some(1);
    sb.add_fault(r).unwrap();
    // The SDK with retries does not re-send a return whose answer was lost.
    let retrying = driver_with(sb.url(), credentials(&sb.accounts()[0]), Duration::from_secs(5), 5);
    let e = call(&retrying, CreateReturn(a_return("1001"))).await.unwrap_err();
    assert_eq!((e.code, e.may_have_been_sent), (ErrorCode::Transport, Some(true)));
    let creates: Vec<_> = sb.requests().into_iter().filter(|r| r.operation.as_deref() == Some("returns.create")).collect();
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].outcome, "drop_after");
    let events = admin(&sb, "/_sandbox/events?topic=initiated").await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1, "the return was created once");
}

#[tokio::test]
async fn probability_faults_are_deterministic_for_a_seed() {
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let (sb, d) = start().await;
        let mut r = rule(FaultKind::Status, "orders.get");
        r.status = Some(500);
        r.probability = Some(0.3);
        r.seed = Some(42);
        sb.add_fault(r).unwrap();
        let mut seen = Vec::new();
        for _ in 0..40 {
            seen.push(call(&d, GetOrder { order_number: "x".into() }).await.unwrap_err().code == ErrorCode::Server);
        }
        outcomes.push(seen);
    }
    assert_eq!(outcomes[0], outcomes[1]);
    let fired = outcomes[0].iter().filter(|f| **f).count();
    assert!((4..=20).contains(&fired), "about 30% of 40: {fired}");
}

#[tokio::test]
async fn expired_credentials_give_401_until_the_new_ones_are_used() {
    let (sb, d) = start().await;
    let mut r = rule(FaultKind::ExpireCredentials, "orders.get");
    r.times = Some(1);
    sb.add_fault(r).unwrap();
    let e = call(&d, GetOrder { order_number: "1001".into() }).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Authentication);
    assert_eq!(
        call(&d, GetOrder { order_number: "1001".into() }).await.unwrap_err().code,
        ErrorCode::Authentication,
        "stays expired"
    );
    let fresh = sb.accounts()[0].clone();
    assert_ne!(fresh.auth_token, "tok_test_acme");
    let d2 = driver_with(sb.url(), credentials(&fresh), Duration::from_secs(5), 1);
    assert_eq!(call(&d2, GetOrder { order_number: "1001".into() }).await.unwrap_err().code, ErrorCode::NotFound);
}

#[tokio::test]
async fn faults_are_settable_by_path_and_from_the_config() {
    let config = SandboxConfig {
        faults: vec![serde_json::from_value(
            json!({"kind": "status", "status": 502, "path": "/api/v1/orders/9", "method": "GET"}),
        )
        .unwrap()],
        ..SandboxConfig::default()
    };
    let (_sb, d) = start_with(config).await;
    assert_eq!(call(&d, GetOrder { order_number: "9".into() }).await.unwrap_err().meta.status, Some(502));
    assert_eq!(call(&d, GetOrder { order_number: "8".into() }).await.unwrap_err().meta.status, Some(200));
}

#[tokio::test]
async fn bad_fault_rules_are_refused() {
    let (sb, _d) = start().await;
    let resp = http()
        .post(format!("{}/_sandbox/faults", sb.url()))
        .header(narvar_sandbox::ADMIN_TOKEN_HEADER, sb.admin_token())
        .json(&json!({"kind": "status", "operation": "orders.nope", "status": 500}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = http()
        .post(format!("{}/_sandbox/faults", sb.url()))
        .header(narvar_sandbox::ADMIN_TOKEN_HEADER, sb.admin_token())
        .json(&json!({"kind": "status", "operation": "orders.get"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let ok = admin_post(&sb, "/_sandbox/faults", json!([{"kind": "delay", "operation": "orders.get", "delay_ms": 1}])).await;
    assert_eq!(ok["ids"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let config = SandboxConfig { rate_limit: Some((3, Duration::from_secs(60))), ..SandboxConfig::default() };
    let (sb, d) = start_with(config).await;
    for _ in 0..3 {
        assert_eq!(call(&d, GetOrder { order_number: "1".into() }).await.unwrap_err().code, ErrorCode::NotFound);
    }
    let e = call(&d, GetOrder { order_number: "1".into() }).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::RateLimited);
    assert_eq!(e.retry_after, Some(Duration::from_secs(20)));
    // Per account: globex still has its budget.
    let globex = driver_with(sb.url(), credentials(&sb.accounts()[1]), Duration::from_secs(5), 1);
    assert_eq!(call(&globex, GetOrder { order_number: "1".into() }).await.unwrap_err().code, ErrorCode::NotFound);
    admin_post(&sb, "/_sandbox/rate-limit", json!({"enabled": false})).await;
    assert_eq!(call(&d, GetOrder { order_number: "1".into() }).await.unwrap_err().code, ErrorCode::NotFound);
}

#[tokio::test]
async fn idempotency_keys_replay_and_conflict() {
    let (sb, d) = start().await;
    call(&d, CreateOrder(order("1001"))).await.unwrap();
    let opts = CallOptions { idempotency_key: Some("key-1".into()), ..Default::default() };
    let first = d.execute(&CreateReturn(a_return("1001")), &opts).await.unwrap().value;
    let again = d.execute(&CreateReturn(a_return("1001")), &opts).await.unwrap();
    assert_eq!(again.value.return_reference_number, first.return_reference_number);
    assert!(again.meta.headers.iter().any(|(k, v)| k == "idempotent-replayed" && v == "true"));
    let mut other = a_return("1001");
    other.order_items[0].return_reason_code = Some("TOO_BIG".into());
    let e = d.execute(&CreateReturn(other), &opts).await.unwrap_err();
    assert_eq!((e.code, e.meta.status), (ErrorCode::Conflict, Some(409)));
    let events = admin(&sb, "/_sandbox/events?topic=initiated").await;
    assert_eq!(events["events"].as_array().unwrap().len(), 1);
}
