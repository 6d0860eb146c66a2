//! The `narvar` binary, run as users run it.

use assert_cmd::Command;
use narvar_sandbox::{Sandbox, SandboxConfig};
use std::io::Write;

const ENV: [&str; 12] = [
    "NARVAR_RATE_BUDGET",
    "NARVAR_RATE_BUDGET_REDIS",
    "NARVAR_RATE_BUDGET_WORKERS",
    "NARVAR_TIMEOUT_SECS",
    "NARVAR_BASE_URL",
    "NARVAR_ACCOUNT_ID",
    "NARVAR_AUTH_TOKEN",
    "NARVAR_BEARER_TOKEN",
    "NARVAR_RETAILER_MONIKER",
    "NARVAR_HMAC_KEY",
    "NARVAR_CONFIG",
    "NARVAR_ENVIRONMENT",
];

fn narvar() -> Command {
    let mut c = Command::cargo_bin("narvar").unwrap();
    for v in ENV {
        c.env_remove(v);
    }
    c
}

fn against(sb: &Sandbox) -> Command {
    let a = &sb.accounts()[0];
    let mut c = narvar();
    c.env("NARVAR_BASE_URL", sb.url())
        .env("NARVAR_ACCOUNT_ID", &a.account_id)
        .env("NARVAR_AUTH_TOKEN", &a.auth_token)
        .env("NARVAR_BEARER_TOKEN", &a.bearer_token)
        .env("NARVAR_RETAILER_MONIKER", &a.retailer_moniker)
        .env("NARVAR_HMAC_KEY", &a.hmac_key)
        .arg("--no-rate-budget");
    c
}

/// The shared sample order (`narvar_sandbox::samples`) as one JSON line.
fn order_line(n: &str) -> String {
    serde_json::to_string(&narvar_sandbox::samples::order(n)).unwrap()
}

#[test]
fn the_demo_runs_every_step_and_exits_0() {
    let tmp = tempdir();
    let dir = tmp.path();
    let out = narvar().args(["demo", "--out"]).arg(dir).timeout(std::time::Duration::from_secs(10)).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    for step in [
        " 1. Started the sandbox",
        " 2. Listening for webhooks",
        " 3. Carriers available",
        " 4. Created carrier account",
        " 5. Created order DEMO-1001",
        " 6. Added two shipments",
        " 7. Advanced the sandbox clock",
        " 8. Delivery exception on 1Z999AA10123456784",
        " 9. Created return",
        "10. Advanced the clock 4 days",
        "11. Webhooks received and verified: 13",
        "12. The normalized journey",
        "refunded",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    let label = std::fs::read_dir(dir).unwrap().next().unwrap().unwrap().path();
    assert!(std::fs::read(label).unwrap().starts_with(b"%PDF"));
    assert!(!text.contains("pn_demo_key") && !text.contains("tok_test_acme"));
}

#[test]
fn bad_json_input_names_the_line_and_column() {
    let tmp = tempdir();
    let dir = tmp.path();
    let f = dir.join("order.json");
    std::fs::write(&f, "{\n  \"order_number\": \"1\",\n  \"order_items\": [,]\n}").unwrap();
    let out = narvar()
        .args(["--base-url", "http://127.0.0.1:9", "--account-id", "a", "--auth-token", "t", "orders", "create"])
        .arg(&f)
        .assert()
        .code(3);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.starts_with("error: ") && err.contains("line 3, column 19"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    // Valid JSON, invalid order: a validation error naming the fields, nothing sent.
    std::fs::write(&f, r#"{"order_number": "1", "order_items": [{"sku": "A", "quantity": 0}]}"#).unwrap();
    let out = narvar()
        .args(["--base-url", "http://127.0.0.1:9", "--account-id", "a", "--auth-token", "t", "orders", "create"])
        .arg(&f)
        .assert()
        .code(3);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("order_info.order_date") || err.contains("order_info.order_items[0].quantity"), "{err}");
}

#[test]
fn missing_credentials_name_the_environment_variables() {
    let out = narvar().args(["orders", "get", "1"]).assert().code(12);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("NARVAR_BASE_URL"), "{err}");
    let out = narvar().args(["--base-url", "http://127.0.0.1:9", "orders", "get", "1"]).assert().code(12);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("NARVAR_ACCOUNT_ID") && err.contains("NARVAR_AUTH_TOKEN"), "{err}");
    // Half of a pair in the environment is refused, not dropped.
    let out = narvar()
        .env("NARVAR_ACCOUNT_ID", "acme")
        .env("NARVAR_BEARER_TOKEN", "bear_test")
        .args(["--base-url", "http://127.0.0.1:9", "orders", "get", "1"])
        .assert()
        .code(12);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains(
            "NARVAR_ACCOUNT_ID and NARVAR_AUTH_TOKEN go together (HTTP Basic credentials): NARVAR_AUTH_TOKEN is missing."
        ),
        "{err}"
    );
}

#[test]
fn commands_against_a_sandbox_with_exit_codes_per_kind() {
    let sb = Sandbox::start_in_background(SandboxConfig::default()).unwrap();
    let tmp = tempdir();
    let dir = tmp.path();
    let f = dir.join("o.json");
    std::fs::write(&f, order_line("1001")).unwrap();
    against(&sb).args(["--json", "orders", "create"]).arg(&f).assert().success();
    let out = against(&sb).args(["--json", "orders", "get", "1001"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["order_number"], "1001");
    against(&sb).args(["orders", "get", "nope"]).assert().code(6);
    against(&sb).args(["--json", "tracking", "get", "1001"]).assert().success();
    let out = against(&sb).args(["--json", "carriers", "list", "--product", "delivery"]).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["carriers"].as_array().unwrap().len(), 2);
    let r = dir.join("r.json");
    std::fs::write(&r, r#"{"order_number": "1001", "billing_zip": "78701", "order_items": [{"sku": "MUG", "quantity": 1}]}"#)
        .unwrap();
    let out = against(&sb).args(["--json", "returns", "create"]).arg(&r).assert().success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let rrn = v["return_reference_number"].as_str().unwrap().to_owned();
    let label = dir.join("label");
    against(&sb).args(["returns", "label", &rrn, "--out"]).arg(&label).assert().success();
    assert!(std::fs::read(dir.join("label.pdf")).unwrap().starts_with(b"%PDF"));
    let out = against(&sb).args(["--json", "journey", "1001"]).assert().success();
    let j: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(j["entries"][0]["status"], "order_placed");
    let wrong = against(&sb).env("NARVAR_AUTH_TOKEN", "tok_wrong").args(["orders", "get", "1001"]).assert().code(4);
    assert!(!String::from_utf8_lossy(&wrong.get_output().stderr).contains("tok_wrong"));
    sb.add_fault(
        serde_json::from_value(serde_json::json!({"kind": "status", "status": 503, "operation": "orders.get"})).unwrap(),
    )
    .unwrap();
    against(&sb).args(["--timeout", "2", "orders", "get", "1001"]).assert().code(9);
}

#[test]
fn every_operation_has_a_command_item_visibility_v1_labels_and_promises_among_them() {
    let sb = Sandbox::start_in_background(SandboxConfig::default()).unwrap();
    let tmp = tempdir();
    let dir = tmp.path();
    let json =
        |out: &assert_cmd::assert::Assert| -> serde_json::Value { serde_json::from_slice(&out.get_output().stdout).unwrap() };
    let f = dir.join("o.json");
    std::fs::write(&f, order_line("1001")).unwrap();
    against(&sb).args(["--json", "orders", "create"]).arg(&f).assert().success();
    let v = json(&against(&sb).args(["--json", "tracking", "visibility", "1001", "--zip", "78701"]).assert().success());
    assert_eq!(v["masked"], false);
    let r = dir.join("r.json");
    std::fs::write(&r, serde_json::to_string(&narvar_sandbox::samples::a_return("1001")).unwrap()).unwrap();
    let v = json(&against(&sb).args(["--json", "returns", "generate-label"]).arg(&r).assert().success());
    let rrn = v["return_reference_number"].as_str().unwrap().to_owned();
    let v = json(&against(&sb).args(["--json", "returns", "get-label", &rrn]).assert().success());
    assert_eq!(v["order_number"], "1001");
    let cart = dir.join("cart.json");
    std::fs::write(&cart, r#"{"destination": {"postal_code": "78701", "country": "US"}, "items": [{"sku": "MUG"}]}"#).unwrap();
    let v = json(&against(&sb).args(["--json", "promise", "options"]).arg(&cart).assert().success());
    let promise_id = v["cart_delivery_options"]["delivery_options"][0]["promise_id"].clone();
    against(&sb).args(["--json", "promise", "public-options"]).arg(&cart).assert().success();
    let confirm = dir.join("confirm.json");
    std::fs::write(
        &confirm,
        serde_json::json!({"order_id": "1001", "selected_delivery_options": [{"promise_id": promise_id}]}).to_string(),
    )
    .unwrap();
    let v = json(&against(&sb).args(["--json", "promise", "confirm"]).arg(&confirm).assert().success());
    assert_eq!(v["order_id"], "1001");
    // `operations --json` names the command of every operation.
    let out = narvar().args(["operations", "--json"]).assert().success();
    let listed = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    for line in listed.lines() {
        let op: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(op["command"].as_str().is_some_and(|c| c.starts_with("narvar ")), "{} has no command", op["name"]);
    }
}

#[test]
fn import_streams_orders_writes_reimportable_failures_and_export_writes_csv() {
    let sb = Sandbox::start_in_background(SandboxConfig::default()).unwrap();
    let tmp = tempdir();
    let dir = tmp.path();
    let input = dir.join("orders.jsonl");
    let mut f = std::fs::File::create(&input).unwrap();
    for i in 0..300 {
        writeln!(f, "{}", order_line(&format!("IMP-{i}"))).unwrap();
        if i == 100 {
            writeln!(f, "{{\"order_number\": \"BAD-1\", \"order_items\": [{{\"sku\": \"A\", \"quantity\": 0}}]}}").unwrap();
            writeln!(f, "not json").unwrap();
            writeln!(f).unwrap();
        }
    }
    drop(f);
    let out = against(&sb).args(["--json", "orders", "import"]).arg(&input).args(["--concurrency", "8"]).assert().code(1);
    let summary: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!((summary["imported"].as_u64(), summary["failed"].as_u64()), (Some(300), Some(2)));
    let failures = dir.join("orders.failures.jsonl");
    let lines: Vec<serde_json::Value> =
        std::fs::read_to_string(&failures).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    let bad = lines.iter().find(|l| l["order_number"] == "BAD-1").unwrap();
    assert_eq!(bad["_narvar_error"]["code"], "validation");
    assert_eq!(bad["_narvar_error"]["line"], 102);
    // Fixed in place, the failures file imports as it is.
    let fixed = std::fs::read_to_string(&failures)
        .unwrap()
        .replace("\"quantity\":0", "\"quantity\":1")
        .replace("\"order_items\":[{\"sku\":\"A\"", "\"order_date\":\"2024-03-09T17:45:00Z\",\"order_items\":[{\"sku\":\"A\"");
    let only_good: String = fixed.lines().filter(|l| l.contains("BAD-1")).map(|l| format!("{l}\n")).collect();
    let again = dir.join("again.jsonl");
    std::fs::write(&again, only_good).unwrap();
    against(&sb).args(["orders", "import"]).arg(&again).assert().success();
    against(&sb).args(["orders", "get", "BAD-1"]).assert().success();
    let numbers = dir.join("numbers.txt");
    std::fs::write(&numbers, "IMP-0\nIMP-1\n\nIMP-299\n").unwrap();
    let csv_out = dir.join("out.csv");
    against(&sb).args(["orders", "export", "--numbers"]).arg(&numbers).arg("--out").arg(&csv_out).assert().success();
    let csv = std::fs::read_to_string(&csv_out).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows[0], "order_number,order_date,currency_code,items,units,shipments,customer_email,tracking_numbers");
    assert_eq!(rows.len(), 4);
    // The sample order: USD, two lines (2 mugs, 1 cup), one shipment.
    assert!(rows[3].starts_with("IMP-299,2024-03-09T17:45:00Z,USD,2,3,1,ada@example.test,T-IMP-299"), "{}", rows[3]);
    let jsonl_out = dir.join("out.jsonl");
    against(&sb).args(["orders", "export", "--numbers"]).arg(&numbers).arg("--out").arg(&jsonl_out).assert().success();
    assert_eq!(std::fs::read_to_string(&jsonl_out).unwrap().lines().count(), 3);
}

#[test]
fn listen_forwards_sandbox_webhooks() {
    let sb = Sandbox::start_in_background(SandboxConfig::default()).unwrap();
    // The forward target: a one-request HTTP listener that records what it got and answers 200.
    let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let target_url = format!("http://{}/", target.local_addr().unwrap());
    let got = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Read};
        let (mut s, _) = target.accept().unwrap();
        let mut reader = BufReader::new(s.try_clone().unwrap());
        let mut head = String::new();
        let mut len = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.to_ascii_lowercase().starts_with("content-length:") {
                len = line[15..].trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").unwrap();
        (head, String::from_utf8(body).unwrap())
    });
    let url = sb.url().to_owned();
    let a = sb.accounts()[0].clone();
    let token = sb.admin_token().to_owned();
    let listen = std::thread::spawn(move || {
        narvar()
            .env("NARVAR_BASE_URL", &url)
            .env("NARVAR_SANDBOX_ADMIN_TOKEN", &token)
            .args(["listen", "--forward-to", &target_url, "--max-events", "1", "--topic", "order_updated"])
            .timeout(std::time::Duration::from_secs(10))
            .output()
            .unwrap()
    });
    // Wait for the listener to register, then make an event happen.
    let http = reqwest::blocking::Client::new();
    for _ in 0..100 {
        let hooks: serde_json::Value = http
            .get(format!("{}/_sandbox/webhooks", sb.url()))
            .header(narvar_sandbox::ADMIN_TOKEN_HEADER, sb.admin_token())
            .send()
            .unwrap()
            .json()
            .unwrap();
        if !hooks["webhooks"].as_array().unwrap().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    http.post(format!("{}/api/v1/orders", sb.url()))
        .basic_auth(&a.account_id, Some(&a.auth_token))
        .header("content-type", "application/json")
        .body(format!("{{\"order_info\": {}}}", order_line("L-1")))
        .send()
        .unwrap();
    let (head, body) = got.join().unwrap();
    assert!(head.to_ascii_lowercase().contains("x-narvar-topic: order_updated"), "{head}");
    assert!(body.contains("L-1"));
    let out = listen.join().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("order_updated"));
}

/// A directory of the test's own, removed when the test ends (passed or failed).
fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("narvar-cli-test-").tempdir().unwrap()
}

/// A server on loopback that answers every request with `response`, for as long as the test runs.
fn one_answer_server(response: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn server_text_reaches_the_terminal_as_one_escaped_line() {
    let body = serde_json::json!({"status": "FAILURE", "messages": [{"message": "bad\nnext line \u{1b}[31mred\u{1b}]0;owned\u{7} \u{202e}txt"}]}).to_string();
    let url = one_answer_server(format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let out = narvar()
        .env("NARVAR_BASE_URL", &url)
        .env("NARVAR_ACCOUNT_ID", "acme")
        .env("NARVAR_AUTH_TOKEN", "tok")
        .args(["orders", "get", "1001"])
        .assert()
        .code(3);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.trim_end_matches('\n').lines().count(), 1, "{err:?}");
    assert!(!err.trim_end_matches('\n').chars().any(|c| c.is_control() || c == '\u{202e}'), "{err:?}");
    assert!(err.contains(r"bad\nnext line \u{1b}[31mred"), "{err:?}");
}

#[test]
fn bad_timeouts_are_configuration_errors_naming_the_setting() {
    for (flag, env) in [(Some("inf"), None), (Some("1e20"), None), (Some("-3"), None), (None, Some("NaN")), (None, Some("0"))] {
        let mut c = narvar();
        c.env("NARVAR_BASE_URL", "http://127.0.0.1:9").env("NARVAR_ACCOUNT_ID", "acme").env("NARVAR_AUTH_TOKEN", "tok");
        if let Some(f) = flag {
            c.arg(format!("--timeout={f}"));
        }
        if let Some(e) = env {
            c.env("NARVAR_TIMEOUT_SECS", e);
        }
        let out = c.args(["orders", "get", "1001"]).assert().code(12);
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(err.contains("--timeout (NARVAR_TIMEOUT_SECS)") && !err.contains("panicked"), "{flag:?} {env:?}: {err}");
    }
}

#[test]
fn drift_reports_what_a_drifting_sandbox_sends_and_nothing_otherwise() {
    let out = narvar().args(["--json", "drift", "--sandbox"]).timeout(std::time::Duration::from_secs(20)).assert().success();
    let report: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let entries = report["drift"].as_array().unwrap();
    let has =
        |op: &str, path: &str, kind: &str| entries.iter().any(|d| d["operation"] == op && d["path"] == path && d["kind"] == kind);
    assert!(has("orders.get", narvar_sandbox::DRIFTED_FIELD, "field"), "{report}");
    assert!(has("tracking.item_visibility", "items[].fulfillment_status", "enum_value"), "{report}");
    assert!(entries.iter().all(|d| d["first_request_id"].as_str().is_some_and(|r| r.starts_with("req_"))));

    let rt = tokio::runtime::Runtime::new().unwrap();
    let sb = rt.block_on(Sandbox::start(SandboxConfig::default())).unwrap();
    against(&sb).args(["orders", "create", "-"]).write_stdin(order_line("1001")).assert().success();
    let out = against(&sb).args(["drift", "--order", "1001"]).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.starts_with("no drift"), "{text}");
}

#[test]
fn the_demo_measures_each_shipment_against_its_promise() {
    let tmp = tempdir();
    let dir = tmp.path();
    let out = narvar().args(["demo", "--out"]).arg(dir).timeout(std::time::Duration::from_secs(10)).assert().success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("promise: exception (1 on time, 0 late, 1 exception, 0 pending)"), "{text}");
    assert!(text.contains("(item_promise_date)"), "{text}");
}
