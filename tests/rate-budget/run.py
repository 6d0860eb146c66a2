"""Many workers, one account, one budget in Redis.

8 worker processes (3 Python, 3 Node, 2 `narvar orders import`) import 2,000 orders into one
sandbox account whose limiter allows RATE requests per PERIOD. Every worker's client has the same
budget, shared through a redis-server of this script's own on a loopback port. Checked twice:

1. Redis up throughout: 0 over-limit 429s, >= 90% of the budget used, and the import takes
   within 10% of work / limit.
2. Redis killed halfway and restarted: no worker crashes, every order is created exactly once,
   at most a handful of 429s around the switch, and none once the workers are back on Redis.

Run with the Python package installed (scripts/test-python.sh makes target/python-venv) and the
Node package built (scripts/test-node.sh makes target/node-project):

    target/python-venv/bin/python tests/rate-budget/run.py
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import narvar

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
NODE_PROJECT = REPO / "target" / "node-project"
CLI = REPO / "target" / "debug" / "narvar"

ORDERS = 2000
REQUESTS, PERIOD = 120, 2  # the account's limit, scaled down from 100 per 60 s to keep this short
BUDGET = f"{REQUESTS}/{PERIOD}s, burst 10"
# Each language once with its own settings (keywords, options, flags), the rest from NARVAR_*.
WORKERS = ["python --keywords", "python", "python", "node --options", "node", "node", "cli --flags", "cli"]
SETTINGS = ("NARVAR_RATE_BUDGET", "NARVAR_RATE_BUDGET_REDIS", "NARVAR_RATE_BUDGET_WORKERS")
SWITCH_429S_ALLOWED = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Redis:
    """A redis-server on a loopback port, without persistence."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def kill(self) -> None:
        if self.proc:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def order(n: str) -> dict:
    return {
        "order_number": n, "order_date": "2026-11-30T10:00:00Z", "currency_code": "USD",
        "order_items": [{"sku": "MUG", "item_id": "L1", "name": "Blue mug", "quantity": 1, "unit_price": 14.5}],
        "customer": {"email": "ada@example.test"},
    }


def command(kind: str, file: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The worker's command line and environment."""
    tool, *flags = kind.split()
    if tool == "python":
        return [sys.executable, str(HERE / "worker.py"), str(file), *flags], env
    if tool == "node":
        return ["node", str(HERE / "worker.mjs"), str(file), str(NODE_PROJECT), *flags], env
    cli = [str(CLI), "--json", "orders", "import", str(file), "--concurrency", "2"]
    if not flags:
        return cli, env
    # The same settings as flags, with none of them in the environment.
    flagged = [f"--rate-budget={env['NARVAR_RATE_BUDGET']}", f"--rate-budget-redis={env['NARVAR_RATE_BUDGET_REDIS']}",
               f"--rate-budget-workers={env['NARVAR_RATE_BUDGET_WORKERS']}"]
    return cli + flagged, {k: v for k, v in env.items() if k not in SETTINGS}


def last_seq(sandbox: narvar.Sandbox) -> int:
    return max((r["seq"] for r in sandbox.requests()), default=0)


def run(sandbox: narvar.Sandbox, redis: Redis, work: Path, label: str, kill_redis: bool) -> dict:
    sandbox.reset()
    account = sandbox.accounts[0]
    numbers = [f"{label}-{i:04d}" for i in range(ORDERS)]
    env = {**os.environ, "NARVAR_BASE_URL": sandbox.url, "NARVAR_ACCOUNT_ID": account["account_id"],
           "NARVAR_AUTH_TOKEN": account["auth_token"], "NARVAR_RATE_BUDGET": BUDGET,
           "NARVAR_RATE_BUDGET_REDIS": f"redis://127.0.0.1:{redis.port}",
           "NARVAR_RATE_BUDGET_WORKERS": str(len(WORKERS)), "NARVAR_LOG": "narvar=info"}
    files = []
    for w in range(len(WORKERS)):
        f = work / f"{label}-{w}.jsonl"
        f.write_text("".join(json.dumps(order(n)) + "\n" for n in numbers[w::len(WORKERS)]))
        files.append(f)

    marks: dict[str, float | int] = {}
    started = time.monotonic()
    procs = []
    for kind, f in zip(WORKERS, files):
        argv, worker_env = command(kind, f, env)
        procs.append(subprocess.Popen(argv, env=worker_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))

    def switch() -> None:
        time.sleep(ORDERS / (REQUESTS / PERIOD) / 2)
        redis.kill()
        marks["killed_at"] = time.monotonic() - started
        time.sleep(4)
        redis.start()
        marks["restarted_at"] = time.monotonic() - started
        time.sleep(3)  # every worker asks Redis again within a second, then it decides
        marks["settled_seq"] = last_seq(sandbox)

    switcher = threading.Thread(target=switch) if kill_redis else None
    if switcher:
        switcher.start()
    outputs = [p.communicate() for p in procs]
    elapsed = time.monotonic() - started
    if switcher:
        switcher.join()

    failures = []
    imported = 0
    for kind, p, (out, err) in zip(WORKERS, procs, outputs):
        if p.returncode != 0:
            failures.append(f"{kind} worker exited {p.returncode}: {err.strip()[-800:]}")
            continue
        summary = json.loads(out.strip().splitlines()[-1])
        imported += summary["imported"]
        if summary["failed"]:
            failures.append(f"{kind} worker: {summary['failed']!r:.800}")
    logs = "".join(err for _, err in outputs)

    requests = sandbox.requests()
    throttled = [r for r in requests if r["status"] == 429]
    admitted = [r for r in requests if r["status"] != 429]
    events = [e["payload"] for e in sandbox.events("order_updated")]
    created = [e["order_number"] for e in events if e["status"] == "created"]
    updated = [e["order_number"] for e in events if e["status"] != "created"]
    rate = REQUESTS / PERIOD
    figures = {
        "run": label, "elapsed_s": round(elapsed, 2), "expected_s": round(ORDERS / rate, 2),
        "requests": len(requests), "admitted": len(admitted), "throttled_429": len(throttled),
        "budget_used": round(len(admitted) / (rate * elapsed), 3), "imported": imported, **marks,
        "fallback_logs": logs.count("does not answer"), "rejoin_logs": logs.count("answers again"),
    }

    if imported != ORDERS:
        failures.append(f"{imported} of {ORDERS} orders imported")
    if sorted(created) != sorted(numbers):
        missing = set(numbers) - set(created)
        failures.append(f"created {len(created)} orders ({len(set(created))} distinct); missing {sorted(missing)[:5]}")
    if updated:
        failures.append(f"{len(updated)} orders were sent again after they were created: {updated[:5]}")
    if figures["budget_used"] < 0.9:
        failures.append(f"only {figures['budget_used']:.0%} of the budget used")
    if abs(elapsed - ORDERS / rate) > 0.1 * ORDERS / rate:
        failures.append(f"took {elapsed:.1f} s; work / limit is {ORDERS / rate:.1f} s")
    if kill_redis:
        late = [r for r in throttled if r["seq"] > marks["settled_seq"]]
        if len(throttled) > SWITCH_429S_ALLOWED:
            failures.append(f"{len(throttled)} 429s around the switch (at most {SWITCH_429S_ALLOWED})")
        if late:
            failures.append(f"{len(late)} 429s after the workers were back on Redis")
        if figures["fallback_logs"] < 1 or figures["rejoin_logs"] < 1:
            failures.append(f"the switch was not logged: {logs[-800:]}")
    elif throttled:
        failures.append(f"{len(throttled)} over-limit 429s")
    figures["failures"] = failures
    return figures


def main() -> int:
    for needed, hint in [("redis-server", "apt-get install redis-server"), ("node", "Node.js 20+")]:
        if not shutil.which(needed):
            print(f"{needed} is needed ({hint})")
            return 1
    for path, how in [(NODE_PROJECT / "node_modules" / "narvar", "bash scripts/test-node.sh"), (CLI, "cargo build -p narvar-cli")]:
        if not path.exists():
            print(f"{path} is missing: run {how}")
            return 1
    redis = Redis(free_port())
    redis.start()
    failed = False
    try:
        with narvar.Sandbox() as sandbox, tempfile.TemporaryDirectory() as work:
            sandbox.rate_limit(REQUESTS, PERIOD)
            for label, kill in [("steady", False), ("redis-killed", True)]:
                figures = run(sandbox, redis, Path(work), label, kill)
                print(json.dumps(figures))
                for f in figures["failures"]:
                    print(f"FAIL {label}: {f}")
                    failed = True
    finally:
        redis.kill()
    print("shared rate budget: " + ("FAILED" if failed else "2 runs passed"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
