//! The client against servers that lie, stall, flood and redirect: each answer is bounded, typed
//! and says what happened, and nothing is re-sent where it should not be.

mod common;

use narvar::core::{CallOptions, ErrorCode};
use narvar::Client;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What a hostile server does with one request.
#[derive(Clone)]
enum Script {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Sends headers, then chunks forever (until the client goes or 30 s pass).
    EndlessChunks,
    /// Sends headers and a `Content-Length` of `n`, then that many bytes.
    Huge(usize),
    /// Sends headers and then nothing, holding the connection for 30 s.
    Stall,
}

/// A server on loopback running `script` for every request; counts requests and the bytes it
/// managed to write.
struct Hostile {
    url: String,
    requests: Arc<AtomicUsize>,
    written: Arc<AtomicUsize>,
    closed_early: Arc<AtomicUsize>,
}

async fn hostile(script: Script) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let written = Arc::new(AtomicUsize::new(0));
    let closed_early = Arc::new(AtomicUsize::new(0));
    let (r, w, c) = (requests.clone(), written.clone(), closed_early.clone());
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (script, r, w, c) = (script.clone(), r.clone(), w.clone(), c.clone());
            tokio::spawn(async move { serve(socket, script, r, w, c).await });
        }
    });
    Hostile { url, requests, written, closed_early }
}

async fn serve(mut socket: TcpStream, script: Script, r: Arc<AtomicUsize>, w: Arc<AtomicUsize>, c: Arc<AtomicUsize>) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut seen = Vec::new();
    // The request head and its body (by Content-Length), so a body is never left unread.
    loop {
        let Ok(n) = socket.read(&mut buf).await else { return };
        if n == 0 {
            return;
        }
        seen.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().unwrap_or(0)))
                .unwrap_or(0);
            if seen.len() >= end + 4 + length {
                break;
            }
        }
    }
    r.fetch_add(1, Ordering::SeqCst);
    let deadline = Instant::now() + Duration::from_secs(30);
    let written = |n: usize| {
        w.fetch_add(n, Ordering::SeqCst);
    };
    match script {
        Script::Raw(bytes) => {
            let _ = socket.write_all(&bytes).await;
        }
        Script::EndlessChunks => {
            put(
                &mut socket,
                &written,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n[\r\n".to_vec(),
            )
            .await;
            let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "1,".repeat(8 * 1024)).into_bytes();
            while Instant::now() < deadline {
                if !put(&mut socket, &written, chunk.clone()).await {
                    c.fetch_add(1, Ordering::SeqCst);
                    return;
                }
            }
        }
        Script::Huge(n) => {
            put(
                &mut socket,
                &written,
                format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n").into_bytes(),
            )
            .await;
            let block = vec![b' '; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let part = block[..left.min(block.len())].to_vec();
                left -= part.len();
                if !put(&mut socket, &written, part).await {
                    c.fetch_add(1, Ordering::SeqCst);
                    return;
                }
            }
        }
        Script::Stall => {
            put(
                &mut socket,
                &written,
                b"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: 1000\r\n\r\n%PDF".to_vec(),
            )
            .await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

/// Writes `bytes`, counting them; false once the client has gone.
async fn put(socket: &mut TcpStream, written: &impl Fn(usize), bytes: Vec<u8>) -> bool {
    let ok = socket.write_all(&bytes).await.is_ok();
    if ok {
        written(bytes.len());
    }
    ok
}

fn reply(status: &str, headers: &[(&str, &str)], body: &str) -> Script {
    let mut head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    Script::Raw(format!("{head}\r\n{body}").into_bytes())
}

fn client_of(url: &str) -> narvar::ClientBuilder {
    Client::builder()
        .base_url(url)
        .basic_auth("acme", "tok_secret_123")
        .no_rate_budget()
        .max_attempts(1)
        .timeout(Duration::from_secs(10))
}

fn order() -> narvar::core::models::OrderInfo {
    common::order("1001")
}

fn a_return() -> narvar::core::models::ReturnRequest {
    common::a_return("1001")
}

#[tokio::test]
async fn an_endless_body_is_cut_at_the_cap_and_the_connection_dropped() {
    let server = hostile(Script::EndlessChunks).await;
    let client = client_of(&server.url).max_response_bytes(1 << 20).build().unwrap();
    let started = Instant::now();
    let e = client.orders().get("1001").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e}");
    assert!(e.message.contains("larger than the client's limit of 1048576 bytes"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server finds the connection gone: the client stopped reading, it did not drain.
    for _ in 0..100 {
        if server.closed_early.load(Ordering::SeqCst) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.closed_early.load(Ordering::SeqCst), 1);
    assert!(server.written.load(Ordering::SeqCst) < 16 << 20, "{} bytes written", server.written.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_fifty_megabyte_body_is_not_read_whole() {
    let server = hostile(Script::Huge(50 << 20)).await;
    let client = client_of(&server.url).build().unwrap();
    let e = client.orders().get("1001").await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e}");
    assert!(e.message.contains("larger than the client's limit of 8388608 bytes"), "{e}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(server.written.load(Ordering::SeqCst) < 30 << 20, "{} bytes written", server.written.load(Ordering::SeqCst));
}

#[tokio::test]
async fn a_redirect_is_an_error_naming_its_location_and_nothing_is_re_sent() {
    let elsewhere = hostile(reply("200 OK", &[], r#"{"status": "SUCCESS"}"#)).await;
    let location = format!("{}/steal?order_token=abc123", elsewhere.url);
    let server = hostile(reply("307 Temporary Redirect", &[("Location", &location)], "")).await;
    let client = client_of(&server.url).build().unwrap();
    let e = client.orders().create(order()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e}");
    assert!(e.message.contains("redirect (HTTP 307)") && e.message.contains(&format!("{}/steal", elsewhere.url)), "{e}");
    assert!(!e.message.contains("abc123"), "the Location's token is not quoted: {e}");
    assert_eq!(server.requests.load(Ordering::SeqCst), 1);
    assert_eq!(elsewhere.requests.load(Ordering::SeqCst), 0, "the order was sent to the other origin");
}

#[tokio::test]
async fn an_empty_or_unreadable_2xx_to_a_write_is_not_a_success() {
    for body in ["", "<html>ok</html>"] {
        let server = hostile(reply("200 OK", &[("Content-Type", "text/html")], body)).await;
        let client = client_of(&server.url).build().unwrap();
        let e = client.orders().create(order()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode, "{body:?}: {e}");
        let e = client.returns().create(a_return()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Decode, "{body:?}: {e}");
    }
    let server = hostile(reply("200 OK", &[], "{}")).await;
    let e = client_of(&server.url).build().unwrap().returns().create(a_return()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode);
    assert!(e.message.contains("no return_reference_number"), "{e}");
}

#[tokio::test]
async fn an_unknown_envelope_status_is_named_with_its_messages() {
    let body = r#"{"status": "PENDING", "messages": [{"code": "Q1", "message": "queued for review"}]}"#;
    let server = hostile(reply("200 OK", &[("X-Narvar-Request-ID", "req-77")], body)).await;
    let e = client_of(&server.url).build().unwrap().orders().create(order()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(e.message.contains(r#"status "PENDING""#) && e.message.contains("queued for review"), "{e}");
    assert_eq!(e.messages.len(), 1);
    let server = hostile(reply("200 OK", &[], r#"{"status": "HELD"}"#)).await;
    let e = client_of(&server.url).build().unwrap().orders().create(order()).await.unwrap_err();
    assert!(e.message.contains(r#"status "HELD""#) && e.message.contains("no messages"), "{e}");
}

#[tokio::test]
async fn a_429_beyond_the_deadline_names_the_server_its_retry_after_and_request_id() {
    let body = r#"{"status": "FAILURE", "messages": [{"message": "slow down"}]}"#;
    for retry_after in ["120", "3"] {
        let server =
            hostile(reply("429 Too Many Requests", &[("Retry-After", retry_after), ("X-Narvar-Request-ID", "req-429")], body))
                .await;
        // The default rate budget, which halves on a 429, as a user's client has it.
        let client =
            Client::builder().base_url(&server.url).basic_auth("acme", "tok").timeout(Duration::from_secs(4)).build().unwrap();
        let e = client.orders().get("1001").await.unwrap_err();
        assert_eq!(e.code, ErrorCode::RateLimited, "{e}");
        assert!(e.message.contains("HTTP 429"), "Retry-After {retry_after}: {e}");
        assert!(e.message.contains(&format!("Retry-After {retry_after} s")), "{e}");
        assert!(e.message.contains("request id req-429"), "{e}");
        assert!(!e.message.contains("client's rate budget"), "{e}");
        assert_eq!(e.meta.request_id.as_deref(), Some("req-429"));
        assert_eq!(e.retry_after, Some(Duration::from_secs(retry_after.parse().unwrap())));
    }
}

#[tokio::test]
async fn bad_timeouts_are_configuration_errors_naming_the_setting() {
    let e = client_of("http://127.0.0.1:9").timeout(Duration::ZERO).build().unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration);
    assert!(e.message.contains("timeout"), "{e}");
    let e = client_of("http://127.0.0.1:9").timeout(Duration::from_secs(u64::MAX)).build().unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration);
    let e = client_of("http://127.0.0.1:9").max_attempts(0).build().unwrap_err();
    assert!(e.message.contains("max_attempts"), "{e}");
    let client = client_of("http://127.0.0.1:9").build().unwrap();
    let opts = CallOptions { timeout: Some(Duration::ZERO), ..Default::default() };
    let e = client.execute_with(narvar::core::ops::GetOrder { order_number: "1001".into() }, opts).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Configuration, "{e}");
    assert!(e.message.contains("per-call timeout"), "{e}");
    for bad in ["inf", "1e20", "NaN", "-1", "0", "soon"] {
        let e = narvar::core::config::timeout_from_text("NARVAR_TIMEOUT_SECS", bad).unwrap_err();
        assert_eq!(e.code, ErrorCode::Configuration);
        assert!(e.message.contains("NARVAR_TIMEOUT_SECS"), "{bad}: {e}");
    }
}

#[tokio::test]
async fn a_body_refused_with_413_is_a_validation_error_naming_its_size_sent_once() {
    let (sb, client) = common::start().await;
    let mut big = order();
    big.order_items[0].name = Some("x".repeat(10 << 20));
    let client = common::builder_for(&sb, &sb.accounts()[0]).max_attempts(5).build().unwrap_or(client);
    let started = Instant::now();
    let e = client.orders().create(big).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation, "{e}");
    assert!(e.message.contains("HTTP 413") && e.message.contains("bytes as too large"), "{e}");
    assert_eq!(e.meta.attempts, 1, "{e}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_label_download_has_the_clients_deadline_and_cap_and_quotes_no_token() {
    let stalled = hostile(Script::Stall).await;
    let client = client_of(&stalled.url).timeout(Duration::from_millis(500)).build().unwrap();
    let url = format!("{}/labels/R1.pdf?order_token=tok_label_secret", stalled.url);
    let started = Instant::now();
    let e = client.returns().download_label(&url).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(e.code, ErrorCode::Transport, "{e}");
    assert!(!format!("{e} {e:?}").contains("tok_label_secret"), "{e:?}");

    let huge = hostile(Script::Huge(20 << 20)).await;
    let client = client_of(&huge.url).max_response_bytes(1 << 20).build().unwrap();
    let e = client.returns().download_label(&format!("{}/l.pdf?order_token=tok_label_secret", huge.url)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Decode, "{e}");
    assert!(!format!("{e} {e:?}").contains("tok_label_secret"));

    // A real label from the sandbox: through the transport, no credentials needed.
    let (sb, client) = common::start().await;
    let created = client.returns().create(a_return()).await;
    let created = match created {
        Ok(c) => c,
        Err(_) => {
            client.orders().create(order()).await.unwrap();
            client.returns().create(a_return()).await.unwrap()
        }
    };
    let label_url = created.return_methods.iter().find_map(|m| m.label_url.clone()).unwrap();
    let file = client.returns().download_label(&label_url).await.unwrap();
    assert!(file.bytes.starts_with(b"%PDF") || file.bytes.starts_with(b"\x89PNG"), "{:?}", file.value);
    drop(sb);
}
