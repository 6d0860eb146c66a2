"""`narvar.Client` (sync) and `narvar.AsyncClient` (asyncio) over the native core."""
from __future__ import annotations

import json
import os
from typing import Any, Optional

from . import _native, errors
from ._api import AsyncNamespaces, SyncNamespaces
from ._model import _default, _py
from .models import Journey


class ResponseMeta:
    """What came back with a result: HTTP status, headers, request id, tracer id, attempts.
    Read on first use (most callers never look)."""

    __slots__ = ("_raw", "_parsed")

    def __init__(self, raw: str | dict[str, Any] | _native.NativeMeta) -> None:
        self._raw = raw
        self._parsed: Optional[dict[str, Any]] = raw if isinstance(raw, dict) else None

    def _get(self) -> dict[str, Any]:
        if self._parsed is None:
            raw = self._raw
            self._parsed = json.loads(raw if isinstance(raw, str) else raw.to_json())  # type: ignore[union-attr]
        return self._parsed

    @property
    def status(self) -> Optional[int]:
        return self._get().get("status")

    @property
    def headers(self) -> dict[str, str]:
        return dict(self._get().get("headers") or [])

    @property
    def request_id(self) -> Optional[str]:
        return self._get().get("request_id")

    @property
    def tracer_id(self) -> Optional[str]:
        return self._get().get("tracer_id")

    @property
    def attempts(self) -> int:
        return int(self._get().get("attempts") or 0)

    def __repr__(self) -> str:
        return f"ResponseMeta(status={self.status!r}, request_id={self.request_id!r}, tracer_id={self.tracer_id!r}, attempts={self.attempts!r})"


def _options(idempotency_key: Optional[str], tracer_id: Optional[str], timeout: Optional[float]) -> Optional[str]:
    if idempotency_key is None and tracer_id is None and timeout is None:
        return None
    return json.dumps({"idempotency_key": idempotency_key, "tracer_id": tracer_id, "timeout": timeout})


def _result(answer: tuple[Any, Any], wrap: Any) -> Any:
    value, meta_json = answer
    if wrap is None:
        return _py(value)
    result = wrap._wrap(value)
    result.meta = ResponseMeta(meta_json)
    return result


# Models and views inside arguments encode as their data.
_ENCODER = json.JSONEncoder(default=_default)


class _Base:
    """What both clients share: settings and the native client."""

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
        rate_budget: bool = True,
        user_agent_suffix: Optional[str] = None,
        _from_env: bool = False,
    ) -> None:
        settings = {
            "base_url": base_url, "environment": environment, "account_id": account_id, "auth_token": auth_token,
            "bearer_token": bearer_token, "retailer_moniker": retailer_moniker, "hmac_key": hmac_key, "origin": origin,
            "timeout": timeout, "max_attempts": max_attempts, "rate_budget": rate_budget, "user_agent_suffix": user_agent_suffix,
            "from_env": _from_env,
        }
        self._native = _native.NativeClient(json.dumps(settings))
        self._account_id = account_id

    def _encode(self, data: Any) -> str:
        return _ENCODER.encode(data)

    def _call(self, operation: str, data: Any, wrap: Any, idempotency_key: Optional[str], tracer_id: Optional[str], timeout: Optional[float]) -> Any:
        return _result(self._native.call(operation, self._encode(data), _options(idempotency_key, tracer_id, timeout)), wrap)

    async def _call_async(self, operation: str, data: Any, wrap: Any, idempotency_key: Optional[str], tracer_id: Optional[str], timeout: Optional[float]) -> Any:
        answer = await self._native.call_async(operation, self._encode(data), _options(idempotency_key, tracer_id, timeout))
        return _result(answer, wrap)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(account_id={self._account_id!r})"


class Client(_Base, SyncNamespaces):
    """The synchronous client. Calls release the GIL, and Ctrl-C interrupts them.

    ```python
    with narvar.Client("acme", "tok_...", base_url="https://ws-st01.narvar.qa") as client:
        order = client.orders.get("1001")
        print(order.order_items[0].sku, order.meta.request_id)
    ```
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_namespaces()

    @classmethod
    def from_env(cls, **overrides: Any) -> "Client":
        """Settings from NARVAR_BASE_URL, NARVAR_ACCOUNT_ID, NARVAR_AUTH_TOKEN, NARVAR_BEARER_TOKEN,
        NARVAR_RETAILER_MONIKER, NARVAR_HMAC_KEY, NARVAR_TIMEOUT_SECS."""
        return cls(_from_env=True, **overrides)

    def journey(self, order_number: str) -> Journey:
        """The normalized journey of an order: placed, shipments, scans, returns."""
        return Journey._wrap(self._native.journey(order_number))  # type: ignore[no-any-return]

    def close(self) -> None:
        """Nothing to release: connections close with the client."""

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class AsyncClient(_Base, AsyncNamespaces):
    """The asyncio client: every method is awaitable; cancelling a task cancels its request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_namespaces()

    @classmethod
    def from_env(cls, **overrides: Any) -> "AsyncClient":
        """Settings from the same NARVAR_* variables as `Client.from_env`."""
        return cls(_from_env=True, **overrides)

    async def journey(self, order_number: str) -> Journey:
        """The normalized journey of an order."""
        return Journey._wrap(await self._native.journey_async(order_number))  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Nothing to release: connections close with the client."""

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()


# A forked child has no I/O threads: the native side starts fresh ones on next use.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_native._after_fork_in_child)

__all__ = ["Client", "AsyncClient", "ResponseMeta", "errors"]
