//! The operations, one file per resource as in `core/src/ops/`. Each handler takes the core's
//! typed operation, read from the request by `Operation::from_wire`; [`handle`] dispatches by
//! type from the core's one list of operations (`for_each_operation!`), so an operation without a
//! handler does not compile.

mod carrier_accounts;
mod carriers;
mod orders;
mod promise;
mod returns;
mod tracking;

use crate::state::{carrier_failure, failure, return_status_at, tracked, Account, Reply, StoredReturn, World};
use chrono::{DateTime, Duration as Span, Utc};
use narvar_core::envelope::{self, carrier_codes};
use narvar_core::models::*;
use narvar_core::ops::*;
use narvar_core::validate::{self, Problems};
use narvar_core::FieldError;
use serde::Serialize;
use serde_json::{json, Value};

/// What a handler works with: its account, the simulated time, and values made for the call.
pub(crate) struct Cx<'a> {
    pub account: &'a mut Account,
    pub now: DateTime<Utc>,
    /// A fresh object id (`obj_N`).
    pub id: String,
    /// The world's sequence number after `id` was made (tracking numbers are made from it).
    pub seq: u64,
    /// A fresh return reference number, for handlers that create returns.
    pub rrn: Option<String>,
    /// The sandbox's base URL, for label and tracking links.
    pub base_url: &'a str,
}

/// One operation served.
pub(crate) trait Handler: Operation {
    /// Whether the call needs a return reference number made for it.
    const NEEDS_RETURN_REFERENCE: bool = false;
    /// The answer, and the events it raises.
    fn handle(self, cx: &mut Cx<'_>) -> Reply;
}

macro_rules! dispatch {
    ($($op:ident),* $(,)?) => {
        /// Reads the request as the operation `name` and serves it for `account_id`.
        pub(crate) fn handle(world: &mut World, account_id: &str, name: &str, wire: &WireRequest<'_>, base_url: &str) -> Reply {
            $(
                if name == <$op as Operation>::INFO.name {
                    return serve::<$op>(world, account_id, wire, base_url);
                }
            )*
            failure(404, "route.not_found", format!("{name} is not served"))
        }
    };
}
narvar_core::for_each_operation!(dispatch);

fn serve<H: Handler>(world: &mut World, account_id: &str, wire: &WireRequest<'_>, base_url: &str) -> Reply {
    match H::from_wire(wire) {
        Ok(op) => world.serve(account_id, op, base_url),
        // The carrier self-serve API (Bearer) answers in its own shape.
        Err(e) if H::INFO.auth == AuthKind::Bearer => carrier_invalid(e.field_errors),
        Err(e) => invalid(e.field_errors),
    }
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

/// A request, as the handlers see it.
fn order_not_found(n: &str) -> Reply {
    failure(200, envelope::ORDER_NOT_FOUND_CODE, envelope::order_not_found_message(n))
}

fn to_value(v: &impl Serialize) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
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
