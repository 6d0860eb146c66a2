//! The I/O the core's driver is given: reqwest, tokio time, random ids, and the hooks.

use crate::builder::Hooks;
use futures_util::future::BoxFuture;
use narvar_core::http::{Entropy, HttpRequest, HttpResponse, Method, Sleep, Transport, TransportError};
use std::cell::RefCell;
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime};

/// Something that sends one request and reads the whole response: reqwest by default, or your
/// own (a proxy, a recorder, a test double).
pub trait HttpTransport: Send + Sync + 'static {
    /// Sends `request`. Say [`TransportError::NotSent`] only when the request surely never left.
    fn send(&self, request: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, TransportError>>;
}

/// reqwest with rustls. The total deadline is the driver's; reqwest only bounds connecting.
#[derive(Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    per_thread: Option<Arc<PerThread>>,
}

/// How a transport with connections per thread makes each thread's pool.
struct PerThread {
    connect_timeout: Duration,
}

thread_local! {
    /// This thread's pools, one per transport with connections per thread (found by its
    /// `PerThread`). They end with the thread, so a later thread never gets connections whose
    /// runtime has gone.
    static POOLS: RefCell<Vec<(Weak<PerThread>, reqwest::Client)>> = const { RefCell::new(Vec::new()) };
}

fn reqwest_client(connect_timeout: Duration) -> Result<reqwest::Client, narvar_core::NarvarError> {
    let cannot_start = |e: &dyn std::fmt::Display| {
        narvar_core::NarvarError::new(narvar_core::ErrorCode::Configuration, format!("The HTTP client cannot start: {e}."))
    };
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        // Narvar does not redirect; following one would re-send a body with personal data to
        // another origin. A 3xx reaches the core, which reports it.
        .redirect(reqwest::redirect::Policy::none())
        .tls_backend_preconfigured(tls_config().map_err(|e| cannot_start(&e))?)
        .build()
        .map_err(|e| cannot_start(&e))
}

/// The TLS settings every pool of the process shares. Reading the system's root certificates
/// takes milliseconds, and reqwest would do it for each pool (each client, and with connections
/// per thread each thread); here it happens once. The settings are reqwest's own defaults: the
/// installed rustls provider or aws-lc-rs, TLS 1.2 and 1.3, the platform's verifier, HTTP/1.1.
fn tls_config() -> Result<rustls::ClientConfig, String> {
    static SHARED: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt as _;
            let provider = rustls::crypto::CryptoProvider::get_default()
                .cloned()
                .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|b| b.with_platform_verifier())
                .map_err(|e| e.to_string())?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
}

impl ReqwestTransport {
    /// A transport with this connect timeout.
    pub fn new(connect_timeout: Duration) -> Result<Self, narvar_core::NarvarError> {
        Ok(ReqwestTransport { client: reqwest_client(connect_timeout)?, per_thread: None })
    }

    /// Wraps a reqwest client you configured.
    pub fn from_client(client: reqwest::Client) -> Self {
        ReqwestTransport { client, per_thread: None }
    }

    /// Gives each thread that calls from a current-thread runtime a connection pool of its own.
    ///
    /// A pooled connection is driven by a task on the runtime that opened it, so a connection
    /// opened on one thread's current-thread runtime would stall on any other thread. Synchronous
    /// callers that keep one current-thread runtime per thread (the Python binding's `Client`)
    /// then do every step of a request on the calling thread, with no hand-offs between threads.
    /// Calls from multi-thread runtimes share the one pool, as usual. Requires that each such
    /// runtime stays on the thread that made it (a thread-local one does).
    pub fn with_connections_per_thread(self, connect_timeout: Duration) -> Self {
        ReqwestTransport { per_thread: Some(Arc::new(PerThread { connect_timeout })), ..self }
    }

    /// The pool this call uses: the thread's own on a current-thread runtime (when enabled).
    fn pool(&self) -> Result<reqwest::Client, narvar_core::NarvarError> {
        let current_thread = || {
            tokio::runtime::Handle::try_current()
                .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
        };
        let Some(mine) = self.per_thread.as_ref().filter(|_| current_thread()) else { return Ok(self.client.clone()) };
        let found = POOLS.try_with(|pools| {
            let mut pools = pools.borrow_mut();
            if let Some((_, pool)) = pools.iter().find(|(owner, _)| std::ptr::eq(owner.as_ptr(), Arc::as_ptr(mine))) {
                return Ok(pool.clone());
            }
            // Pools of transports that are gone go now, closing their connections.
            pools.retain(|(owner, _)| owner.strong_count() > 0);
            let pool = reqwest_client(mine.connect_timeout)?;
            pools.push((Arc::downgrade(mine), pool.clone()));
            Ok(pool)
        });
        // Only while the thread itself is ending are its pools gone.
        found.unwrap_or_else(|_| Ok(self.client.clone()))
    }
}

impl HttpTransport for ReqwestTransport {
    fn send(&self, r: HttpRequest) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let method = match r.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let pool = match self.pool() {
            Ok(p) => p,
            Err(e) => return Box::pin(async move { Err(TransportError::NotSent(e.message)) }),
        };
        let mut b = pool.request(method, &r.url);
        for (k, v) in &r.headers {
            b = b.header(k, v);
        }
        let b = b.body(r.body);
        let max_response_bytes = r.max_response_bytes;
        Box::pin(async move {
            let resp = b.send().await.map_err(|e| {
                // A connect error (refused, DNS, TLS) means nothing reached the server.
                if e.is_connect() || e.is_builder() {
                    TransportError::NotSent(describe(&e))
                } else {
                    TransportError::MaybeSent(describe(&e))
                }
            })?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect();
            let body = read_capped(resp, max_response_bytes).await?;
            Ok(HttpResponse { status, headers, body })
        })
    }
}

/// Reads the body chunk by chunk, stopping one byte past `max` (the driver reports the overflow)
/// and dropping the response, which closes the connection instead of draining an endless body.
async fn read_capped(mut resp: reqwest::Response, max: usize) -> Result<Vec<u8>, TransportError> {
    let expected = resp.content_length().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let mut body = Vec::with_capacity(expected.min(max.saturating_add(1)).min(1 << 20));
    while let Some(chunk) = resp.chunk().await.map_err(|e| TransportError::MaybeSent(describe(&e)))? {
        let room = max.saturating_add(1) - body.len();
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() > max {
            break;
        }
    }
    Ok(body)
}

/// Closes this thread's connection pools whose transports are gone (a closed client's), now
/// rather than at this thread's next call or exit.
pub fn prune_thread_pools() {
    let _ = POOLS.try_with(|pools| pools.borrow_mut().retain(|(owner, _)| owner.strong_count() > 0));
}

/// reqwest's error without the URL (which may carry tracking tokens).
fn describe(e: &reqwest::Error) -> String {
    let mut s = kind(e).to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// What kind of failure, in words (not reqwest's `Display`, which names the URL).
fn kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the body could not be read"
    } else if e.is_request() {
        "the request failed"
    } else {
        "HTTP error"
    }
}

/// The transport the driver sees: the chosen [`HttpTransport`] plus the hooks and a tracing
/// span per attempt.
pub struct Hooked {
    pub(crate) inner: Arc<dyn HttpTransport>,
    pub(crate) hooks: Hooks,
}

impl Transport for Hooked {
    fn send(&self, request: HttpRequest) -> impl std::future::Future<Output = Result<HttpResponse, TransportError>> + Send {
        for h in &self.hooks.before_request {
            h(&request);
        }
        let span = tracing::debug_span!("narvar.attempt", method = request.method.as_str(), url = %narvar_core::http::redact_query(&request.url),
            status = tracing::field::Empty);
        let inner = self.inner.clone();
        let after = self.hooks.after_response.clone();
        async move {
            let started = Instant::now();
            let req_copy = if after.is_empty() { None } else { Some(request.clone()) };
            let result = tracing::Instrument::instrument(inner.send(request), span.clone()).await;
            if let Ok(r) = &result {
                span.record("status", r.status);
            }
            if let Some(req) = req_copy {
                for h in &after {
                    h(&req, &result, started.elapsed());
                }
            }
            result
        }
    }
}

/// tokio's clock and timer.
pub struct TokioSleep(pub Instant);

impl Sleep for TokioSleep {
    fn sleep(&self, d: Duration) -> impl std::future::Future<Output = ()> + Send {
        tokio::time::sleep(d)
    }
    fn monotonic(&self) -> Duration {
        self.0.elapsed()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Jitter and ids from the thread-local RNG.
pub struct RandomIds;

impl Entropy for RandomIds {
    fn unit(&self) -> f64 {
        rand::random::<f64>()
    }
    fn new_id(&self) -> String {
        uuid::Uuid::new_v4().to_string()
    }
}
