"""narvar: Narvar's post-purchase API for Python.

Typed, validated before sending, retried with back-off, sync (`Client`) and asyncio
(`AsyncClient`), with an embedded fake Narvar (`Sandbox`) to test against.
"""
from . import errors, models, webhooks
from ._client import AsyncClient, Client, ResponseMeta
from ._native import __version__
from .errors import (
    AuthenticationError, ConfigurationError, ConflictError, DecodeError, NarvarError, NotFoundError, PermissionError, RateLimitError,
    ServerError, TransportError, ValidationError,
)
from .sandbox import Sandbox

__all__ = [
    "Client", "AsyncClient", "Sandbox", "ResponseMeta", "errors", "models", "webhooks", "__version__",
    "NarvarError", "ValidationError", "AuthenticationError", "PermissionError", "NotFoundError", "ConflictError", "RateLimitError",
    "ServerError", "TransportError", "DecodeError", "ConfigurationError",
]
