from __future__ import annotations

from typing import Any, Iterator

import pytest

import narvar


@pytest.fixture
def sandbox() -> Iterator[narvar.Sandbox]:
    with narvar.Sandbox() as sb:
        yield sb


@pytest.fixture
def client(sandbox: narvar.Sandbox) -> narvar.Client:
    return sandbox.client(rate_budget=False)


def order(n: str, **extra: Any) -> dict[str, Any]:
    o: dict[str, Any] = {
        "order_number": n, "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
        "order_items": [{"sku": "MUG", "item_id": "L1", "name": "Blue mug", "quantity": 2, "unit_price": 14.5},
                        {"sku": "CUP", "name": "Cup", "quantity": 1, "unit_price": "3.00"}],
        "shipments": [{"carrier": "usps", "tracking_number": f"T-{n}", "ship_date": "2024-03-10",
                       "items_info": [{"sku": "MUG", "item_id": "L1", "quantity": 2}],
                       "shipped_to": {"first_name": "Ada", "address": {"street_1": "12 Elm St", "zip": "78701", "country": "US"}}}],
        "customer": {"email": "ada@example.test"},
    }
    o.update(extra)
    return o


def a_return(n: str) -> dict[str, Any]:
    return {"order_number": n, "billing_zip": "78701", "carrier": "usps",
            "order_items": [{"sku": "MUG", "quantity": 1, "return_reason_code": "DAMAGED"}]}
