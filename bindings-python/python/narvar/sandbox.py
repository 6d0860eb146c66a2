"""`narvar.Sandbox`: the fake Narvar in-process, for testing your code without a network.

```python
with narvar.Sandbox() as sb:
    client = sb.client()
    client.orders.create({...})
    sb.fault("orders.get", "status", status=503, times=2)
    sb.advance(hours=41)
    assert sb.count("GET", "/api/v1/orders/1001") == 3
```
"""
from __future__ import annotations

import json
import weakref
from typing import Any, Optional, Union

from . import _native
from ._client import AsyncClient, Client


class Sandbox:
    """A stateful fake Narvar on 127.0.0.1, with its clock, faults and webhooks."""

    def __init__(self, *, port: int = 0, seed: int = 7, rate_limit: Optional[int] = None) -> None:
        self._native: Any = _native.NativeSandbox(port, seed, rate_limit)
        self.url: str = self._native.url()
        self._clients: "weakref.WeakSet[Union[Client, AsyncClient]]" = weakref.WeakSet()

    @property
    def accounts(self) -> list[dict[str, str]]:
        """The test accounts and their current credentials."""
        return list(json.loads(self._native.accounts()))

    def _settings(self, account: int) -> dict[str, Any]:
        a = self.accounts[account]
        return {"account_id": a["account_id"], "auth_token": a["auth_token"], "base_url": self.url, "bearer_token": a["bearer_token"],
                "retailer_moniker": a["retailer_moniker"], "hmac_key": a["hmac_key"], "origin": "http://127.0.0.1"}

    def client(self, account: int = 0, **overrides: Any) -> Client:
        """A `Client` for one of the sandbox's accounts, with the same settings and defaults as one
        built by hand (`overrides` are `Client`'s keyword settings): the client-side rate budget of
        100 requests per 60 s is on, as it is against Narvar; pass `rate_budget=False` for tests
        that must not wait. It is closed when the sandbox is."""
        c = Client(**{**self._settings(account), **overrides})
        self._clients.add(c)
        return c

    def async_client(self, account: int = 0, **overrides: Any) -> AsyncClient:
        """An `AsyncClient` for one of the sandbox's accounts, as `client()` makes a `Client`."""
        c = AsyncClient(**{**self._settings(account), **overrides})
        self._clients.add(c)
        return c

    def _admin(self, method: str, path: str, body: Any = None) -> Any:
        import urllib.request  # only tests that drive the sandbox pay for it

        data = None if body is None else json.dumps(body).encode()
        headers = {"content-type": "application/json", "x-sandbox-admin-token": self._native.admin_token()}
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
            return json.loads(resp.read() or b"null")

    def advance(self, *, seconds: float = 0, hours: float = 0, days: float = 0) -> None:
        """Moves the simulated clock (scans, return statuses and their webhooks follow)."""
        self._native.advance(seconds + hours * 3600 + days * 86400)

    def fault(self, operation: str, kind: str, **rule: Any) -> str:
        """Adds a fault rule: `kind` is status, delay, stall_body, drop_before, drop_after or
        expire_credentials; `rule` takes status, retry_after, delay_ms, probability, seed, times."""
        return str(self._admin("POST", "/_sandbox/faults", {"operation": operation, "kind": kind, **rule})["ids"][0])

    def clear_faults(self) -> None:
        self._admin("DELETE", "/_sandbox/faults")

    def requests(self, operation: Optional[str] = None) -> list[dict[str, Any]]:
        """The requests the sandbox received (credentials redacted)."""
        from urllib.parse import urlencode

        out: list[dict[str, Any]] = []
        after: Optional[int] = 0
        while after is not None:  # the log comes a page at a time
            query = {"after": after, **({"operation": operation} if operation else {})}
            page = self._admin("GET", "/_sandbox/requests?" + urlencode(query))
            out.extend(page["requests"])
            after = page.get("next")
        return out

    def count(self, method: str, path: str) -> int:
        """How many requests had this method and path."""
        return sum(1 for r in self.requests() if r["method"] == method and r["path"].split("?")[0] == path)

    def webhook(self, url: str, *, secret: Optional[str] = None, username: Optional[str] = None, password: Optional[str] = None,
                topics: Optional[list[str]] = None, account: int = 0) -> dict[str, Any]:
        """Registers an endpoint for the sandbox's webhooks."""
        body: dict[str, Any] = {"url": url, "topics": topics or [], "account_id": self.accounts[account]["account_id"]}
        if secret:
            body.update(auth="hmac", secret=secret)
        else:
            body.update(auth="basic", username=username, password=password)
        return dict(self._admin("POST", "/_sandbox/webhooks", body))

    def events(self, topic: Optional[str] = None) -> list[dict[str, Any]]:
        from urllib.parse import urlencode

        q = "?" + urlencode({"topic": topic}) if topic else ""
        return list(self._admin("GET", "/_sandbox/events" + q)["events"])

    def rate_limit(self, requests: int, per_seconds: int = 60) -> None:
        """Turns on the sandbox's limiter: each account may send `requests` per `per_seconds`
        (Narvar's stated limit is 100 per 60), and gets 429 with `Retry-After` past it."""
        self._admin("POST", "/_sandbox/rate-limit", {"requests": requests, "per_seconds": per_seconds})

    def drift(self, enabled: bool = True) -> None:
        """Makes the sandbox's responses drift: fields and enum values this SDK does not know, as
        if Narvar had moved on since it was built (see `Client.drift()`)."""
        self._admin("POST", "/_sandbox/drift", {"enabled": enabled})

    def reset(self) -> None:
        self._admin("POST", "/_sandbox/reset", {})

    def close(self) -> None:
        """Stops the sandbox and closes the clients it made: their later calls raise
        `ConfigurationError`, not a connection error."""
        for c in list(self._clients):
            c._native.close()
        self._native.stop()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


__all__ = ["Sandbox"]
