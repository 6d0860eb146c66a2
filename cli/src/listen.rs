//! `narvar listen --forward-to URL`: subscribe to a sandbox's webhooks and forward them.

use crate::{Failure, Global, Outcome};
use narvar::webhooks::{WebhookAuth, WebhookVerifier};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

pub async fn run(g: &Global, forward_to: &str, topics: Vec<String>, max_events: Option<usize>, admin_token: &str) -> Outcome {
    let base = g
        .base_url
        .clone()
        .ok_or_else(|| Failure { message: "listen needs the sandbox's URL: --base-url or NARVAR_BASE_URL".into(), code: 12 })?;
    let secret = format!("whsec_listen_{}", std::process::id());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| Failure::new(format!("cannot listen: {e}")))?;
    let local = format!("http://{}/", listener.local_addr().map_err(|e| Failure::new(e.to_string()))?);
    let http = reqwest::Client::new();
    let mut body = json!({"url": local, "auth": "hmac", "secret": secret, "topics": topics});
    if let Some(a) = &g.account_id {
        body["account_id"] = json!(a);
    }
    let resp = http
        .post(format!("{}/_sandbox/webhooks", base.trim_end_matches('/')))
        .header(narvar_sandbox::ADMIN_TOKEN_HEADER, admin_token)
        .json(&body)
        .send()
        .await
        .map_err(|e| Failure { message: format!("cannot reach the sandbox at {base}: {e}"), code: 10 })?;
    if !resp.status().is_success() {
        return Err(Failure { message: format!("the sandbox refused the webhook: HTTP {}", resp.status()), code: 3 });
    }
    eprintln!("listening on {local}, forwarding to {forward_to} (Ctrl-C to stop)");
    let seen = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(tokio::sync::Notify::new());
    let verifier = WebhookVerifier::new(WebhookAuth::HmacSha256 { secret: narvar::Secret::new(secret) });
    let (fwd, json_out) = (forward_to.to_owned(), g.json);
    let (seen2, done2) = (seen.clone(), done.clone());
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
        let (verifier, http, fwd, seen, done) = (verifier.clone(), http.clone(), fwd.clone(), seen2.clone(), done2.clone());
        async move {
            let hs: Vec<(String, String)> =
                headers.iter().map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned())).collect();
            let Ok(w) = verifier.verify(&hs, &body, SystemTime::now()) else { return axum::http::StatusCode::UNAUTHORIZED };
            let mut req = http.post(&fwd).body(body.to_vec());
            for (k, v) in hs.iter().filter(|(k, _)| k.starts_with("x-narvar-") || k == "content-type") {
                req = req.header(k, v);
            }
            let status = req.send().await.map(|r| r.status().as_u16()).ok();
            if json_out {
                println!("{}", json!({"id": w.id, "topic": w.topic, "forwarded_status": status, "event": w.event}));
            } else {
                println!(
                    "{}  {:<24} -> {}",
                    w.id.as_deref().unwrap_or("?"),
                    w.topic.as_deref().unwrap_or("?"),
                    status.map(|s| s.to_string()).unwrap_or("failed".into())
                );
            }
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            if max_events.is_some_and(|m| n >= m) {
                done.notify_one();
            }
            match status {
                Some(s) if (200..300).contains(&s) => axum::http::StatusCode::OK,
                _ => axum::http::StatusCode::BAD_GATEWAY,
            }
        }
    });
    let server = axum::serve(listener, app);
    tokio::select! {
        r = server => r.map_err(|e| Failure::new(e.to_string()))?,
        _ = tokio::signal::ctrl_c() => {}
        _ = done.notified() => {}
    }
    eprintln!("{} event(s) forwarded", seen.load(Ordering::SeqCst));
    Ok(())
}
