//! Mistakes new users make, caught before anything is sent, with the field path and what was
//! probably meant.

use narvar_core::ops::{find, RequestContext};
use narvar_core::{Credentials, Environment, ErrorCode, NarvarError};
use serde_json::{json, Value};

/// Calls `f` with a request context for the staging environment.
fn with_context<T>(f: impl FnOnce(&RequestContext<'_>) -> T) -> T {
    let endpoints = Environment::Staging.endpoints();
    let credentials = Credentials::basic("acme", "tok");
    f(&RequestContext {
        endpoints: &endpoints,
        credentials: &credentials,
        tracer_id: "t",
        user_agent: "ua",
        now_unix: 0,
        idempotency_key: None,
    })
}

fn build(operation: &str, input: Value) -> Result<narvar_core::http::HttpRequest, NarvarError> {
    with_context(|ctx| find(operation).unwrap().build_value(&input, ctx))
}

/// [`build`] from JSON text, read as the bindings read it (`Raw` keeps a key sent twice).
fn build_text(operation: &str, text: &str) -> Result<narvar_core::http::HttpRequest, NarvarError> {
    with_context(|ctx| (find(operation).unwrap().build)(&narvar_core::codec::Raw::parse(text).unwrap(), ctx))
}

fn order() -> Value {
    json!({"order_number": "1001", "order_date": "2024-03-09T17:45:00Z", "customer": {"email": "ada@example.test"},
           "order_items": [{"sku": "MUG", "quantity": 2, "unit_price": 14.5}]})
}

fn problems(e: &NarvarError) -> Vec<(String, String)> {
    e.field_errors.iter().map(|f| (f.path.clone(), f.message.clone())).collect()
}

#[test]
fn misspelt_fields_are_named_with_what_was_meant_at_every_level() {
    let mut o = order();
    o["custmer"] = o["customer"].take();
    o.as_object_mut().unwrap().remove("customer");
    o["ordr_date"] = json!("2024-03-09T17:45:00Z");
    o["order_items"][0]["quantiy"] = json!(1);
    o["order_items"][0]["unitPrice"] = json!(1);
    let e = build("orders.create", o).unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    let found = problems(&e);
    for (path, meant) in [
        ("order_info.custmer", "customer"),
        ("order_info.ordr_date", "order_date"),
        ("order_info.order_items[0].quantiy", "quantity"),
        ("order_info.order_items[0].unitPrice", "unit_price"),
    ] {
        assert!(
            found.iter().any(|(p, m)| p == path && m == &format!("is an unknown field; did you mean `{meant}`?")),
            "{path}: {found:?}"
        );
    }
    assert!(e.field_errors.iter().all(|f| f.rule == "unknown_field"), "{found:?}");
    assert!(e.message.contains("did you mean"), "{e}");
}

#[test]
fn misspelt_path_and_query_fields_are_named_too() {
    let e = build("orders.get", json!({"order_nubmer": "1001"})).unwrap_err();
    assert_eq!(problems(&e), vec![("order_nubmer".to_owned(), "is an unknown field; did you mean `order_number`?".to_owned())]);
    let e = build("returns.create", json!({"order_number": "1001", "billing_zip": "78701", "order_items": [{"sku": "MUG", "quantity": 1, "return_reason_cod": "X"}]})).unwrap_err();
    assert!(
        problems(&e).iter().any(|(p, m)| p == "order_items[0].return_reason_cod" && m.contains("`return_reason_code`")),
        "{e:?}"
    );
}

#[test]
fn extension_fields_unlike_any_known_field_still_pass_and_are_sent() {
    let mut o = order();
    o["loyalty_tier"] = json!("gold");
    o["order_items"][0]["engraving_text"] = json!("A.L.");
    let request = build("orders.create", o).unwrap();
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["order_info"]["loyalty_tier"], "gold");
    assert_eq!(body["order_info"]["order_items"][0]["engraving_text"], "A.L.");
}

#[test]
fn the_wire_envelope_given_for_the_order_is_read_as_the_order() {
    let plain = build("orders.create", order()).unwrap();
    let enveloped = build("orders.create", json!({"order_info": order()})).unwrap();
    assert_eq!(plain.body, enveloped.body);
    // A real mistake inside the envelope is named at its true path, not `order_info.order_info`.
    let mut o = order();
    o["order_items"][0]["quantity"] = json!(0);
    let e = build("orders.create", json!({"order_info": o})).unwrap_err();
    assert_eq!(e.field_errors[0].path, "order_info.order_items[0].quantity", "{e:?}");
}

#[test]
fn an_envelope_sent_twice_in_text_reads_as_a_value_would_the_last_one() {
    let mut first = order();
    first["order_number"] = json!("1000");
    let text = format!(r#"{{"order_info": {first}, "order_info": {}}}"#, order());
    let from_text = build_text("orders.create", &text).unwrap();
    let from_value = build("orders.create", serde_json::from_str(&text).unwrap()).unwrap();
    assert_eq!(from_text.body, from_value.body);
    assert_eq!(from_text.body, build("orders.create", order()).unwrap().body);
}

/// `path rule: message` of each field error of an `orders.create` with these lines and shipments.
fn order_problems(lines: Value, shipments: Value) -> Vec<String> {
    let mut o = order();
    o["order_items"] = lines;
    o["shipments"] = shipments;
    match build("orders.create", o) {
        Ok(_) => Vec::new(),
        Err(e) => e.field_errors.iter().map(|f| format!("{} {}: {}", f.path, f.rule, f.message)).collect(),
    }
}

fn shipment(tracking_number: &str, items_info: Value) -> Value {
    json!({"carrier": "ups", "tracking_number": tracking_number, "ship_date": "2024-03-11", "items_info": items_info})
}

#[test]
fn units_shipped_are_added_up_across_shipments_and_compared_with_the_lines_ordered() {
    let lines = json!([{"sku": "A", "item_id": "L1", "quantity": 1}, {"sku": "A", "item_id": "L2", "quantity": 1},
                       {"sku": "B", "item_id": "L3", "quantity": 2}]);
    let a = |item_id: Option<&str>, quantity: i64| match item_id {
        Some(id) => json!({"sku": "A", "item_id": id, "quantity": quantity}),
        None => json!({"sku": "A", "quantity": quantity}),
    };
    // A line shipped without its item id counts every line of that SKU.
    let fits = json!([shipment("1Z1", json!([a(None, 1)])), shipment("1Z2", json!([a(None, 1)]))]);
    assert_eq!(order_problems(lines.clone(), fits), Vec::<String>::new());
    // Three units of SKU A over two shipments, two ordered: named at the shipment that first ships it.
    let over = json!([
        shipment("1Z1", json!([{"sku": "B", "item_id": "L3", "quantity": 1}])),
        shipment("1Z2", json!([a(None, 2)])),
        shipment("1Z3", json!([a(None, 1)]))
    ]);
    assert_eq!(
        order_problems(lines.clone(), over),
        ["order_info.shipments[1].items_info exceeds_ordered: ships 3 of SKU A but the order has 2"]
    );
    // With the item id, only that line counts; each line over is named, in the order first shipped.
    let by_line = json!([
        shipment("1Z1", json!([a(Some("L2"), 2), {"sku": "B", "item_id": "L3", "quantity": 3}])),
        shipment("1Z2", json!([a(Some("L1"), 1), a(Some("L1"), 1)]))
    ]);
    assert_eq!(
        order_problems(lines, by_line),
        [
            "order_info.shipments[0].items_info exceeds_ordered: ships 2 of SKU A but the order has 1",
            "order_info.shipments[0].items_info exceeds_ordered: ships 3 of SKU B but the order has 2",
            "order_info.shipments[1].items_info exceeds_ordered: ships 2 of SKU A but the order has 1",
        ]
    );
}

#[test]
fn a_repeated_line_or_tracking_number_is_found_in_an_order_of_thousands_of_lines() {
    // The duplicate checks are hashed: an order of n lines is checked in O(n), not O(n^2).
    let mut lines: Vec<Value> = (0..5000).map(|i| json!({"sku": format!("SKU-{i}"), "quantity": 1})).collect();
    lines.push(json!({"sku": "SKU-17", "quantity": 1}));
    let shipments: Vec<Value> =
        (0..3000).map(|i| shipment(&format!("1Z{}", i % 2999), json!([{"sku": format!("SKU-{i}"), "quantity": 1}]))).collect();
    let problems = order_problems(Value::Array(lines), Value::Array(shipments));
    let paths: Vec<&str> = problems.iter().map(|p| p.split(':').next().unwrap()).collect();
    assert_eq!(paths, ["order_info.order_items[5000].item_id duplicate", "order_info.shipments[2999].tracking_number duplicate"]);
}
