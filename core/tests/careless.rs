//! Mistakes new users make, caught before anything is sent, with the field path and what was
//! probably meant.

use narvar_core::ops::{find, RequestContext};
use narvar_core::{Credentials, Environment, ErrorCode, NarvarError};
use serde_json::{json, Value};

fn build(operation: &str, input: Value) -> Result<narvar_core::http::HttpRequest, NarvarError> {
    let endpoints = Environment::Staging.endpoints();
    let credentials = Credentials::basic("acme", "tok");
    let ctx = RequestContext {
        endpoints: &endpoints,
        credentials: &credentials,
        tracer_id: "t",
        user_agent: "ua",
        now_unix: 0,
        idempotency_key: None,
    };
    find(operation).unwrap().build_value(&input, &ctx)
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
