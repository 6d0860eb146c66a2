//! Test helpers: core's driver over reqwest, against a sandbox on loopback.
#![allow(dead_code)]

use narvar_core::config::{BasicAuth, Credentials, StaticCredentials, TrackingKey};
use narvar_core::http::{Entropy, HttpRequest, HttpResponse, Sleep, Transport, TransportError};
use narvar_core::{CallOptions, Driver, DriverConfig, Environment, NarvarError, Operation, Response, Secret};
use narvar_sandbox::{Sandbox, SandboxConfig, TestAccount};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The client crate's reqwest transport, as the core's driver takes one.
pub struct Reqwest(pub narvar::ReqwestTransport);

impl Transport for Reqwest {
    async fn send(&self, r: HttpRequest) -> Result<HttpResponse, TransportError> {
        narvar::HttpTransport::send(&self.0, r).await
    }
}

pub struct Tokio(pub std::time::Instant);

impl Sleep for Tokio {
    async fn sleep(&self, d: Duration) {
        tokio::time::sleep(d).await
    }
    fn monotonic(&self) -> Duration {
        self.0.elapsed()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

pub struct Ids(pub AtomicU64);

impl Entropy for Ids {
    fn unit(&self) -> f64 {
        0.5
    }
    fn new_id(&self) -> String {
        format!("test-{}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

pub type TestDriver = Driver<Reqwest, Tokio, Ids, StaticCredentials>;

pub fn credentials(a: &TestAccount) -> Credentials {
    Credentials {
        basic: Some(BasicAuth { account_id: a.account_id.clone(), auth_token: Secret::new(a.auth_token.as_str()) }),
        bearer: Some(Secret::new(a.bearer_token.as_str())),
        tracking: Some(TrackingKey { retailer_moniker: a.retailer_moniker.clone(), hmac_key: Secret::new(a.hmac_key.as_str()) }),
        retailer_moniker: Some(a.retailer_moniker.clone()),
        origin: Some("http://127.0.0.1".into()),
        proxied: false,
        tracking_grants: Vec::new(),
        version: 1,
    }
}

pub fn driver_with(url: &str, creds: Credentials, timeout: Duration, max_attempts: u32) -> TestDriver {
    let mut config = DriverConfig::new(Environment::Custom(url.into()).endpoints());
    config.rate_budget = None;
    config.timeout = timeout;
    config.retry.max_attempts = max_attempts;
    config.retry.base_delay = Duration::from_millis(10);
    let http = narvar::ReqwestTransport::from_client(reqwest::Client::builder().no_proxy().build().unwrap());
    Driver::new(config, Reqwest(http), Tokio(std::time::Instant::now()), Ids(AtomicU64::new(1)), StaticCredentials(creds))
}

pub async fn start() -> (Sandbox, TestDriver) {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> (Sandbox, TestDriver) {
    let sb = Sandbox::start(config).await.unwrap();
    let d = driver_with(sb.url(), credentials(&sb.accounts()[0]), Duration::from_secs(10), 1);
    (sb, d)
}

pub async fn call<O: Operation>(d: &TestDriver, op: O) -> Result<Response<O::Output>, NarvarError> {
    d.execute(&op, &CallOptions::default()).await
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

#[allow(unused_imports)] // not every test file uses both
pub use narvar_sandbox::samples::{a_return, order};

/// A request to a sandbox admin endpoint, with its admin token.
fn admin_request(sb: &Sandbox, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
    http().request(method, format!("{}{path}", sb.url())).header(narvar_sandbox::ADMIN_TOKEN_HEADER, sb.admin_token())
}

/// GETs a sandbox admin endpoint.
pub async fn admin(sb: &Sandbox, path: &str) -> serde_json::Value {
    admin_request(sb, reqwest::Method::GET, path).send().await.unwrap().json().await.unwrap()
}

/// POSTs to a sandbox admin endpoint.
pub async fn admin_post(sb: &Sandbox, path: &str, body: serde_json::Value) -> serde_json::Value {
    admin_request(sb, reqwest::Method::POST, path).json(&body).send().await.unwrap().json().await.unwrap()
}
