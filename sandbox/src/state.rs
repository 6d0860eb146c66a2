//! The sandbox's world: accounts and what they hold, and the simulated clock. Operations are
//! handled in `handlers/`, one file per resource. All of it runs under one lock; nothing here
//! does I/O.

use crate::catalogue::{self, CatalogueCarrier};
use crate::faults::FaultRule;
use chrono::{DateTime, Duration as Span, Utc};
use narvar_core::budget::{BudgetState, RateBudget};
use narvar_core::envelope;
use narvar_core::models::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Credentials of one sandbox account.
#[derive(Clone, Debug, Serialize)]
pub struct TestAccount {
    pub account_id: String,
    pub auth_token: String,
    pub bearer_token: String,
    pub retailer_moniker: String,
    pub hmac_key: String,
}

impl TestAccount {
    /// An account whose secrets derive from its id: `tok_test_<id>`, `bear_test_<id>`,
    /// `hk_test_<id>`.
    pub fn named(id: &str) -> Self {
        TestAccount {
            account_id: id.to_owned(),
            auth_token: format!("tok_test_{id}"),
            bearer_token: format!("bear_test_{id}"),
            retailer_moniker: id.to_owned(),
            hmac_key: format!("hk_test_{id}"),
        }
    }
}

/// What one operation answers: status, JSON body, and the webhook events it raised.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// The body already serialized (hot reads), instead of `body`.
    pub raw: Option<bytes::Bytes>,
    pub events: Vec<(String, Value)>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply { status: 200, body, raw: None, events: Vec::new() }
    }
    pub(crate) fn with_event(mut self, topic: &str, payload: Value) -> Self {
        self.events.push((topic.to_owned(), payload));
        self
    }
}

/// A Narvar-shaped failure envelope (the core's).
pub fn failure(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply { status, body: envelope::failure(code, &message.into()), raw: None, events: Vec::new() }
}

/// A carrier self-serve failure (`errors` with a numeric code), as the core writes it.
pub fn carrier_failure(status: u16, code: &str, message: impl Into<String>) -> Reply {
    Reply { status, body: envelope::carrier_failure(code, &message.into()), raw: None, events: Vec::new() }
}

/// A stored order: the `order_info` object as merged from every upsert, and when (simulated)
/// each shipment was first seen, which its scans count from.
#[derive(Clone, Debug, Default)]
pub struct StoredOrder {
    pub order_info: Map<String, Value>,
    pub shipment_seen: HashMap<String, DateTime<Utc>>,
    /// The serialized answer of `orders.get`, until the next write.
    pub cached: Option<bytes::Bytes>,
}

/// A stored return.
#[derive(Clone, Debug)]
pub struct StoredReturn {
    pub label: ReturnLabel,
    pub created: DateTime<Utc>,
    pub label_type: &'static str,
}

/// A carrier as configured for one retailer.
#[derive(Clone, Debug)]
pub struct CarrierState {
    pub catalogue: CatalogueCarrier,
    pub services: Vec<CarrierService>,
    pub configuration: CarrierConfiguration,
    pub last_update: DateTime<Utc>,
}

/// One retailer's data.
pub struct Account {
    pub creds: TestAccount,
    /// Tokens that were expired on demand: rejected with 401.
    pub expired: Vec<String>,
    pub orders: BTreeMap<String, StoredOrder>,
    pub returns: BTreeMap<String, StoredReturn>,
    pub carriers: BTreeMap<String, CarrierState>,
    pub carrier_accounts: BTreeMap<String, CarrierAccount>,
    pub promises: BTreeMap<String, DeliveryOption>,
    /// Idempotency key → (request body, status, response body).
    pub idempotency: HashMap<String, (Vec<u8>, u16, Value)>,
    pub limiter: Option<Limiter>,
}

impl Account {
    fn new(creds: TestAccount, now: DateTime<Utc>) -> Self {
        let carriers = catalogue::carriers()
            .into_iter()
            .map(|c| {
                let state = CarrierState {
                    services: c.services.clone(),
                    catalogue: c,
                    configuration: Default::default(),
                    last_update: now,
                };
                (state.catalogue.moniker.to_owned(), state)
            })
            .collect();
        Account {
            creds,
            expired: Vec::new(),
            orders: BTreeMap::new(),
            returns: BTreeMap::new(),
            carriers,
            carrier_accounts: BTreeMap::new(),
            promises: BTreeMap::new(),
            idempotency: HashMap::new(),
            limiter: None,
        }
    }
}

/// A webhook endpoint registered with `POST /_sandbox/webhooks`.
#[derive(Clone, Debug, Serialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub account_id: String,
    pub url: String,
    /// `basic` or `hmac`.
    pub auth: String,
    #[serde(skip)]
    pub username: Option<String>,
    #[serde(skip)]
    pub secret: Option<String>,
    /// Empty: every topic.
    pub topics: Vec<String>,
}

/// One attempt to deliver an event.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub endpoint_id: String,
    pub attempts: u32,
    pub last_status: Option<u16>,
    pub delivered: bool,
}

/// An event the sandbox raised.
#[derive(Clone, Debug, Serialize)]
pub struct EventRecord {
    pub id: String,
    pub account_id: String,
    pub topic: String,
    pub at: String,
    pub payload: Value,
    pub deliveries: Vec<Delivery>,
}

/// One received request, credentials redacted.
#[derive(Clone, Debug, Serialize)]
pub struct RequestRecord {
    pub seq: u64,
    pub method: String,
    /// Path and query; token-bearing query values are `***`.
    pub path: String,
    pub operation: Option<String>,
    pub account_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub tracer_id: Option<String>,
    pub status: Option<u16>,
    /// `ok`, `replayed`, or the fault applied (`status`, `delay`, `stall_body`, `drop_before`,
    /// `drop_after`, `expire_credentials`).
    pub outcome: String,
}

/// Everything the sandbox knows.
pub struct World {
    pub accounts: BTreeMap<String, Account>,
    pub clock_offset: Span,
    /// The most recent [`MAX_LOGGED`] requests.
    pub requests: std::collections::VecDeque<RequestRecord>,
    pub faults: Vec<FaultRule>,
    pub webhooks: Vec<WebhookEndpoint>,
    pub events: Vec<EventRecord>,
    pub rate_limit: Option<(u32, std::time::Duration)>,
    /// Whether responses drift (`POST /_sandbox/drift`).
    pub drift: bool,
    pub rng: StdRng,
    /// Ids of generated objects.
    pub seq: u64,
    /// Numbers of received requests.
    pub request_seq: u64,
    /// The bytes of text the request log holds, kept under [`MAX_LOGGED_BYTES`].
    requests_bytes: usize,
    seed: u64,
    initial: Vec<TestAccount>,
}

/// How many requests the log keeps.
pub const MAX_LOGGED: usize = 200_000;
/// How much text (paths, ids) the log keeps, whatever the number of requests: 16 MiB.
pub const MAX_LOGGED_BYTES: usize = 16 << 20;
/// The longest value (path and query, key, tracer id) a record keeps; the rest is cut.
pub const MAX_LOGGED_VALUE: usize = 512;

impl RequestRecord {
    /// The text it holds, for the log's byte budget.
    fn size(&self) -> usize {
        let opt = |o: &Option<String>| o.as_ref().map_or(0, String::len);
        self.method.len()
            + self.path.len()
            + opt(&self.operation)
            + opt(&self.account_id)
            + opt(&self.idempotency_key)
            + opt(&self.tracer_id)
            + self.outcome.len()
            + 64
    }
}

/// `s` cut to [`MAX_LOGGED_VALUE`] bytes (at a character boundary), marked with `…` when cut.
pub fn log_value(s: &str) -> String {
    if s.len() <= MAX_LOGGED_VALUE {
        return s.to_owned();
    }
    let mut end = MAX_LOGGED_VALUE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

const RRN_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

impl World {
    /// A world with these accounts.
    pub fn new(accounts: Vec<TestAccount>, seed: u64, rate_limit: Option<(u32, std::time::Duration)>) -> Self {
        let mut w = World {
            accounts: BTreeMap::new(),
            clock_offset: Span::zero(),
            requests: Default::default(),
            faults: Vec::new(),
            webhooks: Vec::new(),
            events: Vec::new(),
            rate_limit,
            drift: false,
            rng: StdRng::seed_from_u64(seed),
            seq: 0,
            request_seq: 0,
            requests_bytes: 0,
            seed,
            initial: accounts,
        };
        w.reset();
        w
    }

    /// Back to the initial state (accounts with fresh data, clock at real time).
    pub fn reset(&mut self) {
        let now = Utc::now();
        self.accounts = self.initial.iter().map(|a| (a.account_id.clone(), Account::new(a.clone(), now))).collect();
        self.clock_offset = Span::zero();
        self.requests.clear();
        self.requests_bytes = 0;
        self.faults.clear();
        self.webhooks.clear();
        self.events.clear();
        self.rng = StdRng::seed_from_u64(self.seed);
        self.seq = 0;
        self.request_seq = 0;
        self.set_rate_limit(self.rate_limit);
        self.drift = false;
    }

    /// Logs a request, dropping the oldest records past [`MAX_LOGGED`] or [`MAX_LOGGED_BYTES`].
    pub fn log_request(&mut self, record: RequestRecord) {
        self.requests_bytes += record.size();
        self.requests.push_back(record);
        while self.requests.len() > MAX_LOGGED || self.requests_bytes > MAX_LOGGED_BYTES {
            let Some(old) = self.requests.pop_front() else { break };
            self.requests_bytes -= old.size();
        }
    }

    /// The bytes of text the request log holds.
    pub fn logged_bytes(&self) -> usize {
        self.requests_bytes
    }

    /// Turns the per-account limiter on (requests per period) or off.
    pub fn set_rate_limit(&mut self, limit: Option<(u32, std::time::Duration)>) {
        self.rate_limit = limit;
        for a in self.accounts.values_mut() {
            a.limiter = limit.map(Limiter::new);
        }
    }

    /// Adds an account.
    pub fn add_account(&mut self, creds: TestAccount) {
        let mut a = Account::new(creds.clone(), self.now());
        a.limiter = self.rate_limit.map(Limiter::new);
        self.initial.push(creds.clone());
        self.accounts.insert(creds.account_id.clone(), a);
    }

    /// The simulated time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
    }

    /// A fresh id (`prefix_N`).
    pub fn next_id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}_{}", self.seq)
    }

    pub(crate) fn return_reference(&mut self) -> String {
        (0..16).map(|_| RRN_ALPHABET[self.rng.random_range(0..RRN_ALPHABET.len())] as char).collect()
    }

    /// Moves the simulated clock; returns the events of every milestone passed, per account.
    pub fn advance(&mut self, by: Span) -> Vec<(String, String, Value)> {
        let from = self.now();
        self.clock_offset += by;
        let to = self.now();
        let mut raised = Vec::new();
        for (id, a) in &self.accounts {
            for o in a.orders.values() {
                for (topic, payload) in shipment_milestones(o, from, to) {
                    raised.push((id.clone(), topic, payload));
                }
            }
            for r in a.returns.values() {
                for (at, status, topic) in return_timeline(r.created) {
                    if at > from && at <= to {
                        let payload = json!({"order_number": r.label.order_number, "return_reference_number": r.label.return_reference_number,
                            "rma_number": r.label.rma_number, "status": status.as_str(), "occurred_at": at.to_rfc3339()});
                        raised.push((id.clone(), topic.to_owned(), payload));
                    }
                }
            }
        }
        raised
    }
}

/// A shipment's scans: label created at first sight, in transit +12 h, out for delivery +36 h,
/// delivered (or a delivery exception, when its `attributes.sandbox_scenario` is
/// `delivery_exception`) +40 h.
pub fn shipment_timeline(
    seen: DateTime<Utc>,
    exception: bool,
) -> Vec<(DateTime<Utc>, TrackingStatus, &'static str, &'static str)> {
    let last = if exception {
        (TrackingStatus::Exception, "EX", "Delivery exception: the carrier could not reach the address")
    } else {
        (TrackingStatus::Delivered, "DL", "Delivered")
    };
    vec![
        (seen, TrackingStatus::LabelCreated, "LC", "Shipping label created"),
        (seen + Span::hours(12), TrackingStatus::InTransit, "IT", "In transit"),
        (seen + Span::hours(36), TrackingStatus::OutForDelivery, "OD", "Out for delivery"),
        (seen + Span::hours(40), last.0, last.1, last.2),
    ]
}

/// A return's statuses: initiated at creation, in transit +24 h, received +72 h, refunded +96 h.
pub fn return_timeline(created: DateTime<Utc>) -> Vec<(DateTime<Utc>, ReturnStatus, &'static str)> {
    vec![
        (created + Span::hours(24), ReturnStatus::InTransit, WebhookTopic::OnItsWayToRetailer.as_str()),
        (created + Span::hours(72), ReturnStatus::Received, WebhookTopic::DeliveredToRetailer.as_str()),
        (created + Span::hours(96), ReturnStatus::Refunded, WebhookTopic::Refunded.as_str()),
    ]
}

pub(crate) fn return_status_at(created: DateTime<Utc>, now: DateTime<Utc>) -> ReturnStatus {
    return_timeline(created).into_iter().rev().find(|(at, _, _)| *at <= now).map(|(_, s, _)| s).unwrap_or(ReturnStatus::Initiated)
}

pub(crate) fn wants_exception(s: &Shipment) -> bool {
    s.attributes.get("sandbox_scenario").and_then(Value::as_str) == Some(WebhookTopic::DeliveryException.as_str())
}

pub(crate) fn shipments_of(o: &StoredOrder) -> Vec<Shipment> {
    o.order_info.get("shipments").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

pub(crate) fn shipment_milestones(o: &StoredOrder, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(String, Value)> {
    let order_number = o.order_info.get("order_number").cloned().unwrap_or(Value::Null);
    let mut out = Vec::new();
    for s in shipments_of(o) {
        let tn = s.tracking_number.clone().unwrap_or_default();
        let Some(seen) = o.shipment_seen.get(&tn) else { continue };
        for (at, status, code, description) in shipment_timeline(*seen, wants_exception(&s)) {
            if at > from && at <= to {
                let event =
                    json!({"timestamp": at.to_rfc3339(), "status": status.as_str(), "code": code, "description": description});
                let payload = json!({"order_number": order_number, "tracking_number": tn, "carrier": s.carrier, "status": status.as_str(),
                    "occurred_at": at.to_rfc3339(), "event": event});
                if status == TrackingStatus::Exception {
                    out.push((WebhookTopic::DeliveryException.to_string(), payload.clone()));
                }
                out.push((WebhookTopic::ShipmentStatusChanged.to_string(), payload));
            }
        }
    }
    out
}

pub(crate) fn tracked(o: &StoredOrder, now: DateTime<Utc>, tracking_url_base: &str) -> Vec<TrackedShipment> {
    shipments_of(o)
        .into_iter()
        .filter_map(|s| {
            let tn = s.tracking_number.clone()?;
            let seen = *o.shipment_seen.get(&tn)?;
            let events: Vec<TrackingEvent> = shipment_timeline(seen, wants_exception(&s))
                .into_iter()
                .filter(|(at, ..)| *at <= now)
                .map(|(at, status, code, description)| TrackingEvent {
                    timestamp: Some(at.to_rfc3339()),
                    status: Some(status),
                    code: Some(code.to_owned()),
                    description: Some(description.to_owned()),
                    ..Default::default()
                })
                .collect();
            let last = events.last().and_then(|e| e.status.clone());
            let carrier = s.carrier.clone().unwrap_or_default();
            Some(TrackedShipment {
                tracking_url: Some(format!("{tracking_url_base}/tracking/{carrier}?tracking_numbers={tn}")),
                delivered_at: events
                    .iter()
                    .find(|e| e.status == Some(TrackingStatus::Delivered))
                    .and_then(|e| e.timestamp.clone()),
                estimated_delivery_date: Some((seen + Span::hours(40)).date_naive().to_string()),
                status_description: events.last().and_then(|e| e.description.clone()),
                carrier: s.carrier,
                tracking_number: Some(tn),
                status: last,
                events,
                ..Default::default()
            })
        })
        .collect()
}

impl World {
    /// Serves a typed operation for `account_id` (see [`crate::handlers`]).
    pub(crate) fn serve<H: crate::handlers::Handler>(&mut self, account_id: &str, op: H, base_url: &str) -> Reply {
        let now = self.now();
        let rrn = H::NEEDS_RETURN_REFERENCE.then(|| self.return_reference());
        let id = self.next_id("obj");
        let seq = self.seq;
        let Some(account) = self.accounts.get_mut(account_id) else {
            return failure(401, "auth.unknown_account", "Unknown account");
        };
        op.handle(&mut crate::handlers::Cx { account, now, id, rrn, seq, base_url })
    }
}

/// An account's rate limiter: the core's GCRA as a judge, a burst of the whole limit (a
/// fresh account may spend its period's requests at once, as a fixed window would allow).
#[derive(Clone, Debug)]
pub struct Limiter {
    budget: RateBudget,
    state: BudgetState,
}

impl Limiter {
    fn new((requests, per): (u32, std::time::Duration)) -> Self {
        let budget = RateBudget::new(requests, per, requests);
        Limiter { budget, state: BudgetState::fresh(&budget) }
    }

    /// Admits a request at `now` (the sandbox's monotonic clock), or says how long until one
    /// would be.
    pub fn admit(&mut self, now: std::time::Duration) -> Result<(), std::time::Duration> {
        match self.budget.admit(&self.state, now.as_secs_f64()) {
            Ok(next) => {
                self.state = next;
                Ok(())
            }
            Err(wait) => Err(std::time::Duration::from_secs_f64(wait)),
        }
    }
}
