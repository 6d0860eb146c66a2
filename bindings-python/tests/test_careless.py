"""What careless users do, caught with a clear word before anything is sent (issue 13)."""
from __future__ import annotations

import datetime as dt
import decimal
import inspect
import time
from typing import Any

import pytest

import narvar
from narvar import models

from conftest import order


def test_values_from_pandas_numpy_and_the_standard_library_become_json(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    pandas = pytest.importorskip("pandas")
    numpy = pytest.importorskip("numpy")
    o = order("1001")
    o["order_date"] = pandas.Timestamp("2024-03-09T17:45:00Z")
    o["order_items"][0].update(quantity=numpy.int64(3), unit_price=numpy.float64(14.5), is_gift=numpy.bool_(True),
                               final_sale_date=dt.datetime(2024, 4, 1, 12, 0),
                               item_promise_date=dt.datetime(2024, 3, 12, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
                               discount_amount=decimal.Decimal("1.10"), anticipated_ship_date=pandas.NaT)
    o["shipments"][0]["ship_date"] = dt.date(2024, 3, 10)
    o["order_items"][1].update(unit_price=decimal.Decimal("12345678901234567890.123456789"), discount_amount=pandas.NA,
                               line_number=numpy.int32(2))
    client.orders.create(o)
    sent = client.orders.get("1001").to_dict()  # the sandbox keeps what it was sent
    assert sent["order_date"] == "2024-03-09T17:45:00+00:00"
    first, second = sent["order_items"]
    assert first["quantity"] == 3 and first["unit_price"] == 14.5 and first["is_gift"] is True
    assert first["final_sale_date"] == "2024-04-01T12:00:00Z", "a naive datetime is taken as UTC"
    assert first["item_promise_date"] == "2024-03-12T09:30:00-05:00"
    assert sent["shipments"][0]["ship_date"] == "2024-03-10"
    assert first["discount_amount"] == 1.1 and first.get("anticipated_ship_date") is None
    assert second["unit_price"] == "12345678901234567890.123456789", "no digit of a Decimal is lost"
    assert "discount_amount" not in second or second["discount_amount"] is None
    assert second["line_number"] == 2


def test_conversion_errors_name_the_field_as_validation_does(client: narvar.Client, sandbox: narvar.Sandbox) -> None:
    o = order("1001")
    o["order_items"][0]["quantity"] = object()
    with pytest.raises(TypeError, match=r"^order_info\.order_items\[0\]\.quantity: object is not JSON data"):
        client.orders.create(o)
    o["order_items"][0]["quantity"] = 0
    with pytest.raises(narvar.ValidationError) as e:
        client.orders.create(o)
    assert e.value.errors[0].path == "order_info.order_items[0].quantity"
    with pytest.raises(ValueError, match=r"^order_info\.order_items\[0\]\.unit_price: Decimal\(NaN\)"):
        client.orders.create({**order("1001"), "order_items": [{"sku": "MUG", "quantity": 1, "unit_price": decimal.Decimal("NaN")}]})
    assert sandbox.requests("orders.create") == []


def test_misspelt_fields_are_named_with_what_was_meant(client: narvar.Client, sandbox: narvar.Sandbox) -> None:
    o = order("1001")
    o["custmer"] = o.pop("customer")
    o["order_items"][0]["quantiy"] = 1
    with pytest.raises(narvar.ValidationError) as e:
        client.orders.create(o)
    found = {f.path: f.message for f in e.value.errors}
    assert found["order_info.custmer"] == "is an unknown field; did you mean `customer`?"
    assert found["order_info.order_items[0].quantiy"] == "is an unknown field; did you mean `quantity`?"
    client.orders.create({"order_info": order("1001", loyalty_tier="gold")})  # the wire envelope is read as the order
    assert client.orders.get("1001").extra == {"loyalty_tier": "gold"}


def test_settings_are_explicit_typed_and_checked() -> None:
    params = inspect.signature(narvar.Client).parameters
    assert {"account_id", "auth_token", "base_url", "timeout", "max_attempts", "rate_budget"} <= set(params)
    assert not any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params.values())
    assert inspect.signature(narvar.AsyncClient).parameters.keys() == params.keys()
    base = {"account_id": "acme", "auth_token": "tok", "base_url": "http://127.0.0.1:9"}
    for bad, named in [({"timeout": 0}, "timeout"), ({"timeout": -1.0}, "timeout"), ({"timeout": float("inf")}, "timeout"),
                       ({"timeout": float("nan")}, "timeout"), ({"timeout": 1e20}, "timeout"), ({"timeout": "5"}, "timeout"),
                       ({"max_attempts": 0}, "max_attempts"), ({"max_attempts": -2}, "max_attempts")]:
        with pytest.raises(narvar.ConfigurationError, match=named) as e:
            narvar.Client(**base, **bad)
        assert "line 1" not in str(e.value), str(e.value)
    with pytest.raises(TypeError):
        narvar.Client(**base, timout=5)  # type: ignore[call-arg]
    # Half of a credential pair is refused when the client is made, named as Python spells it.
    with pytest.raises(narvar.ConfigurationError) as e:
        narvar.Client(account_id="acme", bearer_token="b", base_url="http://127.0.0.1:9")
    assert str(e.value).startswith("account_id and auth_token go together (HTTP Basic credentials): auth_token is missing."), str(e.value)
    with pytest.raises(narvar.ConfigurationError, match="^hmac_key needs retailer_moniker"):
        narvar.Client(bearer_token="b", hmac_key="k", base_url="http://127.0.0.1:9")
    c = narvar.Client(**base)
    for bad_timeout in (0, -3.0):
        with pytest.raises(narvar.ConfigurationError, match="timeout"):
            c.orders.get("1001", timeout=bad_timeout)


def test_rate_budget_settings_are_checked(sandbox: narvar.Sandbox, monkeypatch: pytest.MonkeyPatch,
                                          caplog: pytest.LogCaptureFixture) -> None:
    base = {"account_id": "acme", "auth_token": "tok", "base_url": "http://127.0.0.1:9"}
    with pytest.raises(narvar.ConfigurationError, match="not of the form"):
        narvar.Client(**base, rate_budget="100 per minute")
    with pytest.raises(narvar.ConfigurationError, match="rate_budget_redis") as e:
        narvar.Client(**base, rate_budget_redis="http://:hunter2@cache.internal")
    assert "hunter2" not in str(e.value) and "hunter2" not in repr(e.value)
    with pytest.raises(narvar.ConfigurationError, match="rate_budget_workers"):
        narvar.Client(**base, rate_budget_redis="redis://127.0.0.1:9", rate_budget_workers=0)
    with pytest.raises(narvar.ConfigurationError, match="rate_budget_workers"):
        narvar.Client(**base, rate_budget_workers="eight")  # type: ignore[arg-type]
    monkeypatch.setenv("NARVAR_BASE_URL", sandbox.url)
    monkeypatch.setenv("NARVAR_RATE_BUDGET", "lots")
    with pytest.raises(narvar.ConfigurationError, match="NARVAR_RATE_BUDGET"):
        narvar.Client.from_env(account_id="acme", auth_token="tok")
    # With Redis away from the start, calls go on within the worker's own share.
    monkeypatch.setenv("NARVAR_RATE_BUDGET", "1000/1s")
    monkeypatch.setenv("NARVAR_RATE_BUDGET_REDIS", "redis://:hunter2@127.0.0.1:9")
    account = sandbox.accounts[0]
    with narvar.Client.from_env(account_id=account["account_id"], auth_token=account["auth_token"]) as c:
        c.orders.create(order("1001"))
        assert c.orders.get("1001").order_number == "1001"
    # ... and Python's logging hears of it once, on the "narvar" logger, without the password.
    said = [r for r in caplog.records if r.name == "narvar" and "does not answer" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "WARNING", caplog.text
    assert "hunter2" not in caplog.text


def test_close_closes_and_later_calls_say_so(sandbox: narvar.Sandbox) -> None:
    c = sandbox.client(rate_budget=False)
    c.orders.create(order("1001"))
    c.close()
    assert c.closed
    with pytest.raises(narvar.ConfigurationError, match="closed"):
        c.orders.get("1001")
    with narvar.Sandbox() as sb:
        inner = sb.client(rate_budget=False)
        inner.orders.create(order("1001"))
    with pytest.raises(narvar.ConfigurationError, match="closed"):
        inner.orders.get("1001")


def test_a_sandbox_client_has_the_rate_budget_a_real_one_has(sandbox: narvar.Sandbox) -> None:
    sandbox.client(rate_budget=False).orders.create(order("1001"))
    budgeted = sandbox.client()
    started = time.monotonic()
    for _ in range(12):  # bursts of 10, then one request each 0.6 s
        budgeted.orders.get("1001")
    assert time.monotonic() - started >= 1.0, "the documented 100 requests / 60 s budget throttles a sandbox client too"
    assert "rate_budget" in (narvar.Client.__doc__ or "") + (narvar.Client.__mro__[2].__doc__ or "")


def test_model_properties_carry_their_schema_descriptions() -> None:
    doc = models.OrderInfo.order_number.__doc__ or ""  # type: ignore[attr-defined]
    assert doc.startswith("`order_number`: ") and "number" in doc.lower(), doc
    assert (models.OrderItem.sku.__doc__ or "").startswith("`sku`")  # type: ignore[attr-defined]


def test_meta_is_a_response_meta(client: narvar.Client) -> None:
    client.orders.create(order("1001"))
    got = client.orders.get("1001")
    meta: narvar.ResponseMeta = got.meta
    assert isinstance(meta, narvar.ResponseMeta) and meta.status == 200 and meta.attempts == 1
