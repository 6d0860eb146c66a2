"""Pull orders into a warehouse table: a data script's loop, with the errors it should expect.

    NARVAR_BASE_URL=... NARVAR_ACCOUNT_ID=... NARVAR_AUTH_TOKEN=... python warehouse_sync.py numbers.txt out.csv
"""
from __future__ import annotations

import csv
import sys
from typing import Iterable, assert_type

import narvar


def rows(client: narvar.Client, numbers: Iterable[str]) -> Iterable[dict[str, object]]:
    for number in numbers:
        try:
            order = client.orders.get(number)
        except narvar.NotFoundError:
            print(f"{number}: not in Narvar, skipped", file=sys.stderr)
            continue
        except narvar.RateLimitError as e:
            print(f"throttled; retry after {e.retry_after} s (request {e.request_id})", file=sys.stderr)
            raise
        assert_type(order.meta, narvar.ResponseMeta)  # the stubs type every result's metadata
        units = sum((item.quantity or 0) for item in order.order_items)
        email = order.customer.email if order.customer else None
        yield {
            "order_number": order.order_number,
            "order_date": order.order_date,
            "currency": order.currency_code,
            "lines": len(order.order_items),
            "units": units,
            "shipments": len(order.shipments),
            "email": email,
            "request_id": order.meta.request_id,
        }


def main(numbers_path: str, out_path: str) -> int:
    with open(numbers_path) as f:
        numbers = [line.strip() for line in f if line.strip()]
    with narvar.Client.from_env() as client, open(out_path, "w", newline="") as out:
        writer: csv.DictWriter[str] | None = None
        for row in rows(client, numbers):
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row))
                writer.writeheader()
            writer.writerow(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
