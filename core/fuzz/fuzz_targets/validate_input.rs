//! Validation and request building of every operation on arbitrary JSON input: never a panic,
//! and every refusal names at least one field or says why.
#![no_main]
use libfuzzer_sys::fuzz_target;
use narvar_core::ops::RequestContext;
use narvar_core::{Credentials, Environment, ErrorCode, REGISTRY};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let endpoints = Environment::Staging.endpoints();
    let mut credentials = Credentials::basic("acme", "tok");
    credentials.bearer = Some("bearer".into());
    let ctx = RequestContext { endpoints: &endpoints, credentials: &credentials, tracer_id: "t", user_agent: "ua", now_unix: 1_700_000_000, idempotency_key: Some("k") };
    for entry in REGISTRY {
        match entry.build_value(&input, &ctx) {
            Ok(request) => assert!(request.url.starts_with(&endpoints.api) || request.url.starts_with(&endpoints.promise_public)),
            Err(e) if e.code == ErrorCode::Validation => assert!(!e.message.is_empty()),
            Err(e) => assert!(!e.message.is_empty(), "{}", entry.info.name),
        }
    }
});
