//! Delivering events to registered endpoints, with the headers Narvar's webhooks carry, retried
//! with back-off on anything but 2xx.

use crate::server::Shared;
use crate::state::WebhookEndpoint;
use base64::Engine as _;
use narvar_core::webhooks::headers;
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// Attempts per delivery.
pub const ATTEMPTS: u32 = 5;

/// Delivers one event to one endpoint: up to 5 attempts, 100 ms doubling between them.
///
/// `X-Narvar-Timestamp` is the real time of each attempt (what a receiver's replay window
/// compares with its own clock); the payload's `occurred_at` is simulated time.
pub async fn deliver(shared: Arc<Shared>, event_id: String, topic: String, payload: Value, endpoint: WebhookEndpoint) {
    let body = serde_json::to_vec(&payload).unwrap_or_default();
    for attempt in 0..ATTEMPTS {
        let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let mut req = shared
            .http
            .post(&endpoint.url)
            .header("content-type", "application/json")
            .header(headers::TOPIC, &topic)
            .header(headers::TIMESTAMP, timestamp.to_string())
            .header(headers::WEBHOOK_ID, &event_id)
            .header(headers::API_VERSION, headers::API_VERSION_VALUE)
            .timeout(Duration::from_secs(5));
        if let (Some(user), Some(secret)) = (&endpoint.username, &endpoint.secret) {
            let b = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"));
            req = req.header("authorization", format!("Basic {b}"));
        } else if let Some(secret) = &endpoint.secret {
            req = req.header(
                headers::SIGNATURE,
                narvar_core::webhooks::sign_base64(&narvar_core::Secret::new(secret.as_str()), &body),
            );
        }
        let status = req.body(body.clone()).send().await.ok().map(|r| r.status().as_u16());
        let delivered = status.is_some_and(|s| (200..300).contains(&s));
        {
            let mut w = shared.world();
            if let Some(d) = w
                .events
                .iter_mut()
                .find(|e| e.id == event_id)
                .and_then(|e| e.deliveries.iter_mut().find(|d| d.endpoint_id == endpoint.id))
            {
                d.attempts = attempt + 1;
                d.last_status = status;
                d.delivered = delivered;
            }
        }
        if delivered {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
    }
}
