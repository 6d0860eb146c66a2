//! `narvar drift`: runs the read operations it can for an account and reports what the API sent
//! that this SDK does not know (the client's drift report).

use crate::Outcome;
use narvar::{CallOptions, Client};
use serde_json::{json, Value};

/// What to read: these orders (the order, its tracking by order and by package, item
/// visibility) and returns (the return and its v1 label), plus every carrier and carrier account
/// the credentials can list. Promise options need a cart, so they are not read.
pub struct Reads {
    pub orders: Vec<String>,
    pub returns: Vec<String>,
}

/// Runs the reads (a failed read is reported and skipped), then prints the report.
pub async fn run(client: &Client, reads: &Reads, json_output: bool) -> Outcome {
    let mut calls: Vec<(&str, Value)> = Vec::new();
    for n in &reads.orders {
        calls.push(("tracking.by_order", json!({"order_number": n})));
        calls.push(("tracking.item_visibility", json!({"order_number": n})));
    }
    for r in &reads.returns {
        calls.push(("returns.get", json!({"return_reference_number": r})));
        calls.push(("returns.get_label", json!({"return_reference_number": r})));
    }
    let mut skipped = Vec::new();
    let mut note = |what: String, e: narvar::NarvarError| skipped.push(format!("{what}: {} ({})", e.message, e.code.as_str()));
    for (op, input) in &calls {
        if let Err(e) = client.execute_json(op, input, CallOptions::default()).await {
            note(op.to_string(), e);
        }
    }
    // Each order, and each of its shipments tracked by carrier and number.
    for n in &reads.orders {
        let order = match client.orders().get(n).await {
            Ok(o) => o,
            Err(e) => {
                note(format!("orders.get {n}"), e);
                continue;
            }
        };
        for s in &order.shipments {
            let (Some(carrier), Some(number)) = (&s.carrier, &s.tracking_number) else { continue };
            let input = json!({"carrier_moniker": carrier, "tracking_numbers": [number]});
            if let Err(e) = client.execute_json("tracking.info", &input, CallOptions::default()).await {
                note(format!("tracking.info {carrier} {number}"), e);
            }
        }
    }
    // Every carrier and carrier account these credentials list, each read on its own too.
    match client.carriers().list(Default::default()).await {
        Ok(list) => {
            for c in &list.carriers {
                if let Err(e) = client.carriers().get(&c.carrier_moniker).await {
                    note(format!("carriers.get {}", c.carrier_moniker), e);
                }
            }
        }
        Err(e) => note("carriers.list".into(), e),
    }
    match client.carrier_accounts().list().await {
        Ok(list) => {
            for alias in list.carrier_accounts.iter().map(|a| a.account_alias.as_str()).filter(|a| !a.is_empty()) {
                if let Err(e) = client.carrier_accounts().get(alias).await {
                    note(format!("carrier_accounts.get {alias}"), e);
                }
            }
        }
        Err(e) => note("carrier_accounts.list".into(), e),
    }
    let report = client.drift();
    if json_output {
        println!("{}", json!({"drift": report, "skipped": skipped}));
        return Ok(());
    }
    if report.is_empty() {
        println!("no drift: every field and enum value the API sent is one this SDK knows");
    } else {
        println!("{:<26} {:<10} {:<48} {:<18} {:>5}  first request", "operation", "kind", "path", "value", "count");
        for d in &report {
            let kind = if d.kind == narvar::drift::DriftKind::Field { "field" } else { "enum_value" };
            println!(
                "{:<26} {:<10} {:<48} {:<18} {:>5}  {}",
                d.operation,
                kind,
                d.path,
                d.value.as_deref().unwrap_or(""),
                d.count,
                d.first_request_id.as_deref().unwrap_or("")
            );
        }
    }
    for s in &skipped {
        eprintln!("skipped {s}");
    }
    if calls.is_empty() {
        eprintln!("only carriers and carrier accounts were read: pass --order NUMBER (and --return RRN) to read more");
    }
    Ok(())
}
