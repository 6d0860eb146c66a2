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

/// The statuses the core says the operation answers, each with the headers every answer carries.
fn responses(entry: &narvar_core::ops::OpEntry) -> Value {
    use narvar_core::http::{REQUEST_ID_HEADER, TRACER_ID_HEADER};
    let headers = json!({
        REQUEST_ID_HEADER: {"description": "The sandbox's id of this exchange", "schema": {"type": "string"}},
        TRACER_ID_HEADER: {"description": "The tracer id the request sent, echoed", "schema": {"type": "string"}},
    });
    let mut r = Map::new();
    for (code, what) in narvar_core::ops::statuses(entry) {
        let mut answer = json!({"description": what, "headers": headers,
            "content": {"application/json": {"schema": {"type": "object"}}}});
        if code == 429 {
            answer["headers"]["Retry-After"] = json!({"description": "Seconds to wait", "schema": {"type": "integer"}});
        }
        if code == 405 {
            answer["headers"]["Allow"] = json!({"description": "The methods served here", "schema": {"type": "string"}});
        }
        r.insert(code.to_string(), answer);
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
            // ... and answers what either operation answers.
            if let (Some(have), Value::Object(more)) = (item[&method]["responses"].as_object_mut(), responses(entry)) {
                for (code, answer) in more {
                    have.entry(code).or_insert(answer);
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
        for k in entry.optional_query {
            // An empty value is the same as none.
            parameters.push(json!({"name": k, "in": "query", "required": false, "schema": {"type": "string"}}));
        }
        parameters.push(
            json!({"name": narvar_core::http::TRACER_ID_HEADER, "in": "header", "required": false, "schema": {"type": "string"}}),
        );
        if info.auth == AuthKind::RetailerHeaders {
            parameters.push(json!({"name": narvar_core::http::RETAILER_HEADER, "in": "header", "required": true, "schema": {"type": "string", "minLength": 1}}));
        }
        let mut op = json!({
            "operationId": info.name,
            "summary": info.summary,
            "tags": [info.name.split('.').next().unwrap_or_default()],
            "parameters": parameters,
            "responses": responses(entry),
        });
        op["security"] = match info.auth {
            AuthKind::Basic => json!([{"basicAuth": []}]),
            AuthKind::Bearer => json!([{"bearerAuth": []}]),
            AuthKind::TrackingHmac | AuthKind::RetailerHeaders => json!([]),
        };
        let body_schema = narvar_core::ops::schemas_of(info.name).and_then(|s| (s.body_schema)(&mut g));
        if let Some(body) = body_schema {
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
