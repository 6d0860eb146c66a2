//! Replays every conformance vector in `tests/vectors/` through the operation registry.

use narvar_core::conformance::VectorContext;
use narvar_core::http::HttpResponse;
use narvar_core::ops;
use narvar_core::NarvarError;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn load() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let cases: Vec<Value> = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
        for c in cases {
            out.push((f.file_name().unwrap().to_string_lossy().into_owned(), c));
        }
    }
    out
}

fn context(overrides: Option<&Value>) -> VectorContext {
    VectorContext::with_overrides(overrides).unwrap()
}

/// `expected` ⊆ `actual` (see tests/vectors/README.md).
fn subset(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).ok_or_else(|| format!("{at}.{k} is missing in {actual}"))?;
                subset(ev, av, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            e.iter().zip(a).enumerate().try_for_each(|(i, (ev, av))| subset(ev, av, &format!("{at}[{i}]")))
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

fn check_error(err: &NarvarError, exp: &Value) -> Result<(), String> {
    let want = exp["code"].as_str().unwrap();
    if err.code.as_str() != want {
        return Err(format!("code {} != {want}: {err} {:?}", err.code, err.field_errors));
    }
    if let Some(s) = exp.get("status") {
        if err.meta.status.map(u64::from) != s.as_u64() {
            return Err(format!("status {:?} != {s}", err.meta.status));
        }
    }
    if let Some(r) = exp.get("request_id") {
        if err.meta.request_id.as_deref() != r.as_str() {
            return Err(format!("request_id {:?} != {r}", err.meta.request_id));
        }
    }
    if let Some(r) = exp.get("retry_after") {
        if err.retry_after.map(|d| d.as_secs_f64()) != r.as_f64() {
            return Err(format!("retry_after {:?} != {r}", err.retry_after));
        }
    }
    if let Some(codes) = exp.get("message_codes") {
        let got: Vec<Value> = err.messages.iter().map(|m| json!(m.code)).collect();
        if &Value::Array(got.clone()) != codes {
            return Err(format!("message codes {got:?} != {codes}"));
        }
    }
    if let Some(s) = exp.get("message_contains").and_then(Value::as_str) {
        if !err.message.contains(s) {
            return Err(format!("message {:?} lacks {s:?}", err.message));
        }
    }
    if let Some(fe) = exp.get("field_errors") {
        let want: BTreeSet<(String, String)> = fe
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["path"].as_str().unwrap().to_owned(), f["rule"].as_str().unwrap().to_owned()))
            .collect();
        let got: BTreeSet<(String, String)> = err.field_errors.iter().map(|f| (f.path.clone(), f.rule.clone())).collect();
        if want != got {
            return Err(format!("field errors {got:?} != {want:?}"));
        }
    }
    if err.operation.is_none() {
        return Err("the error does not name its operation".into());
    }
    Ok(())
}

fn run(case: &Value) -> Result<(), String> {
    let op = case["operation"].as_str().unwrap();
    let entry = ops::find(op).ok_or_else(|| format!("no operation {op}"))?;
    let c = context(case.get("context"));
    let ctx = c.request_context();
    let built = entry.build_value(&case["input"], &ctx);
    let exp_req = &case["expect_request"];
    if exp_req.is_null() {
        let err = built.err().ok_or("building should fail")?;
        return check_error(&err, &case["expect_error"]);
    }
    let req = built.map_err(|e| format!("build failed: {e} {:?}", e.field_errors))?;
    if req.method.as_str() != exp_req["method"].as_str().unwrap() {
        return Err(format!("method {:?}", req.method));
    }
    if !req.url.starts_with(c.api_base()) {
        return Err(format!("url {} is not on the base", req.url));
    }
    if req.path_and_query() != exp_req["path"].as_str().unwrap() {
        return Err(format!("path {} != {}", req.path_and_query(), exp_req["path"]));
    }
    for (k, v) in exp_req["headers"].as_object().unwrap() {
        if req.header(k) != v.as_str() {
            return Err(format!("header {k}: {:?} != {v}", req.header(k)));
        }
    }
    for k in exp_req.get("absent_headers").and_then(Value::as_array).into_iter().flatten() {
        if req.header(k.as_str().unwrap()).is_some() {
            return Err(format!("header {k} should be absent"));
        }
    }
    match &exp_req["body"] {
        Value::Null if !req.body.is_empty() => return Err("unexpected body".into()),
        Value::Null => {}
        want => {
            let got: Value = serde_json::from_slice(&req.body).map_err(|e| format!("body is not JSON: {e}"))?;
            if &got != want {
                return Err(format!("body\n{got}\n!=\n{want}"));
            }
        }
    }
    let r = &case["response"];
    let body = match (r.get("body"), r.get("body_text")) {
        (Some(b), _) => serde_json::to_vec(b).unwrap(),
        (None, Some(t)) => t.as_str().unwrap().as_bytes().to_vec(),
        _ => Vec::new(),
    };
    let headers = r["headers"]
        .as_object()
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect())
        .unwrap_or_default();
    let resp = HttpResponse { status: r["status"].as_u64().unwrap() as u16, headers, body };
    match ((entry.read)(&resp), case.get("expect_output"), case.get("expect_error")) {
        (Ok(out), Some(want), None) => subset(want, &out, "output"),
        (Err(e), None, Some(want)) => check_error(&e, want),
        (Ok(out), _, Some(_)) => Err(format!("expected an error, got {out}")),
        (Err(e), Some(_), _) => Err(format!("expected output, got error {e} ({})", e.code)),
        _ => Err("a case needs expect_output or expect_error".into()),
    }
}

#[test]
fn every_vector_replays() {
    let cases = load();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        if let Err(why) = run(case) {
            failures.push(format!("{file}: {}: {why}", case["name"].as_str().unwrap_or("?")));
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    println!("{} vectors replayed", cases.len());
}

#[test]
fn every_operation_has_a_success_and_an_error_vector() {
    let cases = load();
    for entry in narvar_core::REGISTRY {
        let mine: Vec<&Value> = cases.iter().map(|(_, c)| c).filter(|c| c["operation"] == entry.info.name).collect();
        assert!(mine.iter().any(|c| c.get("expect_output").is_some()), "{} has no success vector", entry.info.name);
        assert!(
            mine.iter().any(|c| c.get("expect_error").is_some() && !c["expect_request"].is_null()),
            "{} has no error-response vector",
            entry.info.name
        );
    }
    let invalid =
        cases.iter().filter(|(_, c)| c["expect_error"]["code"] == "validation" && c["expect_request"].is_null()).count();
    assert!(invalid >= 30, "only {invalid} bad-input vectors");
}

/// The inverse a server applies (`Operation::from_wire`, the sandbox's way in) gives back every
/// operation from the request it built: `parts` and `from_wire` agree.
#[test]
fn every_built_request_reads_back_as_its_operation() {
    use percent_encoding::percent_decode_str;
    let decode = |s: &str| percent_decode_str(s).decode_utf8().unwrap().into_owned();
    let mut checked = 0;
    for (file, case) in load() {
        if case["expect_request"].is_null() {
            continue;
        }
        let op = case["operation"].as_str().unwrap();
        let entry = ops::find(op).unwrap();
        let c = context(case.get("context"));
        let ctx = c.request_context();
        let req = entry.build_value(&case["input"], &ctx).unwrap();
        let (path, query) = req.path_and_query().split_once('?').unwrap_or((req.path_and_query(), ""));
        let segments: Vec<String> = path.split('/').skip(1).map(decode).collect();
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
            .map(|(k, v)| (decode(k), decode(v)))
            .collect();
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        let (routed, params) = ops::route(req.method, &segments, &keys).unwrap_or_else(|| panic!("{file}: {op}: no route"));
        assert_eq!(routed.info.name, op, "{file}: {}", case["name"]);
        let body: Option<Value> = (!req.body.is_empty()).then(|| serde_json::from_slice(&req.body).unwrap());
        let wire = ops::WireRequest { params: &params, query: &pairs, body: body.as_ref() };
        let read = (entry.from_wire)(&wire).unwrap_or_else(|e| panic!("{file}: {}: {e} {:?}", case["name"], e.field_errors));
        let read_back = entry.build_value(&read, &ctx).unwrap();
        assert_eq!(read_back.path_and_query(), req.path_and_query(), "{file}: {}: {read}", case["name"]);
        assert_eq!(read_back.body, req.body, "{file}: {}", case["name"]);
        checked += 1;
    }
    assert!(checked >= 50, "{checked}");
}
