"""Verifying and reading the webhooks Narvar sends."""
from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Union

from . import _native
from ._model import Model


class Webhook(Model):
    """A verified delivery: `id` (dedupe on it), `topic`, `timestamp`, `kind` and `payload`."""

    __slots__ = ()

    @property
    def id(self) -> Optional[str]:
        """`X-Narvar-Webhook-Id`: deduplicate on it."""
        return self._data.get("id")

    @property
    def topic(self) -> Optional[str]:
        """`X-Narvar-Topic`."""
        return self._data.get("topic")

    @property
    def timestamp(self) -> Optional[int]:
        """`X-Narvar-Timestamp`, Unix seconds."""
        return self._data.get("timestamp")

    @property
    def kind(self) -> str:
        """`standard_rma`, `full_rma`, `topic` or `unknown`."""
        return str(self._data["event"]["kind"])

    @property
    def payload(self) -> dict[str, Any]:
        """The event's data."""
        p = self._data["event"]["payload"]
        return dict(p.get("data", p)) if self.kind == "topic" else dict(p.get("raw", p)) if self.kind == "unknown" else dict(p)


def verify(
    headers: Union[Mapping[str, str], list[tuple[str, str]]],
    body: bytes,
    *,
    secret: Optional[str] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    tolerance: float = 300.0,
    require_timestamp: bool = False,
) -> Webhook:
    """Checks a delivery's Basic credentials (`username`, `password`) or HMAC-SHA256 signature
    (`secret`) and its timestamp, then parses it. Raises `narvar.errors.AuthenticationError`,
    `ValidationError` (timestamp) or `DecodeError` (payload)."""
    pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    raw = _native.verify_webhook(pairs, bytes(body), secret, username, password, tolerance, require_timestamp)
    return Webhook(json.loads(raw))


__all__ = ["verify", "Webhook"]
