"""A backend handler that pushes an order and its tracking number, concurrently, with asyncio."""
from __future__ import annotations

import asyncio
from typing import Any

import narvar
from narvar import models


async def push_order(client: narvar.AsyncClient, order: dict[str, Any], tracking_number: str) -> str:
    """Upserts the order, adds its shipment, and returns the tracking status Narvar sees."""
    try:
        await client.orders.create(order)
    except narvar.ValidationError as e:
        for problem in e.errors:
            print(f"{problem.path}: {problem.message} ({problem.rule})")
        raise
    shipment = models.Shipment(carrier="usps", tracking_number=tracking_number,
                               items_info=[{"sku": i["sku"], "quantity": i["quantity"]} for i in order["order_items"]])
    await client.orders.add_shipments(order["order_number"], [shipment], tracer_id=f"push-{order['order_number']}")
    tracking = await client.tracking.by_order(order["order_number"])
    return ", ".join(s.status or "unknown" for s in tracking.shipments)


async def main() -> None:
    with narvar.Sandbox() as sandbox:
        async with sandbox.async_client(rate_budget=False) as client:
            orders = [{"order_number": f"WEB-{i}", "order_date": "2026-11-20T10:00:00Z", "order_items": [{"sku": "MUG", "quantity": 1}]}
                      for i in range(10)]
            statuses = await asyncio.gather(*(push_order(client, o, f"9400{i:018}") for i, o in enumerate(orders)))
            print(dict(zip((o["order_number"] for o in orders), statuses)))


if __name__ == "__main__":
    asyncio.run(main())
