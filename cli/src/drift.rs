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
        calls.push(("orders.get", json!({"order_number": n})));
        calls.push(("tracking.by_order", json!({"order_number": n})));
        calls.push(("tracking.item_visibility", json!({"order_number": n})));
    }
    for r in &reads.returns {
        calls.push(("returns.get", json!({"return_reference_number": r})));
        calls.push(("returns.get_label", json!({"return_reference_number": r})));
    }
    let mut skipped = Vec::new();
    let mut packages: Vec<(String, String)> = Vec::new();
    for (op, input) in &calls {
        match client.execute_json(op, input, CallOptions::default()).await {
            // Each shipment of an order read is tracked by carrier and number too.
            Ok(r) if *op == "orders.get" => {
                for s in r.value["shipments"].as_array().into_iter().flatten() {
                    if let (Some(c), Some(t)) = (s["carrier"].as_str(), s["tracking_number"].as_str()) {
                        packages.push((c.to_owned(), t.to_owned()));
                    }
                }
            }
            Ok(_) => {}
            Err(e) => skipped.push(format!("{op}: {} ({})", e.message, e.code.as_str())),
        }
    }
    for (carrier, number) in packages {
        let input = json!({"carrier_moniker": carrier, "tracking_numbers": [number]});
        if let Err(e) = client.execute_json("tracking.info", &input, CallOptions::default()).await {
            skipped.push(format!("tracking.info {carrier} {number}: {} ({})", e.message, e.code.as_str()));
        }
    }
    // Every carrier and carrier account these credentials list, each read on its own too.
    for (list, get, items, key, field) in [
        ("carriers.list", "carriers.get", "carriers", "carrier_moniker", "carrier_moniker"),
        ("carrier_accounts.list", "carrier_accounts.get", "carrierAccounts", "account_alias", "account_alias"),
    ] {
        match client.execute_json(list, &json!({}), CallOptions::default()).await {
            Ok(r) => {
                let names: Vec<String> = r.value[items]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i[field].as_str().map(str::to_owned))
                    .collect();
                for name in names {
                    if let Err(e) = client.execute_json(get, &json!({key: name}), CallOptions::default()).await {
                        skipped.push(format!("{get} {name}: {} ({})", e.message, e.code.as_str()));
                    }
                }
            }
            Err(e) => skipped.push(format!("{list}: {} ({})", e.message, e.code.as_str())),
        }
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
