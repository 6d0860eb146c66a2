//! The opt-in read cache: TTL, keyed by operation and arguments, invalidated by writes to the
//! same order, return or account.

use narvar_core::Response;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

struct Entry {
    at: Instant,
    subject: Option<String>,
    value: Value,
    meta: narvar_core::ResponseMeta,
}

pub(crate) struct ReadCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry>>,
}

fn key(operation: &str, input: &Value) -> String {
    format!("{operation} {input}")
}

impl ReadCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        ReadCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    pub(crate) fn get<T: DeserializeOwned>(&self, operation: &str, input: &Value) -> Option<Response<T>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.get(&key(operation, input)).filter(|e| e.at.elapsed() < self.ttl)?;
        let value = T::deserialize(&e.value).ok()?;
        Some(Response { value, meta: e.meta.clone() })
    }

    pub(crate) fn put<T: Serialize>(&self, operation: &str, input: &Value, subject: Option<String>, r: &Response<T>) {
        let Ok(value) = serde_json::to_value(&r.value) else { return };
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() > 10_000 {
            let ttl = self.ttl;
            entries.retain(|_, e| e.at.elapsed() < ttl);
        }
        entries.insert(key(operation, input), Entry { at: Instant::now(), subject, value, meta: r.meta.clone() });
    }

    /// A write to `subject` happened: forget what was read about it (everything, if unknown).
    pub(crate) fn invalidate(&self, subject: Option<&str>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        match subject {
            // Lists (no subject) may include it too.
            Some(s) => entries.retain(|_, e| e.subject.is_some() && e.subject.as_deref() != Some(s)),
            None => entries.clear(),
        }
    }
}
