"""Every error class, raised from Rust with every field; bad input never sent."""
from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

import narvar
from narvar import _native

from conftest import a_return, order

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def test_every_error_class(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    with pytest.raises(narvar.ValidationError) as v:
        client.orders.create(order("1", order_items=[{"sku": "A", "quantity": 0}]))
    assert [(f.path, f.rule) for f in v.value.errors] == [
        ("order_info.order_items[0].quantity", "min"),
        ("order_info.shipments[0].items_info", "exceeds_ordered"),  # the shipment still carries 2 MUG
    ]
    with pytest.raises(narvar.NotFoundError) as nf:
        client.orders.get("nope")
    assert (nf.value.code, nf.value.status) == ("not_found", 200) and nf.value.request_id and nf.value.messages[0]["code"] == "order.not_found"
    wrong = narvar.Client("acme", "tok_wrong", base_url=sandbox.url, rate_budget=False)
    with pytest.raises(narvar.AuthenticationError) as au:
        wrong.orders.get("1")
    assert au.value.status == 401 and "tok_wrong" not in str(au.value) + repr(au.value)
    acc = {"carrier_moniker": "gls", "capabilities": ["returns_label"], "products": ["returns"], "account_alias": "a",
           "credentials": {"username": "u", "password": "p", "shipper_contact_id": "1"}}
    client.carrier_accounts.create(acc)
    with pytest.raises(narvar.ConflictError):
        client.carrier_accounts.create(acc)
    sandbox.fault("orders.get", "status", status=429, retry_after=2, times=1)
    with pytest.raises(narvar.RateLimitError) as rl:
        sandbox.client(max_attempts=1, rate_budget=False).orders.get("1")
    assert (rl.value.code, rl.value.status, rl.value.retry_after) == ("rate_limited", 429, 2.0)
    sandbox.fault("orders.get", "status", status=503, times=1)
    with pytest.raises(narvar.ServerError):
        sandbox.client(max_attempts=1, rate_budget=False).orders.get("1")
    client.orders.create(order("1001"))
    sandbox.fault("returns.create", "drop_after", times=1)
    with pytest.raises(narvar.TransportError) as tr:
        client.returns.create(a_return("1001"))
    assert tr.value.may_have_been_sent is True
    with pytest.raises(narvar.ConfigurationError) as cf:
        narvar.Client(base_url=sandbox.url)
    assert "NARVAR_ACCOUNT_ID" in str(cf.value)
    with pytest.raises(narvar.DecodeError):
        _native.read_response("orders.get", 200, [], b"<html>")
    with pytest.raises(narvar.PermissionError):
        _native.read_response("orders.get", 403, [], b"")
    e = pickle.loads(pickle.dumps(rl.value))
    assert (type(e), e.retry_after, e.request_id) == (narvar.RateLimitError, 2.0, rl.value.request_id)


def cases() -> list[Any]:
    out = []
    for f in sorted(VECTORS.glob("*.json")):
        for c in json.loads(f.read_text()):
            out.append(pytest.param(c, id=c["name"]))
    return out


def subset(want: Any, got: Any) -> bool:
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and subset(v, got[k]) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(want) == len(got) and all(subset(a, b) for a, b in zip(want, got))
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and float(want) == float(got)
    return bool(want == got)


def check_error(e: narvar.NarvarError, want: dict[str, Any]) -> None:
    assert e.code == want["code"], (e.code, str(e))
    for key, attr in (("status", "status"), ("request_id", "request_id"), ("retry_after", "retry_after")):
        if key in want:
            assert getattr(e, attr) == want[key]
    if "message_codes" in want:
        assert [m.get("code") for m in e.messages] == want["message_codes"]
    if "message_contains" in want:
        assert want["message_contains"] in str(e)
    if "field_errors" in want:
        assert {(f.path, f.rule) for f in e.errors} == {(f["path"], f["rule"]) for f in want["field_errors"]}


@pytest.mark.parametrize("case", cases())
def test_vector(case: dict[str, Any]) -> None:
    ctx = case.get("context") or {}  # overrides of the vectors' context, which the core holds
    if case["expect_request"] is None:
        with pytest.raises(narvar.NarvarError) as e:
            _native.build_request(case["operation"], json.dumps(case["input"]), json.dumps(ctx))
        check_error(e.value, case["expect_error"])
        return
    req = json.loads(_native.build_request(case["operation"], json.dumps(case["input"]), json.dumps(ctx)))
    want = case["expect_request"]
    assert (req["method"], req["path"]) == (want["method"], want["path"])
    headers = {k.lower(): v for k, v in req["headers"]}
    for k, v in want["headers"].items():
        assert headers.get(k) == v, k
    for k in want.get("absent_headers", []):
        assert k not in headers
    assert req["body"] == want["body"]
    r = case["response"]
    body = json.dumps(r["body"]).encode() if "body" in r else r.get("body_text", "").encode()
    if "expect_output" in case:
        assert subset(case["expect_output"], json.loads(_native.read_response(case["operation"], r["status"], list(r["headers"].items()), body)))
    else:
        with pytest.raises(narvar.NarvarError) as e:
            _native.read_response(case["operation"], r["status"], list(r["headers"].items()), body)
        check_error(e.value, case["expect_error"])


VALIDATION = [c for c in cases() if c.values[0]["expect_request"] is None and c.values[0]["expect_error"]["code"] == "validation"]
METHOD = {"orders.create": ("orders", "create")}


def test_bad_inputs_raise_validation_errors_and_send_nothing(sandbox: narvar.Sandbox) -> None:
    c = sandbox.client(rate_budget=False)
    for param in VALIDATION:
        case = param.values[0]
        with pytest.raises(narvar.ValidationError) as e:
            c._native.call(case["operation"], case["input"])
        assert {(f.path, f.rule) for f in e.value.errors} == {(f["path"], f["rule"]) for f in case["expect_error"]["field_errors"]}, case["name"]
    assert sandbox.requests() == [], "no bad input reached the sandbox"
    assert len(VALIDATION) >= 30


def test_arguments_that_are_not_json_data_are_refused_before_sending(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    with pytest.raises(TypeError, match=r"^order_info\.order_date: object is not JSON data"):
        client.orders.create({"order_info": {"order_number": "1", "order_date": object()}})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match=r"order_items\[0\]\.unit_price: NaN is not a JSON number"):
        client.orders.create({"order_number": "1", "order_items": [{"sku": "A", "quantity": 1, "unit_price": float("nan")}]})
    with pytest.raises(TypeError, match=r"^order_info\.attributes: keys must be str"):
        client.orders.create({"order_number": "1", "attributes": {(1, 2): "x"}})
    with pytest.raises(TypeError, match=r"^order_items\[1\]: object is not JSON data"):
        client._native.call("returns.generate_label", {"order_number": "1", "order_items": [{"sku": "A"}, object()]})
    with pytest.raises(TypeError, match=r"^the input: object is not JSON data"):
        client._native.call("returns.generate_label", object())
    # Nested deeper than JSON readers go (the core's MAX_NESTING): refused, never a crash.
    for depth in (200, 100_000):
        deep: dict[str, Any] = {}
        for _ in range(depth):
            deep = {"a": deep}
        with pytest.raises(ValueError, match=r"^order_info\.attributes(\.a)+: nested more than 127 levels deep"):
            client.orders.create({"order_number": "1", "attributes": deep})
    assert sandbox.requests() == [], "nothing was sent"
    # Tuples, int keys, models and result views are JSON data.
    client.orders.create(narvar.models.OrderInfo({"order_number": "2", "order_date": "2024-03-09T17:45:00Z", "order_items": ({"sku": "A", "quantity": 1},), "attributes": {7: "seven"}}))
    got = client.orders.get("2")
    assert got.attributes == {"7": "seven"} and got.order_items[0].sku == "A"
    client.orders.add_shipments("2", [{"carrier": "usps", "tracking_number": "T2", "items_info": [got.order_items[0].to_dict() | {"quantity": 1}]}])
    assert repr(got.meta).startswith("ResponseMeta(status=200, request_id='req_") and got.meta.attempts == 1
