"""What users rely on: the GIL is released, sync works inside asyncio and after fork, Ctrl-C and
cancellation stop calls, many calls run at once."""
from __future__ import annotations

import _thread
import asyncio
import multiprocessing
import os
import signal
import threading
import time

import pytest

import narvar

from conftest import order


def test_the_gil_is_released_during_io(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    sandbox.fault("orders.get", "delay", delay_ms=300)
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: pytest.raises(narvar.NotFoundError, client.orders.get, "x")) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started < 0.9, "four 300 ms calls overlapped"


def test_the_sync_client_works_inside_a_running_event_loop(client: narvar.Client) -> None:
    client.orders.create(order("1001"))

    async def main() -> str | None:
        return client.orders.get("1001").order_number

    assert asyncio.run(main()) == "1001"


def _in_child(url: str, token: str, inherited: narvar.Client, q: "multiprocessing.Queue[str]") -> None:
    c = narvar.Client("acme", token, base_url=url, rate_budget=False)
    q.put(c.orders.get("1001").order_number or "")
    q.put(inherited.orders.get("1001").order_number or "")


def test_the_client_works_in_a_forked_child(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    client.orders.create(order("1001"))
    client.orders.get("1001")  # the parent's runtime is warm
    ctx = multiprocessing.get_context("fork")
    q: "multiprocessing.Queue[str]" = ctx.Queue()
    p = ctx.Process(target=_in_child, args=(sandbox.url, sandbox.accounts[0]["auth_token"], client, q))
    p.start()
    p.join(15)
    assert p.exitcode == 0
    assert q.get(timeout=1) == "1001", "a new client in the child"
    assert q.get(timeout=1) == "1001", "the client the child inherited"
    assert client.orders.get("1001").order_number == "1001", "the parent still works"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts open files in /proc")
def test_threads_that_exit_leave_no_runtimes_or_connections_behind(client: narvar.Client) -> None:
    client.orders.create(order("1001"))
    client.orders.get("1001")
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(10):
        threads = [threading.Thread(target=client.orders.get, args=("1001",)) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    # Each of the 200 threads had its own runtime and connection; a live thread's next call drops them.
    client.orders.get("1001")
    deadline = time.monotonic() + 5
    while len(os.listdir("/proc/self/fd")) - before >= 20 and time.monotonic() < deadline:
        time.sleep(0.05)  # the sandbox, in this process, closes its side as it sees each close
    assert len(os.listdir("/proc/self/fd")) - before < 20


def test_ctrl_c_interrupts_a_long_sync_call(sandbox: narvar.Sandbox, client: narvar.Client) -> None:
    sandbox.fault("orders.get", "delay", delay_ms=5000)
    # Ctrl-C as a terminal gives it: a process started in the background (nohup, some CI
    # runners) inherits SIGINT ignored, and interrupt_main then does nothing.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Timer(0.2, _thread.interrupt_main).start()
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            client.orders.get("1001")
        assert time.monotonic() - started < 2
    finally:
        signal.signal(signal.SIGINT, previous)


def test_cancelling_a_task_cancels_its_request(sandbox: narvar.Sandbox) -> None:
    sandbox.fault("orders.create", "delay", delay_ms=1000)

    async def main() -> float:
        c = sandbox.async_client(rate_budget=False)
        task = asyncio.create_task(c.orders.create(order("1001")))
        await asyncio.sleep(0.1)
        task.cancel()
        started = time.monotonic()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.monotonic() - started

    assert asyncio.run(main()) < 0.5


def test_a_hundred_concurrent_async_calls(sandbox: narvar.Sandbox) -> None:
    async def main() -> int:
        c = sandbox.async_client(rate_budget=False)
        await c.orders.create(order("1001"))
        done = await asyncio.gather(*(c.orders.get("1001") for _ in range(100)))
        return sum(1 for d in done if d.meta.status == 200)

    assert asyncio.run(main()) == 100


def test_from_env(monkeypatch: pytest.MonkeyPatch, sandbox: narvar.Sandbox) -> None:
    monkeypatch.setenv("NARVAR_BASE_URL", sandbox.url)
    monkeypatch.setenv("NARVAR_ACCOUNT_ID", "acme")
    monkeypatch.setenv("NARVAR_AUTH_TOKEN", sandbox.accounts[0]["auth_token"])
    with narvar.Client.from_env() as c:
        with pytest.raises(narvar.NotFoundError):
            c.orders.get("x")
    monkeypatch.delenv("NARVAR_BASE_URL")
    with pytest.raises(narvar.ConfigurationError) as e:
        narvar.Client.from_env()
    assert "NARVAR_BASE_URL" in str(e.value)


def test_the_drift_report_fills_from_a_drifting_sandbox(sandbox: narvar.Sandbox, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    caplog.set_level(logging.INFO, logger="narvar")
    c = sandbox.client(rate_budget=False)
    c.orders.create(order("1001"))
    c.orders.get("1001")
    assert c.drift() == []
    sandbox.drift()
    try:
        got = c.orders.get("1001")
        c.orders.get("1001")
    finally:
        sandbox.drift(False)
    report = {(d["operation"], d["path"]): d for d in c.drift()}
    root = report[("orders.get", "sandbox_drift_note")]
    assert (root["kind"], root["count"], root["value"]) == ("field", 2, None)
    assert root["first_request_id"] == got.meta.request_id
    assert report[("orders.get", "order_items[].sandbox_drift_note")]["count"] == 4
    # Python's logging heard of each once, on the "narvar" logger.
    said = [r for r in caplog.records if r.name == "narvar" and "does not know" in r.getMessage()]
    assert len(said) == len(report), caplog.text
