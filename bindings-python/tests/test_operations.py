"""Every operation of the registry through the Python API, against the embedded sandbox."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

import narvar
from narvar import _native, models

from conftest import a_return, order


def test_every_operation_sync(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    created = client.orders.create(order("1001"))
    assert created.status == "SUCCESS" and created.meta.status == 200 and created.meta.request_id
    o = client.orders.get("1001")
    assert isinstance(o, models.OrderInfo)
    assert o.order_items[1].unit_price == 3 and o.order_items[0].quantity == 2
    assert o.meta.headers["content-type"] == "application/json"
    client.orders.add_shipments("1001", [models.Shipment(carrier="ups", tracking_number="1Z", items_info=[{"sku": "CUP", "quantity": 1}])])
    assert len(client.tracking.by_order("1001").shipments) == 2
    assert client.tracking.info("usps", ["T-1001"]).shipments[0].tracking_number == "T-1001"
    assert client.tracking.item_visibility("1001", destination_zip="78701").masked is False
    label = client.returns.generate_label(a_return("1001"))
    assert label.return_reference_number and len(label.return_reference_number) == 16
    assert client.returns.get_label(label.return_reference_number).order_number == "1001"
    v2 = client.returns.create(models.ReturnRequest(a_return("1001")))
    assert client.returns.get(v2.return_reference_number or "").return_status == "initiated"
    assert sorted(c.carrier_moniker for c in client.carriers.iter(products=["delivery"])) == ["fedex", "gls"]
    assert client.carriers.get("fedex").carrier_services
    client.carriers.enable("fedex", capabilities=["returns_label"], products=["returns"], carrier_service_configurations=[{"service_name": "FEDEX_X"}])
    client.carriers.disable("fedex", "FEDEX_X")
    acc = client.carrier_accounts.create({"carrier_moniker": "gls", "capabilities": ["returns_label"], "products": ["returns"],
                                          "account_alias": "acme-gls", "credentials": {"username": "u", "password": "pw_gls_1", "shipper_contact_id": "1"}})
    assert acc.account_identifier and acc.credentials is None
    assert client.carrier_accounts.get("acme-gls").carrier_moniker == "gls"
    assert [a.account_alias for a in client.carrier_accounts.iter()] == ["acme-gls"]
    client.carrier_accounts.update({"carrier_moniker": "gls", "account_alias": "acme-gls", "is_active": False})
    client.carrier_accounts.delete("acme-gls")
    opts = client.promise.options(destination={"postal_code": "78701", "country": "US"}, items=[{"sku": "MUG"}])
    client.promise.public_options(destination={"postal_code": "78701", "country": "US"}, items=[{"sku": "MUG"}])
    pid = opts.cart_delivery_options.delivery_options[0].promise_id if opts.cart_delivery_options else None
    assert client.promise.confirm(order_id="1001", selected_delivery_options=[{"promise_id": pid}]).order_id == "1001"
    served = {r["operation"] for r in sandbox.requests() if r["status"] == 200}
    assert served == {op["name"] for op in json.loads(_native.operations())}


def test_every_operation_async(sandbox: narvar.Sandbox) -> None:
    async def main() -> None:
        async with sandbox.async_client(rate_budget=False) as c:
            await c.orders.create(order("1001"))
            assert (await c.orders.get("1001")).order_number == "1001"
            results = await asyncio.gather(*(c.orders.get("1001") for _ in range(100)))
            assert len(results) == 100 and all(r.meta.status == 200 for r in results)
            assert [x.carrier_moniker async for x in c.carriers.iter(products=["delivery"])] == ["fedex", "gls"]
            j = await c.journey("1001")
            assert j.entries[0].status == "order_placed"
            rows = []
            with pytest.raises(narvar.NotFoundError, match="1 of 3 orders were not exported: nope"):
                async for r in c.orders.export(["1001", "nope", "1001"], concurrency=2):
                    rows.append(r)
            assert [r["order_number"] for r in rows] == ["1001", "1001"]
    asyncio.run(main())


def test_models_are_typed_comparable_and_keep_unknown_fields(client: narvar.Client) -> None:
    client.orders.create(order("1001", loyalty_tier="gold"))
    a, b = client.orders.get("1001"), client.orders.get("1001")
    assert a == b and a is not b
    assert a.extra == {"loyalty_tier": "gold"}
    d = a.to_dict()
    d["order_items"][0]["sku"] = "changed"
    assert a.order_items[0].sku == "MUG", "to_dict is a copy"
    assert "OrderInfo(order_number='1001'" in repr(a)
    req = models.CarrierAccountRequest(carrier_moniker="gls", account_alias="x", credentials={"password": "pw_secret_9"})
    assert "pw_secret_9" not in repr(req) and "credentials='***'" in repr(req)


def test_export_loads_into_pandas(client: narvar.Client) -> None:
    pandas = pytest.importorskip("pandas")
    for n in ("1", "2", "3"):
        client.orders.create(order(n))
    rows: list[dict[str, Any]] = []
    with pytest.raises(narvar.NotFoundError, match=r"1 of 4 orders were not exported: 404 \(not found\)"):
        rows.extend(client.orders.export(["1", "2", "404", "3"]))
    frame = pandas.DataFrame(rows)
    assert list(frame["order_number"]) == ["1", "2", "3"]
    assert len(pandas.DataFrame(client.orders.export(["1", "2", "3"]))) == 3
    assert frame.loc[0, "currency_code"] == "USD"


def test_journey(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    client.orders.create(order("1001"))
    sandbox.advance(hours=41)
    client.returns.create(a_return("1001"))
    sandbox.advance(hours=30)
    steps = [e.status for e in client.journey("1001").entries]
    assert steps == ["order_placed", "shipped", "label_created", "in_transit", "out_for_delivery", "delivered", "return_initiated", "return_in_transit"]


def test_webhooks_verify(sandbox: narvar.Sandbox) -> None:
    import hashlib, hmac, base64, time
    body = json.dumps({"order_number": "1001", "return_reference_number": "R1"}).encode()
    sig = base64.b64encode(hmac.new(b"whsec_1", body, hashlib.sha256).digest()).decode()
    headers = {"X-Narvar-Topic": "refunded", "X-Narvar-Hmac-Sha256": sig, "X-Narvar-Timestamp": str(int(time.time())), "X-Narvar-Webhook-Id": "w1"}
    w = narvar.webhooks.verify(headers, body, secret="whsec_1")
    assert (w.id, w.topic, w.kind, w.payload["order_number"]) == ("w1", "refunded", "topic", "1001")
    with pytest.raises(narvar.AuthenticationError) as e:
        narvar.webhooks.verify(headers, body + b" ", secret="whsec_1")
    assert "does not match" in str(e.value)
    with pytest.raises(narvar.ValidationError):
        narvar.webhooks.verify({**headers, "X-Narvar-Timestamp": "1000"}, body, secret="whsec_1")
    basic = {"Authorization": "Basic " + base64.b64encode(b"narvar:pw").decode()}
    rma = json.dumps({"return_tracking_status": "return_initiated_standard", "order_number": "1"}).encode()
    assert narvar.webhooks.verify(basic, rma, username="narvar", password="pw").kind == "standard_rma"
