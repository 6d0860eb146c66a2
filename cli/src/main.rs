//! `narvar`: the demo, the sandbox, and every operation from the command line.
//!
//! Errors are one line on stderr and an exit code per kind: 3 validation, 4 authentication,
//! 5 permission, 6 not_found, 7 conflict, 8 rate_limited, 9 server, 10 transport, 11 decode,
//! 12 configuration; 1 for anything else (files), 2 for usage.

mod bulk;
mod demo;
mod drift;
mod listen;
mod mcp;

use clap::{Args, Parser, Subcommand};
use narvar::models::*;
use narvar::ops::{GetItemVisibility, GetTrackingInfo, ListCarriers};
use narvar::{Client, ErrorCode, NarvarError, Response};
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "narvar", version, about = "Narvar's post-purchase API from the command line")]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Connection settings: flags, then `NARVAR_*` variables, then `--config`.
#[derive(Args, Clone, Default)]
struct Global {
    /// Machine-readable output: one JSON document per result.
    #[arg(long, global = true)]
    json: bool,
    /// production, staging, qa or a base URL (such as a sandbox's).
    #[arg(long, global = true, env = "NARVAR_BASE_URL")]
    base_url: Option<String>,
    #[arg(long, global = true, env = "NARVAR_ACCOUNT_ID")]
    account_id: Option<String>,
    #[arg(long, global = true, env = "NARVAR_AUTH_TOKEN", hide_env_values = true)]
    auth_token: Option<String>,
    #[arg(long, global = true, env = "NARVAR_BEARER_TOKEN", hide_env_values = true)]
    bearer_token: Option<String>,
    #[arg(long, global = true, env = "NARVAR_RETAILER_MONIKER")]
    retailer_moniker: Option<String>,
    #[arg(long, global = true, env = "NARVAR_HMAC_KEY", hide_env_values = true)]
    hmac_key: Option<String>,
    /// A JSON file with any of: base_url, account_id, auth_token, bearer_token, retailer_moniker, hmac_key.
    #[arg(long, global = true, env = "NARVAR_CONFIG")]
    config: Option<PathBuf>,
    /// Total seconds per call (default 30).
    #[arg(long, global = true, env = "NARVAR_TIMEOUT_SECS")]
    timeout: Option<String>,
    /// Turn the client-side rate budget (100 requests / 60 s) off, e.g. against a sandbox.
    #[arg(long, global = true)]
    no_rate_budget: bool,
    /// The client-side rate budget, such as "120/2s" or "100/60s, burst 10" (default 100/60s, burst 10).
    #[arg(long, global = true, env = "NARVAR_RATE_BUDGET", value_name = "BUDGET")]
    rate_budget: Option<String>,
    /// Share the rate budget with the account's other workers through this Redis (redis://host:port).
    #[arg(long, global = true, env = "NARVAR_RATE_BUDGET_REDIS", value_name = "URL", hide_env_values = true)]
    rate_budget_redis: Option<String>,
    /// How many workers share the budget: each keeps 1/N of it while Redis does not answer (default 8).
    #[arg(long, global = true, env = "NARVAR_RATE_BUDGET_WORKERS", value_name = "N")]
    rate_budget_workers: Option<u32>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API to AI agents: an MCP server on stdin/stdout, one tool per operation
    /// (read-only unless --allow-writes). Credentials as for every command.
    Mcp {
        /// Against an embedded sandbox with sample orders (1001, 1002): no account needed.
        #[arg(long)]
        sandbox: bool,
        /// Offer the tools that change data (create_order, create_return, ...).
        #[arg(long)]
        allow_writes: bool,
    },
    /// Read what can be read for the account and report what the API sent that this SDK does
    /// not know (unknown fields and enum values, per operation and path).
    Drift {
        /// An order to read (its order, tracking and item visibility). Repeatable.
        #[arg(long = "order", value_name = "ORDER_NUMBER")]
        orders: Vec<String>,
        /// A return to read. Repeatable.
        #[arg(long = "return", value_name = "RETURN_REFERENCE_NUMBER")]
        returns: Vec<String>,
        /// Against an embedded sandbox told to drift, with sample data: see what a report looks like.
        #[arg(long)]
        sandbox: bool,
    },
    /// The whole journey against an embedded sandbox: no credentials, no network.
    Demo {
        /// Where to write the return label (default: a temporary folder).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the sandbox server.
    Sandbox {
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Per-account limit: requests per 60 s.
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// List every operation the SDK knows.
    Operations,
    #[command(subcommand)]
    Orders(Orders),
    #[command(subcommand)]
    Tracking(Tracking),
    #[command(subcommand)]
    Returns(Returns),
    #[command(subcommand)]
    Carriers(Carriers),
    #[command(subcommand)]
    Accounts(Accounts),
    #[command(subcommand)]
    Promise(PromiseCmd),
    /// The normalized journey of an order.
    Journey { order_number: String },
    /// Register a webhook on a sandbox and forward its events, like `stripe listen`.
    Listen {
        /// Where to forward each event.
        #[arg(long)]
        forward_to: String,
        /// Topics to subscribe to (default: all).
        #[arg(long = "topic")]
        topics: Vec<String>,
        /// Stop after this many events.
        #[arg(long)]
        max_events: Option<usize>,
        /// The sandbox's admin token (it prints it at start-up).
        #[arg(long, env = "NARVAR_SANDBOX_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: String,
    },
}

#[derive(Subcommand)]
enum Orders {
    /// Retrieve an order.
    Get { order_number: String },
    /// Create or update an order from JSON (`order_info`), from a file or `-` for stdin.
    Create { file: Option<PathBuf> },
    /// Add shipments (a JSON array, or one shipment) to an order.
    AddShipment { order_number: String, file: Option<PathBuf> },
    /// Upsert every order of a JSONL file, concurrently within the rate budget.
    Import {
        file: PathBuf,
        /// Requests in flight.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Where failed lines go (re-importable); default FILE.failures.jsonl.
        #[arg(long)]
        failures: Option<PathBuf>,
    },
    /// Fetch the orders listed (one number per line) into a .jsonl or .csv file.
    Export {
        #[arg(long)]
        numbers: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
}

#[derive(Subcommand)]
enum Tracking {
    /// Tracking of every shipment of an order (needs the HMAC key).
    Get { order_number: String },
    /// Tracking by carrier and tracking numbers.
    Info { carrier_moniker: String, tracking_numbers: Vec<String> },
    /// Each line's fulfillment and tracking state; `--zip` (the destination's) unmasks details.
    Visibility {
        order_number: String,
        #[arg(long)]
        zip: Option<String>,
        #[arg(long)]
        locale: Option<String>,
    },
}

#[derive(Subcommand)]
enum Returns {
    /// Create a return (v2) from JSON.
    Create { file: Option<PathBuf> },
    /// A return and its label.
    Get { return_reference_number: String },
    /// Generate a return label (v1) from JSON.
    GenerateLabel { file: Option<PathBuf> },
    /// A return's label (v1).
    GetLabel { return_reference_number: String },
    /// Download a return's label.
    Label {
        return_reference_number: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum Carriers {
    /// The retailer's carriers.
    List {
        #[arg(long = "product")]
        products: Vec<String>,
        #[arg(long = "capability")]
        capabilities: Vec<String>,
    },
    /// A carrier's services, configuration and accounts, optionally filtered.
    Get {
        carrier_moniker: String,
        /// Only services serving this ISO alpha-2 country (and unrestricted ones).
        #[arg(long)]
        country: Option<String>,
        #[arg(long = "product")]
        products: Vec<String>,
        #[arg(long = "capability")]
        capabilities: Vec<String>,
    },
    /// Add services and configuration from JSON.
    Enable { carrier_moniker: String, file: Option<PathBuf> },
    /// Remove a service.
    Disable { carrier_moniker: String, carrier_service: String },
}

#[derive(Subcommand)]
enum Accounts {
    List,
    Get {
        account_alias: String,
    },
    /// Create from JSON (with credentials).
    Create {
        file: Option<PathBuf>,
    },
    /// Update from JSON (named by account_alias).
    Update {
        file: Option<PathBuf>,
    },
    Delete {
        account_alias: String,
    },
}

/// Delivery-date promises.
#[derive(Subcommand)]
enum PromiseCmd {
    /// Delivery options for a cart, from JSON (server-side, with credentials).
    Options { file: Option<PathBuf> },
    /// Delivery options for a cart, from JSON (client-side: retailer moniker and origin, no secret).
    PublicOptions { file: Option<PathBuf> },
    /// Confirm the promises an order took, from JSON.
    Confirm { file: Option<PathBuf> },
}

/// The command that runs each operation of the registry (`operations --json` shows it; the
/// parity check in `tests/parity` runs each with `--help`).
fn command_of(operation: &str) -> Option<&'static str> {
    Some(match operation {
        "orders.create" => "orders create",
        "orders.get" => "orders get",
        "orders.add_shipments" => "orders add-shipment",
        "tracking.by_order" => "tracking get",
        "tracking.info" => "tracking info",
        "tracking.item_visibility" => "tracking visibility",
        "returns.generate_label" => "returns generate-label",
        "returns.get_label" => "returns get-label",
        "returns.create" => "returns create",
        "returns.get" => "returns get",
        "carriers.list" => "carriers list",
        "carriers.get" => "carriers get",
        "carriers.enable" => "carriers enable",
        "carriers.disable" => "carriers disable",
        "carrier_accounts.list" => "accounts list",
        "carrier_accounts.get" => "accounts get",
        "carrier_accounts.create" => "accounts create",
        "carrier_accounts.update" => "accounts update",
        "carrier_accounts.delete" => "accounts delete",
        "promise.options" => "promise options",
        "promise.public_options" => "promise public-options",
        "promise.confirm" => "promise confirm",
        _ => return None,
    })
}

/// A failure of the program, with its exit code.
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl From<NarvarError> for Failure {
    fn from(e: NarvarError) -> Self {
        let code = match e.code {
            ErrorCode::Validation => 3,
            ErrorCode::Authentication => 4,
            ErrorCode::Permission => 5,
            ErrorCode::NotFound => 6,
            ErrorCode::Conflict => 7,
            ErrorCode::RateLimited => 8,
            ErrorCode::Server => 9,
            ErrorCode::Transport => 10,
            ErrorCode::Decode => 11,
            ErrorCode::Configuration => 12,
        };
        let mut message = format!("{} ({})", e, e.code);
        if let Some(id) = &e.meta.request_id {
            message.push_str(&format!(" [request {id}]"));
        }
        Failure { message, code }
    }
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), code: 1 }
    }
}

type Outcome<T = ()> = Result<T, Failure>;

#[derive(serde::Deserialize, Default)]
struct ConfigFile {
    base_url: Option<String>,
    account_id: Option<String>,
    auth_token: Option<String>,
    bearer_token: Option<String>,
    retailer_moniker: Option<String>,
    hmac_key: Option<String>,
}

/// Text from a server made safe for a terminal: control characters (newlines, ANSI and OSC
/// escapes) are shown escaped, so a message stays one line and cannot drive the terminal.
pub fn one_safe_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control()
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

impl Global {
    /// `--timeout` (or `NARVAR_TIMEOUT_SECS`), checked by the core's one rule; 30 s by default.
    fn timeout(&self) -> Outcome<Duration> {
        match &self.timeout {
            Some(t) => Ok(narvar::core::config::timeout_from_text("--timeout (NARVAR_TIMEOUT_SECS)", t)?),
            None => Ok(Duration::from_secs(30)),
        }
    }

    /// The client, from flags, environment and the config file (in that order).
    fn client(&self) -> Outcome<Client> {
        let file: ConfigFile = match &self.config {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| Failure::new(format!("cannot read {}: {e}", p.display())))?;
                serde_json::from_str(&text).map_err(|e| Failure {
                    message: format!("{}: invalid JSON at line {}, column {}: {e}", p.display(), e.line(), e.column()),
                    code: 12,
                })?
            }
            None => ConfigFile::default(),
        };
        let pick = |a: &Option<String>, b: Option<String>| a.clone().or(b);
        let base = pick(&self.base_url, file.base_url).ok_or_else(|| {
            Failure::from(NarvarError::configuration(
                "base URL",
                "NARVAR_BASE_URL (production, staging, qa or a URL), or --base-url",
            ))
        })?;
        // Built the way every binding builds its client (the half-pair check included), with the
        // errors naming the variables: a flag is the variable's other spelling.
        let settings = narvar::Settings {
            environment: Some(base),
            account_id: pick(&self.account_id, file.account_id),
            auth_token: pick(&self.auth_token, file.auth_token),
            bearer_token: pick(&self.bearer_token, file.bearer_token),
            retailer_moniker: pick(&self.retailer_moniker, file.retailer_moniker),
            hmac_key: pick(&self.hmac_key, file.hmac_key),
            origin: None,
            timeout: Some(self.timeout()?),
            max_attempts: None,
            rate_budget: match (self.no_rate_budget, &self.rate_budget) {
                (true, _) => Some(narvar::RateBudgetSetting::Switch(false)),
                (false, spec) => spec.clone().map(narvar::RateBudgetSetting::Text),
            },
            rate_budget_redis: self.rate_budget_redis.clone(),
            rate_budget_workers: self.rate_budget_workers,
            user_agent_suffix: None,
            from_env: false,
            spelling: narvar::Spelling::Env,
        };
        Ok(settings.builder("narvar-cli")?.build()?)
    }

    fn print<T: Serialize>(&self, r: &Response<T>) {
        if self.json {
            println!("{}", serde_json::to_string(&r.value).unwrap_or_default());
        } else {
            println!("{}", serde_json::to_string_pretty(&r.value).unwrap_or_default());
            if let Some(id) = &r.meta.request_id {
                eprintln!("request {id}, {} attempt(s)", r.meta.attempts);
            }
        }
    }
}

/// Reads JSON from a file or stdin; a syntax error names the line and column.
pub fn read_json<T: narvar::core::codec::Decode>(file: &Option<PathBuf>) -> Outcome<T> {
    let (name, text) = match file.as_deref() {
        None => (
            "stdin".to_owned(),
            std::io::read_to_string(std::io::stdin()).map_err(|e| Failure::new(format!("cannot read stdin: {e}")))?,
        ),
        Some(p) if p.as_os_str() == "-" => (
            "stdin".to_owned(),
            std::io::read_to_string(std::io::stdin()).map_err(|e| Failure::new(format!("cannot read stdin: {e}")))?,
        ),
        Some(p) => (
            p.display().to_string(),
            std::fs::read_to_string(p).map_err(|e| Failure::new(format!("cannot read {}: {e}", p.display())))?,
        ),
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| Failure {
        message: format!("{name}: invalid JSON at line {}, column {}: {e}", e.line(), e.column()),
        code: 3,
    })?;
    narvar::core::ops::decode_input_value(&value).map_err(|e| Failure::from(e.in_operation("input")))
}

async fn run(cli: Cli) -> Outcome {
    let g = cli.global;
    match cli.command {
        Command::Demo { out } => demo::run(out, g.json).await,
        Command::Sandbox { port, rate_limit } => {
            let config = narvar_sandbox::SandboxConfig {
                port,
                rate_limit: rate_limit.map(|n| (n, Duration::from_secs(60))),
                ..Default::default()
            };
            let sb = narvar_sandbox::Sandbox::start(config)
                .await
                .map_err(|e| Failure::new(format!("cannot start the sandbox on port {port}: {e}")))?;
            println!("narvar sandbox listening on {}", sb.url());
            for a in sb.accounts() {
                println!("  NARVAR_BASE_URL={} NARVAR_ACCOUNT_ID={} NARVAR_AUTH_TOKEN={} NARVAR_BEARER_TOKEN={} NARVAR_RETAILER_MONIKER={} NARVAR_HMAC_KEY={}",
                    sb.url(), a.account_id, a.auth_token, a.bearer_token, a.retailer_moniker, a.hmac_key);
            }
            println!(
                "  NARVAR_SANDBOX_ADMIN_TOKEN={}  (admin routes /_sandbox/*, header {})",
                sb.admin_token(),
                narvar_sandbox::ADMIN_TOKEN_HEADER
            );
            let _ = tokio::signal::ctrl_c().await;
            Ok(())
        }
        Command::Drift { orders, returns, sandbox } => {
            if sandbox {
                let (sb, client, _, sample_returns) = mcp::sample_sandbox().await?;
                sb.set_drift(true);
                let returns = if returns.is_empty() { sample_returns } else { returns };
                let reads = drift::Reads { orders: vec!["1001".into(), "1002".into()], returns };
                return drift::run(&client, &reads, g.json).await;
            }
            drift::run(&g.client()?, &drift::Reads { orders, returns }, g.json).await
        }
        Command::Mcp { sandbox, allow_writes } => {
            let client = if sandbox { None } else { Some(g.client()?) };
            Ok(mcp::serve(client, sandbox, allow_writes).await?)
        }
        Command::Operations => {
            for e in narvar::core::REGISTRY {
                let i = &e.info;
                if g.json {
                    let mut info = serde_json::to_value(i).unwrap_or_default();
                    info["command"] = command_of(i.name).map(|c| format!("narvar {c}")).into();
                    println!("{info}");
                } else {
                    println!("{:<26} {:<6} {}", i.name, i.method.as_str(), i.summary);
                }
            }
            Ok(())
        }
        Command::Orders(cmd) => {
            let c = g.client()?;
            match cmd {
                Orders::Get { order_number } => g.print(&c.orders().get(&order_number).await?),
                Orders::Create { file } => g.print(&c.orders().create(read_json(&file)?).await?),
                Orders::AddShipment { order_number, file } => {
                    let v: serde_json::Value = read_json(&file)?;
                    let list = if v.is_array() { v } else { serde_json::Value::Array(vec![v]) };
                    let shipments: Vec<Shipment> = narvar::core::ops::decode_input_value(&list)?;
                    g.print(&c.orders().add_shipments(&order_number, shipments).await?)
                }
                Orders::Import { file, concurrency, failures } => {
                    return bulk::import(&c, &file, concurrency, failures, g.json).await
                }
                Orders::Export { numbers, out, concurrency } => {
                    return bulk::export(&c, &numbers, &out, concurrency, g.json).await
                }
            }
            Ok(())
        }
        Command::Tracking(cmd) => {
            let c = g.client()?;
            match cmd {
                Tracking::Get { order_number } => g.print(&c.tracking().by_order(&order_number).await?),
                Tracking::Info { carrier_moniker, tracking_numbers } => g.print(
                    &c.tracking().info(GetTrackingInfo { carrier_moniker, tracking_numbers, ..Default::default() }).await?,
                ),
                Tracking::Visibility { order_number, zip, locale } => {
                    let query = GetItemVisibility { order_number, destination_zip: zip, locale };
                    g.print(&c.execute(query).await?)
                }
            }
            Ok(())
        }
        Command::Returns(cmd) => {
            let c = g.client()?;
            match cmd {
                Returns::Create { file } => g.print(&c.returns().create(read_json(&file)?).await?),
                Returns::Get { return_reference_number } => g.print(&c.returns().get(&return_reference_number).await?),
                Returns::GenerateLabel { file } => g.print(&c.returns().generate_label(read_json(&file)?).await?),
                Returns::GetLabel { return_reference_number } => g.print(&c.returns().get_label(&return_reference_number).await?),
                Returns::Label { return_reference_number, out } => {
                    let r = c.returns().get(&return_reference_number).await?;
                    let path = out.unwrap_or_else(|| PathBuf::from(format!("return-label-{return_reference_number}")));
                    let (path, bytes) = demo::download_label(&c, &r.value, &path).await?;
                    if g.json {
                        println!("{}", serde_json::json!({"path": path, "bytes": bytes}));
                    } else {
                        println!("wrote {} ({bytes} bytes)", path.display());
                    }
                }
            }
            Ok(())
        }
        Command::Carriers(cmd) => {
            let c = g.client()?;
            match cmd {
                Carriers::List { products, capabilities } => {
                    let filter = ListCarriers {
                        products: products.iter().map(|p| Product::parse(p)).collect(),
                        capabilities: capabilities.iter().map(|p| Capability::parse(p)).collect(),
                    };
                    g.print(&c.carriers().list(filter).await?)
                }
                Carriers::Get { carrier_moniker, country, products, capabilities } => {
                    let query = narvar::ops::GetCarrier {
                        carrier_moniker,
                        country,
                        products: products.iter().map(|p| Product::parse(p)).collect(),
                        capabilities: capabilities.iter().map(|p| Capability::parse(p)).collect(),
                    };
                    g.print(&c.carriers().get_filtered(query).await?)
                }
                Carriers::Enable { carrier_moniker, file } => {
                    g.print(&c.carriers().enable(&carrier_moniker, read_json(&file)?).await?)
                }
                Carriers::Disable { carrier_moniker, carrier_service } => {
                    g.print(&c.carriers().disable(&carrier_moniker, &carrier_service).await?)
                }
            }
            Ok(())
        }
        Command::Accounts(cmd) => {
            let c = g.client()?;
            match cmd {
                Accounts::List => g.print(&c.carrier_accounts().list().await?),
                Accounts::Get { account_alias } => g.print(&c.carrier_accounts().get(&account_alias).await?),
                Accounts::Create { file } => g.print(&c.carrier_accounts().create(read_json(&file)?).await?),
                Accounts::Update { file } => g.print(&c.carrier_accounts().update(read_json(&file)?).await?),
                Accounts::Delete { account_alias } => g.print(&c.carrier_accounts().delete(&account_alias).await?),
            }
            Ok(())
        }
        Command::Promise(cmd) => {
            let c = g.client()?;
            match cmd {
                PromiseCmd::Options { file } => g.print(&c.promise().options(read_json(&file)?).await?),
                PromiseCmd::PublicOptions { file } => g.print(&c.promise().public_options(read_json(&file)?).await?),
                PromiseCmd::Confirm { file } => g.print(&c.promise().confirm(read_json(&file)?).await?),
            }
            Ok(())
        }
        Command::Journey { order_number } => {
            let c = g.client()?;
            let j = c.journey(&order_number).await?;
            if g.json {
                println!("{}", serde_json::to_string(&j).unwrap_or_default());
            } else {
                demo::print_journey(&j);
            }
            Ok(())
        }
        Command::Listen { forward_to, topics, max_events, admin_token } => {
            listen::run(&g, &forward_to, topics, max_events, &admin_token).await
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The client's warnings (such as a shared rate budget's Redis going away) on stderr;
    // NARVAR_LOG (an env-filter, e.g. "narvar=debug") says more.
    let filter = tracing_subscriber::EnvFilter::try_from_env("NARVAR_LOG").unwrap_or_else(|_| "narvar=warn".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", one_safe_line(&f.message));
            ExitCode::from(f.code)
        }
    }
}
