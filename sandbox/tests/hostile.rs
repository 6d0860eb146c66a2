//! The sandbox against hostile clients: web pages, half-open sockets, floods and bad admin input.
//! Every test is bounded in time and talks only to loopback.

mod common;

use common::*;
use narvar_sandbox::{Sandbox, SandboxConfig, ADMIN_TOKEN_HEADER};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Whether the server closes `s` within `within` (a read returns 0 or an error other than a timeout).
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) => return !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
        }
    }
}

#[tokio::test]
async fn admin_routes_need_the_token_and_answer_no_web_page() {
    let (sb, _d) = start().await;
    let url = format!("{}/_sandbox/accounts", sb.url());
    let anonymous = http().get(&url).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.headers().get("access-control-allow-origin").is_none());
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["messages"][0]["code"], "sandbox.admin_token");
    assert!(!body.to_string().contains("tok_test_"), "no token leaks: {body}");
    let wrong = http().get(&url).header(ADMIN_TOKEN_HEADER, "sbx_guess").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let ok = http()
        .get(&url)
        .header(ADMIN_TOKEN_HEADER, sb.admin_token())
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(ok.headers().get("access-control-allow-origin").is_none(), "admin answers carry no CORS header");
    // A browser's preflight for an admin write finds no CORS either.
    let preflight = http()
        .request(reqwest::Method::OPTIONS, format!("{}/_sandbox/reset", sb.url()))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
    // The API keeps CORS (a browser return portal calls it), and labels stay public.
    let api = http().get(format!("{}/api/v1/orders/1", sb.url())).header("origin", "https://shop.example").send().await.unwrap();
    assert_eq!(api.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"));
    let label = http().get(format!("{}/_sandbox/labels/NOPE.pdf", sb.url())).send().await.unwrap();
    assert_eq!(label.status(), 404, "labels need no admin token, only a real return");
}

#[tokio::test]
async fn admin_writes_need_json_and_a_small_body_and_refuse_in_json() {
    let (sb, _d) = start().await;
    let post = |path: &str, content_type: &str, body: Vec<u8>| {
        http()
            .post(format!("{}{path}", sb.url()))
            .header(ADMIN_TOKEN_HEADER, sb.admin_token())
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let plain = post("/_sandbox/reset", "text/plain", b"{}".to_vec()).await.unwrap();
    assert_eq!(plain.status(), 415);
    assert_eq!(plain.json::<Value>().await.unwrap()["status"], "FAILURE");
    let lookalike = post("/_sandbox/reset", "application/jsonfoo", b"{}".to_vec()).await.unwrap();
    assert_eq!(lookalike.status(), 415);
    let huge = post("/_sandbox/faults", "application/json", vec![b' '; 2 << 20]).await.unwrap();
    assert_eq!(huge.status(), 413);
    assert_eq!(huge.json::<Value>().await.unwrap()["messages"][0]["code"], "request.too_large", "413 is the JSON envelope");
    let ok = post("/_sandbox/reset", "application/json; charset=utf-8", b"{}".to_vec()).await.unwrap();
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn webhook_targets_are_loopback_unless_the_sandbox_allows_more() {
    let (sb, _d) = start().await;
    for url in ["http://203.0.113.7/hook", "http://example.com/hook", "http://10.0.0.1/hook", "http://[::ffff:203.0.113.7]/x"] {
        let r = admin_post(&sb, "/_sandbox/webhooks", json!({"url": url, "auth": "hmac", "secret": "s"})).await;
        assert_eq!(r["status"], "FAILURE", "{url}: {r}");
        assert!(r.to_string().contains("loopback"), "{r}");
    }
    for url in ["http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook"] {
        let r = admin_post(&sb, "/_sandbox/webhooks", json!({"url": url, "auth": "hmac", "secret": "s"})).await;
        assert!(r["id"].is_string(), "{url}: {r}");
    }
    let open = Sandbox::start(SandboxConfig { allow_remote_webhooks: true, ..SandboxConfig::default() }).await.unwrap();
    // Registered only (no event is raised, so nothing is ever sent there).
    let r =
        admin_post(&open, "/_sandbox/webhooks", json!({"url": "http://203.0.113.7/hook", "auth": "hmac", "secret": "s"})).await;
    assert!(r["id"].is_string(), "{r}");
}

#[tokio::test]
async fn half_open_and_idle_connections_are_closed() {
    let config = SandboxConfig {
        header_read_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(800),
        ..SandboxConfig::default()
    };
    let sb = Sandbox::start(config).await.unwrap();
    let addr = sb.addr();
    let (silent, partial, idle) = tokio::task::spawn_blocking(move || {
        let mut silent = TcpStream::connect(addr).unwrap();
        let silent_closed = closed_within(&mut silent, Duration::from_secs(3));
        let mut partial = TcpStream::connect(addr).unwrap();
        partial.write_all(b"GET /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\n").unwrap();
        let partial_closed = closed_within(&mut partial, Duration::from_secs(3));
        // A keep-alive connection that answered once, then sits idle.
        let mut idle = TcpStream::connect(addr).unwrap();
        idle.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let idle_closed = closed_within(&mut idle, Duration::from_secs(4));
        (silent_closed, partial_closed, idle_closed)
    })
    .await
    .unwrap();
    assert!(silent, "a connection that never sends is closed");
    assert!(partial, "a connection that never finishes its headers is closed");
    assert!(idle, "an idle keep-alive connection is closed");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let sb = Sandbox::start(SandboxConfig { max_connections: 3, ..SandboxConfig::default() }).await.unwrap();
    let addr = sb.addr();
    let (waited, served) = tokio::task::spawn_blocking(move || {
        let held: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(addr).unwrap()).collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut extra = TcpStream::connect(addr).unwrap(); // in the backlog
        extra.write_all(b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        extra.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
        let mut buf = [0u8; 64];
        let waited = matches!(extra.read(&mut buf), Err(ref e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
        drop(held);
        extra.set_read_timeout(Some(Duration::from_secs(3))).unwrap();
        let n = extra.read(&mut buf).unwrap_or(0);
        (waited, String::from_utf8_lossy(&buf[..n]).into_owned())
    })
    .await
    .unwrap();
    assert!(waited, "the fourth connection is not served while three are open");
    assert!(served.starts_with("HTTP/1.1 200"), "{served:?}");
}

#[test]
fn out_of_file_descriptors_the_accept_loop_backs_off_instead_of_spinning() {
    // The binary with 48 file descriptors, flooded with connections: accept() fails with EMFILE.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let bin = env!("CARGO_BIN_EXE_narvar-sandbox");
    let mut child = std::process::Command::new("bash")
        .args(["-c", &format!("ulimit -n 48 && exec {bin} --port {port}")])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = [0u8; 32];
    let _ = child.stdout.as_mut().unwrap().read(&mut line); // started
    let held: Vec<TcpStream> = (0..80).filter_map(|_| TcpStream::connect(("127.0.0.1", port)).ok()).collect();
    let cpu = |pid: u32| -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
        let ticks: f64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0.0)
            + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0.0);
        ticks / 100.0
    };
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu(child.id());
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(1));
    let used = cpu(child.id()) - before;
    let elapsed = started.elapsed().as_secs_f64();
    drop(held);
    let _ = child.kill();
    let _ = child.wait();
    assert!(used < 0.25 * elapsed, "the sandbox used {used:.2} s of CPU in {elapsed:.2} s while out of file descriptors");
}

#[tokio::test]
async fn the_request_log_is_bounded_truncated_and_paged() {
    let (sb, _d) = start().await;
    let long = "x".repeat(8 * 1024);
    let client = http();
    for i in 0..300 {
        let _ = client.get(format!("{}/api/v1/orders/{i}?q={long}", sb.url())).send().await.unwrap();
    }
    let page = admin(&sb, "/_sandbox/requests?limit=100").await;
    let records = page["requests"].as_array().unwrap();
    assert_eq!(records.len(), 100);
    assert!(records.iter().all(|r| r["path"].as_str().unwrap().len() <= 512 + 3), "long paths are cut");
    let next = page["next"].as_u64().unwrap();
    let rest = admin(&sb, &format!("/_sandbox/requests?after={next}")).await;
    assert_eq!(rest["requests"].as_array().unwrap().len(), 200);
    assert!(rest["next"].is_null());
    let bad = admin(&sb, "/_sandbox/requests?limit=100000").await;
    assert_eq!(bad["status"], "FAILURE");
    let total: usize = sb.requests().iter().map(|r| r.path.len()).sum();
    assert!(total < 300 * 600, "{total} bytes of paths kept");
}

#[tokio::test]
async fn admin_inputs_that_would_overflow_are_named_and_refused() {
    let (sb, d) = start().await;
    for (body, field) in [
        (json!({"seconds": i64::MAX}), "seconds"),
        (json!({"hours": i64::MAX / 2}), "hours"),
        (json!({"days": i64::MAX}), "days"),
        (json!({"days": -1}), "days"),
    ] {
        let r = admin_post(&sb, "/_sandbox/clock/advance", body.clone()).await;
        assert_eq!(r["status"], "FAILURE", "{body}: {r}");
        assert!(r.to_string().contains(field), "{body}: {r}");
    }
    let r = admin_post(&sb, "/_sandbox/rate-limit", json!({"requests": 1, "per_seconds": u64::MAX})).await;
    assert!(r.to_string().contains("per_seconds"), "{r}");
    // The sandbox still serves.
    let e = call(&d, narvar_core::ops::GetOrder { order_number: "1".into() }).await.unwrap_err();
    assert_eq!(e.code, narvar_core::ErrorCode::NotFound);
}

#[tokio::test]
async fn api_auth_schemes_are_case_insensitive_and_json_means_json() {
    let (sb, _d) = start().await;
    let a = &sb.accounts()[0];
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", a.account_id, a.auth_token));
    let r = http()
        .get(format!("{}/api/v1/orders/1", sb.url()))
        .header("authorization", format!("basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "a lowercase scheme is Basic too");
    let r = http()
        .get(format!("{}/carriers", sb.url()))
        .header("authorization", format!("bearer {}", a.bearer_token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = http()
        .post(format!("{}/api/v1/orders", sb.url()))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/jsonfoo")
        .body(json!({"order_info": {"order_number": "1"}}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
}

#[test]
fn binding_beyond_loopback_warns_that_the_credentials_are_well_known() {
    let bin = env!("CARGO_BIN_EXE_narvar-sandbox");
    let mut child = std::process::Command::new(bin)
        .args(["--host", "0.0.0.0", "--port", "0"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut text = String::new();
    let _ = std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stderr.take().unwrap()), &mut text);
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("warning") && text.contains("well known"), "{text}");
}
