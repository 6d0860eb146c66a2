#![allow(dead_code)]
use narvar::{Client, ClientBuilder};
use narvar_sandbox::{Sandbox, SandboxConfig, TestAccount};
use std::time::Duration;

pub fn builder_for(sb: &Sandbox, a: &TestAccount) -> ClientBuilder {
    Client::builder()
        .base_url(sb.url())
        .basic_auth(a.account_id.clone(), a.auth_token.clone())
        .bearer_token(a.bearer_token.clone())
        .tracking_key(a.retailer_moniker.clone(), a.hmac_key.clone())
        .origin("http://127.0.0.1")
        .no_rate_budget()
        .timeout(Duration::from_secs(10))
}

pub async fn start() -> (Sandbox, Client) {
    let sb = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let c = builder_for(&sb, &sb.accounts()[0]).build().unwrap();
    (sb, c)
}

#[allow(unused_imports)]
pub use narvar_sandbox::samples::{a_return, order};

pub fn fault(sb: &Sandbox, v: serde_json::Value) {
    sb.add_fault(serde_json::from_value(v).unwrap()).unwrap();
}
