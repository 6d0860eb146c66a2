"""The base of every typed result: a thin, lazy view over the JSON the core produced."""
from __future__ import annotations

import json
from typing import Any, ClassVar

_SECRET_REPR = "'***'"


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
    _fields: ClassVar[dict[str, Any]] = {}
    _secret: ClassVar[frozenset[str]] = frozenset()
    _classes: ClassVar[dict[str, type[Model]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Model._classes[cls.__name__] = cls
        for name, (wire, wrap) in cls._fields.items():
            setattr(cls, name, property(_getter(wire, wrap), doc=f"`{wire}`"))

    def __init__(self, data: dict[str, Any] | Model | None = None, /, **fields: Any) -> None:
        base = data._data if isinstance(data, Model) else dict(data or {})
        for name, value in fields.items():
            wire = self._fields[name][0] if name in self._fields else name
            base[wire] = _plain(value)
        self._data: dict[str, Any] = base
        self.meta: Any = None

    @classmethod
    def from_json(cls, text: str | bytes) -> Any:
        """Reads a JSON document into this model (no I/O, no checks beyond JSON)."""
        return cls(json.loads(text))

    @property
    def extra(self) -> dict[str, Any]:
        """Fields this version of the SDK does not know."""
        known = {w for w, _ in self._fields.values()}
        return {k: v for k, v in self._data.items() if k not in known}

    def to_dict(self) -> dict[str, Any]:
        """The JSON data, as a new dict."""
        return json.loads(json.dumps(self._data))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._data == self._data  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(json.dumps(self._data, sort_keys=True))

    def __repr__(self) -> str:
        parts = []
        for name, (wire, _) in self._fields.items():
            if wire in self._data and self._data[wire] not in (None, [], {}):
                parts.append(f"{name}={_SECRET_REPR if name in self._secret else _short(self._data[wire])}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __getstate__(self) -> dict[str, Any]:
        return {"data": self._data}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state["data"]
        self.meta = None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _getter(wire: str, wrap: Any) -> Any:
    if wrap is None:
        return lambda self: self._data.get(wire)
    kind, class_name = wrap
    if kind == "model":
        def get_one(self: Model) -> Any:
            v = self._data.get(wire)
            return Model._classes[class_name](v) if isinstance(v, dict) else v
        return get_one

    def get_list(self: Model) -> Any:
        cls = Model._classes[class_name]
        return [cls(v) if isinstance(v, dict) else v for v in self._data.get(wire) or []]
    return get_list
