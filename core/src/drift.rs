//! Drift: what the API sends that this SDK does not know. The models keep unknown fields
//! (`extra`) and unknown enum values (`Other`); this walks a decoded result for them and keeps
//! count, per operation and JSON path, with the first request id that carried each. Pure
//! bookkeeping: the driver records, clients report.
//!
//! ```
//! use narvar_core::drift::{Drift, DriftKind, Path};
//! let order: narvar_core::models::OrderInfo = serde_json::from_value(serde_json::json!({
//!     "order_number": "1", "loyalty_tier": "gold",
//!     "order_items": [{"sku": "MUG", "fulfillment_status": "TELEPORTED"}]})).unwrap();
//! let mut found = Vec::new();
//! order.drift(&Path::Root, &mut found);
//! assert_eq!(found[0].path, "loyalty_tier");
//! assert_eq!((found[1].kind, found[1].path.as_str()), (DriftKind::EnumValue, "order_items[].fulfillment_status"));
//! ```

use serde::Serialize;
use std::sync::Mutex;

/// Where in a document, built on the stack as the walk descends and written out only when
/// something is found (so a walk that finds nothing allocates nothing).
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    Root,
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    /// `order_items[].sku`: every element of a list is the same place in the schema, so
    /// drift is counted per place, not per element.
    pub fn render(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, false);
        out
    }

    /// `order_items[3].sku`: the one place, as a field error names it.
    pub fn exact(&self) -> String {
        let mut out = String::new();
        self.write(&mut out, true);
        out
    }

    fn write(&self, out: &mut String, indexes: bool) {
        match self {
            Path::Root => {}
            Path::Field(parent, name) => {
                parent.write(out, indexes);
                push_field(out, name);
            }
            Path::Index(parent, i) => {
                parent.write(out, indexes);
                push_index(out, indexes.then_some(*i));
            }
        }
    }
}

/// Appends a field to a rendered path: `.name`, or `name` at the start.
pub(crate) fn push_field(out: &mut String, name: &str) {
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(name);
}

/// Appends an index to a rendered path: `[3]`, or `[]` for every element.
pub(crate) fn push_index(out: &mut String, index: Option<usize>) {
    use std::fmt::Write as _;
    match index {
        Some(i) => {
            let _ = write!(out, "[{i}]");
        }
        None => out.push_str("[]"),
    }
}

/// What kind of unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// A field no model of this SDK has.
    Field,
    /// A value of an enum this SDK does not list.
    EnumValue,
}

/// One unknown found in one response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    pub kind: DriftKind,
    pub path: String,
    /// The unknown enum value (fields are named by their path alone: their values may be
    /// personal data).
    pub value: Option<String>,
}

/// Finds the unknowns in a decoded value. The model macros implement it.
pub trait Drift {
    /// Adds, under `at`, each unknown here and below.
    fn drift(&self, _at: &Path<'_>, _out: &mut Vec<Unknown>) {}
}

impl<T: Drift> Drift for Option<T> {
    fn drift(&self, at: &Path<'_>, out: &mut Vec<Unknown>) {
        if let Some(v) = self {
            v.drift(at, out);
        }
    }
}
impl<T: Drift> Drift for Vec<T> {
    fn drift(&self, at: &Path<'_>, out: &mut Vec<Unknown>) {
        for (i, v) in self.iter().enumerate() {
            v.drift(&Path::Index(at, i), out);
        }
    }
}
impl Drift for String {}
impl Drift for bool {}
impl Drift for i64 {}
impl Drift for f64 {}
impl Drift for crate::models::Extra {}
impl Drift for serde_json::Value {}
impl Drift for crate::values::Amount {}
impl Drift for crate::values::StringBool {}
impl<S: crate::values::CountStyle> Drift for crate::values::Count<S> {}

/// For the model macro: each key of `extra` is an unknown field.
#[doc(hidden)]
pub fn unknown_fields(extra: &crate::models::Extra, at: &Path<'_>, out: &mut Vec<Unknown>) {
    for key in extra.keys() {
        out.push(Unknown { kind: DriftKind::Field, path: Path::Field(at, key).render(), value: None });
    }
}

/// One unknown, as a client reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DriftEntry {
    /// The registry operation whose response carried it.
    pub operation: String,
    pub kind: DriftKind,
    /// The JSON path in the operation's result.
    pub path: String,
    /// The unknown enum value, for `enum_value`.
    pub value: Option<String>,
    /// How many times it was seen (each element of a list counts).
    pub count: u64,
    /// The `X-Narvar-Request-ID` of the first response that carried it.
    pub first_request_id: Option<String>,
}

/// The most distinct unknowns kept: a server that invents a new field name per response must
/// not fill memory.
pub const MAX_ENTRIES: usize = 1000;

/// The count of every unknown seen, per operation and path.
#[derive(Debug, Default)]
pub struct DriftLog {
    entries: Mutex<Vec<DriftEntry>>,
}

impl DriftLog {
    /// Counts what one response of `operation` carried; returns the unknowns seen for the
    /// first time (to log once).
    pub fn record(&self, operation: &str, found: Vec<Unknown>, request_id: Option<&str>) -> Vec<DriftEntry> {
        if found.is_empty() {
            return Vec::new();
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let mut new = Vec::new();
        for u in found {
            let same = |e: &DriftEntry| e.operation == operation && e.kind == u.kind && e.path == u.path && e.value == u.value;
            match entries.iter().position(same) {
                Some(i) => entries[i].count += 1,
                None if entries.len() < MAX_ENTRIES => {
                    let e = DriftEntry {
                        operation: operation.to_owned(),
                        kind: u.kind,
                        path: u.path,
                        value: u.value,
                        count: 1,
                        first_request_id: request_id.map(str::to_owned),
                    };
                    new.push(e.clone());
                    entries.push(e);
                }
                None => {}
            }
        }
        new
    }

    /// Everything seen so far, by operation, kind and path.
    pub fn report(&self) -> Vec<DriftEntry> {
        let mut all = self.entries.lock().unwrap_or_else(|p| p.into_inner()).clone();
        all.sort_by(|a, b| (&a.operation, a.kind, &a.path, &a.value).cmp(&(&b.operation, b.kind, &b.path, &b.value)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_once_per_path_and_keeps_the_first_request() {
        let log = DriftLog::default();
        let u = |p: &str| Unknown { kind: DriftKind::Field, path: p.into(), value: None };
        assert_eq!(log.record("orders.get", vec![u("a"), u("b")], Some("req_1")).len(), 2);
        assert_eq!(log.record("orders.get", vec![u("a")], Some("req_2")).len(), 0);
        assert_eq!(log.record("returns.get", vec![u("a")], Some("req_3")).len(), 1);
        let r = log.report();
        assert_eq!(r[0].count, 2);
        assert_eq!(r[0].first_request_id.as_deref(), Some("req_1"));
        assert_eq!(r.len(), 3);
        for i in 0..(MAX_ENTRIES + 10) {
            log.record("orders.get", vec![u(&format!("f{i}"))], None);
        }
        assert_eq!(log.report().len(), MAX_ENTRIES, "bounded");
    }

    #[test]
    fn paths_render() {
        let root = Path::Root;
        let items = Path::Field(&root, "order_items");
        let first = Path::Index(&items, 0);
        assert_eq!(Path::Field(&first, "sku").render(), "order_items[].sku");
    }
}
