"""Boolean, comparison and conditional operators."""

from __future__ import annotations

from datetime import datetime, timezone

from agg_helpers import ev, fails


def test_truthiness_of_and_or_not() -> None:
    assert ev({"$and": [1, "x", [], {}]}) is True  # empty array/object and strings are true
    assert ev({"$and": [1, 0]}) is False
    assert ev({"$and": []}) is True
    assert ev({"$or": [None, False, 0, "$nope"]}) is False
    assert ev({"$or": []}) is False
    assert ev({"$not": [None]}) is True
    assert ev({"$not": [[]]}) is False


def test_comparisons_follow_bson_order_across_types() -> None:
    assert ev({"$gt": ["a", 5]}) is True  # strings sort after numbers
    assert ev({"$lt": [None, 0]}) is True
    assert ev({"$eq": [1, 1.0]}) is True
    assert ev({"$eq": [1, True]}) is False
    assert ev({"$cmp": [{"a": 1}, {"a": 2}]}) == -1
    assert ev({"$cmp": [[1, 2], [1, 2]]}) == 0
    assert ev({"$gte": [datetime(2024, 1, 1, tzinfo=timezone.utc), "2025"]}) is True


def test_missing_is_below_null_in_aggregation() -> None:
    assert ev({"$eq": ["$nope", None]}) is False
    assert ev({"$lt": ["$nope", None]}) is True
    assert ev({"$ne": ["$nope", None]}) is True
    assert ev({"$eq": ["$nope", "$alsoNope"]}) is True


def test_cond_both_forms() -> None:
    doc = {"qty": 250}
    expr = {"$cond": {"if": {"$gte": ["$qty", 250]}, "then": 30, "else": 20}}
    assert ev(expr, doc) == 30
    assert ev({"$cond": [{"$lt": ["$qty", 100]}, "low", "high"]}, doc) == "high"
    fails(lambda: ev({"$cond": {"if": True, "then": 1}}), "Missing 'else' parameter to \\$cond")


def test_if_null_replaces_null_and_missing_only() -> None:
    assert ev({"$ifNull": ["$a", "n/a"]}, {}) == "n/a"
    assert ev({"$ifNull": ["$a", "n/a"]}, {"a": None}) == "n/a"
    assert ev({"$ifNull": ["$a", "n/a"]}, {"a": 0}) == 0
    assert ev({"$ifNull": ["$a", "n/a"]}, {"a": False}) is False


def test_switch_first_true_branch_then_default() -> None:
    expr = {
        "$switch": {
            "branches": [
                {"case": {"$gte": ["$score", 90]}, "then": "A"},
                {"case": {"$gte": ["$score", 80]}, "then": "B"},
            ],
            "default": "C",
        }
    }
    assert [ev(expr, {"score": s}) for s in (95, 85, 10)] == ["A", "B", "C"]


def test_switch_without_match_or_default_fails() -> None:
    expr = {"$switch": {"branches": [{"case": False, "then": 1}]}}
    fails(lambda: ev(expr), "could not find a matching branch")
    fails(lambda: ev({"$switch": {"branches": []}}), "at least one branch")
