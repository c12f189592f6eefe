"""orderBy in BSON order: brackets across types, missing as null, arrays by extreme element."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud.database.ordering import sort_documents, sort_values
from pytest_wxcloud.database.values import RegExp


def order(docs: Any, spec: list[tuple[str, int]]) -> list[Any]:
    return [d["_id"] for d in sort_documents(docs, spec)]


def test_mixed_types_sort_by_bson_bracket() -> None:
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    docs = [
        {"_id": "regex", "v": RegExp("a")},
        {"_id": "date", "v": when},
        {"_id": "bool", "v": False},
        {"_id": "array", "v": [[1]]},
        {"_id": "object", "v": {"a": 1}},
        {"_id": "string", "v": "a"},
        {"_id": "number", "v": 10},
        {"_id": "null", "v": None},
        {"_id": "missing"},
    ]
    assert order(docs, [("v", 1)]) == [
        "null", "missing", "number", "string", "object", "array", "bool", "date", "regex",
    ]  # fmt: skip
    assert order(docs, [("v", -1)]) == [
        "regex", "date", "bool", "array", "object", "string", "number", "null", "missing",
    ]  # fmt: skip


def test_numbers_across_int_and_float_and_strings_by_code_point() -> None:
    docs = [{"_id": 1, "v": 2.5}, {"_id": 2, "v": 2}, {"_id": 3, "v": -1}, {"_id": 4, "v": 10}]
    assert order(docs, [("v", 1)]) == [3, 2, 1, 4]
    docs = [{"_id": 1, "v": "b"}, {"_id": 2, "v": "B"}, {"_id": 3, "v": "a"}, {"_id": 4, "v": "中"}]
    assert order(docs, [("v", 1)]) == [2, 3, 1, 4]


def test_sort_is_stable_and_multi_key() -> None:
    docs = [
        {"_id": 1, "cat": "b", "price": 5},
        {"_id": 2, "cat": "a", "price": 5},
        {"_id": 3, "cat": "b", "price": 1},
        {"_id": 4, "cat": "a", "price": 9},
        {"_id": 5, "cat": "b", "price": 5},
    ]
    assert order(docs, [("cat", 1), ("price", -1)]) == [4, 2, 1, 5, 3]
    assert order(docs, [("price", -1)]) == [4, 1, 2, 5, 3]


def test_arrays_sort_by_min_ascending_and_max_descending() -> None:
    docs = [
        {"_id": "a", "v": [1, 10]},
        {"_id": "b", "v": 5},
        {"_id": "c", "v": [3, 4]},
        {"_id": "empty", "v": []},
        {"_id": "null", "v": None},
    ]
    assert order(docs, [("v", 1)]) == ["empty", "null", "a", "c", "b"]
    assert order(docs, [("v", -1)]) == ["a", "b", "c", "null", "empty"]


def test_dotted_paths_and_arrays_of_documents() -> None:
    docs = [
        {"_id": 1, "author": {"born": 1902}},
        {"_id": 2, "author": {"born": 1715}},
        {"_id": 3},
        {"_id": 4, "scores": [{"s": 7}, {"s": 2}]},
    ]
    assert order(docs, [("author.born", 1)]) == [3, 4, 2, 1]
    docs = [{"_id": 1, "scores": [{"s": 7}, {"s": 2}]}, {"_id": 2, "scores": [{"s": 5}]}]
    assert order(docs, [("scores.s", 1)]) == [1, 2]
    assert order(docs, [("scores.s", -1)]) == [1, 2]


def test_nan_sorts_below_every_number() -> None:
    docs = [{"_id": 1, "v": 1}, {"_id": 2, "v": float("nan")}, {"_id": 3, "v": float("-inf")}]
    assert order(docs, [("v", 1)]) == [2, 3, 1]


def test_input_list_is_not_reordered() -> None:
    docs = [{"_id": 2, "v": 2}, {"_id": 1, "v": 1}]
    sort_documents(docs, [("v", 1)])
    assert [d["_id"] for d in docs] == [2, 1]


def test_bad_direction() -> None:
    with pytest.raises(ValueError, match="must be 1 or -1"):
        sort_documents([{"v": 1}], [("v", 0)])


def test_sort_values_for_push() -> None:
    assert sort_values([3, "a", None, 1.5], 1) == [None, 1.5, 3, "a"]
    assert sort_values([3, "a", None, 1.5], -1) == ["a", 3, 1.5, None]
    people = [{"n": "x", "age": 30}, {"n": "y", "age": 20}, {"n": "z"}]
    assert sort_values(people, [("age", 1)]) == [{"n": "z"}, people[1], people[0]]
