"""$group accumulators and their expression forms, with MongoDB's rules for odd values."""

from __future__ import annotations

import math
import statistics

import pytest
from agg_helpers import ev, fails, run

from pytest_wxcloud.errors import UnknownOperatorError

DOCS = [
    {"_id": 1, "g": "x", "v": 4},
    {"_id": 2, "g": "x", "v": 2.5},
    {"_id": 3, "g": "x", "v": "str"},
    {"_id": 4, "g": "x", "v": None},
    {"_id": 5, "g": "x"},
    {"_id": 6, "g": "x", "v": [1, 2]},
]


def one(accumulator: str, arg: object = "$v", docs: list[dict] = DOCS) -> object:  # type: ignore[type-arg]
    result = run([{"$group": {"_id": "$g", "out": {accumulator: arg}}}], docs)
    assert len(result) == 1
    return result[0]["out"]


def test_sum_ignores_non_numbers_and_counts_with_one() -> None:
    assert one("$sum") == 6.5
    assert one("$sum", 1) == len(DOCS)
    assert one("$sum", "$nope") == 0


def test_sum_of_ints_stays_int() -> None:
    value = one("$sum", "$v", [{"g": 1, "v": 2}, {"g": 1, "v": 3}])
    assert value == 5 and isinstance(value, int)


def test_avg_is_double_and_null_when_nothing_numeric() -> None:
    value = one("$avg", "$v", [{"g": 1, "v": 2}, {"g": 1, "v": 4}])
    assert value == 3.0 and isinstance(value, float)
    assert one("$avg") == pytest.approx(3.25)
    assert one("$avg", "$nope") is None


def test_min_max_skip_null_and_missing_and_use_bson_order() -> None:
    assert one("$min") == 2.5
    assert one("$max") == [1, 2]  # arrays sort after strings and numbers
    assert one("$max", "$nope") is None


def test_first_last_report_missing_as_null() -> None:
    assert one("$first") == 4
    assert one("$last") == [1, 2]
    assert one("$last", "$v", DOCS[:5]) is None


def test_push_keeps_nulls_but_skips_missing() -> None:
    assert one("$push") == [4, 2.5, "str", None, [1, 2]]


def test_add_to_set_uses_mongodb_equality() -> None:
    docs = [{"g": 1, "v": v} for v in (1, 1.0, True, "1", {"a": 1}, {"a": 1}, None)]
    assert one("$addToSet", "$v", docs) == [1, True, "1", {"a": 1}, None]


def test_std_dev_population_and_sample() -> None:
    docs = [{"g": 1, "v": v} for v in (2, 4, 4, 4, 5, 5, 7, 9)] + [{"g": 1, "v": "x"}]
    assert one("$stdDevPop", "$v", docs) == pytest.approx(2.0)
    assert one("$stdDevSamp", "$v", docs) == pytest.approx(
        statistics.stdev([2, 4, 4, 4, 5, 5, 7, 9])
    )
    assert one("$stdDevSamp", "$v", [{"g": 1, "v": 3}]) is None
    assert one("$stdDevPop", "$v", [{"g": 1, "v": "x"}]) is None


def test_merge_objects_accumulator() -> None:
    docs = [
        {"g": 1, "o": {"a": 1}},
        {"g": 1, "o": {"b": 2}},
        {"g": 1, "o": None},
        {"g": 1, "o": {"a": 3}},
    ]
    assert one("$mergeObjects", "$o", docs) == {"a": 3, "b": 2}


def test_accumulators_are_unary_and_known() -> None:
    fails(lambda: one("$sum", ["$a", "$b"]), "The \\$sum accumulator is a unary operator")
    with pytest.raises(UnknownOperatorError, match="\\$median"):
        one("$median")


def test_expression_forms_over_an_array_or_over_operands() -> None:
    doc = {"scores": [1, 2, "x", 3], "a": 1, "b": 5}
    assert ev({"$sum": "$scores"}, doc) == 6
    assert ev({"$sum": ["$a", "$b", "$scores"]}, doc) == 6  # arrays are not numbers here
    assert ev({"$avg": "$scores"}, doc) == 2.0
    assert ev({"$max": "$scores"}, doc) == "x"
    assert ev({"$min": ["$a", "$b"]}, doc) == 1
    assert ev({"$avg": []}, doc) is None
    assert math.isclose(ev({"$stdDevPop": [1, 3]}, doc), 1.0)
