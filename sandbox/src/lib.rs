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
mod handlers;
pub mod openapi;
pub mod samples;
mod server;
pub mod state;
mod webhooks;

pub use admin::NewWebhook;
pub use faults::{FaultKind, FaultRule};
pub use state::{EventRecord, RequestRecord, TestAccount, WebhookEndpoint};

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
use tokio::sync::{watch, Notify};
use tower::ServiceExt as _;

/// The field a drifting sandbox adds to every object below the top level.
pub const DRIFTED_FIELD: &str = "sandbox_drift_note";
/// The value a drifting sandbox gives every `fulfillment_status` and `return_status`.
pub const DRIFTED_ENUM_VALUE: &str = "SANDBOX_DRIFTED";

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
    /// The token `/_sandbox/*` admin requests must carry in [`ADMIN_TOKEN_HEADER`]; a random
    /// one when `None` (see [`Sandbox::admin_token`]).
    pub admin_token: Option<String>,
    /// Whether webhooks may target hosts other than loopback. Off: a page or process that can
    /// reach the sandbox cannot make it POST to other servers.
    pub allow_remote_webhooks: bool,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers.
    pub header_read_timeout: Duration,
    /// How long a connection may sit with no bytes moving before it is closed.
    pub idle_timeout: Duration,
}

/// The header admin requests carry the sandbox's admin token in.
pub const ADMIN_TOKEN_HEADER: &str = "x-sandbox-admin-token";

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            accounts: vec![TestAccount::named("acme"), TestAccount::named("globex")],
            rate_limit: None,
            faults: Vec::new(),
            seed: 7,
            admin_token: None,
            allow_remote_webhooks: false,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// A running sandbox. Dropping it stops it.
pub struct Sandbox {
    addr: SocketAddr,
    url: String,
    shared: Arc<Shared>,
    // A watch, not a `Notify`: the accept loop and the background thread each see "stopped"
    // whenever they look, even when `stop` ran before either of them waited (with a `Notify`
    // the one stored permit went to one of them, and `stop` then joined a thread that never woke).
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<(std::thread::JoinHandle<()>, tokio::runtime::Handle)>,
}

fn app(shared: Arc<Shared>) -> Router {
    let api = {
        let shared = shared.clone();
        move |req: Request<Body>| server::api(shared.clone(), req)
    };
    // CORS for the API (a browser return portal calls it), never for the admin routes: a web
    // page must not drive the sandbox.
    let cors = tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods(tower_http::cors::Any)
        .allow_headers(tower_http::cors::Any)
        .expose_headers(tower_http::cors::Any);
    let api = Router::new().route("/openapi.json", get(|| async { axum::Json(openapi::document()) })).fallback(api).layer(cors);
    admin::routes(shared.clone()).merge(api).with_state(shared)
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
        if !config.host.is_loopback() {
            tracing::warn!(host = %config.host, "the sandbox is reachable beyond this machine, and its test credentials are well known");
        }
        let admin_token = config.admin_token.clone().unwrap_or_else(|| format!("sbx_{:032x}", rand::random::<u128>()));
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            base_url: url.clone(),
            started: Instant::now(),
            http: reqwest::Client::builder().no_proxy().build().map_err(std::io::Error::other)?,
            admin_token,
            allow_remote_webhooks: config.allow_remote_webhooks,
        });
        let (stop, stopped) = watch::channel(false);
        let limits = Limits {
            max_connections: config.max_connections.max(1),
            header_read_timeout: config.header_read_timeout,
            idle_timeout: config.idle_timeout,
        };
        let task = tokio::spawn(accept_loop(listener, app(shared.clone()), stopped, limits));
        Ok(Sandbox { addr, url, shared, stop, task: Some(task), thread: None })
    }

    /// Starts on a runtime thread of its own (for synchronous callers: the CLI, other languages).
    pub fn start_in_background(config: SandboxConfig) -> std::io::Result<Sandbox> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let handle = runtime.handle().clone();
        let mut sandbox = runtime.block_on(Sandbox::start(config))?;
        let mut stopped = sandbox.stop.subscribe();
        let thread = std::thread::Builder::new().name("narvar-sandbox".into()).spawn(move || {
            let _ = runtime.block_on(stopped.wait_for(|stopped| *stopped));
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

    /// The token admin requests (`/_sandbox/*`) must carry in [`ADMIN_TOKEN_HEADER`].
    pub fn admin_token(&self) -> &str {
        &self.shared.admin_token
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

    /// Registers a webhook endpoint, as `POST /_sandbox/webhooks` does.
    pub fn add_webhook(&self, endpoint: admin::NewWebhook) -> Result<state::WebhookEndpoint, String> {
        admin::register_webhook(&self.shared, endpoint)
    }

    /// The events raised so far (each delivered to the endpoints that take its topic), optionally
    /// of one topic.
    pub fn events(&self, topic: Option<&str>) -> Vec<state::EventRecord> {
        self.shared.world().events.iter().filter(|e| topic.is_none_or(|t| t == e.topic)).cloned().collect()
    }

    /// Starts the world over: the initial accounts, the clock at now, no faults, webhooks, events or
    /// logged requests.
    pub fn reset(&self) {
        self.shared.world().reset();
    }

    /// Makes responses drift (see `POST /_sandbox/drift`): fields and enum values no model of
    /// this SDK knows, [`DRIFTED_FIELD`] and [`DRIFTED_ENUM_VALUE`].
    pub fn set_drift(&self, on: bool) {
        self.shared.world().drift = on;
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
        self.stop.send_replace(true);
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

/// What the accept loop holds every connection to.
#[derive(Clone, Copy)]
struct Limits {
    max_connections: usize,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

/// Accepts while fewer than `max_connections` are open (the rest wait in the backlog), backs
/// off when accepting fails (out of file descriptors: retrying at once would spin), and serves
/// each connection with a header-read timeout and an idle timeout.
async fn accept_loop(listener: TcpListener, app: Router, mut stopped: watch::Receiver<bool>, limits: Limits) {
    let mut connections = tokio::task::JoinSet::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let mut backoff = Duration::from_millis(10);
    loop {
        let accepted = tokio::select! {
            a = async {
                let slot = slots.clone().acquire_owned().await;
                (listener.accept().await, slot)
            } => a,
            _ = stopped.wait_for(|stopped| *stopped) => break,
        };
        let (stream, slot) = match accepted {
            (Ok((stream, _)), Ok(slot)) => {
                backoff = Duration::from_millis(10);
                (stream, slot)
            }
            (Err(_), _) | (_, Err(_)) => {
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(1));
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        connections.spawn(async move {
            let _slot = slot;
            serve_connection(stream, app, limits).await;
        });
        while connections.try_join_next().is_some() {}
    }
    connections.abort_all();
}

async fn serve_connection(stream: tokio::net::TcpStream, app: Router, limits: Limits) {
    let kill = ConnKill(Arc::new(Notify::new()));
    let k = kill.clone();
    let service = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(k.clone());
        app.clone().oneshot(req.map(Body::new))
    });
    let (io, last_activity) = idle::Watched::new(stream);
    let conn = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .serve_connection(TokioIo::new(io), service);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection closes the socket without an answer.
        _ = kill.0.notified() => {}
        _ = idle::expired(last_activity, limits.idle_timeout) => {}
    }
}

mod idle {
    //! A socket that notes when bytes last moved, for the idle timeout.
    use std::pin::Pin;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;
    use std::task::{Context, Poll};
    use std::time::{Duration, Instant};
    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

    /// Milliseconds since `origin` when bytes last moved.
    pub struct Activity {
        origin: Instant,
        last_ms: AtomicU64,
    }

    impl Activity {
        fn touch(&self) {
            self.last_ms.store(self.origin.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
        fn idle_for(&self) -> Duration {
            self.origin.elapsed().saturating_sub(Duration::from_millis(self.last_ms.load(Ordering::Relaxed)))
        }
    }

    pub struct Watched<T> {
        inner: T,
        activity: Arc<Activity>,
    }

    impl<T> Watched<T> {
        pub fn new(inner: T) -> (Self, Arc<Activity>) {
            let activity = Arc::new(Activity { origin: Instant::now(), last_ms: AtomicU64::new(0) });
            (Watched { inner, activity: activity.clone() }, activity)
        }
    }

    /// Resolves once no byte has moved for `timeout`.
    pub async fn expired(activity: Arc<Activity>, timeout: Duration) {
        loop {
            let idle = activity.idle_for();
            if idle >= timeout {
                return;
            }
            tokio::time::sleep(timeout - idle).await;
        }
    }

    impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
        fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
            let before = buf.filled().len();
            let r = Pin::new(&mut self.inner).poll_read(cx, buf);
            if buf.filled().len() > before {
                self.activity.touch();
            }
            r
        }
    }

    impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
        fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
            let r = Pin::new(&mut self.inner).poll_write(cx, data);
            if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
                self.activity.touch();
            }
            r
        }
        fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_flush(cx)
        }
        fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Pin::new(&mut self.inner).poll_shutdown(cx)
        }
    }
}
