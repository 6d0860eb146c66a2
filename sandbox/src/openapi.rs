//! `/openapi.json`: the Narvar routes the sandbox serves, built from core's registry and JSON
//! Schema (so it cannot drift from the SDK).

use narvar_core::ops::{AuthKind, Segment, REGISTRY};
use serde_json::{json, Map, Value};

fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref") {
                *r = r.replace("#/$defs/", "#/components/schemas/");
            }
            o.values_mut().for_each(rewrite_refs);
        }
        Value::Array(a) => a.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn responses() -> Value {
    let envelope =
        json!({"description": "A Narvar-shaped answer", "content": {"application/json": {"schema": {"type": "object"}}}});
    let mut r = Map::new();
    for (code, what) in [
        ("200", "Success, or a FAILURE envelope (e.g. a missing order)"),
        ("400", "Invalid input"),
        ("401", "Missing or wrong credentials"),
        ("404", "No such resource"),
        ("405", "Method not allowed"),
        ("409", "Conflict (duplicate alias, reused idempotency key)"),
        ("413", "Body over 1 MiB"),
        ("415", "Body is not application/json"),
        ("429", "Rate limited; see Retry-After"),
    ] {
        let mut e = envelope.clone();
        e["description"] = json!(what);
        r.insert(code.into(), e);
    }
    Value::Object(r)
}

/// The OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut g = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut paths: Map<String, Value> = Map::new();
    for entry in REGISTRY {
        let info = &entry.info;
        let path: String = info
            .segments()
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => format!("/{l}"),
                Segment::Param(p) => format!("/{{{p}}}"),
            })
            .collect();
        let method = info.method.as_str().to_ascii_lowercase();
        let item = paths.entry(path).or_insert_with(|| json!({})).as_object_mut().expect("object");
        if item.contains_key(&method) {
            // `carrier_accounts.get` shares GET /carrier-accounts with `.list`: the alias becomes optional.
            if let Some(params) = item[&method]["parameters"].as_array_mut() {
                for (k, _) in info.query_keys() {
                    params
                        .push(json!({"name": k, "in": "query", "required": false, "schema": {"type": "string", "minLength": 1}}));
                }
            }
            continue;
        }
        let mut parameters: Vec<Value> = info
            .segments()
            .iter()
            .filter_map(|s| match s {
                Segment::Param(p) => {
                    Some(json!({"name": p, "in": "path", "required": true, "schema": {"type": "string", "minLength": 1}}))
                }
                _ => None,
            })
            .collect();
        for (k, _) in info.query_keys() {
            parameters.push(json!({"name": k, "in": "query", "required": true, "schema": {"type": "string", "minLength": 1}}));
        }
        if info.auth == AuthKind::RetailerHeaders {
            parameters.push(json!({"name": "x-narvar-retailer", "in": "header", "required": true, "schema": {"type": "string", "minLength": 1}}));
        }
        let mut op = json!({
            "operationId": info.name,
            "summary": info.summary,
            "tags": [info.name.split('.').next().unwrap_or_default()],
            "parameters": parameters,
            "responses": responses(),
        });
        op["security"] = match info.auth {
            AuthKind::Basic => json!([{"basicAuth": []}]),
            AuthKind::Bearer => json!([{"bearerAuth": []}]),
            AuthKind::TrackingHmac | AuthKind::RetailerHeaders => json!([]),
        };
        if let Some(body) = (entry.body_schema)(&mut g) {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": body}}});
        }
        item.insert(method, op);
    }
    let defs: Map<String, Value> = g.take_definitions(true).into_iter().collect();
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": "Narvar sandbox", "version": env!("CARGO_PKG_VERSION"),
                 "description": "The Narvar routes narvar-sandbox serves; generated from narvar-core's registry."},
        "paths": paths,
        "components": {
            "schemas": defs,
            "securitySchemes": {"basicAuth": {"type": "http", "scheme": "basic"}, "bearerAuth": {"type": "http", "scheme": "bearer"}}
        }
    });
    rewrite_refs(&mut doc);
    doc
}
