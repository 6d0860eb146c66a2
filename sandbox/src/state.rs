//! The sandbox's world: accounts and what they hold, the simulated clock, and the handling of
//! every operation. All of it runs under one lock; nothing here does I/O.

use crate::catalogue::{self, CatalogueCarrier};
use crate::faults::FaultRule;
use chrono::{DateTime, Duration as Span, Utc};
use narvar_core::envelope::{self, carrier_codes};
use narvar_core::models::*;
use narvar_core::policy::TokenBucket;
use narvar_core::validate::{self, Problems};
use narvar_core::FieldError;
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
    fn ok(body: Value) -> Self {
        Reply { status: 200, body, raw: None, events: Vec::new() }
    }
    fn with_event(mut self, topic: &str, payload: Value) -> Self {
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

fn invalid(errors: Vec<FieldError>) -> Reply {
    let messages: Vec<Value> = errors
        .iter()
        .map(|e| json!({"code": format!("invalid.{}", e.rule), "message": format!("{} {}", e.path, e.message), "level": "ERROR"}))
        .collect();
    Reply { status: 400, body: json!({"status": "FAILURE", "messages": messages}), raw: None, events: Vec::new() }
}

fn carrier_invalid(errors: Vec<FieldError>) -> Reply {
    let list: Vec<Value> = errors
        .iter()
        .map(|e| json!({"source": "narvar_reported", "type": "Validation", "code": carrier_codes::VALIDATION, "message": format!("{} {}", e.path, e.message)}))
        .collect();
    Reply { status: 400, body: json!({"status": "FAILURE", "errors": list}), raw: None, events: Vec::new() }
}

fn check(f: impl FnOnce(&mut Problems)) -> Result<(), Vec<FieldError>> {
    let mut p = Problems::default();
    f(&mut p);
    p.finish()
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
    pub bucket: Option<TokenBucket>,
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
            bucket: None,
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
            a.bucket = limit.map(|(n, per)| TokenBucket::new(n, per, n));
        }
    }

    /// Adds an account.
    pub fn add_account(&mut self, creds: TestAccount) {
        let mut a = Account::new(creds.clone(), self.now());
        a.bucket = self.rate_limit.map(|(n, per)| TokenBucket::new(n, per, n));
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

    fn return_reference(&mut self) -> String {
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

fn return_status_at(created: DateTime<Utc>, now: DateTime<Utc>) -> ReturnStatus {
    return_timeline(created).into_iter().rev().find(|(at, _, _)| *at <= now).map(|(_, s, _)| s).unwrap_or(ReturnStatus::Initiated)
}

fn wants_exception(s: &Shipment) -> bool {
    s.attributes.get("sandbox_scenario").and_then(Value::as_str) == Some(WebhookTopic::DeliveryException.as_str())
}

fn shipments_of(o: &StoredOrder) -> Vec<Shipment> {
    o.order_info.get("shipments").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default()
}

fn shipment_milestones(o: &StoredOrder, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(String, Value)> {
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

fn tracked(o: &StoredOrder, now: DateTime<Utc>, tracking_url_base: &str) -> Vec<TrackedShipment> {
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

/// A request, as the handlers see it.
pub struct Call<'a> {
    pub operation: &'static str,
    pub params: &'a [(&'static str, String)],
    pub query: &'a [(String, String)],
    pub body: Option<Value>,
    /// The sandbox's base URL, for label and tracking links.
    pub base_url: &'a str,
}

impl Call<'_> {
    fn param(&self, name: &str) -> &str {
        self.params.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
    }
    fn query(&self, key: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
    fn query_all(&self, key: &str) -> Vec<&str> {
        self.query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }
    fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, Vec<FieldError>> {
        let v = self.body.clone().unwrap_or(Value::Null);
        narvar_core::ops::decode_input_value::<T>(&v).map_err(|e| e.field_errors)
    }
}

fn order_not_found(n: &str) -> Reply {
    failure(200, envelope::ORDER_NOT_FOUND_CODE, envelope::order_not_found_message(n))
}

fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl World {
    /// Handles one operation for `account_id`.
    pub fn handle(&mut self, account_id: &str, call: &Call) -> Reply {
        let now = self.now();
        let rrn = if matches!(call.operation, "returns.generate_label" | "returns.create") {
            Some(self.return_reference())
        } else {
            None
        };
        let id = self.next_id("obj");
        let Some(a) = self.accounts.get_mut(account_id) else { return failure(401, "auth.unknown_account", "Unknown account") };
        match call.operation {
            "orders.create" => {
                let body = call.body.clone().unwrap_or(Value::Null);
                if let Err(e) = call.decode::<OrderEnvelope>() {
                    return invalid(e);
                }
                let Some(Value::Object(info)) = body.get("order_info").cloned() else {
                    return invalid(vec![FieldError::new("order_info", "required", "is required")]);
                };
                let order: OrderInfo = match narvar_core::ops::decode_input_value(&Value::Object(info.clone())) {
                    Ok(o) => o,
                    Err(e) => return invalid(e.field_errors),
                };
                let existing = a.orders.get(&order.order_number);
                // An update may send only some keys: check what the merged order would be.
                let mut merged = existing.map(|o| o.order_info.clone()).unwrap_or_default();
                for (k, v) in info {
                    merged.insert(k, v);
                }
                let merged_order: OrderInfo = serde_json::from_value(Value::Object(merged.clone())).unwrap_or_default();
                if let Err(errs) = check(|p| validate::order(p, "order_info", &merged_order)) {
                    return invalid(errs);
                }
                let stored = a.orders.entry(order.order_number.clone()).or_default();
                let created = stored.order_info.is_empty();
                stored.order_info = merged;
                stored.cached = None;
                for s in &merged_order.shipments {
                    if let Some(tn) = &s.tracking_number {
                        stored.shipment_seen.entry(tn.clone()).or_insert(now);
                    }
                }
                let message = if created { "Order created" } else { "Order updated" };
                Reply::ok(envelope::success(message))
                    .with_event(WebhookTopic::OrderUpdated.as_str(), json!({"order_number": order.order_number, "status": if created {"created"} else {"updated"}, "occurred_at": now.to_rfc3339()}))
            }
            "orders.get" => {
                let n = call.param("order_number");
                match a.orders.get_mut(n) {
                    Some(o) => {
                        let raw = o.cached.get_or_insert_with(|| {
                            bytes::Bytes::from(
                                serde_json::to_vec(&{
                                    let mut answer = envelope::success("Order found");
                                    answer["order_info"] = Value::Object(o.order_info.clone());
                                    answer
                                })
                                .unwrap_or_default(),
                            )
                        });
                        Reply { status: 200, body: Value::Null, raw: Some(raw.clone()), events: Vec::new() }
                    }
                    None => order_not_found(n),
                }
            }
            "orders.add_shipments" => {
                let n = call.param("order_number").to_owned();
                let body = call.body.clone().unwrap_or(Value::Null);
                // The whole body must be a well-typed order envelope, whatever it carries.
                if let Err(e) = call.decode::<OrderEnvelope>() {
                    return invalid(e);
                }
                let Some(shipments_json) = body.pointer("/order_info/shipments").cloned() else {
                    return invalid(vec![FieldError::new("order_info.shipments", "required", "is required")]);
                };
                let shipments: Vec<Shipment> = match narvar_core::ops::decode_input_value(&shipments_json) {
                    Ok(s) => s,
                    Err(e) => return invalid(e.field_errors),
                };
                let Some(stored) = a.orders.get_mut(&n) else { return order_not_found(&n) };
                let mut list: Vec<Value> =
                    stored.order_info.get("shipments").and_then(Value::as_array).cloned().unwrap_or_default();
                let incoming: Vec<Value> = shipments_json.as_array().cloned().unwrap_or_default();
                for (s, raw) in shipments.iter().zip(incoming) {
                    let key = (s.carrier.clone(), s.tracking_number.clone());
                    let pos = list.iter().position(|v| {
                        (
                            v.get("carrier").and_then(Value::as_str).map(str::to_owned),
                            v.get("tracking_number").and_then(Value::as_str).map(str::to_owned),
                        ) == key
                    });
                    match pos {
                        Some(i) => list[i] = raw,
                        None => list.push(raw),
                    }
                }
                let mut candidate = stored.order_info.clone();
                candidate.insert("shipments".into(), Value::Array(list));
                let order: OrderInfo = serde_json::from_value(Value::Object(candidate.clone())).unwrap_or_default();
                if let Err(errs) =
                    check(|p| validate::shipments(p, "order_info.shipments", &order.shipments, Some(&order.order_items)))
                {
                    return invalid(errs);
                }
                stored.order_info = candidate;
                stored.cached = None;
                for s in &shipments {
                    if let Some(tn) = &s.tracking_number {
                        stored.shipment_seen.entry(tn.clone()).or_insert(now);
                    }
                }
                Reply::ok(envelope::success("Shipments saved")).with_event(
                    WebhookTopic::OrderUpdated.as_str(),
                    json!({"order_number": n, "status": "shipments_updated", "occurred_at": now.to_rfc3339()}),
                )
            }
            "tracking.by_order" => {
                let n = call.param("order_number");
                match a.orders.get(n) {
                    Some(o) => Reply::ok(to_value(&OrderTracking {
                        status: Some(EnvelopeStatus::Success),
                        order_number: Some(n.to_owned()),
                        retailer_moniker: Some(a.creds.retailer_moniker.clone()),
                        shipments: tracked(o, now, call.base_url),
                        ..Default::default()
                    })),
                    None => Reply {
                        status: 404,
                        body: json!({"errors": [{"code": envelope::ORDER_NOT_FOUND_CODE, "message": envelope::order_not_found_message(n)}]}),
                        raw: None,
                        events: vec![],
                    },
                }
            }
            "tracking.info" => {
                let carrier = call.param("carrier_moniker");
                let numbers: Vec<&str> =
                    call.query("tracking_numbers").unwrap_or_default().split(',').filter(|s| !s.is_empty()).collect();
                if numbers.is_empty() {
                    return failure(400, "invalid.required", "tracking_numbers is required");
                }
                let shipments: Vec<TrackedShipment> = a
                    .orders
                    .values()
                    .flat_map(|o| tracked(o, now, call.base_url))
                    .filter(|s| {
                        s.carrier.as_deref() == Some(carrier)
                            && numbers.contains(&s.tracking_number.as_deref().unwrap_or_default())
                    })
                    .collect();
                if shipments.is_empty() {
                    return failure(404, "tracking.not_found", "No shipment with those tracking numbers");
                }
                Reply::ok(to_value(&TrackingInfo {
                    status: Some(EnvelopeStatus::Success),
                    locale: Some(call.query("locale").unwrap_or("en_US").to_owned()),
                    carrier: Some(carrier.to_owned()),
                    shipments,
                    ..Default::default()
                }))
            }
            "tracking.item_visibility" => {
                let n = call.param("order_number");
                let Some(o) = a.orders.get(n) else {
                    return failure(404, envelope::ORDER_NOT_FOUND_CODE, envelope::order_not_found_message(n));
                };
                let order: OrderInfo = serde_json::from_value(Value::Object(o.order_info.clone())).unwrap_or_default();
                let zips: Vec<String> =
                    order.shipments.iter().filter_map(|s| s.shipped_to.as_ref()?.address.as_ref()?.zip.clone()).collect();
                let masked = call.query("dzip").is_some_and(|z| !zips.iter().any(|x| x == z));
                let tracks = tracked(o, now, call.base_url);
                let items = order
                    .order_items
                    .iter()
                    .map(|it| {
                        let ship = order.shipments.iter().find(|s| s.items_info.iter().any(|i| i.sku == it.sku));
                        let track = ship.and_then(|s| tracks.iter().find(|t| t.tracking_number == s.tracking_number));
                        ItemVisibility {
                            sku: it.sku.clone(),
                            item_id: it.item_id.clone(),
                            name: if masked { None } else { it.name.clone() },
                            quantity: it.quantity,
                            fulfillment_status: Some(if ship.is_some() {
                                FulfillmentStatus::Shipped
                            } else {
                                it.fulfillment_status.clone().unwrap_or(FulfillmentStatus::NotShipped)
                            }),
                            carrier: ship.and_then(|s| s.carrier.clone()),
                            tracking_number: if masked { None } else { ship.and_then(|s| s.tracking_number.clone()) },
                            tracking_status: track.and_then(|t| t.status.clone()),
                            ..Default::default()
                        }
                    })
                    .collect();
                Reply::ok(to_value(&OrderItemVisibility {
                    status: Some(EnvelopeStatus::Success),
                    order_number: Some(n.to_owned()),
                    masked: Some(masked),
                    items,
                    ..Default::default()
                }))
            }
            "returns.generate_label" | "returns.create" => {
                let req: ReturnRequest = match call.decode() {
                    Ok(r) => r,
                    Err(e) => return invalid(e),
                };
                if let Err(errs) = check(|p| validate::return_request(p, &req)) {
                    return invalid(errs);
                }
                let Some(o) = a.orders.get(&req.order_number) else { return order_not_found(&req.order_number) };
                let order: OrderInfo = serde_json::from_value(Value::Object(o.order_info.clone())).unwrap_or_default();
                for (i, item) in req.order_items.iter().enumerate() {
                    let Some(line) = order.order_items.iter().find(|l| l.sku == item.sku) else {
                        return failure(400, "invalid.sku", format!("order_items[{i}].sku is not on order {}", req.order_number));
                    };
                    if line.is_final_sale == Some(true) {
                        return failure(400, "invalid.final_sale", format!("order_items[{i}].sku is a final sale"));
                    }
                    if item.quantity.map(|q| q.get()).unwrap_or(0) > line.quantity.map(|q| q.get()).unwrap_or(0) {
                        return failure(400, "invalid.quantity", format!("order_items[{i}].quantity is more than was ordered"));
                    }
                }
                let rrn = rrn.unwrap_or_default();
                let carrier = req.carrier.clone().unwrap_or_else(|| "usps".into());
                let tn = format!("9202{:018}", self.seq);
                let label_type = if carrier == "auspost" { "png" } else { "pdf" };
                let label = ReturnLabel {
                    status: Some(EnvelopeStatus::Success),
                    messages: vec![ApiMessage {
                        code: Some(envelope::SUCCESS_CODE.into()),
                        message: Some("Label Returned".into()),
                        ..Default::default()
                    }],
                    return_reference_number: Some(rrn.clone()),
                    order_number: Some(req.order_number.clone()),
                    rma_number: Some(req.rma_number.clone().unwrap_or_else(|| "RA".into())),
                    return_status: Some(ReturnStatus::Initiated),
                    created_at: Some(now.to_rfc3339()),
                    return_methods: vec![ReturnMethod {
                        kind: Some(ReturnMethodType::Mail),
                        carrier: Some(ReturnCarrier { name: Some(carrier.to_uppercase()), ..Default::default() }),
                        label_url: Some(format!("{}/_sandbox/labels/{rrn}.{label_type}", call.base_url)),
                        tracking_number: Some(tn.clone()),
                        tracking_url: Some(format!("{}/tracking/{carrier}?tracking_numbers={tn}&type=ret", call.base_url)),
                        ..Default::default()
                    }],
                    ..Default::default()
                };
                let a = self.accounts.get_mut(account_id).expect("checked above");
                a.returns.insert(rrn.clone(), StoredReturn { label: label.clone(), created: now, label_type });
                Reply::ok(to_value(&label)).with_event(
                    WebhookTopic::Initiated.as_str(),
                    json!({"order_number": req.order_number, "return_reference_number": rrn, "rma_number": label.rma_number, "status": "initiated", "occurred_at": now.to_rfc3339()}),
                )
            }
            "returns.get_label" | "returns.get" => {
                let rrn = call.param("return_reference_number");
                match a.returns.get(rrn) {
                    Some(r) => {
                        let mut label = r.label.clone();
                        label.return_status = Some(return_status_at(r.created, now));
                        Reply::ok(to_value(&label))
                    }
                    None => failure(404, "return.not_found", format!("No return {rrn}")),
                }
            }
            "carriers.list" => {
                let products = call.query_all("products");
                let capabilities = call.query_all("capabilities");
                let carriers: Vec<CarrierSummary> = a
                    .carriers
                    .values()
                    .filter(|c| products.iter().all(|p| c.catalogue.products.iter().any(|x| x.as_str() == *p)))
                    .filter(|c| capabilities.iter().all(|p| c.catalogue.capabilities.iter().any(|x| x.as_str() == *p)))
                    .map(|c| {
                        let active = a
                            .carrier_accounts
                            .values()
                            .any(|acc| acc.carrier_moniker == c.catalogue.moniker && acc.is_active != Some(false));
                        CarrierSummary {
                            carrier_moniker: c.catalogue.moniker.to_owned(),
                            status: Some(if active { CarrierStatus::Active } else { CarrierStatus::Inactive }),
                            last_updated_by: Some(format!("api@{}", a.creds.retailer_moniker)),
                            last_update_datetime: Some(c.last_update.to_rfc3339()),
                            capabilities: c.catalogue.capabilities.clone(),
                            products: c.catalogue.products.clone(),
                            carrier_services: c.services.iter().map(|s| s.service_name.clone()).collect(),
                            ..Default::default()
                        }
                    })
                    .collect();
                Reply::ok(to_value(&CarrierList {
                    retailer_moniker: Some(a.creds.retailer_moniker.clone()),
                    carriers,
                    ..Default::default()
                }))
            }
            "carriers.get" => {
                let m = call.param("carrier_moniker");
                let Some(c) = a.carriers.get(m) else {
                    return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
                };
                let country = call.query("country");
                let (products, capabilities) = (call.query_all("products"), call.query_all("capabilities"));
                // Services are the carrier's; they are listed only if the carrier offers every
                // product and capability asked for. Accounts must have them all themselves.
                let offers = products.iter().all(|p| c.catalogue.products.iter().any(|x| x.as_str() == *p))
                    && capabilities.iter().all(|k| c.catalogue.capabilities.iter().any(|x| x.as_str() == *k));
                let services = c
                    .services
                    .iter()
                    .filter(|_| offers)
                    .filter(|s| country.is_none_or(|k| s.countries.is_empty() || s.countries.iter().any(|x| x == k)))
                    .cloned()
                    .collect();
                let accounts = a
                    .carrier_accounts
                    .values()
                    .filter(|acc| acc.carrier_moniker == m)
                    .filter(|acc| products.iter().all(|p| acc.products.iter().any(|x| x.as_str() == *p)))
                    .filter(|acc| capabilities.iter().all(|k| acc.capabilities.iter().any(|x| x.as_str() == *k)))
                    .map(|acc| CarrierAccountDetail {
                        account_alias: Some(acc.account_alias.clone()),
                        capabilities: acc.capabilities.clone(),
                        product: acc.products.clone(),
                        carrier_services: acc.carrier_services.clone(),
                        ..Default::default()
                    })
                    .collect();
                Reply::ok(to_value(&CarrierDetails {
                    status: Some(EnvelopeStatus::Success),
                    carrier_moniker: Some(m.to_owned()),
                    carrier_services: services,
                    configuration: Some(c.configuration.clone()),
                    accounts,
                    ..Default::default()
                }))
            }
            "carriers.enable" => {
                let m = call.param("carrier_moniker").to_owned();
                let req: CarrierServiceConfigurationRequest = match call.decode() {
                    Ok(r) => r,
                    Err(e) => return carrier_invalid(e),
                };
                if let Err(errs) = check(|p| validate::service_configuration(p, &req)) {
                    return carrier_invalid(errs);
                }
                let Some(c) = a.carriers.get_mut(&m) else {
                    return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
                };
                for s in &req.carrier_service_configurations {
                    match c.services.iter_mut().find(|x| x.service_name == s.service_name) {
                        Some(existing) => {
                            if let Some(active) = s.is_active {
                                existing.is_active = Some(active);
                            }
                            if !s.countries.is_empty() {
                                existing.countries = s.countries.clone();
                            }
                            if let Some(delta) = &s.configuration {
                                let mut base = to_value(&existing.configuration.clone().unwrap_or_default());
                                merge(&mut base, to_value(delta));
                                existing.configuration = serde_json::from_value(base).ok();
                            }
                        }
                        None => c.services.push(CarrierService {
                            service_name: s.service_name.clone(),
                            configuration: s.configuration.clone(),
                            is_active: Some(s.is_active.unwrap_or(true)),
                            countries: s.countries.clone(),
                            ..Default::default()
                        }),
                    }
                }
                if let Some(cc) = &req.carrier_configuration {
                    c.configuration = cc.clone();
                }
                c.last_update = now;
                Reply::ok(to_value(&CarrierServiceCreationResponse {
                    status: Some(EnvelopeStatus::Success),
                    carrier_moniker: Some(m),
                    carrier_services: c.services.clone(),
                    configuration: Some(c.configuration.clone()),
                    ..Default::default()
                }))
            }
            "carriers.disable" => {
                let m = call.param("carrier_moniker");
                let service = call.query("carrier-service").unwrap_or_default();
                let Some(c) = a.carriers.get_mut(m) else {
                    return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Carrier {m} not found"));
                };
                let before = c.services.len();
                c.services.retain(|s| s.service_name != service);
                if c.services.len() == before {
                    return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Service {service} not found for {m}"));
                }
                c.last_update = now;
                Reply::ok(json!({"status": "SUCCESS"}))
            }
            "carrier_accounts.list" => {
                let list: Vec<CarrierAccount> = a.carrier_accounts.values().map(public_account).collect();
                Reply::ok(to_value(&CarrierAccountList {
                    status: Some(EnvelopeStatus::Success),
                    carrier_accounts: list,
                    ..Default::default()
                }))
            }
            "carrier_accounts.get" => {
                let alias = call.query("account-alias").unwrap_or_default();
                match a.carrier_accounts.get(alias) {
                    Some(acc) => Reply::ok(to_value(&public_account(acc))),
                    None => carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {alias} not found")),
                }
            }
            "carrier_accounts.create" => {
                let req: CarrierAccountRequest = match call.decode() {
                    Ok(r) => r,
                    Err(e) => return carrier_invalid(e),
                };
                if let Err(errs) = check(|p| validate::account_request(p, &req)) {
                    return carrier_invalid(errs);
                }
                if !a.carriers.contains_key(&req.carrier_moniker)
                    && narvar_core::models::KNOWN_CREDENTIAL_MONIKERS.contains(&req.carrier_moniker.as_str())
                {
                    return carrier_failure(
                        400,
                        carrier_codes::VALIDATION,
                        format!("Carrier {} is not available", req.carrier_moniker),
                    );
                }
                if a.carrier_accounts.contains_key(&req.account_alias) {
                    return carrier_failure(
                        409,
                        carrier_codes::CONFLICT,
                        format!("Account alias {} already exists", req.account_alias),
                    );
                }
                let account = CarrierAccount {
                    retailer_moniker: Some(a.creds.retailer_moniker.clone()),
                    carrier_moniker: req.carrier_moniker.clone(),
                    capabilities: req.capabilities.clone(),
                    products: req.products.clone(),
                    account_identifier: Some(uuid_like(&id, &req.account_alias)),
                    is_active: Some(req.is_active.unwrap_or(true)),
                    account_alias: req.account_alias.clone(),
                    carrier_services: req.carrier_services.clone(),
                    credentials: req.credentials.clone(),
                    ..Default::default()
                };
                a.carrier_accounts.insert(req.account_alias.clone(), account.clone());
                Reply::ok(json!({"status": "SUCCESS", "carrierAccount": public_account(&account)}))
            }
            "carrier_accounts.update" => {
                let req: CarrierAccountUpdateRequest = match call.decode() {
                    Ok(r) => r,
                    Err(e) => return carrier_invalid(e),
                };
                if let Err(errs) = check(|p| validate::account_update(p, &req)) {
                    return carrier_invalid(errs);
                }
                let Some(acc) = a.carrier_accounts.get_mut(&req.account_alias) else {
                    return carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {} not found", req.account_alias));
                };
                if acc.carrier_moniker != req.carrier_moniker {
                    return carrier_failure(400, carrier_codes::VALIDATION, "carrier_moniker cannot change");
                }
                if !req.capabilities.is_empty() {
                    acc.capabilities = req.capabilities.clone();
                }
                if !req.products.is_empty() {
                    acc.products = req.products.clone();
                }
                if let Some(active) = req.is_active {
                    acc.is_active = Some(active);
                }
                if req.credentials.is_some() {
                    acc.credentials = req.credentials.clone();
                }
                Reply::ok(json!({"status": "SUCCESS"}))
            }
            "carrier_accounts.delete" => {
                let alias = call.param("account_alias");
                match a.carrier_accounts.remove(alias) {
                    Some(_) => Reply::ok(json!({"status": "SUCCESS"})),
                    None => carrier_failure(404, carrier_codes::NOT_FOUND, format!("Account {alias} not found")),
                }
            }
            "promise.options" | "promise.public_options" => {
                let req: PromiseRequest = if call.operation == "promise.options" {
                    match call.decode() {
                        Ok(r) => r,
                        Err(e) => return invalid(e),
                    }
                } else {
                    use base64::Engine as _;
                    let raw = call.query("query").unwrap_or_default();
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(raw)
                        .ok()
                        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
                    match decoded.map(|v| narvar_core::ops::decode_input_value::<PromiseRequest>(&v)) {
                        Some(Ok(r)) => r,
                        Some(Err(e)) => return invalid(e.field_errors),
                        None => return failure(400, "invalid.query", "query must be base64 of a JSON object"),
                    }
                };
                if let Err(errs) = check(|p| validate::promise_request(p, &req)) {
                    return invalid(errs);
                }
                let mut options = Vec::new();
                for (name, days) in [("Standard", 5), ("Express", 2)] {
                    let date = (now + Span::days(days)).date_naive();
                    let option = DeliveryOption {
                        promise_id: Some(format!("pr_{}_{}", self_seq(&id), name.to_lowercase())),
                        delivery_option_name: Some(name.to_owned()),
                        text: Some(format!("Get it by {}", date.format("%a, %b %-d"))),
                        estimated_delivery_date: Some(date.to_string()),
                        ..Default::default()
                    };
                    a.promises.insert(option.promise_id.clone().unwrap_or_default(), option.clone());
                    options.push(option);
                }
                Reply::ok(to_value(&PromiseOptions {
                    status: Some(EnvelopeStatus::Success),
                    cart_delivery_options: Some(CartDeliveryOptions { delivery_options: options, ..Default::default() }),
                    ..Default::default()
                }))
            }
            "promise.confirm" => {
                let req: PromiseConfirmation = match call.decode() {
                    Ok(r) => r,
                    Err(e) => return invalid(e),
                };
                if let Err(errs) = check(|p| validate::promise_confirmation(p, &req)) {
                    return invalid(errs);
                }
                if let Some(missing) = req.selected_delivery_options.iter().find(|o| !a.promises.contains_key(&o.promise_id)) {
                    return failure(404, "promise.not_found", format!("Promise {} not found", missing.promise_id));
                }
                Reply::ok(json!({"status": "SUCCESS", "order_id": req.order_id}))
            }
            other => failure(404, "route.not_found", format!("{other} is not served")),
        }
    }
}

fn self_seq(id: &str) -> &str {
    id.rsplit('_').next().unwrap_or(id)
}

/// A deterministic UUID-shaped identifier.
fn uuid_like(id: &str, salt: &str) -> String {
    let h = narvar_core::tokens::hmac_sha256_hex(salt.as_bytes(), id.as_bytes());
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

/// Credentials are never echoed back.
fn public_account(a: &CarrierAccount) -> CarrierAccount {
    CarrierAccount { credentials: None, ..a.clone() }
}

/// Deep merge of JSON objects: `delta` wins, objects merge, everything else is replaced.
fn merge(base: &mut Value, delta: Value) {
    match (base, delta) {
        (Value::Object(b), Value::Object(d)) => {
            for (k, v) in d {
                merge(b.entry(k).or_insert(Value::Null), v);
            }
        }
        (b, d) => *b = d,
    }
}
