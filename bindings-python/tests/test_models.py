"""Typed results are lazy views over JSON kept in Rust; they must read exactly like the JSON."""
from __future__ import annotations

import json
import pickle

import pytest

import narvar
from narvar import models

from conftest import order

DOC = json.dumps({
    "order_number": "1001", "currency_code": "USD", "order_date": None,
    "order_items": [{"sku": "MUG", "quantity": 2, "unit_price": 14.5, "categories": ["kitchen", "mugs"], "is_gift": False},
                    {"sku": "caf\u00e9 \"noir\"\n", "quantity": 18446744073709551616, "unit_price": 1e-7},
                    {"sku": "EMOJI", "quantity": -3}],
    "attributes": {"gift": True, "nested": {"deep": [1, [2, {"x": None}]]}},
    "weird \"key\"": {"a\\b": "c"},
    "loyalty_tier": "gold",
}, ensure_ascii=False).replace('"EMOJI"', '"\\ud83d\\ude00"')  # an escaped surrogate pair


def test_a_view_reads_exactly_as_json_loads_does() -> None:
    o = models.OrderInfo.from_json(DOC)
    plain = json.loads(DOC)
    assert o.to_dict() == plain
    assert o.order_number == "1001" and o.order_date is None and o.currency_code == "USD"
    items = o.order_items
    assert isinstance(items, list) and len(items) == 3 and all(isinstance(i, models.OrderItem) for i in items)
    assert items[0].quantity == 2 and isinstance(items[0].quantity, int)
    assert items[0].unit_price == 14.5 and items[0].is_gift is False
    assert items[0].categories == ["kitchen", "mugs"]
    assert items[1].sku == "caf\u00e9 \"noir\"\n", "escaped strings are decoded"
    assert items[1].quantity == 2**64, "integers of any size stay integers"
    assert items[1].unit_price == 1e-7
    assert items[2].sku == "\U0001F600" and items[2].quantity == -3
    assert o.attributes == {"gift": True, "nested": {"deep": [1, [2, {"x": None}]]}}
    assert o.extra == {"weird \"key\"": {"a\\b": "c"}, "loyalty_tier": "gold"}, "escaped member names are decoded"


def test_free_form_fields_are_fresh_plain_data() -> None:
    o = models.OrderInfo.from_json(DOC)
    attrs = o.attributes
    assert type(attrs) is dict and type(attrs["nested"]["deep"]) is list
    attrs["gift"] = False
    assert o.attributes["gift"] is True, "changing what was read does not change the result"
    d = o.to_dict()
    d["order_items"].clear()
    assert len(o.order_items) == 3


def test_views_compare_hash_repr_and_pickle_like_models_built_from_dicts() -> None:
    a, b = models.OrderInfo.from_json(DOC), models.OrderInfo.from_json(DOC.encode())
    from_dict = models.OrderInfo(json.loads(DOC))
    assert a == b == from_dict and hash(a) == hash(b) == hash(from_dict)
    assert a != models.OrderInfo.from_json(DOC.replace("1001", "1002"))
    assert a.order_items[0] == models.OrderItem(json.loads(DOC)["order_items"][0])
    assert repr(a) == repr(from_dict) and "order_number='1001'" in repr(a)
    restored = pickle.loads(pickle.dumps(a))
    assert restored == a and restored.order_items[1].quantity == 2**64


def test_a_result_can_be_changed_into_a_new_input(client: narvar.Client) -> None:
    client.orders.create(order("1001"))
    got = client.orders.get("1001")
    changed = models.OrderInfo(got, currency_code="EUR", order_items=got.order_items[:1])
    assert got.currency_code == "USD" and len(got.order_items) == 2, "the result is unchanged"
    client.orders.create(changed)
    again = client.orders.get("1001")
    assert again.currency_code == "EUR" and [i.sku for i in again.order_items] == ["MUG"]


def test_bad_documents_are_refused_when_read() -> None:
    with pytest.raises(ValueError, match="JSON"):
        models.OrderInfo.from_json('{"order_number": "1001",')
    with pytest.raises(ValueError, match="JSON object"):
        models.OrderInfo.from_json("[1, 2]")


def _walk(view: object, plain: object) -> None:
    """Reads every value through the view's own index and compares it with json.loads."""
    if isinstance(plain, dict):
        assert list(view.keys()) == list(plain), (view, plain)  # type: ignore[attr-defined]
        assert len(view) == len(plain)  # type: ignore[arg-type]
        for k, v in plain.items():
            _walk(view[k], v)  # type: ignore[index]
    elif isinstance(plain, list):
        assert len(view) == len(plain)  # type: ignore[arg-type]
        for got, want in zip(view, plain):  # type: ignore[call-overload]
            _walk(got, want)
        if plain:
            _walk(view[-1], plain[-1])  # type: ignore[index]
    else:
        assert view == plain and type(view) is type(plain), (view, plain)


@pytest.mark.parametrize("indent", [None, 2, "\t"])
def test_the_index_finds_every_value_compact_or_indented(indent: object) -> None:
    tricky = {"": [], "a,b": {"}": "]", "[": ["{", ",", ":"]}, "q\"uote": "ends in a backslash \\",
              "nested": [[[], {}], [{"x": [1, -2.5e-3, True, False, None]}]], "unicode": "\u00e9\u4e2d",
              "esc": "tab\there \"quoted\" \\\\", "n": 0, "big": 123456789012345678901234567890}
    doc = json.loads(DOC)
    doc["tricky"] = tricky
    text = json.dumps(doc, indent=indent)  # type: ignore[arg-type]
    _walk(narvar._native.parse_json(text), json.loads(text))
    _walk(narvar._native.parse_json(text.encode())["tricky"], tricky)


def test_documents_can_be_read_through_the_cores_typed_models() -> None:
    doc = json.loads(DOC)
    doc["order_items"] = doc["order_items"][:1]  # the core refuses a quantity of 2**64
    checked = models.OrderInfo._wrap(narvar._native.parse_model("OrderInfo", json.dumps(doc)))
    assert checked.order_number == "1001" and checked.order_items[0].unit_price == 14.5
    assert checked.extra["loyalty_tier"] == "gold", "unknown fields are kept"
    with pytest.raises(narvar.errors.ValidationError) as e:
        narvar._native.parse_model("OrderInfo", '{"order_number": "1", "order_items": [{"sku": "A", "quantity": {}}]}')
    assert [f.path for f in e.value.errors] == ["order_items[0].quantity"]


def test_a_seventeen_digit_amount_comes_back_exactly(client: narvar.Client) -> None:
    # Issue 17: amounts passed through `Decimal::to_f64` lost their last digit on the way out.
    prices = [971495587.6686047, 12345678.901234567, 0.30000000000000004]
    sent = order("1001")
    sent["order_items"][0]["unit_price"] = prices[0]
    sent["order_items"][1]["unit_price"] = prices[1]
    sent["order_items"].append({"sku": "TEA", "quantity": 1, "unit_price": prices[2]})
    client.orders.create(sent)
    got = client.orders.get("1001")
    assert [i.unit_price for i in got.order_items] == prices
    assert [i["unit_price"] for i in got.to_dict()["order_items"]] == prices
    assert json.loads(json.dumps(got.to_dict()))["order_items"][0]["unit_price"] == prices[0]
