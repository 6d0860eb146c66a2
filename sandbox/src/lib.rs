//! # narvar-sandbox
//!
//! A stateful fake Narvar on loopback: every operation of `narvar-core`'s registry with real
//! per-account state, a simulated clock, fault injection, idempotency keys, webhook delivery and
//! a request log. Start it in-process with [`Sandbox::start`] (inside a tokio runtime) or
//! [`Sandbox::start_in_background`] (its own runtime thread), or run the `narvar-sandbox` binary.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = narvar_sandbox::Sandbox::start(narvar_sandbox::SandboxConfig::default()).await?;
//! println!("{} (account {}, token {})", sandbox.url(), sandbox.accounts()[0].account_id, sandbox.accounts()[0].auth_token);
//! # Ok(()) }
//! ```

mod admin;
mod catalogue;
pub mod faults;
pub mod openapi;
pub mod samples;
mod server;
pub mod state;
mod webhooks;

pub use faults::{FaultKind, FaultRule};
pub use state::TestAccount;

use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use axum::Router;
use hyper_util::rt::TokioIo;
use server::{ConnKill, Shared};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt as _;

/// How to start a sandbox.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// 127.0.0.1 unless told otherwise.
    pub host: IpAddr,
    /// 0: a free port.
    pub port: u16,
    /// The accounts; default `acme` and `globex` (see [`TestAccount::named`]).
    pub accounts: Vec<TestAccount>,
    /// Per-account limiter: requests per period. Off by default; Narvar's stated limit is
    /// 100 per 60 s.
    pub rate_limit: Option<(u32, Duration)>,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// Seed of return references and other generated values.
    pub seed: u64,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            accounts: vec![TestAccount::named("acme"), TestAccount::named("globex")],
            rate_limit: None,
            faults: Vec::new(),
            seed: 7,
        }
    }
}

/// A running sandbox. Dropping it stops it.
pub struct Sandbox {
    addr: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    stop: Arc<Notify>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<(std::thread::JoinHandle<()>, tokio::runtime::Handle)>,
}

fn app(shared: Arc<Shared>) -> Router {
    let api = {
        let shared = shared.clone();
        move |req: Request<Body>| server::api(shared.clone(), req)
    };
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods(tower_http::cors::Any)
        .allow_headers(tower_http::cors::Any)
        .expose_headers(tower_http::cors::Any);
    Router::new()
        .route("/openapi.json", get(|| async { axum::Json(openapi::document()) }))
        .merge(admin::routes())
        .fallback(api)
        .with_state(shared)
        .layer(cors)
}

impl Sandbox {
    /// Starts on the current tokio runtime.
    pub async fn start(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let mut world = state::World::new(config.accounts.clone(), config.seed, config.rate_limit);
        for mut f in config.faults.clone() {
            f.check().map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
            if f.id.is_empty() {
                f.id = world.next_id("fault");
            }
            world.faults.push(f);
        }
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            base_url: url.clone(),
            started: Instant::now(),
            http: reqwest::Client::builder().no_proxy().build().map_err(std::io::Error::other)?,
        });
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(accept_loop(listener, app(shared.clone()), stop.clone()));
        Ok(Sandbox { addr, url, shared, stop, task: Some(task), thread: None })
    }

    /// Starts on a runtime thread of its own (for synchronous callers: the CLI, other languages).
    pub fn start_in_background(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let handle = runtime.handle().clone();
        let mut sandbox = runtime.block_on(Sandbox::start(config))?;
        let stop = sandbox.stop.clone();
        let thread = std::thread::Builder::new().name("narvar-sandbox".into()).spawn(move || {
            runtime.block_on(stop.notified());
            runtime.shutdown_timeout(Duration::from_secs(1));
        })?;
        sandbox.task = None;
        sandbox.thread = Some((thread, handle));
        Ok(sandbox)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The accounts and their current credentials.
    pub fn accounts(&self) -> Vec<TestAccount> {
        self.shared.world().accounts.values().map(|a| a.creds.clone()).collect()
    }

    /// Adds a fault rule.
    pub fn add_fault(&self, mut rule: FaultRule) -> Result<String, String> {
        rule.check()?;
        let mut w = self.shared.world();
        if rule.id.is_empty() {
            rule.id = w.next_id("fault");
        }
        let id = rule.id.clone();
        w.faults.push(rule);
        Ok(id)
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.shared.world().faults.clear();
    }

    /// The request log, as `GET /_sandbox/requests` shows it.
    pub fn requests(&self) -> Vec<state::RequestRecord> {
        self.shared.world().requests.iter().cloned().collect()
    }

    /// Moves the simulated clock and delivers the events it raises.
    pub fn advance(&self, by: Duration) {
        let raised = self.shared.world().advance(chrono::Duration::from_std(by).unwrap_or_default());
        let shared = self.shared.clone();
        match &self.thread {
            Some((_, handle)) => {
                let _guard = handle.enter();
                server::raise(&shared, raised);
            }
            None => server::raise(&shared, raised),
        }
    }

    /// Stops serving.
    pub fn stop(&mut self) {
        self.stop.notify_waiters();
        self.stop.notify_one();
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some((t, _)) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept_loop(listener: TcpListener, app: Router, stop: Arc<Notify>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.notified() => break,
        };
        let Ok((stream, _)) = accepted else { continue };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        connections.spawn(async move {
            let kill = ConnKill(Arc::new(Notify::new()));
            let k = kill.clone();
            let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(k.clone());
                app.clone().oneshot(req.map(Body::new))
            });
            let conn =
                hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                // Dropping the connection closes the socket without an answer.
                _ = kill.0.notified() => {}
            }
        });
        while connections.try_join_next().is_some() {}
    }
    connections.abort_all();
}
