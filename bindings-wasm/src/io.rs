//! The I/O the core's driver is given in a JavaScript host: `fetch`, timers, clocks and
//! `crypto.getRandomValues`, through `js/io.js`. Everything pending is stopped when its Rust
//! future is dropped (an aborted call, a deadline), so an abandoned request is aborted too.
//!
//! The driver asks for `Send` futures; JavaScript values are not `Send`. wasm32 without threads
//! runs on one thread, so [`SendWrapper`] (which checks the thread it is used on) is sound here.

use narvar_core::http::{Entropy, HttpRequest, HttpResponse, Sleep, Transport, TransportError};
use send_wrapper::SendWrapper;
use std::future::Future;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/src/io.js")]
extern "C" {
    /// `{ promise, abort }`: something started in JavaScript.
    type Pending;
    #[wasm_bindgen(method, getter)]
    fn promise(this: &Pending) -> js_sys::Promise;
    #[wasm_bindgen(method)]
    fn abort(this: &Pending);

    #[wasm_bindgen(js_name = startFetch)]
    fn start_fetch(method: &str, url: &str, headers: js_sys::Array, body: &[u8], max_bytes: f64) -> Pending;
    #[wasm_bindgen(js_name = startTimer)]
    fn start_timer(ms: f64) -> Pending;
    #[wasm_bindgen(js_name = monotonicMs)]
    fn monotonic_ms() -> f64;
    #[wasm_bindgen(js_name = wallMs)]
    pub(crate) fn wall_ms() -> f64;
    #[wasm_bindgen(js_name = randomBytes)]
    fn random_bytes(n: u32) -> Vec<u8>;
    /// What `startFetch` resolved with, read field by field.
    type Fetched;
    #[wasm_bindgen(method, getter)]
    fn status(this: &Fetched) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Fetched) -> Vec<String>;
    #[wasm_bindgen(method, getter)]
    fn body(this: &Fetched) -> Vec<u8>;
    /// What `startFetch` rejected with.
    type FetchFailure;
    #[wasm_bindgen(method, getter, js_name = maybeSent)]
    fn maybe_sent(this: &FetchFailure) -> bool;
    #[wasm_bindgen(method, getter)]
    fn detail(this: &FetchFailure) -> String;
}

/// Aborts what it holds when dropped before [`Started::finish`].
struct Started(Option<Pending>);

impl Started {
    fn new(pending: Pending) -> (Self, JsFuture) {
        let future = JsFuture::from(pending.promise());
        (Started(Some(pending)), future)
    }
    fn finish(mut self) {
        self.0 = None;
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            p.abort();
        }
    }
}

/// Requests through the host's global `fetch`.
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, TransportError>> + Send {
        SendWrapper::new(async move {
            let headers = js_sys::Array::new();
            for (k, v) in &request.headers {
                headers.push(&JsValue::from_str(k));
                headers.push(&JsValue::from_str(v));
            }
            let (started, future) = Started::new(start_fetch(
                request.method.as_str(),
                &request.url,
                headers,
                &request.body,
                request.max_response_bytes as f64,
            ));
            let outcome = future.await;
            started.finish();
            match outcome {
                Ok(value) => {
                    let fetched: Fetched = value.unchecked_into();
                    let flat = fetched.headers();
                    let headers = flat.chunks_exact(2).map(|kv| (kv[0].clone(), kv[1].clone())).collect();
                    Ok(HttpResponse { status: fetched.status(), headers, body: fetched.body() })
                }
                Err(e) => {
                    let failure: FetchFailure = e.unchecked_into();
                    let detail = failure.detail();
                    Err(if failure.maybe_sent() { TransportError::MaybeSent(detail) } else { TransportError::NotSent(detail) })
                }
            }
        })
    }
}

/// Timers and clocks of the host.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timers;

impl Sleep for Timers {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        SendWrapper::new(async move {
            let (started, future) = Started::new(start_timer(duration.as_secs_f64() * 1000.0));
            let _ = future.await;
            started.finish();
        })
    }
    fn monotonic(&self) -> Duration {
        Duration::from_secs_f64(monotonic_ms().max(0.0) / 1000.0)
    }
    fn wall(&self) -> SystemTime {
        wall_clock()
    }
}

/// Now, from `Date.now()` (`SystemTime::now()` panics on wasm32-unknown-unknown).
pub fn wall_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs_f64(wall_ms().max(0.0) / 1000.0)
}

/// `crypto.getRandomValues`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Crypto;

impl Entropy for Crypto {
    fn unit(&self) -> f64 {
        let b = random_bytes(8);
        let n = b.iter().fold(0u64, |n, x| (n << 8) | u64::from(*x));
        (n >> 11) as f64 / (1u64 << 53) as f64
    }
    fn new_id(&self) -> String {
        let mut bytes = [0u8; 16];
        for (b, r) in bytes.iter_mut().zip(random_bytes(16)) {
            *b = r;
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }
}
