//! One order's journey, normalized: order placed → shipments → scans → delivered / exception →
//! return initiated / in transit / received / refunded, in time order, each entry with its source.

use crate::models::*;
use crate::webhooks::{Webhook, WebhookEvent};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

open_enum! {
    /// A step of the journey.
    pub enum JourneyStatus {
        OrderPlaced = "order_placed",
        Shipped = "shipped",
        LabelCreated = "label_created",
        InTransit = "in_transit",
        OutForDelivery = "out_for_delivery",
        Delivered = "delivered",
        Exception = "exception",
        ReturnInitiated = "return_initiated",
        ReturnInTransit = "return_in_transit",
        ReturnReceived = "return_received",
        ReturnApproved = "return_approved",
        ReturnRejected = "return_rejected",
        ReturnCancelled = "return_cancelled",
        Refunded = "refunded",
    }
}

/// Where an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum JourneySource {
    /// The order (`orders.get`).
    Order,
    /// A carrier scan (`tracking.by_order`).
    Tracking,
    /// A return (`returns.*`).
    Return,
    /// A webhook delivery.
    Webhook,
}

/// One step.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct JourneyEntry {
    /// When, as RFC 3339 (dates become midnight UTC); `None` when the source gave no time.
    pub at: Option<String>,
    pub status: JourneyStatus,
    pub source: JourneySource,
    /// For people.
    pub description: String,
    /// The tracking number of a shipment or return parcel.
    pub tracking_number: Option<String>,
    /// The return, for return steps.
    pub return_reference_number: Option<String>,
}

/// An order's journey.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Journey {
    pub order_number: String,
    /// The latest step's status.
    pub status: JourneyStatus,
    /// In time order; entries without a time keep their place after the timed ones.
    pub entries: Vec<JourneyEntry>,
    /// Each shipment against its promised delivery date.
    pub promises: Vec<ShipmentPromise>,
    /// The order's promise, summed up over its shipments.
    pub promise: PromiseSummary,
}

/// A shipment measured against its promise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PromiseVerdict {
    /// Delivered by the promised date.
    OnTime,
    /// Not due yet, or no date was promised.
    Pending,
    /// Delivered after the promised date, or still not delivered after it.
    Late,
    /// The carrier reported a delivery exception and nothing was delivered after it.
    Exception,
}

/// One shipment against its promise.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ShipmentPromise {
    pub tracking_number: Option<String>,
    pub carrier: Option<String>,
    /// The promised delivery, RFC 3339 (a promised date is the end of that day, UTC).
    pub promised_by: Option<String>,
    /// Where the promise came from: `item_promise_date` (the latest of the shipment's items),
    /// `order_promise_date`, or `promise_confirmed` (the date the promise API confirmed).
    pub promise_source: Option<String>,
    /// When it was delivered, if it was.
    pub delivered_at: Option<String>,
    pub verdict: PromiseVerdict,
    /// How late: delivered minus promised, or (not delivered) now minus promised; `None` when
    /// not late.
    pub lateness_hours: Option<f64>,
}

/// The order's promise: the worst verdict of its shipments (exception, then late, then
/// pending), and how many shipments had each.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PromiseSummary {
    pub verdict: PromiseVerdict,
    pub on_time: u32,
    pub late: u32,
    pub exception: u32,
    pub pending: u32,
    /// The latest shipment's lateness, in hours.
    pub max_lateness_hours: Option<f64>,
}

fn parse_time(s: Option<&str>) -> Option<DateTime<FixedOffset>> {
    let s = s?;
    date_time_or_day(s, (0, 0, 0))
}

/// An RFC 3339 date-time as given, or a plain `yyyy-mm-dd` at the given time of day (UTC).
fn date_time_or_day(s: &str, (h, m, sec): (u32, u32, u32)) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| crate::validate::parse_date(s).and_then(|d| d.and_hms_opt(h, m, sec)).map(|t| t.and_utc().fixed_offset()))
}

fn tracking_status(s: &TrackingStatus) -> JourneyStatus {
    match s {
        TrackingStatus::LabelCreated => JourneyStatus::LabelCreated,
        TrackingStatus::InTransit => JourneyStatus::InTransit,
        TrackingStatus::OutForDelivery => JourneyStatus::OutForDelivery,
        TrackingStatus::Delivered => JourneyStatus::Delivered,
        TrackingStatus::Exception => JourneyStatus::Exception,
        TrackingStatus::Returned => JourneyStatus::ReturnReceived,
        TrackingStatus::Other(o) => JourneyStatus::Other(o.clone()),
    }
}

fn return_status(s: &ReturnStatus) -> JourneyStatus {
    match s {
        ReturnStatus::Initiated => JourneyStatus::ReturnInitiated,
        ReturnStatus::InTransit => JourneyStatus::ReturnInTransit,
        ReturnStatus::Received => JourneyStatus::ReturnReceived,
        ReturnStatus::Refunded => JourneyStatus::Refunded,
        ReturnStatus::Cancelled => JourneyStatus::ReturnCancelled,
        ReturnStatus::Other(o) => JourneyStatus::Other(o.clone()),
    }
}

fn rma_status(s: &ReturnTrackingStatus) -> JourneyStatus {
    match s {
        ReturnTrackingStatus::Initiated => JourneyStatus::ReturnInitiated,
        ReturnTrackingStatus::OnItsWay => JourneyStatus::ReturnInTransit,
        ReturnTrackingStatus::Delivered => JourneyStatus::ReturnReceived,
        ReturnTrackingStatus::Cancelled => JourneyStatus::ReturnCancelled,
        ReturnTrackingStatus::Other(o) => JourneyStatus::Other(o.clone()),
    }
}

fn topic_status(t: &WebhookTopic, data: &TopicPayload) -> Option<JourneyStatus> {
    Some(match t {
        WebhookTopic::Initiated => JourneyStatus::ReturnInitiated,
        WebhookTopic::OnItsWayToRetailer => JourneyStatus::ReturnInTransit,
        WebhookTopic::DeliveredToRetailer => JourneyStatus::ReturnReceived,
        WebhookTopic::Approved => JourneyStatus::ReturnApproved,
        WebhookTopic::Rejected => JourneyStatus::ReturnRejected,
        WebhookTopic::CancelledByRetailer | WebhookTopic::CancelledByUser => JourneyStatus::ReturnCancelled,
        WebhookTopic::Refunded => JourneyStatus::Refunded,
        WebhookTopic::DeliveryException => JourneyStatus::Exception,
        WebhookTopic::ShipmentStatusChanged => tracking_status(data.event.as_ref()?.status.as_ref()?),
        _ => return None,
    })
}

/// A step in words: `return_in_transit` → "Return in transit".
fn describe(status: &JourneyStatus) -> String {
    let text = status.as_str().replace('_', " ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Builds the journey of `order` from what the API returned: its tracking, its returns and any
/// webhooks received for it. Entries the same step reports twice (a scan and the webhook that
/// announced it) are kept once.
///
/// ```
/// use narvar_core::journey::{build, JourneyStatus};
/// let order: narvar_core::models::OrderInfo = serde_json::from_value(serde_json::json!({
///     "order_number": "1001", "order_date": "2024-03-09T17:45:00Z"})).unwrap();
/// let j = build(&order, None, &[], &[]);
/// assert_eq!(j.status, JourneyStatus::OrderPlaced);
/// ```
pub fn build(order: &OrderInfo, tracking: Option<&OrderTracking>, returns: &[ReturnLabel], webhooks: &[Webhook]) -> Journey {
    build_at(order, tracking, returns, webhooks, &PromiseContext::default())
}

/// What the promise verdicts need beyond the order.
#[derive(Clone, Copy, Debug, Default)]
pub struct PromiseContext<'a> {
    /// Now, RFC 3339 or an HTTP date (as a server's `Date` header gives it; the client passes
    /// Narvar's). Without it an undelivered shipment is `pending` however late it is.
    pub now: Option<&'a str>,
    /// The delivery date the promise API confirmed for the order, when the caller knows it
    /// (the client remembers the confirmations it made): used for shipments the order's own
    /// promise fields say nothing about.
    pub confirmed_promise: Option<&'a str>,
}

/// What a client saw of the promise API: the date of each option it was offered, and the one
/// each order confirmed. Narvar publishes no way to read a confirmation back, so this is how a
/// journey learns an order's confirmed promise ([`PromiseContext::confirmed_promise`]).
#[derive(Debug, Default)]
pub struct PromiseBook {
    offered: std::collections::HashMap<String, String>,
    confirmed: std::collections::HashMap<String, String>,
}

impl PromiseBook {
    /// At most this many offered options are remembered (a long-lived client asks for many).
    pub const MAX_OFFERED: usize = 10_000;

    /// Notes the options of a `promise.options` or `promise.public_options` answer.
    pub fn offered(&mut self, options: &PromiseOptions) {
        if self.offered.len() > Self::MAX_OFFERED {
            self.offered.clear();
        }
        for o in options.cart_delivery_options.iter().flat_map(|c| &c.delivery_options) {
            if let (Some(id), Some(date)) = (&o.promise_id, &o.estimated_delivery_date) {
                self.offered.insert(id.clone(), date.clone());
            }
        }
    }

    /// Notes a confirmation that succeeded: the order's promise is the latest date of the
    /// options it chose that this book was offered.
    pub fn confirmed(&mut self, confirmation: &PromiseConfirmation) {
        let dates = confirmation.selected_delivery_options.iter().filter_map(|o| self.offered.get(&o.promise_id));
        if let Some(date) = dates.max().cloned() {
            self.confirmed.insert(confirmation.order_id.clone(), date);
        }
    }

    /// The date confirmed for an order, if this book saw it.
    pub fn confirmed_for(&self, order_id: &str) -> Option<&str> {
        self.confirmed.get(order_id).map(String::as_str)
    }
}

/// [`build`], with the shipments measured against their promise in `context`.
pub fn build_at(
    order: &OrderInfo,
    tracking: Option<&OrderTracking>,
    returns: &[ReturnLabel],
    webhooks: &[Webhook],
    context: &PromiseContext<'_>,
) -> Journey {
    build_from(order, tracking, returns, &mut webhooks.iter(), context)
}

/// [`build_at`] over the webhooks `gather` picks for the order, without copying them.
fn build_from(
    order: &OrderInfo,
    tracking: Option<&OrderTracking>,
    returns: &[ReturnLabel],
    webhooks: &mut dyn Iterator<Item = &Webhook>,
    context: &PromiseContext<'_>,
) -> Journey {
    let mut entries: Vec<JourneyEntry> = Vec::new();
    let mut push = |at: Option<&str>,
                    status: JourneyStatus,
                    source: JourneySource,
                    description: String,
                    tn: Option<&str>,
                    rrn: Option<&str>| {
        let e = JourneyEntry {
            at: parse_time(at).map(|t| t.to_rfc3339()),
            status,
            source,
            description,
            tracking_number: tn.map(str::to_owned),
            return_reference_number: rrn.map(str::to_owned),
        };
        // The same step seen twice (a scan and its webhook, a return and its webhook): keep one,
        // with the time and references either had.
        let same_subject = |x: &JourneyEntry| {
            let tn = x.tracking_number.is_some() && x.tracking_number == e.tracking_number;
            let rrn = x.return_reference_number.is_some() && x.return_reference_number == e.return_reference_number;
            let neither = x.tracking_number.is_none()
                && x.return_reference_number.is_none()
                && e.tracking_number.is_none()
                && e.return_reference_number.is_none();
            tn || rrn || neither
        };
        let dup = entries
            .iter_mut()
            .find(|x| x.status == e.status && (x.at == e.at || x.at.is_none() || e.at.is_none()) && same_subject(x));
        match dup {
            Some(x) => {
                if x.at.is_none() {
                    x.at = e.at;
                }
                if x.tracking_number.is_none() {
                    x.tracking_number = e.tracking_number;
                }
                if x.return_reference_number.is_none() {
                    x.return_reference_number = e.return_reference_number;
                }
            }
            None => entries.push(e),
        }
    };
    push(
        order.order_date.as_deref(),
        JourneyStatus::OrderPlaced,
        JourneySource::Order,
        format!("Order {} placed", order.order_number),
        None,
        None,
    );
    for s in &order.shipments {
        let carrier = s.carrier.as_deref().unwrap_or("carrier");
        push(
            s.ship_date.as_deref(),
            JourneyStatus::Shipped,
            JourneySource::Order,
            format!("Shipped with {carrier}"),
            s.tracking_number.as_deref(),
            None,
        );
    }
    for s in tracking.map(|t| t.shipments.as_slice()).unwrap_or_default() {
        for ev in &s.events {
            let status = ev
                .status
                .as_ref()
                .map(tracking_status)
                .unwrap_or_else(|| JourneyStatus::Other(ev.code.clone().unwrap_or_default()));
            let description = ev.description.clone().unwrap_or_else(|| status.to_string());
            push(ev.timestamp.as_deref(), status, JourneySource::Tracking, description, s.tracking_number.as_deref(), None);
        }
    }
    for r in returns {
        let rrn = r.return_reference_number.as_deref();
        let tn = r.return_methods.iter().find_map(|m| m.tracking_number.as_deref());
        push(
            r.created_at.as_deref(),
            JourneyStatus::ReturnInitiated,
            JourneySource::Return,
            describe(&JourneyStatus::ReturnInitiated),
            tn,
            rrn,
        );
        if let Some(st) = r.return_status.as_ref().filter(|s| **s != ReturnStatus::Initiated) {
            let status = return_status(st);
            push(None, status.clone(), JourneySource::Return, describe(&status), tn, rrn);
        }
    }
    for w in webhooks {
        let when = w.timestamp.and_then(|t| DateTime::from_timestamp(t, 0)).map(|t| t.to_rfc3339());
        match &w.event {
            WebhookEvent::StandardRma(p) => {
                if let Some(s) = &p.return_tracking_status {
                    let tn = p.package.as_ref().and_then(|k| k.tracking_number.as_deref());
                    push(
                        when.as_deref().or(p.return_creation_date.as_deref()),
                        rma_status(s),
                        JourneySource::Webhook,
                        describe(&rma_status(s)),
                        tn,
                        p.return_reference_number.as_deref(),
                    );
                }
            }
            WebhookEvent::FullRma(p) => {
                if let Some(s) = &p.return_tracking_status {
                    push(
                        when.as_deref().or(p.return_creation_date.as_deref()),
                        rma_status(s),
                        JourneySource::Webhook,
                        describe(&rma_status(s)),
                        p.tracking_number.as_deref(),
                        p.return_reference_number.as_deref(),
                    );
                }
            }
            WebhookEvent::Topic { topic, data } => {
                if let Some(status) = topic_status(topic, data) {
                    let at = data
                        .event
                        .as_ref()
                        .and_then(|e| e.timestamp.as_deref())
                        .or(data.occurred_at.as_deref())
                        .or(when.as_deref());
                    let description =
                        data.event.as_ref().and_then(|e| e.description.clone()).unwrap_or_else(|| describe(&status));
                    push(
                        at,
                        status,
                        JourneySource::Webhook,
                        description,
                        data.tracking_number.as_deref(),
                        data.return_reference_number.as_deref(),
                    );
                }
            }
            WebhookEvent::Unknown { .. } => {}
        }
    }
    // Stable sort: timed entries by time, untimed ones after them in the order they came.
    entries.sort_by_key(|e| (e.at.is_none(), e.at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok())));
    let status = entries.last().map(|e| e.status.clone()).unwrap_or(JourneyStatus::OrderPlaced);
    let now = context.now.and_then(|n| parse_time(Some(n)).or_else(|| parse_http_date(n)));
    let confirmed = context.confirmed_promise.and_then(promised_time);
    let promises: Vec<ShipmentPromise> =
        order.shipments.iter().map(|s| shipment_promise(order, s, &entries, now, confirmed)).collect();
    let promise = summarise(&promises);
    Journey { order_number: order.order_number.clone(), status, entries, promises, promise }
}

/// A `Date` header: an HTTP-date, read as `Retry-After`'s is ([`crate::policy`]), with httpdate.
fn parse_http_date(s: &str) -> Option<DateTime<FixedOffset>> {
    let at = httpdate::parse_http_date(s.trim()).ok()?;
    Some(DateTime::<chrono::Utc>::from(at).fixed_offset())
}

/// A promised date: a date-time as given, a plain date as the end of that day (UTC).
fn promised_time(s: &str) -> Option<DateTime<FixedOffset>> {
    date_time_or_day(s, (23, 59, 59))
}

/// The shipment's promise: the latest `item_promise_date` of the items it carries, else the
/// order's `order_promise_date`, else the date the promise API confirmed.
fn promise_of(
    order: &OrderInfo,
    s: &Shipment,
    confirmed: Option<DateTime<FixedOffset>>,
) -> Option<(DateTime<FixedOffset>, &'static str)> {
    let carried = |item: &&OrderItem| {
        s.items_info.iter().any(|i| {
            (i.item_id.is_some() && i.item_id == item.item_id) || (i.item_id.is_none() && i.sku.is_some() && i.sku == item.sku)
        })
    };
    let item =
        order.order_items.iter().filter(carried).filter_map(|i| i.item_promise_date.as_deref().and_then(promised_time)).max();
    item.map(|t| (t, "item_promise_date"))
        .or_else(|| order.order_promise_date.as_deref().and_then(promised_time).map(|t| (t, "order_promise_date")))
        .or_else(|| confirmed.map(|t| (t, "promise_confirmed")))
}

fn hours(later: DateTime<FixedOffset>, earlier: DateTime<FixedOffset>) -> f64 {
    ((later - earlier).num_seconds() as f64 / 3600.0 * 100.0).round() / 100.0
}

fn shipment_promise(
    order: &OrderInfo,
    s: &Shipment,
    entries: &[JourneyEntry],
    now: Option<DateTime<FixedOffset>>,
    confirmed: Option<DateTime<FixedOffset>>,
) -> ShipmentPromise {
    let tn = s.tracking_number.as_deref();
    let at = |status: JourneyStatus| {
        entries
            .iter()
            .filter(|e| e.status == status && tn.is_some() && e.tracking_number.as_deref() == tn)
            .filter_map(|e| e.at.as_deref().and_then(|t| DateTime::parse_from_rfc3339(t).ok()))
            .min()
    };
    let delivered = at(JourneyStatus::Delivered);
    let exception = at(JourneyStatus::Exception);
    let promise = promise_of(order, s, confirmed);
    let late_by = |t: DateTime<FixedOffset>| promise.and_then(|(p, _)| (t > p).then(|| hours(t, p)));
    let (verdict, lateness_hours) = match (delivered, exception) {
        (Some(d), _) => match late_by(d) {
            Some(h) => (PromiseVerdict::Late, Some(h)),
            None if promise.is_some() => (PromiseVerdict::OnTime, None),
            None => (PromiseVerdict::Pending, None),
        },
        (None, Some(_)) => (PromiseVerdict::Exception, now.and_then(late_by)),
        (None, None) => match now.and_then(late_by) {
            Some(h) => (PromiseVerdict::Late, Some(h)),
            None => (PromiseVerdict::Pending, None),
        },
    };
    ShipmentPromise {
        tracking_number: s.tracking_number.clone(),
        carrier: s.carrier.clone(),
        promised_by: promise.map(|(p, _)| p.to_rfc3339()),
        promise_source: promise.map(|(_, source)| source.to_owned()),
        delivered_at: delivered.map(|d| d.to_rfc3339()),
        verdict,
        lateness_hours,
    }
}

fn summarise(promises: &[ShipmentPromise]) -> PromiseSummary {
    let count = |v: PromiseVerdict| promises.iter().filter(|p| p.verdict == v).count() as u32;
    PromiseSummary {
        verdict: promises.iter().map(|p| p.verdict).max().unwrap_or(PromiseVerdict::Pending),
        on_time: count(PromiseVerdict::OnTime),
        late: count(PromiseVerdict::Late),
        exception: count(PromiseVerdict::Exception),
        pending: count(PromiseVerdict::Pending),
        max_lateness_hours: promises.iter().filter_map(|p| p.lateness_hours).reduce(f64::max),
    }
}

/// What a client remembers for journeys: the returns it created per order, and the promises it
/// was offered and confirmed. Every client (Rust, wasm) notes its successful calls here.
#[derive(Debug, Default)]
pub struct Ledger {
    returns_by_order: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
    promises: std::sync::Mutex<PromiseBook>,
}

impl Ledger {
    /// Whether a successful call of `operation` is worth noting (so a client reads its input
    /// and output as JSON only then).
    pub fn wants(operation: &str) -> bool {
        matches!(
            operation,
            "returns.create" | "returns.generate_label" | "promise.options" | "promise.public_options" | "promise.confirm"
        )
    }

    /// Notes a successful call: its input and its output, as JSON.
    pub fn note(&self, operation: &str, input: &serde_json::Value, output: &serde_json::Value) {
        match operation {
            "promise.confirm" => {
                if let Ok(confirmation) = crate::codec::from_json(input) {
                    lock(&self.promises).confirmed(&confirmation);
                }
            }
            "promise.options" | "promise.public_options" => {
                if let Ok(options) = crate::codec::from_json(output) {
                    lock(&self.promises).offered(&options);
                }
            }
            "returns.create" | "returns.generate_label" => {
                let order = input.get("order_number").and_then(serde_json::Value::as_str);
                let rrn = output.get("return_reference_number").and_then(serde_json::Value::as_str);
                if let (Some(order), Some(rrn)) = (order, rrn) {
                    lock(&self.returns_by_order).entry(order.to_owned()).or_default().push(rrn.to_owned());
                }
            }
            _ => {}
        }
    }

    /// The return references noted for an order.
    pub fn returns_for(&self, order_number: &str) -> Vec<String> {
        lock(&self.returns_by_order).get(order_number).cloned().unwrap_or_default()
    }

    /// The delivery date confirmed for an order, if noted.
    pub fn confirmed_for(&self, order_number: &str) -> Option<String> {
        lock(&self.promises).confirmed_for(order_number).map(str::to_owned)
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The order a webhook is about, when it says.
fn webhook_order(w: &Webhook) -> Option<&str> {
    match &w.event {
        WebhookEvent::StandardRma(p) => p.order_number.as_deref(),
        WebhookEvent::FullRma(p) => p.order.as_ref().and_then(|o| o.order_number.as_deref()),
        WebhookEvent::Topic { data, .. } => data.order_number.as_deref(),
        WebhookEvent::Unknown { raw, .. } => raw.get("order_number").and_then(serde_json::Value::as_str),
    }
}

/// What a journey's calls go through: a driver, or a client that wraps one (so its read cache
/// and tracing see them too).
pub trait Calls: Sync {
    /// Runs one operation.
    fn call<O: crate::Operation + Send + Sync>(
        &self,
        op: O,
    ) -> impl std::future::Future<Output = Result<crate::Response<O::Output>, crate::NarvarError>> + Send;
    /// Whether `tracking.by_order` can be signed for the order (a tracking key or a grant).
    fn can_track(&self, order_number: &str) -> bool;
    /// Now, on this machine's clock, for when Narvar sent no `Date`.
    fn wall(&self) -> std::time::SystemTime;
}

impl<T, S, E, P> Calls for crate::Driver<T, S, E, P>
where
    T: crate::http::Transport,
    S: crate::http::Sleep,
    E: crate::http::Entropy,
    P: crate::CredentialProvider,
{
    async fn call<O: crate::Operation + Send + Sync>(&self, op: O) -> Result<crate::Response<O::Output>, crate::NarvarError> {
        self.execute(&op, &crate::CallOptions::default()).await
    }
    fn can_track(&self, order_number: &str) -> bool {
        let credentials = self.credentials.current();
        credentials.tracking.is_some() || credentials.tracking_grant(order_number).is_some()
    }
    fn wall(&self) -> std::time::SystemTime {
        self.sleep.wall()
    }
}

/// Fetches and builds an order's journey through `calls`: the order, its tracking (when the
/// client holds a tracking key or a grant for the order), the returns `ledger` noted for it and
/// `return_references`, and the `webhooks` about it. Lateness is measured on Narvar's clock (the
/// `Date` of its last answer).
pub async fn gather(
    calls: &impl Calls,
    ledger: &Ledger,
    order_number: &str,
    return_references: &[String],
    webhooks: &[Webhook],
) -> Result<Journey, crate::NarvarError> {
    use crate::ops::{GetOrder, GetReturn, TrackOrder};
    let server_date = |meta: &crate::ResponseMeta| meta.headers.iter().find(|(k, _)| k == "date").map(|(_, v)| v.clone());
    let order = calls.call(GetOrder { order_number: order_number.to_owned() }).await?;
    let mut now = server_date(&order.meta);
    let tracking = if calls.can_track(order_number) {
        let t = calls.call(TrackOrder { order_number: order_number.to_owned() }).await?;
        now = server_date(&t.meta).or(now);
        Some(t.value)
    } else {
        None
    };
    let mut refs = ledger.returns_for(order_number);
    refs.extend(return_references.iter().cloned());
    refs.dedup();
    let mut returns = Vec::new();
    for rrn in refs {
        returns.push(calls.call(GetReturn { return_reference_number: rrn }).await?.value);
    }
    let mut mine = webhooks.iter().filter(|w| webhook_order(w).is_none_or(|n| n == order_number));
    // Without a `Date` header, this machine's clock (as RFC 3339: chrono writes it already, and
    // httpdate's formatter would link a panic path).
    let now = now.unwrap_or_else(|| DateTime::<chrono::Utc>::from(calls.wall()).to_rfc3339());
    let confirmed = ledger.confirmed_for(order_number);
    let context = PromiseContext { now: Some(&now), confirmed_promise: confirmed.as_deref() };
    Ok(build_from(&order.value, tracking.as_ref(), &returns, &mut mine, &context))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_read_from_a_date_header_as_the_same_instant_as_rfc_3339() {
        let from_header = parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").expect("an HTTP-date");
        assert_eq!(Some(from_header), parse_time(Some("2015-10-21T07:28:00Z")));
        assert_eq!(parse_http_date(&httpdate::fmt_http_date(std::time::UNIX_EPOCH)).map(|d| d.timestamp()), Some(0));
        assert_eq!(parse_http_date("yesterday"), None);
    }
}
