"""`narvar.Client` (sync) and `narvar.AsyncClient` (asyncio) over the native core."""
from __future__ import annotations

import os
from typing import Any, Optional, Union

from . import _native, errors
from ._api import AsyncNamespaces, SyncNamespaces

from .models import Journey


# What came back with a result (status, headers, request id, tracer id, attempts): kept in Rust,
# each attribute made when read.
ResponseMeta = _native.ResponseMeta


class _Base:
    """What both clients share: settings and the native client.

    Settings (each also read by `from_env()` from its `NARVAR_*` variable):

    - `account_id`, `auth_token`: Basic credentials (orders, tracking info, returns, Promise).
    - `base_url` or `environment` (`production`, `staging`, `qa`): where requests go.
    - `bearer_token`: carrier and carrier-account calls.
    - `retailer_moniker`, `hmac_key`: track-by-order tokens; `origin`: client-side Promise.
    - `timeout`: total seconds per call, every attempt and back-off included (default 30; above 0).
    - `max_attempts`: attempts per call, retries included (default 5; at least 1).
    - `rate_budget`: the client-side budget of Narvar's documented limit, 100 requests per 60 s in
      bursts of 10, halving after a 429. On by default, for a `Sandbox` client too; pass
      `rate_budget=False` where something else throttles (or in a test that must not wait), or a
      budget of your own as text: `"120/2s"`, `"100/60s, burst 10"`.
    - `rate_budget_redis`: a Redis URL (`redis://host:6379`): the budget is shared with every
      other worker of the account (Python, Node, the CLI) through it, so many workers together
      stay within the limit, and one worker's 429 slows them all. While Redis does not answer,
      each worker keeps to `rate_budget_workers` (default 8) of a share, and no call fails.
    - `user_agent_suffix`: appended to the `User-Agent`.

    A setting of the wrong type or out of range raises `ConfigurationError` naming it.
    """

    _native: Any

    def __init__(
        self,
        account_id: Optional[str] = None,
        auth_token: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        environment: Optional[str] = None,
        bearer_token: Optional[str] = None,
        retailer_moniker: Optional[str] = None,
        hmac_key: Optional[str] = None,
        origin: Optional[str] = None,
        timeout: Optional[float] = None,
        max_attempts: Optional[int] = None,
        rate_budget: Union[bool, str] = True,
        rate_budget_redis: Optional[str] = None,
        rate_budget_workers: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        _from_env: bool = False,
    ) -> None:
        settings = {
            "base_url": base_url, "environment": environment, "account_id": account_id, "auth_token": auth_token,
            "bearer_token": bearer_token, "retailer_moniker": retailer_moniker, "hmac_key": hmac_key, "origin": origin,
            "timeout": timeout, "max_attempts": max_attempts, "rate_budget": rate_budget,
            "rate_budget_redis": rate_budget_redis, "rate_budget_workers": rate_budget_workers, "user_agent_suffix": user_agent_suffix,
            "from_env": _from_env,
        }
        self._native = _native.NativeClient(settings)
        self._account_id = account_id
        self._init_namespaces()

    def _init_namespaces(self) -> None:
        raise NotImplementedError  # the namespaces mixin, earlier in the MRO, provides it

    def drift(self) -> list[dict[str, Any]]:
        """What the API has sent this client that this SDK does not know: one entry per operation,
        JSON path and kind (`field` or `enum_value`, with the `value`), with its `count` and the
        `first_request_id` that carried it. Empty while the API matches the SDK."""
        import json

        return list(json.loads(self._native.drift()))

    @property
    def closed(self) -> bool:
        """Whether `close()` was called; calls on a closed client raise `ConfigurationError`."""
        return bool(self._native.closed)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self._account_id!r})"


class Client(SyncNamespaces, _Base):
    """The synchronous client. Calls release the GIL, and Ctrl-C interrupts them.

    ```python
    with narvar.Client("acme", "tok_...", base_url="https://ws-st01.narvar.qa") as client:
        order = client.orders.get("1001")
        print(order.order_items[0].sku, order.meta.request_id)
    ```
    """

    @classmethod
    def from_env(cls, **overrides: Any) -> "Client":
        """Settings from NARVAR_BASE_URL, NARVAR_ACCOUNT_ID, NARVAR_AUTH_TOKEN, NARVAR_BEARER_TOKEN,
        NARVAR_RETAILER_MONIKER, NARVAR_HMAC_KEY, NARVAR_TIMEOUT_SECS, NARVAR_RATE_BUDGET,
        NARVAR_RATE_BUDGET_REDIS, NARVAR_RATE_BUDGET_WORKERS; `overrides` are the
        constructor's keyword settings."""
        return cls(_from_env=True, **overrides)

    def journey(self, order_number: str) -> Journey:
        """The normalized journey of an order: placed, shipments, scans, returns."""
        return Journey._wrap(self._native.journey(order_number))  # type: ignore[no-any-return]

    def close(self) -> None:
        """Closes the client's connections; later calls raise `ConfigurationError`."""
        self._native.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(AsyncNamespaces, _Base):
    """The asyncio client: every method is awaitable; cancelling a task cancels its request."""

    @classmethod
    def from_env(cls, **overrides: Any) -> "AsyncClient":
        """Settings from the same NARVAR_* variables as `Client.from_env`."""
        return cls(_from_env=True, **overrides)

    async def journey(self, order_number: str) -> Journey:
        """The normalized journey of an order."""
        return Journey._wrap(await self._native.journey_async(order_number))  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Closes the client's connections; later calls raise `ConfigurationError`."""
        self._native.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


# A forked child has no I/O threads: the native side starts fresh ones on next use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_native._after_fork_in_child)

__all__ = ["Client", "AsyncClient", "ResponseMeta", "errors"]
