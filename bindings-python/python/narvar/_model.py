"""The base of every typed result: a thin, lazy view over the JSON the core produced.

Results keep their data in Rust (`_native.JsonObject`, a read-only mapping); attributes make
Python objects only for what is read. Models built in Python keep a dict.
"""
from __future__ import annotations

import json
import collections.abc as _abc
from typing import Any, ClassVar

from . import _native
from ._native import ResponseMeta

_SECRET_REPR = "'***'"
_VIEWS = (_native.JsonObject, _native.JsonArray)
_OBJECTS = (dict, _native.JsonObject)
_abc.Mapping.register(_native.JsonObject)
_abc.Sequence.register(_native.JsonArray)


def _py(value: Any) -> Any:
    """Plain Python data for a view (a new dict or list), else the value."""
    return value.to_python() if isinstance(value, _VIEWS) else value


def _default(o: Any) -> Any:
    """`json.dumps` of models and views."""
    if isinstance(o, Model):
        return o._data
    if isinstance(o, _VIEWS):
        return o.to_python()
    raise TypeError(f"{type(o).__name__} is not JSON data")


def _plain(value: Any) -> Any:
    """Models inside dicts and lists become their JSON data."""
    if isinstance(value, Model):
        return value._data
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class Model:
    """A typed, read-only view of one JSON object.

    Fields are attributes (`order.order_items[0].sku`), unknown fields are kept (`order.extra`),
    `to_dict()` gives the JSON data, `==` compares it, and `repr` hides credentials.
    """

    __slots__ = ("_data", "meta")
    # What came back with the result (status, headers, request id, tracer id, attempts); `None`
    # on a model built by hand, which has no response.
    meta: ResponseMeta
    _fields: ClassVar[dict[str, Any]] = {}
    _docs: ClassVar[dict[str, str]] = {}
    _secret: ClassVar[frozenset[str]] = frozenset()
    _classes: ClassVar[dict[str, type[Model]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Model._classes[cls.__name__] = cls
        docs = cls.__dict__.get("_docs", {})
        for name, (wire, wrap) in cls._fields.items():
            text = docs.get(name)
            setattr(cls, name, property(_getter(wire, wrap), doc=f"`{wire}`: {text}" if text else f"`{wire}`"))

    def __init__(self, data: _abc.Mapping[str, Any] | Model | None = None, /, **fields: Any) -> None:
        if isinstance(data, Model):
            data = data._data
        base: Any = data if isinstance(data, _native.JsonObject) and not fields else dict(data or {})
        for name, value in fields.items():
            wire = self._fields[name][0] if name in self._fields else name
            base[wire] = _plain(value)
        self._data: _abc.Mapping[str, Any] = base
        self.meta = None  # type: ignore[assignment]

    @classmethod
    def _wrap(cls, data: Any) -> Any:
        """A model over `data` as it is (no copy: models are read-only)."""
        m = object.__new__(cls)
        m._data = data
        m.meta = None  # type: ignore[assignment]
        return m

    @classmethod
    def from_json(cls, text: str | bytes) -> Any:
        """Reads a JSON document into this model (no I/O, no checks beyond JSON)."""
        data = _native.parse_json(text)
        if not isinstance(data, _native.JsonObject):
            raise ValueError(f"{cls.__name__}.from_json needs a JSON object, not {type(_py(data)).__name__}")
        return cls._wrap(data)

    @property
    def extra(self) -> dict[str, Any]:
        """Fields this version of the SDK does not know."""
        known = {w for w, _ in self._fields.values()}
        return {k: _py(v) for k, v in self._data.items() if k not in known}

    def to_dict(self) -> dict[str, Any]:
        """The JSON data, as a new dict."""
        data = self._data
        if isinstance(data, _native.JsonObject):
            return data.to_python()  # type: ignore[no-any-return]
        return json.loads(json.dumps(data, default=_default))  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._data == self._data  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def __repr__(self) -> str:
        parts = []
        for name, (wire, _) in self._fields.items():
            if wire in self._data and self._data[wire] not in (None, [], {}):
                parts.append(f"{name}={_SECRET_REPR if name in self._secret else _short(self._data[wire])}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self.to_dict()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state["data"]
        self.meta = None  # type: ignore[assignment]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _getter(wire: str, wrap: Any) -> Any:
    if wrap is None:
        # Free-form data (attributes, lists of strings) reads as plain dicts and lists.
        return lambda self: _py(self._data.get(wire))
    kind, class_name = wrap
    if kind == "model":
        def get_one(self: Model) -> Any:
            v = self._data.get(wire)
            return Model._classes[class_name]._wrap(v) if isinstance(v, _OBJECTS) else v
        return get_one

    def get_list(self: Model) -> Any:
        items = self._data.get(wire)
        if type(items) is _native.JsonArray:
            return items.wrap_each(Model._classes[class_name])
        wrap_one = Model._classes[class_name]._wrap
        return [wrap_one(v) if isinstance(v, _OBJECTS) else v for v in items or ()]
    return get_list
