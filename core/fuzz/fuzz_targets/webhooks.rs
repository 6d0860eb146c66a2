//! Webhook verification and parsing on arbitrary headers, bodies and secrets.
#![no_main]
use libfuzzer_sys::fuzz_target;
use narvar_core::{webhooks, Secret};
use std::time::{Duration, UNIX_EPOCH};

fuzz_target!(|data: &[u8]| {
    let Some((&[split, secret_len], rest)) = data.split_first_chunk::<2>() else { return };
    let (head, rest) = rest.split_at((split as usize).min(rest.len()));
    let (secret, body) = rest.split_at((secret_len as usize % 64).min(rest.len()));
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let headers: Vec<(String, String)> = [webhooks::headers::TOPIC, webhooks::headers::SIGNATURE, webhooks::headers::TIMESTAMP, webhooks::headers::AUTHORIZATION]
        .iter()
        .zip(lines.by_ref())
        .map(|(k, v)| ((*k).to_owned(), v.to_owned()))
        .collect();
    let secret = Secret::new(String::from_utf8_lossy(secret).into_owned());
    let _ = webhooks::verify_hmac(&headers, body, &secret);
    let _ = webhooks::verify_basic(&headers, "narvar", &secret);
    let _ = webhooks::verify_timestamp(&headers, UNIX_EPOCH + Duration::from_secs(1_700_000_000), Duration::from_secs(300), secret_len % 2 == 0);
    let _ = webhooks::parse(&headers, body);
    // A body signed with the secret always verifies.
    let signed = vec![(webhooks::headers::SIGNATURE.to_owned(), webhooks::sign_base64(&secret, body))];
    assert!(webhooks::verify_hmac(&signed, body, &secret).is_ok());
});
