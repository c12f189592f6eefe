"""Object and set operators."""

from __future__ import annotations

from agg_helpers import ev, fails


def test_merge_objects_later_wins_and_nulls_are_skipped() -> None:
    doc = {"a": {"x": 1, "y": 1}, "b": {"y": 2}}
    assert ev({"$mergeObjects": ["$a", "$b", None, "$nope"]}, doc) == {"x": 1, "y": 2}
    fails(lambda: ev({"$mergeObjects": [{"$literal": {"a": 1}}, 5]}), "requires object inputs")


def test_set_operators_ignore_order_and_duplicates() -> None:
    assert ev({"$setEquals": [[1, 2, 2], [2, 1.0]]}) is True
    assert ev({"$setIsSubset": [[1], [1, 2]]}) is True
    assert sorted(ev({"$setUnion": [[1, 2], [2, 3]]})) == [1, 2, 3]
    assert ev({"$setIntersection": [[1, 2, 3], [3, 2, 5]]}) == [2, 3]
    assert ev({"$setDifference": [[1, 2, 2, 3], [2]]}) == [1, 3]
    assert ev({"$setUnion": [[1], None]}) is None
    assert ev({"$setDifference": ["$nope", [1]]}) is None
    fails(
        lambda: ev({"$setEquals": [[1], "$nope"]}),
        "All operands of \\$setEquals must be arrays. One argument is of type: missing",
    )
    fails(lambda: ev({"$setIsSubset": [[1], "x"]}), "Second argument is of type: string")


def test_set_members_use_mongodb_equality() -> None:
    assert ev({"$setEquals": [[True], [1]]}) is False
    assert ev({"$setEquals": [[{"a": 1}], [{"a": 1.0}]]}) is True


def test_all_and_any_element_true() -> None:
    assert ev({"$allElementsTrue": [[1, "x", []]]}) is True
    assert ev({"$allElementsTrue": [[]]}) is True
    assert ev({"$anyElementTrue": [[0, None, False]]}) is False
    fails(lambda: ev({"$anyElementTrue": ["$nope"]}), "argument must be an array, but is missing")
