"""Python binding benchmarks (by hand; not in CI). Ratios are measured in the same run.

    bash scripts/test-python.sh   # builds the release wheel into target/python-venv
    target/python-venv/bin/pip install httpx==0.28.1 pydantic==2.14.4
    target/python-venv/bin/python bindings-python/benches/bench.py

1. sync `orders.get` loop vs httpx.Client + json + a dataclass, and vs a raw Rust reqwest loop,
   all against one release sandbox process on loopback;
2. AsyncClient, 100 gets in flight, vs httpx.AsyncClient;
3. 10,000 large order documents (50 items) into typed objects vs pydantic v2 models;
4. `python -X importtime -c "import narvar"`.
"""
from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import httpx
import pydantic

import narvar

ROOT = Path(__file__).resolve().parents[2]
N_SYNC = 300
ROUNDS = 15


# The sandbox runs on CPU 0 and every client (Python, and the Rust baseline it starts) on CPU 1,
# as a server and its clients would on separate hosts. Left to the scheduler, a client sharing a
# CPU with the sandbox hands requests over far faster than one on the other CPU (a sleeping vCPU
# is slow to wake), which swings a sync loop by 2x from run to run.
SERVER_CPU, CLIENT_CPU = 0, 1


def start_sandbox() -> tuple[subprocess.Popen[str], str]:
    # Two builds: `--benches` alone would build no binary of the sandbox crate.
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "narvar-sandbox", "--bin", "narvar-sandbox"], cwd=ROOT, check=True)
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "narvar", "--benches"], cwd=ROOT, check=True)
    p = subprocess.Popen([str(ROOT / "target/release/narvar-sandbox"), "--port", "0"], stdout=subprocess.PIPE, text=True,
                         preexec_fn=lambda: os.sched_setaffinity(0, {SERVER_CPU}))
    os.sched_setaffinity(0, {CLIENT_CPU})
    line = p.stdout.readline() if p.stdout else ""
    return p, line.rsplit(" ", 1)[1].strip()


ORDER = {"order_number": "BENCH-1", "order_date": "2024-03-09T17:45:00Z", "currency_code": "USD",
         "order_items": [{"sku": f"SKU-{i}", "item_id": f"L{i}", "name": f"Blue mug {i}", "quantity": 2, "unit_price": 14.5,
                          "item_image": f"https://cdn.example.test/{i}.png", "fulfillment_status": "NOT_SHIPPED"} for i in range(8)],
         "customer": {"customer_id": "C-88", "email": "ada@example.test"}}


@dataclasses.dataclass
class Item:
    sku: str
    quantity: int
    unit_price: float
    name: Optional[str] = None


@dataclasses.dataclass
class Order:
    order_number: str
    order_date: str
    items: list[Item]


def best(f: Any, rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_sync(url: str) -> None:
    client = narvar.Client("acme", "tok_test_acme", base_url=url, rate_budget=False)
    client.orders.create(ORDER)
    hx = httpx.Client(auth=("acme", "tok_test_acme"))
    # The raw reqwest loop (client/benches/reqwest_loop.rs) runs when told, so rounds interleave.
    rust = subprocess.Popen(["cargo", "bench", "-q", "-p", "narvar", "--bench", "reqwest_loop"], cwd=ROOT, env={**os.environ, "NARVAR_BENCH_URL": url},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ours() -> None:
        for _ in range(N_SYNC):
            assert client.orders.get("BENCH-1").order_items[0].sku == "SKU-0"

    def theirs() -> None:
        for _ in range(N_SYNC):
            d = json.loads(hx.get(f"{url}/api/v1/orders/BENCH-1", headers={"accept": "application/json"}).content)["order_info"]
            o = Order(d["order_number"], d["order_date"], [Item(i["sku"], i["quantity"], i["unit_price"], i.get("name")) for i in d["order_items"]])
            assert o.items[0].sku == "SKU-0"

    def reqwest() -> tuple[float, float]:
        assert rust.stdin and rust.stdout
        rust.stdin.write(f"{N_SYNC}\n")
        rust.stdin.flush()
        multi, current = rust.stdout.readline().split()
        return float(multi) / 1e6, float(current) / 1e6

    rounds: list[tuple[float, float, float, float]] = []
    try:
        for r in range(ROUNDS + 1):
            t_ours, t_httpx = best(ours, 1) / N_SYNC, best(theirs, 1) / N_SYNC
            if r:  # the first round warms everything up
                rounds.append((t_ours, t_httpx, *reqwest()))
            else:
                reqwest()
    finally:
        if rust.stdin:
            rust.stdin.close()
        rust.wait()
    o, h, m, c = (min(col) for col in zip(*rounds))

    def median(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    # Each round measures all three under the same conditions: the median of the per-round ratios
    # is the steadiest figure on a noisy machine; the best of each is shown beside it.
    vs_httpx = median([r[1] / r[0] for r in rounds])
    vs_multi = median([r[0] / r[2] for r in rounds])
    vs_current = median([r[0] / r[3] for r in rounds])
    print(f"1. sync get ({ROUNDS} interleaved rounds of {N_SYNC}): narvar {o * 1e6:.0f} µs, httpx+json+dataclass {h * 1e6:.0f} µs, "
          f"raw reqwest on #[tokio::main] {m * 1e6:.0f} µs, on a current-thread runtime {c * 1e6:.0f} µs (best of each). "
          f"Median of per-round ratios: {vs_httpx:.2f}x faster than httpx (goal >= 2.5x), {vs_multi:.2f}x the #[tokio::main] loop "
          f"(goal <= 1.25x), {vs_current:.2f}x the current-thread loop. Ratios of the bests: {h / o:.2f}x, {o / m:.2f}x, {o / c:.2f}x")


def bench_async(url: str) -> None:
    async def ours() -> float:
        c = narvar.AsyncClient("acme", "tok_test_acme", base_url=url, rate_budget=False)
        await asyncio.gather(*(c.orders.get("BENCH-1") for _ in range(100)))
        t = time.perf_counter()
        for _ in range(20):
            await asyncio.gather(*(c.orders.get("BENCH-1") for _ in range(100)))
        return 2000 / (time.perf_counter() - t)

    async def theirs() -> float:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(auth=("acme", "tok_test_acme"), limits=limits) as c:
            async def one() -> Any:
                return json.loads((await c.get(f"{url}/api/v1/orders/BENCH-1")).content)
            await asyncio.gather(*(one() for _ in range(100)))
            t = time.perf_counter()
            for _ in range(20):
                await asyncio.gather(*(one() for _ in range(100)))
            return 2000 / (time.perf_counter() - t)

    a, b = asyncio.run(ours()), asyncio.run(theirs())
    print(f"2. async, 100 in flight: narvar {a:.0f} gets/s, httpx.AsyncClient {b:.0f} gets/s -> {a / b:.1f}x (goal >= 10x)")


class PItem(pydantic.BaseModel):
    sku: Optional[str] = None
    item_id: Optional[str] = None
    name: Optional[str] = None
    quantity: Optional[int] = None
    unit_price: Optional[float] = None
    categories: list[str] = []
    attributes: dict[str, Any] = {}


class PShipment(pydantic.BaseModel):
    carrier: Optional[str] = None
    tracking_number: Optional[str] = None
    items_info: list[dict[str, Any]] = []


class POrder(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    order_number: str
    order_date: Optional[str] = None
    currency_code: Optional[str] = None
    order_items: list[PItem] = []
    shipments: list[PShipment] = []
    customer: Optional[dict[str, Any]] = None


def bench_models() -> None:
    doc = json.dumps({**ORDER, "order_items": [{**ORDER["order_items"][0], "sku": f"SKU-{i}", "categories": ["kitchen"], "attributes": {"color": "blue"}}
                                                for i in range(50)],
                      "shipments": [{"carrier": "usps", "tracking_number": f"T{s}", "items_info": [{"sku": "SKU-1", "quantity": 1}]} for s in range(5)]})
    docs = [doc] * 10_000

    def ours() -> None:
        for d in docs:
            narvar.models.OrderInfo.from_json(d)

    def ours_validated() -> None:
        for d in docs:
            narvar.models.OrderInfo._wrap(narvar._native.parse_model("OrderInfo", d))

    def theirs() -> None:
        for d in docs:
            POrder.model_validate_json(d)

    a, v, b = best(ours, 3), best(ours_validated, 3), best(theirs, 3)
    print(f"3. 10,000 orders of 50 items into typed objects: narvar {a * 1e3:.0f} ms ({b / a:.2f}x pydantic), narvar with the core's "
          f"type checks {v * 1e3:.0f} ms ({b / v:.2f}x), pydantic v2 {b * 1e3:.0f} ms (goal >= 1x)")


def bench_import() -> None:
    runs = []
    for _ in range(7):
        out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import narvar"], capture_output=True, text=True, cwd="/tmp").stderr
        runs += [int(line.split("|")[1]) for line in out.splitlines() if line.rstrip().endswith("| narvar") and "|" in line]
    runs.sort()
    print(f"4. import narvar: {runs[0] / 1000:.1f} ms best, {runs[len(runs) // 2] / 1000:.1f} ms median of {len(runs)} (goal <= 30 ms)")


if __name__ == "__main__":
    proc, url = start_sandbox()
    try:
        bench_sync(url)
        bench_async(url)
    finally:
        proc.terminate()
    bench_models()
    bench_import()
