"""The exceptions narvar raises. Every one is a `NarvarError` with the core's fields.

```python
try:
    client.orders.get("1001")
except narvar.errors.NotFoundError as e:
    print(e.code, e.status, e.request_id, e.messages)
```
"""
from __future__ import annotations

import json
from typing import Any


class FieldError:
    """One problem with one input field: a path such as `order_info.order_items[2].quantity`, a
    rule such as `min`, and a message."""

    __slots__ = ("path", "rule", "message")

    def __init__(self, path: str, rule: str, message: str) -> None:
        self.path, self.rule, self.message = path, rule, message

    def __repr__(self) -> str:
        return f"FieldError(path={self.path!r}, rule={self.rule!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.path, self.rule, self.message) == (other.path, other.rule, other.message)

    def __reduce__(self) -> Any:
        return (FieldError, (self.path, self.rule, self.message))


class NarvarError(Exception):
    """Base of every narvar error. `code` is stable: validation, authentication, permission,
    not_found, conflict, rate_limited, server, transport, decode, configuration."""

    code: str = "unknown"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        tracer_id: str | None = None,
        messages: list[dict[str, Any]] | None = None,
        errors: list[FieldError] | None = None,
        retry_after: float | None = None,
        may_have_been_sent: bool | None = None,
        operation: str | None = None,
        attempts: int = 0,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.tracer_id = tracer_id
        self.messages = list(messages or [])
        self.errors = list(errors or [])
        self.retry_after = retry_after
        self.may_have_been_sent = may_have_been_sent
        self.operation = operation
        self.attempts = attempts
        self.headers = dict(headers or {})

    def __reduce__(self) -> Any:
        # Fields survive pickling (multiprocessing).
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, status={self.status!r}, request_id={self.request_id!r})"


def _rebuild(cls: type[NarvarError], message: str, state: dict[str, Any]) -> NarvarError:
    e = cls(message)
    e.__dict__.update(state)
    return e


class ValidationError(NarvarError):
    """Invalid input: found before sending (`errors` lists every field), or refused by Narvar."""

    code = "validation"


class AuthenticationError(NarvarError):
    code = "authentication"


class PermissionError(NarvarError):  # noqa: A001 - the domain's word
    code = "permission"


class NotFoundError(NarvarError):
    code = "not_found"


class ConflictError(NarvarError):
    code = "conflict"


class RateLimitError(NarvarError):
    """Too many requests; `retry_after` is in seconds."""

    code = "rate_limited"


class ServerError(NarvarError):
    code = "server"


class TransportError(NarvarError):
    """No answer; `may_have_been_sent` says whether Narvar may have acted."""

    code = "transport"


class DecodeError(NarvarError):
    code = "decode"


class ConfigurationError(NarvarError):
    """A missing setting; the message names its environment variable."""

    code = "configuration"


_BY_CODE: dict[str, type[NarvarError]] = {c.code: c for c in NarvarError.__subclasses__()}


def _from_core_json(text: str) -> NarvarError:
    """Builds the exception for the core's error (called from Rust only)."""
    e = json.loads(text)
    meta = e.get("meta") or {}
    cls = _BY_CODE.get(e.get("code", ""), NarvarError)
    return cls(
        e.get("message", ""),
        status=meta.get("status"),
        request_id=meta.get("request_id"),
        tracer_id=meta.get("tracer_id"),
        messages=e.get("messages") or [],
        errors=[FieldError(f["path"], f["rule"], f["message"]) for f in e.get("field_errors") or []],
        retry_after=e.get("retry_after"),
        may_have_been_sent=e.get("may_have_been_sent"),
        operation=e.get("operation"),
        attempts=meta.get("attempts") or 0,
        headers=dict(meta.get("headers") or []),
    )


__all__ = [
    "NarvarError", "FieldError", "ValidationError", "AuthenticationError", "PermissionError", "NotFoundError", "ConflictError",
    "RateLimitError", "ServerError", "TransportError", "DecodeError", "ConfigurationError",
]
