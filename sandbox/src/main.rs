//! `narvar-sandbox --port 8080`: a fake Narvar on loopback.

use clap::Parser;
use narvar_sandbox::{FaultRule, Sandbox, SandboxConfig};
use std::time::Duration;

/// A stateful fake Narvar server for tests and demos.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port (0: a free one).
    #[arg(long, default_value_t = 8080, env = "NARVAR_SANDBOX_PORT")]
    port: u16,
    /// Address to bind; loopback unless told otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Turn on the per-account rate limit: requests per 60 s (Narvar's is 100).
    #[arg(long)]
    rate_limit: Option<u32>,
    /// A fault rule as JSON, e.g. '{"operation":"orders.get","kind":"status","status":503,"times":2}'. Repeatable.
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// Seed of generated values.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The admin token `/_sandbox/*` requests must carry (default: a random one, printed).
    #[arg(long, env = "NARVAR_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Let webhooks target hosts other than loopback.
    #[arg(long)]
    allow_remote_webhooks: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut faults = Vec::new();
    for f in &args.faults {
        match serde_json::from_str::<FaultRule>(f).map_err(|e| e.to_string()).and_then(|r| r.check().map(|_| r)) {
            Ok(r) => faults.push(r),
            Err(e) => {
                eprintln!("error: --fault {f}: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let config = SandboxConfig {
        host: args.host,
        port: args.port,
        rate_limit: args.rate_limit.map(|n| (n, Duration::from_secs(60))),
        faults,
        seed: args.seed,
        admin_token: args.admin_token.clone(),
        allow_remote_webhooks: args.allow_remote_webhooks,
        ..SandboxConfig::default()
    };
    if !args.host.is_loopback() {
        eprintln!(
            "warning: --host {} makes the sandbox reachable from other machines; its test credentials are well known, so anyone who can reach it can use it",
            args.host
        );
    }
    let sandbox = match Sandbox::start(config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the sandbox on {}:{}: {e}", args.host, args.port);
            return std::process::ExitCode::from(1);
        }
    };
    println!("narvar sandbox listening on {}", sandbox.url());
    for a in sandbox.accounts() {
        println!(
            "  account {}: NARVAR_ACCOUNT_ID={} NARVAR_AUTH_TOKEN={} NARVAR_BEARER_TOKEN={} NARVAR_RETAILER_MONIKER={} NARVAR_HMAC_KEY={}",
            a.account_id, a.account_id, a.auth_token, a.bearer_token, a.retailer_moniker, a.hmac_key
        );
    }
    println!("  NARVAR_BASE_URL={}  (OpenAPI: {}/openapi.json)", sandbox.url(), sandbox.url());
    println!("  admin (/_sandbox/*): header {}: {}", narvar_sandbox::ADMIN_TOKEN_HEADER, sandbox.admin_token());
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
