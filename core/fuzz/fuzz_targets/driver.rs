//! The driver against a scripted hostile transport: random statuses, headers, bodies, transport
//! errors and delays, on a virtual clock. The call always ends (no hang, no panic), within its
//! attempts and deadline, with a result or an error that has a message.
#![no_main]
use libfuzzer_sys::fuzz_target;
use narvar_core::config::{Credentials, Environment, StaticCredentials};
use narvar_core::http::{Entropy, HttpRequest, HttpResponse, Sleep, Transport, TransportError};
use narvar_core::{CallOptions, Driver, DriverConfig};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Replies drawn from the fuzzer's bytes, one step per attempt.
struct Hostile {
    bytes: Mutex<(Vec<u8>, usize)>,
    clock: Clock,
    attempts: Mutex<u32>,
}

impl Hostile {
    fn take(&self, n: usize) -> Vec<u8> {
        let mut g = self.bytes.lock().unwrap();
        let (data, at) = &mut *g;
        let end = (*at + n).min(data.len());
        let out = data[*at..end].to_vec();
        *at = end;
        out
    }
}

impl Transport for Hostile {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        *self.attempts.lock().unwrap() += 1;
        assert!(request.max_response_bytes > 0);
        let step = self.take(4);
        let [kind, a, b, len] = <[u8; 4]>::try_from(step.as_slice()).unwrap_or([0, 0, 0, 0]);
        self.clock.advance(Duration::from_millis(u64::from(a) * 20));
        match kind % 8 {
            0 => Err(TransportError::NotSent("refused".into())),
            1 => Err(TransportError::MaybeSent("reset".into())),
            2 => futures_util::future::pending().await,
            _ => {
                let status = [200, 201, 204, 301, 307, 400, 401, 404, 409, 413, 429, 500, 502, 503, 504, u16::from(b) + 100][usize::from(b % 16)];
                let body = self.take(usize::from(len) * 4);
                let retry_after = String::from_utf8_lossy(&self.take(usize::from(a % 8))).into_owned();
                Ok(HttpResponse::new(status, body).with_header("Retry-After", &retry_after).with_header("Location", "http://elsewhere.test/x?order_token=t"))
            }
        }
    }
}

#[derive(Clone, Default)]
struct Clock(std::sync::Arc<Mutex<Duration>>);
impl Clock {
    fn advance(&self, d: Duration) {
        *self.0.lock().unwrap() += d;
    }
}
impl Sleep for Clock {
    async fn sleep(&self, d: Duration) {
        self.advance(d);
    }
    fn monotonic(&self) -> Duration {
        *self.0.lock().unwrap()
    }
    fn wall(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + self.monotonic()
    }
}

struct Fixed;
impl Entropy for Fixed {
    fn unit(&self) -> f64 {
        0.5
    }
    fn new_id(&self) -> String {
        "id".into()
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&[op, max], rest)) = data.split_first_chunk::<2>() else { return };
    let clock = Clock::default();
    let transport = Hostile { bytes: Mutex::new((rest.to_vec(), 0)), clock: clock.clone(), attempts: Mutex::new(0) };
    let mut config = DriverConfig::new(Environment::Custom("http://127.0.0.1:9".into()).endpoints());
    config.max_response_bytes = 64 + usize::from(max) * 4;
    let mut credentials = Credentials::basic("acme", "tok");
    credentials.bearer = Some("bearer".into());
    let driver = Driver::new(config, transport, clock.clone(), Fixed, StaticCredentials(credentials));
    let (name, input) = [
        ("orders.get", serde_json::json!({"order_number": "1001"})),
        ("orders.create", serde_json::json!({"order_number": "1001", "order_date": "2024-03-09T17:45:00Z", "order_items": [{"sku": "MUG", "quantity": 1}]})),
        ("returns.create", serde_json::json!({"order_number": "1001", "billing_zip": "78701", "order_items": [{"sku": "MUG", "quantity": 1}]})),
        ("carrier_accounts.delete", serde_json::json!({"account_alias": "main"})),
    ][usize::from(op % 4)]
    .clone();
    let started = clock.monotonic();
    let result = futures_executor::block_on(driver.execute_text(name, &narvar_core::codec::Raw::from_value(&input), &CallOptions::default()));
    let attempts = *driver.transport.attempts.lock().unwrap();
    assert!(attempts <= 6, "{attempts} attempts");
    // The deadline holds on the virtual clock (plus the last step's own delay).
    assert!(clock.monotonic() - started <= Duration::from_secs(30) + Duration::from_millis(255 * 20), "{:?}", clock.monotonic() - started);
    match result {
        Ok(text) => {
            serde_json::from_str::<serde_json::Value>(&text.value).expect("output is JSON");
        }
        Err(e) => assert!(!e.message.is_empty() && !e.message.contains("order_token=t")),
    }
});
