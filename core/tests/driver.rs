//! The driver with a scripted transport and a fake clock: no network, no real time.

use futures_executor::block_on;
use narvar_core::budget::RateBudget;
use narvar_core::config::{CredentialProvider, Credentials, Environment, StaticCredentials};
use narvar_core::http::{Entropy, HttpRequest, HttpResponse, Sleep, Transport, TransportError};
use narvar_core::models::{ReturnItem, ReturnRequest};
use narvar_core::ops::{CreateReturn, GetOrder};
use narvar_core::policy::RetryPolicy;
use narvar_core::{CallOptions, Driver, DriverConfig, ErrorCode, NarvarError, Secret};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

enum Step {
    Reply(HttpResponse),
    Fail(TransportError),
    Hang,
}

#[derive(Clone, Default)]
struct Script {
    steps: Arc<Mutex<VecDeque<Step>>>,
    sent: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Script {
    fn new(steps: Vec<Step>) -> Self {
        Script { steps: Arc::new(Mutex::new(steps.into())), sent: Default::default() }
    }
    fn sent(&self) -> Vec<HttpRequest> {
        self.sent.lock().unwrap().clone()
    }
}

impl Transport for Script {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.lock().unwrap().push(request);
        let step = self.steps.lock().unwrap().pop_front().expect("the script ran out");
        match step {
            Step::Reply(r) => Ok(r),
            Step::Fail(e) => Err(e),
            Step::Hang => futures_util::future::pending().await,
        }
    }
}

/// Sleeping moves the clock forward at once.
#[derive(Clone, Default)]
struct FakeClock {
    now: Arc<Mutex<Duration>>,
    slept: Arc<Mutex<Vec<Duration>>>,
}

impl FakeClock {
    fn slept(&self) -> Vec<Duration> {
        self.slept.lock().unwrap().clone()
    }
}

impl Sleep for FakeClock {
    async fn sleep(&self, d: Duration) {
        *self.now.lock().unwrap() += d;
        self.slept.lock().unwrap().push(d);
    }
    fn monotonic(&self) -> Duration {
        *self.now.lock().unwrap()
    }
    fn wall(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000) + self.monotonic()
    }
}

struct Dice(AtomicU32);
impl Entropy for Dice {
    fn unit(&self) -> f64 {
        0.5
    }
    fn new_id(&self) -> String {
        format!("id-{}", self.0.fetch_add(1, Ordering::SeqCst))
    }
}

fn ok_order() -> Step {
    Step::Reply(
        HttpResponse::new(200, r#"{"status":"SUCCESS","order_info":{"order_number":"1001"}}"#)
            .with_header("X-Narvar-Request-ID", "req_ok"),
    )
}
fn status(code: u16) -> Step {
    Step::Reply(HttpResponse::new(code, "{}"))
}

fn driver<P: CredentialProvider>(
    script: &Script,
    clock: &FakeClock,
    creds: P,
    budget: Option<RateBudget>,
) -> Driver<Script, FakeClock, Dice, P> {
    let mut config = DriverConfig::new(Environment::Custom("http://127.0.0.1:9".into()).endpoints());
    config.rate_budget = budget;
    Driver::new(config, script.clone(), clock.clone(), Dice(AtomicU32::new(1)), creds)
}

fn basic() -> StaticCredentials {
    StaticCredentials(Credentials::basic("acme", "tok_9f2"))
}

fn get() -> GetOrder {
    GetOrder { order_number: "1001".into() }
}

fn a_return() -> CreateReturn {
    CreateReturn(ReturnRequest {
        order_number: "1001".into(),
        billing_zip: Some("78701".into()),
        order_items: vec![ReturnItem { sku: Some("MUG".into()), quantity: Some(1.into()), ..Default::default() }],
        ..Default::default()
    })
}

#[test]
fn two_503s_then_200_is_three_attempts_with_growing_delays() {
    let (script, clock) = (Script::new(vec![status(503), status(503), ok_order()]), FakeClock::default());
    let out = block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap();
    assert_eq!(out.value.order_number, "1001");
    assert_eq!(out.meta.attempts, 3);
    assert_eq!(out.meta.status, Some(200));
    assert_eq!(out.meta.request_id.as_deref(), Some("req_ok"));
    // full jitter at 0.5: 0.5 × 1 s, then 0.5 × 2 s
    assert_eq!(clock.slept(), vec![Duration::from_millis(500), Duration::from_secs(1)]);
    let tracers: Vec<_> = script.sent().iter().map(|r| r.header("x-narvar-tracer-id").unwrap().to_owned()).collect();
    assert_eq!(tracers, vec!["id-1"; 3], "one tracer id for every attempt of a call");
    assert_eq!(out.meta.tracer_id.as_deref(), Some("id-1"));
}

#[test]
fn a_return_whose_connection_drops_after_sending_is_not_resent() {
    let (script, clock) =
        (Script::new(vec![Step::Fail(TransportError::MaybeSent("connection reset".into()))]), FakeClock::default());
    let err = block_on(driver(&script, &clock, basic(), None).execute(&a_return(), &CallOptions::default())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Transport);
    assert_eq!(err.may_have_been_sent, Some(true));
    assert!(err.to_string().contains("may have received"), "{err}");
    assert_eq!(err.operation.as_deref(), Some("returns.create"));
    assert_eq!(script.sent().len(), 1);
    assert_eq!(err.meta.attempts, 1);
}

#[test]
fn a_get_whose_connection_drops_is_retried() {
    let steps = vec![Step::Fail(TransportError::MaybeSent("reset".into())), ok_order()];
    let (script, clock) = (Script::new(steps), FakeClock::default());
    let out = block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap();
    assert_eq!(out.meta.attempts, 2);
}

#[test]
fn a_return_never_sent_is_retried_with_the_same_idempotency_key() {
    let label = r#"{"status":"SUCCESS","return_reference_number":"R7kQ2mZx9PaL4tBn"}"#;
    let steps = vec![
        Step::Fail(TransportError::NotSent("connection refused".into())),
        status(503),
        Step::Reply(HttpResponse::new(200, label)),
    ];
    let (script, clock) = (Script::new(steps), FakeClock::default());
    let out = block_on(driver(&script, &clock, basic(), None).execute(&a_return(), &CallOptions::default())).unwrap();
    assert_eq!(out.value.return_reference_number.as_deref(), Some("R7kQ2mZx9PaL4tBn"));
    let keys: Vec<_> = script.sent().iter().map(|r| r.header("idempotency-key").unwrap().to_owned()).collect();
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    let given = CallOptions { idempotency_key: Some("mine-1".into()), ..Default::default() };
    let script = Script::new(vec![Step::Reply(HttpResponse::new(200, label))]);
    block_on(driver(&script, &clock, basic(), None).execute(&a_return(), &given)).unwrap();
    assert_eq!(script.sent()[0].header("idempotency-key"), Some("mine-1"));
}

#[test]
fn retry_after_3_waits_3_seconds_of_fake_time() {
    let throttled = Step::Reply(HttpResponse::new(429, "{}").with_header("Retry-After", "3"));
    let (script, clock) = (Script::new(vec![throttled, ok_order()]), FakeClock::default());
    let out = block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap();
    assert_eq!(clock.slept(), vec![Duration::from_secs(3)]);
    assert_eq!(out.meta.attempts, 2);
}

#[test]
fn retry_after_as_an_http_date() {
    // The fake wall clock starts at 1_700_000_000 = Tue, 14 Nov 2023 22:13:20 GMT.
    let throttled = Step::Reply(HttpResponse::new(429, "{}").with_header("Retry-After", "Tue, 14 Nov 2023 22:13:27 GMT"));
    let (script, clock) = (Script::new(vec![throttled, ok_order()]), FakeClock::default());
    block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap();
    assert_eq!(clock.slept(), vec![Duration::from_secs(7)]);
}

#[test]
fn throttled_to_the_end_reports_rate_limited_with_retry_after() {
    let throttled = || {
        Step::Reply(
            HttpResponse::new(429, r#"{"status":"FAILURE","messages":[{"code":"rate.limited"}]}"#)
                .with_header("Retry-After", "2"),
        )
    };
    let steps = (0..5).map(|_| throttled()).collect();
    let (script, clock) = (Script::new(steps), FakeClock::default());
    let err = block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap_err();
    assert_eq!((err.code, err.meta.status, err.retry_after), (ErrorCode::RateLimited, Some(429), Some(Duration::from_secs(2))));
    assert_eq!(err.meta.attempts, 5);
    assert_eq!(script.sent().len(), 5);
}

#[test]
fn the_deadline_covers_a_response_that_never_comes() {
    let (script, clock) = (Script::new(vec![Step::Hang]), FakeClock::default());
    let opts = CallOptions { timeout: Some(Duration::from_secs(5)), ..Default::default() };
    let err = block_on(driver(&script, &clock, basic(), None).execute(&get(), &opts)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Transport);
    assert_eq!(err.may_have_been_sent, Some(true));
    assert!(err.to_string().contains("timed out after 5.0 s"), "{err}");
    assert_eq!(clock.monotonic(), Duration::from_secs(5));
}

#[test]
fn the_deadline_covers_every_attempt_and_back_off() {
    let steps = (0..5).map(|_| status(503)).collect();
    let (script, clock) = (Script::new(steps), FakeClock::default());
    let policy = RetryPolicy { base_delay: Duration::from_secs(2), ..RetryPolicy::default() };
    let mut d = driver(&script, &clock, basic(), None);
    let opts = CallOptions { timeout: Some(Duration::from_secs(3)), ..Default::default() };
    d = Driver::new(DriverConfig { retry: policy, ..d.config().clone() }, d.transport, d.sleep, d.entropy, d.credentials);
    let err = block_on(d.execute(&get(), &opts)).unwrap_err();
    // 0.5 × 2 s, then 0.5 × 4 s would end past the 3 s deadline: stop with the last answer.
    assert_eq!(err.code, ErrorCode::Server);
    assert_eq!(err.meta.attempts, 2);
    assert_eq!(clock.slept(), vec![Duration::from_secs(1)]);
}

#[test]
fn invalid_input_sends_nothing() {
    let (script, clock) = (Script::new(vec![]), FakeClock::default());
    let err =
        block_on(driver(&script, &clock, basic(), None).execute(&GetOrder { order_number: "".into() }, &CallOptions::default()))
            .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(err.field_errors[0].path, "order_number");
    assert_eq!(err.meta.attempts, 0);
    assert!(script.sent().is_empty());
}

#[test]
fn missing_credentials_are_a_configuration_error_naming_the_variables() {
    let (script, clock) = (Script::new(vec![]), FakeClock::default());
    let err = block_on(driver(&script, &clock, StaticCredentials::default(), None).execute(&get(), &CallOptions::default()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Configuration);
    assert!(err.to_string().contains("NARVAR_ACCOUNT_ID") && err.to_string().contains("NARVAR_AUTH_TOKEN"), "{err}");
    assert!(script.sent().is_empty());
}

/// Hands out version 2 after a 401 on version 1, then nothing newer.
struct Rotating {
    current: Mutex<Credentials>,
    refreshes: AtomicU32,
}

impl CredentialProvider for Rotating {
    fn current(&self) -> Credentials {
        self.current.lock().unwrap().clone()
    }
    async fn refresh(&self, rejected: &Credentials) -> Result<Credentials, NarvarError> {
        self.refreshes.fetch_add(1, Ordering::SeqCst);
        let mut c = self.current.lock().unwrap();
        if rejected.version == 1 {
            *c = Credentials { version: 2, ..Credentials::basic("acme", "tok_new") };
        }
        Ok(c.clone())
    }
}

#[test]
fn a_401_re_authenticates_once_per_credential_version() {
    let provider = Rotating {
        current: Mutex::new(Credentials { version: 1, ..Credentials::basic("acme", "tok_old") }),
        refreshes: AtomicU32::new(0),
    };
    let (script, clock) = (Script::new(vec![status(401), ok_order(), status(401), status(401)]), FakeClock::default());
    let d = driver(&script, &clock, provider, None);
    let out = block_on(d.execute(&get(), &CallOptions::default())).unwrap();
    assert_eq!(out.meta.attempts, 2);
    let auth: Vec<_> = script.sent().iter().map(|r| r.header("authorization").unwrap().to_owned()).collect();
    assert_ne!(auth[0], auth[1], "the retry is signed with the new token");
    // Version 2 rejected too: the provider is asked once for it, has nothing newer, the 401 stands.
    let err = block_on(d.execute(&get(), &CallOptions::default())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Authentication);
    assert_eq!(d.credentials.refreshes.load(Ordering::SeqCst), 2);
    assert_eq!(script.sent().len(), 3);
    assert!(!format!("{err} {err:?}").contains("tok_new"));
}

#[test]
fn the_rate_budget_makes_calls_wait_their_turn() {
    let steps = (0..3).map(|_| ok_order()).collect();
    let (script, clock) = (Script::new(steps), FakeClock::default());
    let d = driver(&script, &clock, basic(), Some(RateBudget::new(4, Duration::from_secs(60), 2)));
    for _ in 0..3 {
        block_on(d.execute(&get(), &CallOptions::default())).unwrap();
    }
    assert_eq!(clock.slept(), vec![Duration::from_secs(15)], "the third of 4-per-minute with bursts of 2 waits 15 s");
    // A wait beyond the call's deadline is refused at once, without sending.
    let short = CallOptions { timeout: Some(Duration::from_secs(1)), ..Default::default() };
    let err = block_on(d.execute(&get(), &short)).unwrap_err();
    assert_eq!((err.code, err.meta.attempts), (ErrorCode::RateLimited, 0));
    assert_eq!(script.sent().len(), 3);
}

#[test]
fn operations_run_by_name_with_json() {
    let (script, clock) = (Script::new(vec![ok_order()]), FakeClock::default());
    let d = driver(&script, &clock, basic(), None);
    let out = block_on(d.execute_json(
        "orders.get",
        &narvar_core::codec::Raw::from_value(&serde_json::json!({"order_number": "1001"})),
        &CallOptions::default(),
    ))
    .unwrap();
    assert_eq!(out.value["order_number"], "1001");
    let err = block_on(d.execute_json("orders.list", &narvar_core::codec::Raw::Object(Vec::new()), &CallOptions::default()))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Configuration);
}

#[test]
fn secrets_never_reach_errors_or_debug_output() {
    let (script, clock) = (Script::new(vec![status(401)]), FakeClock::default());
    let err = block_on(driver(&script, &clock, basic(), None).execute(&get(), &CallOptions::default())).unwrap_err();
    let sent = script.sent();
    let shown = format!("{err} {err:?} {} {sent:?}", err.to_json());
    assert!(sent[0].header("authorization").is_some());
    assert!(!shown.contains("tok_9f2") && !shown.contains("YWNtZTp0b2tfOWYy"), "{shown}");
    assert!(!format!("{:?}", Secret::new("tok_9f2")).contains("tok_9f2"));
}
