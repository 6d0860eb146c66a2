//! Validation before any request: every problem, each with a field path and a stable rule name.
//!
//! Rule names: `required`, `min_items`, `min`, `format`, `enum`, `order`, `duplicate`,
//! `exceeds_ordered`, `url_safe`, `max_length`, `credentials`.

use crate::drift::Path;
use crate::error::FieldError;
use crate::models::*;
use chrono::{DateTime, NaiveDate, NaiveTime};
use foldhash::{HashMap, HashMapExt as _};

/// Where a problem is: a path as text, or a [`Path`] built as the validators walk, rendered
/// (`order_info.order_items[3].sku`) only for a problem. Most inputs have none, and formatting
/// every field's path up front was most of the time validation took.
pub trait Place {
    fn render(&self) -> String;
}

impl Place for str {
    fn render(&self) -> String {
        self.to_owned()
    }
}

impl Place for String {
    fn render(&self) -> String {
        self.clone()
    }
}

impl Place for Path<'_> {
    fn render(&self) -> String {
        self.exact()
    }
}

/// `at` as the root of a [`Path`] (`""` is the root itself).
fn under(at: &str) -> Path<'_> {
    const ROOT: &Path<'static> = &Path::Root;
    if at.is_empty() {
        Path::Root
    } else {
        Path::Field(ROOT, at)
    }
}

/// Collects problems under a path.
#[derive(Default)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    /// Records one problem.
    pub fn add(&mut self, path: impl Into<String>, rule: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(path, rule, message));
    }
    /// `path` must be present and not blank.
    pub fn required(&mut self, path: &(impl Place + ?Sized), value: Option<&str>) -> bool {
        match value {
            Some(v) if !v.trim().is_empty() => true,
            _ => {
                self.add(path.render(), "required", "is required");
                false
            }
        }
    }
    /// Done: the problems, if any.
    pub fn finish(self) -> Result<(), Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// The longest value accepted in a URL path segment.
pub const MAX_PATH_VALUE: usize = 255;

/// A value that goes into a URL path (order number, return reference, moniker, alias): not
/// blank, no control characters, not `.`/`..` (which URL normalisation would swallow), at most
/// 255 characters. Anything else is percent-encoded when the path is built.
pub fn path_value(p: &mut Problems, path: &(impl Place + ?Sized), value: &str) {
    if value.trim().is_empty() {
        p.add(path.render(), "required", "is required");
    } else if value.chars().any(char::is_control) {
        p.add(path.render(), "url_safe", "must not contain control characters");
    } else if value == "." || value == ".." {
        p.add(path.render(), "url_safe", "must not be \".\" or \"..\"");
    } else if value.chars().count() > MAX_PATH_VALUE {
        p.add(path.render(), "max_length", format!("must be at most {MAX_PATH_VALUE} characters"));
    }
}

/// Whether `s` is an RFC 3339 date-time (`2024-03-09T17:45:00Z`, `...+05:30`).
pub fn is_date_time(s: &str) -> bool {
    DateTime::parse_from_rfc3339(s).is_ok()
}

/// Whether `s` is a real calendar date `yyyy-mm-dd`.
pub fn is_date(s: &str) -> bool {
    parse_date(s).is_some()
}

/// A real calendar date written `yyyy-mm-dd`. Read by hand rather than with chrono's format
/// strings, whose general parser was most of chrono's code in the wasm module.
///
/// ```
/// use narvar_core::validate::parse_date;
/// assert_eq!(parse_date("2024-02-29").map(|d| d.to_string()).as_deref(), Some("2024-02-29"));
/// assert!(parse_date("2023-02-29").is_none() && parse_date("2024-2-29").is_none());
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    match s.as_bytes() {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(number(y)? as i32, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        _ => None,
    }
}

/// `HH:MM` in 24-hour time (`00:00` to `23:59`).
fn parse_hh_mm(s: &str) -> Option<NaiveTime> {
    match s.as_bytes() {
        [h1, h2, b':', m1, m2] => NaiveTime::from_hms_opt(number(&[*h1, *h2])?, number(&[*m1, *m2])?, 0),
        _ => None,
    }
}

/// The value of a run of ASCII digits (none other).
fn number(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
}

fn date_time(p: &mut Problems, path: &(impl Place + ?Sized), v: Option<&str>) {
    if let Some(v) = v {
        if !is_date_time(v) {
            p.add(path.render(), "format", "must be an RFC 3339 date-time such as 2024-03-09T17:45:00Z");
        }
    }
}

fn date_or_date_time(p: &mut Problems, path: &(impl Place + ?Sized), v: Option<&str>) {
    if let Some(v) = v {
        if !is_date_time(v) && !is_date(v) {
            p.add(path.render(), "format", "must be a date (yyyy-mm-dd) or an RFC 3339 date-time");
        }
    }
}

/// A deliberately simple e-mail shape: `local@domain.tld`, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn email(p: &mut Problems, path: &(impl Place + ?Sized), v: Option<&str>) {
    if let Some(v) = v {
        if !is_email(v) {
            p.add(path.render(), "format", "must be an e-mail address");
        }
    }
}

fn country(p: &mut Problems, path: &(impl Place + ?Sized), v: Option<&str>) {
    if let Some(v) = v {
        if v.len() != 2 || !v.chars().all(|c| c.is_ascii_uppercase()) {
            p.add(path.render(), "format", "must be an ISO 3166 alpha-2 country code such as US");
        }
    }
}

fn positive(p: &mut Problems, path: &(impl Place + ?Sized), q: Option<i64>, required: bool) {
    match q {
        Some(n) if n < 1 => p.add(path.render(), "min", "must be at least 1"),
        None if required => p.add(path.render(), "required", "is required"),
        _ => {}
    }
}

fn non_negative(p: &mut Problems, path: &(impl Place + ?Sized), a: Option<&crate::values::Amount>) {
    if a.is_some_and(|a| a.is_negative()) {
        p.add(path.render(), "min", "must not be negative");
    }
}

fn address(p: &mut Problems, path: &Path<'_>, a: Option<&Address>) {
    if let Some(a) = a {
        country(p, &Path::Field(path, "country"), a.country.as_deref());
    }
}

fn contact(p: &mut Problems, path: &Path<'_>, c: Option<&Contact>) {
    if let Some(c) = c {
        email(p, &Path::Field(path, "email"), c.email.as_deref());
        address(p, &Path::Field(path, "address"), c.address.as_ref());
    }
}

/// An order line's key: its SKU and item id.
type Line<'a> = (&'a str, Option<&'a str>);

/// Keys seen so far (order lines, SKUs, tracking numbers), each with a place in a list the
/// caller keeps. Hashed, not a list searched per key: n lines are checked in O(n), so a huge
/// order (or a hostile one sent to the sandbox) costs linear time. One map type for every check
/// keeps the wasm module's code small.
struct Lines<'a>(HashMap<Line<'a>, usize>);

impl<'a> Lines<'a> {
    fn with_capacity(capacity: usize) -> Self {
        Lines(HashMap::with_capacity(capacity))
    }

    /// Whether `key` is seen for the first time (it is remembered).
    fn first(&mut self, key: Line<'a>) -> bool {
        let next = self.0.len();
        self.place(key, || ()) == next
    }

    /// `key`'s place: the next one (after calling `add`, which grows the caller's list) when new.
    fn place(&mut self, key: Line<'a>, add: impl FnOnce()) -> usize {
        let next = self.0.len();
        let at = *self.0.entry(key).or_insert(next);
        if at == next {
            add();
        }
        at
    }

    fn get(&self, key: Line<'a>) -> Option<usize> {
        self.0.get(&key).copied()
    }
}

/// An order (`order_info`) before it is posted.
pub fn order(p: &mut Problems, at: &str, o: &OrderInfo) {
    let at = &under(at);
    let field = |name| Path::Field(at, name);
    path_value(p, &field("order_number"), &o.order_number);
    if p.required(&field("order_date"), o.order_date.as_deref()) {
        date_time(p, &field("order_date"), o.order_date.as_deref());
    }
    if let Some(c) = &o.currency_code {
        if c.len() != 3 || !c.chars().all(|c| c.is_ascii_uppercase()) {
            p.add(field("currency_code").exact(), "format", "must be an ISO 4217 code such as USD");
        }
    }
    let items = &field("order_items");
    if o.order_items.is_empty() {
        p.add(items.exact(), "min_items", "must have at least one item");
    }
    let mut seen = Lines::with_capacity(o.order_items.len());
    for (i, item) in o.order_items.iter().enumerate() {
        let here = &Path::Index(items, i);
        let f = |name| Path::Field(here, name);
        if p.required(&f("sku"), item.sku.as_deref()) {
            let key = (item.sku.as_deref().unwrap_or_default(), item.item_id.as_deref());
            if !seen.first(key) {
                p.add(f("item_id").exact(), "duplicate", "is needed, and must differ, when one SKU is on two lines");
            }
        }
        positive(p, &f("quantity"), item.quantity.map(|q| q.get()), true);
        for (name, amount) in
            [("unit_price", &item.unit_price), ("line_price", &item.line_price), ("discount_amount", &item.discount_amount)]
        {
            non_negative(p, &f(name), amount.as_ref());
        }
        date_time(p, &f("final_sale_date"), item.final_sale_date.as_deref());
        let vendors = &f("vendors");
        for (v, vendor) in item.vendors.iter().enumerate() {
            let vendor_at = &Path::Index(vendors, v);
            email(p, &Path::Field(vendor_at, "email"), vendor.email.as_deref());
            address(p, &Path::Field(vendor_at, "address"), vendor.address.as_ref());
        }
    }
    shipments_at(p, &field("shipments"), &o.shipments, Some(&o.order_items));
    if let Some(b) = &o.billing {
        let billing = &field("billing");
        contact(p, &Path::Field(billing, "billed_to"), b.billed_to.as_ref());
        non_negative(p, &Path::Field(billing, "amount"), b.amount.as_ref());
    }
    if let Some(c) = &o.customer {
        let customer = &field("customer");
        email(p, &Path::Field(customer, "email"), c.email.as_deref());
        address(p, &Path::Field(customer, "address"), c.address.as_ref());
    }
}

/// Shipments (of an order, or added later). With the order's items, shipped quantities per SKU
/// (and item id) are checked against ordered ones.
pub fn shipments(p: &mut Problems, at: &str, list: &[Shipment], items: Option<&[OrderItem]>) {
    shipments_at(p, &under(at), list, items);
}

fn shipments_at(p: &mut Problems, at: &Path<'_>, list: &[Shipment], items: Option<&[OrderItem]>) {
    let mut numbers = Lines::with_capacity(list.len());
    // (SKU, item id) → units shipped, and the first shipment that ships it, in the order first
    // shipped (the order errors are given in).
    let mut shipped: Vec<(Line, i64, usize)> = Vec::new();
    let mut line_at = Lines::with_capacity(0);
    for (i, s) in list.iter().enumerate() {
        let here = &Path::Index(at, i);
        let f = |name| Path::Field(here, name);
        p.required(&f("carrier"), s.carrier.as_deref());
        if p.required(&f("tracking_number"), s.tracking_number.as_deref()) {
            let tn = s.tracking_number.as_deref().unwrap_or_default();
            if !numbers.first((tn, None)) {
                p.add(f("tracking_number").exact(), "duplicate", "is already used by another shipment");
            }
        }
        date_or_date_time(p, &f("ship_date"), s.ship_date.as_deref());
        contact(p, &f("shipped_to"), s.shipped_to.as_ref());
        contact(p, &f("shipped_from"), s.shipped_from.as_ref());
        let items_info = &f("items_info");
        if s.items_info.is_empty() {
            p.add(items_info.exact(), "min_items", "must list at least one item");
        }
        for (j, info) in s.items_info.iter().enumerate() {
            let line = &Path::Index(items_info, j);
            let g = |name| Path::Field(line, name);
            p.required(&g("sku"), info.sku.as_deref());
            positive(p, &g("quantity"), info.quantity.map(|q| q.get()), true);
            if let (Some(sku), Some(q)) = (info.sku.as_deref(), info.quantity) {
                let key = (sku, info.item_id.as_deref());
                let at = line_at.place(key, || shipped.push((key, 0, i)));
                shipped[at].1 = shipped[at].1.saturating_add(q.get());
            }
        }
    }
    let Some(items) = items.filter(|_| !shipped.is_empty()) else { return };
    // Units ordered per SKU (what a shipped line without an item id counts) and per (SKU, item id).
    let (mut ordered_at, mut ordered) = (Lines::with_capacity(2 * items.len()), Vec::new());
    for it in items {
        if let (Some(sku), Some(q)) = (it.sku.as_deref(), it.quantity) {
            for line in [Some((sku, None)), it.item_id.as_deref().map(|id| (sku, Some(id)))].into_iter().flatten() {
                let at = ordered_at.place(line, || ordered.push(0i64));
                // Saturating: quantities are the caller's, and may be absurd.
                ordered[at] = ordered[at].saturating_add(q.get());
            }
        }
    }
    for (line @ (sku, _), qty, first) in shipped {
        let ordered = ordered_at.get(line).map_or(0, |at| ordered[at]);
        if qty > ordered {
            p.add(
                Path::Field(&Path::Index(at, first), "items_info").exact(),
                "exceeds_ordered",
                format!("ships {qty} of SKU {sku} but the order has {ordered}"),
            );
        }
    }
}

/// A return label / return creation request.
pub fn return_request(p: &mut Problems, r: &ReturnRequest) {
    path_value(p, "order_number", &r.order_number);
    p.required("billing_zip", r.billing_zip.as_deref());
    email(p, "email", r.email.as_deref());
    if r.order_items.is_empty() {
        p.add("order_items", "min_items", "must have at least one item");
    }
    let mut skus = Lines::with_capacity(r.order_items.len());
    let items = &under("order_items");
    for (i, item) in r.order_items.iter().enumerate() {
        let here = &Path::Index(items, i);
        let f = |name| Path::Field(here, name);
        if p.required(&f("sku"), item.sku.as_deref()) {
            let sku = item.sku.as_deref().unwrap_or_default();
            if !skus.first((sku, None)) {
                p.add(f("sku").exact(), "duplicate", "appears twice: give one line per SKU with its quantity");
            }
        }
        positive(p, &f("quantity"), item.quantity.map(|q| q.get()), true);
    }
}

fn hours(p: &mut Problems, path: &str, v: Option<&str>) -> Option<NaiveTime> {
    match parse_hh_mm(v?) {
        Some(t) => Some(t),
        None => {
            p.add(path, "format", "must be HH:MM in 24-hour time (00:00 to 23:59)");
            None
        }
    }
}

/// A time window. Hours must be `HH:MM`; times RFC 3339. When both pairs are given the times win
/// (seed 004), so only the times' order is checked.
pub fn time_window(p: &mut Problems, at: &str, w: &TimeWindow) {
    let start_h = hours(p, &format!("{at}.start_hours"), w.start_hours.as_deref());
    let end_h = hours(p, &format!("{at}.end_hours"), w.end_hours.as_deref());
    let parse = |p: &mut Problems, name: &str, v: Option<&str>| {
        let v = v?;
        let t = DateTime::parse_from_rfc3339(v).ok();
        if t.is_none() {
            p.add(format!("{at}.{name}"), "format", "must be an RFC 3339 date-time with offset");
        }
        t
    };
    let start_t = parse(p, "start_time", w.start_time.as_deref());
    let end_t = parse(p, "end_time", w.end_time.as_deref());
    let has_times = w.start_time.is_some() || w.end_time.is_some();
    if w.start_time.is_some() != w.end_time.is_some() {
        let missing = if w.start_time.is_none() { "start_time" } else { "end_time" };
        p.add(format!("{at}.{missing}"), "required", "is required when the other time is given");
    }
    if !has_times && w.start_hours.is_some() != w.end_hours.is_some() {
        let missing = if w.start_hours.is_none() { "start_hours" } else { "end_hours" };
        p.add(format!("{at}.{missing}"), "required", "is required when the other hour is given");
    }
    match (start_t, end_t, start_h, end_h) {
        (Some(s), Some(e), _, _) if e <= s => p.add(format!("{at}.end_time"), "order", "must be after start_time"),
        (None, None, Some(s), Some(e)) if !has_times && e <= s => {
            p.add(format!("{at}.end_hours"), "order", "must be after start_hours")
        }
        _ => {}
    }
}

fn known<E: AsRef<str>>(p: &mut Problems, path: &str, value: &E, known: &[&str]) {
    let v = value.as_ref();
    if !known.contains(&v) {
        p.add(path, "enum", format!("must be one of {}", known.join(", ")));
    }
}

fn range(p: &mut Problems, at: &str, min: Option<f64>, max: Option<f64>, unit: Option<&str>, units: &[&str]) {
    for (name, v) in [("min", min), ("max", max)] {
        if v.is_some_and(|v| v < 0.0) {
            p.add(format!("{at}.{name}"), "min", "must not be negative");
        }
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            p.add(format!("{at}.max"), "order", "must not be less than min");
        }
    }
    match unit {
        Some(u) => known(p, &format!("{at}.unit"), &u, units),
        None if min.is_some() || max.is_some() => p.add(format!("{at}.unit"), "required", "is required with min or max"),
        None => {}
    }
}

/// A service configuration.
pub fn configuration(p: &mut Problems, at: &str, c: &Configuration) {
    if let Some(t) = &c.shipment_type {
        known(p, &format!("{at}.shipment_type"), t, ShipmentType::KNOWN);
    }
    for (i, spec) in c.label_specs.iter().enumerate() {
        let f = |n: &str| format!("{at}.label_specs[{i}].{n}");
        if let Some(t) = &spec.label_type {
            known(p, &f("label_type"), t, LabelType::KNOWN);
            if matches!(t, LabelType::Pdf | LabelType::Png) && spec.label_size.is_none() {
                p.add(f("label_size"), "required", format!("is required when label_type is {t}"));
            }
        }
        if let Some(s) = &spec.label_size {
            known(p, &f("label_size"), s, LabelSize::KNOWN);
        }
    }
    for (i, lp) in c.label_params.iter().enumerate() {
        known(p, &format!("{at}.label_params[{i}]"), lp, LabelParam::KNOWN);
    }
    if let Some(d) = &c.delivery_settings {
        let at = format!("{at}.delivery_settings");
        for (name, m) in [("length", &d.length), ("height", &d.height)] {
            if let Some(m) = m {
                range(p, &format!("{at}.{name}"), m.min, m.max, m.unit.as_ref().map(|u| u.as_str()), LengthUnit::KNOWN);
            }
        }
        if let Some(w) = &d.weight {
            range(p, &format!("{at}.weight"), w.min, w.max, w.unit.as_ref().map(|u| u.as_str()), WeightUnit::KNOWN);
        }
        for (i, f) in d.supported_features.iter().enumerate() {
            known(p, &format!("{at}.supported_features[{i}]"), f, SupportedFeature::KNOWN);
        }
        for (i, w) in d.time_windows.iter().enumerate() {
            time_window(p, &format!("{at}.time_windows[{i}]"), w);
        }
    }
}

/// Carrier closures: real dates, known countries.
pub fn carrier_configuration(p: &mut Problems, at: &str, c: &CarrierConfiguration) {
    for (i, closure) in c.carrier_closures.iter().enumerate() {
        let f = |n: &str| format!("{at}.carrier_closures[{i}].{n}");
        match closure.date.as_deref() {
            None => p.add(f("date"), "required", "is required"),
            Some(d) if !is_date(d) => p.add(f("date"), "format", "must be a real date yyyy-mm-dd"),
            _ => {}
        }
        for (j, c) in closure.countries.iter().enumerate() {
            known(p, &f(&format!("countries[{j}]")), c, ClosureCountry::KNOWN);
        }
    }
}

/// Adding services and configuration to a carrier.
pub fn service_configuration(p: &mut Problems, r: &CarrierServiceConfigurationRequest) {
    if r.capabilities.is_empty() {
        p.add("capabilities", "min_items", "must list at least one capability");
    }
    if r.products.is_empty() {
        p.add("products", "min_items", "must list at least one product");
    }
    for (i, s) in r.carrier_service_configurations.iter().enumerate() {
        let at = format!("carrier_service_configurations[{i}]");
        p.required(&format!("{at}.service_name"), Some(s.service_name.as_str()));
        if let Some(c) = &s.configuration {
            configuration(p, &format!("{at}.configuration"), c);
        }
    }
    if let Some(c) = &r.carrier_configuration {
        carrier_configuration(p, "carrier_configuration", c);
    }
}

/// Credentials must have the fields the carrier's shape requires.
pub fn credentials(p: &mut Problems, moniker: &str, c: &CarrierCredentials) {
    let mut need = |name: &str, present: bool| {
        if !present {
            p.add(format!("credentials.{name}"), "required", format!("is required for carrier {moniker}"));
        }
    };
    let set = |s: &Option<crate::Secret>| s.as_ref().is_some_and(|s| !s.is_empty());
    let text = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    match c {
        CarrierCredentials::Auspost(_) | CarrierCredentials::Other(_) => {}
        CarrierCredentials::Postnord(c) => {
            need("api_key", set(&c.api_key));
            need("party_id", text(&c.party_id));
            need("party_id_type", text(&c.party_id_type));
            need("issuer_code", text(&c.issuer_code));
        }
        CarrierCredentials::Gls(c) => {
            need("username", text(&c.username));
            need("password", set(&c.password));
            need("shipper_contact_id", text(&c.shipper_contact_id));
        }
        CarrierCredentials::Dpduk(c) => {
            need("username", text(&c.username));
            need("password", set(&c.password));
        }
        CarrierCredentials::CanadaPost(c) => {
            need("username", text(&c.username));
            need("password", set(&c.password));
        }
    }
    if let CarrierCredentials::Other(raw) = c {
        let known = KNOWN_CREDENTIAL_MONIKERS.contains(&moniker.to_ascii_lowercase().as_str());
        if known || !raw.0.is_object() {
            p.add("credentials", "credentials", format!("do not have the shape carrier {moniker} needs"));
        }
    }
}

/// A new carrier account.
pub fn account_request(p: &mut Problems, r: &CarrierAccountRequest) {
    path_value(p, "carrier_moniker", &r.carrier_moniker);
    path_value(p, "account_alias", &r.account_alias);
    if r.capabilities.is_empty() {
        p.add("capabilities", "min_items", "must list at least one capability");
    }
    if r.products.is_empty() {
        p.add("products", "min_items", "must list at least one product");
    }
    match &r.credentials {
        Some(c) => credentials(p, &r.carrier_moniker, c),
        None => p.add("credentials", "required", "is required"),
    }
}

/// A carrier account update.
pub fn account_update(p: &mut Problems, r: &CarrierAccountUpdateRequest) {
    path_value(p, "carrier_moniker", &r.carrier_moniker);
    path_value(p, "account_alias", &r.account_alias);
    if let Some(c) = &r.credentials {
        credentials(p, &r.carrier_moniker, c);
    }
}

/// A promise options request.
pub fn promise_request(p: &mut Problems, r: &PromiseRequest) {
    match &r.destination {
        None => p.add("destination", "required", "is required"),
        Some(d) => {
            p.required("destination.postal_code", d.postal_code.as_deref());
            if p.required("destination.country", d.country.as_deref()) {
                country(p, "destination.country", d.country.as_deref());
            }
        }
    }
    if r.items.is_empty() {
        p.add("items", "min_items", "must have at least one item");
    }
    for (i, item) in r.items.iter().enumerate() {
        p.required(&format!("items[{i}].sku"), item.sku.as_deref());
        positive(p, &format!("items[{i}].quantity"), item.quantity.map(|q| q.get()), false);
    }
    if let Some(c) = &r.customer {
        email(p, "customer.email", c.email.as_deref());
    }
}

/// A promise confirmation.
pub fn promise_confirmation(p: &mut Problems, r: &PromiseConfirmation) {
    p.required("order_id", Some(r.order_id.as_str()));
    if r.selected_delivery_options.is_empty() {
        p.add("selected_delivery_options", "min_items", "must select at least one option");
    }
    for (i, o) in r.selected_delivery_options.iter().enumerate() {
        p.required(&format!("selected_delivery_options[{i}].promise_id"), Some(o.promise_id.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_date, parse_hh_mm};

    #[test]
    fn dates_and_times_are_read_strictly() {
        assert!(parse_date("2024-02-29").is_some());
        for bad in ["2023-02-29", "2024-13-01", "2024-2-29", "24-02-29x", "2024/02/29", "２０２４-02-29", "2024-02-2é", ""] {
            assert!(parse_date(bad).is_none(), "{bad}");
        }
        assert_eq!(parse_hh_mm("23:59").map(|t| t.to_string()).as_deref(), Some("23:59:00"));
        for bad in ["24:00", "9:30", "09:60", "0930", "09:3é", "09:30:00"] {
            assert!(parse_hh_mm(bad).is_none(), "{bad}");
        }
    }
}
