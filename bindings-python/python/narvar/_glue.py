"""Called from the native module's I/O threads, on the event loop's thread."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio


def _resolve(future: asyncio.Future[Any], ok: bool, payload: Any) -> None:
    if future.done():  # cancelled meanwhile
        return
    if ok:
        future.set_result(payload)
    else:
        future.set_exception(payload)
