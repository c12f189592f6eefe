"""Array operators, including the variable-binding ones."""

from __future__ import annotations

from agg_helpers import ev, fails

from pytest_wxcloud.database.values import MISSING


def test_array_elem_at_positive_negative_and_out_of_range() -> None:
    doc = {"a": [10, 20, 30]}
    assert ev({"$arrayElemAt": ["$a", 0]}, doc) == 10
    assert ev({"$arrayElemAt": ["$a", -1]}, doc) == 30
    assert ev({"$arrayElemAt": ["$a", 5]}, doc) is MISSING
    assert ev({"$arrayElemAt": ["$nope", 0]}, doc) is None
    fails(lambda: ev({"$arrayElemAt": ["x", 0]}), "first argument must be an array, but is string")
    fails(lambda: ev({"$arrayElemAt": ["$a", 1.5]}, doc), "representable as a 32-bit integer")


def test_array_to_object_and_back() -> None:
    assert ev({"$arrayToObject": [[["a", 1], ["b", 2]]]}) == {"a": 1, "b": 2}
    assert ev({"$arrayToObject": [[{"k": "a", "v": 1}, {"k": "a", "v": 2}]]}) == {"a": 2}
    assert ev({"$objectToArray": {"$literal": {"x": 1, "y": 2}}}) == [
        {"k": "x", "v": 1},
        {"k": "y", "v": 2},
    ]
    fails(lambda: ev({"$arrayToObject": [[["a"]]]}), "size 2 arrays")


def test_concat_arrays() -> None:
    assert ev({"$concatArrays": [[1], [2, [3]], []]}) == [1, 2, [3]]
    assert ev({"$concatArrays": [[1], "$nope"]}) is None
    fails(lambda: ev({"$concatArrays": [[1], 2]}), "\\$concatArrays only supports arrays, not int")


def test_filter_map_reduce_bind_variables() -> None:
    doc = {"items": [{"price": 5, "qty": 2}, {"price": 50, "qty": 1}], "limit": 10}
    cheap = {
        "$filter": {"input": "$items", "as": "item", "cond": {"$lt": ["$$item.price", "$limit"]}}
    }
    assert ev(cheap, doc) == [{"price": 5, "qty": 2}]
    totals = {"$map": {"input": "$items", "in": {"$multiply": ["$$this.price", "$$this.qty"]}}}
    assert ev(totals, doc) == [10, 50]
    total = {"$reduce": {"input": totals, "initialValue": 0, "in": {"$add": ["$$value", "$$this"]}}}
    assert ev(total, doc) == 60
    concat = {
        "$reduce": {
            "input": ["a", "b", "c"],
            "initialValue": "",
            "in": {"$concat": ["$$value", "$$this"]},
        }
    }
    assert ev(concat) == "abc"


def test_filter_map_reduce_on_null_and_non_arrays() -> None:
    assert ev({"$filter": {"input": "$nope", "cond": True}}) is None
    assert ev({"$map": {"input": None, "in": 1}}) is None
    fails(lambda: ev({"$map": {"input": 5, "in": 1}}), "input to \\$map must be an array not int")
    fails(lambda: ev({"$filter": {"input": [1]}}), "Missing 'cond' parameter to \\$filter")


def test_in_index_of_is_array_size() -> None:
    assert ev({"$in": [2, [1, 2.0, 3]]}) is True
    assert ev({"$in": [[1], [[1], 2]]}) is True
    fails(
        lambda: ev({"$in": [1, "$nope"]}),
        "\\$in requires an array as a second argument, found: missing",
    )
    assert ev({"$indexOfArray": [["a", "b", "a"], "a", 1]}) == 2
    assert ev({"$indexOfArray": [["a"], "z"]}) == -1
    assert ev({"$indexOfArray": [None, "z"]}) is None
    assert ev({"$isArray": ["$a"]}, {"a": []}) is True
    assert ev({"$isArray": "$a"}, {"a": "x"}) is False
    assert ev({"$size": "$a"}, {"a": [1, 2]}) == 2
    fails(
        lambda: ev({"$size": "$a"}, {}),
        "The argument to \\$size must be an array, but was of type: missing",
    )


def test_range_reverse_slice_zip() -> None:
    assert ev({"$range": [0, 10, 3]}) == [0, 3, 6, 9]
    assert ev({"$range": [5, 0, -2]}) == [5, 3, 1]
    fails(lambda: ev({"$range": [0, 5, 0]}), "non-zero step")
    assert ev({"$reverseArray": [[1, 2, 3]]}) == [3, 2, 1]
    assert ev({"$reverseArray": "$nope"}) is None
    assert ev({"$slice": [[1, 2, 3, 4], 2]}) == [1, 2]
    assert ev({"$slice": [[1, 2, 3, 4], -2]}) == [3, 4]
    assert ev({"$slice": [[1, 2, 3, 4], 1, 2]}) == [2, 3]
    assert ev({"$slice": [[1, 2, 3, 4], -3, 2]}) == [2, 3]
    assert ev({"$zip": {"inputs": [[1, 2], ["a", "b", "c"]]}}) == [[1, "a"], [2, "b"]]
    longest = {
        "$zip": {"inputs": [[1], ["a", "b"]], "useLongestLength": True, "defaults": [0, "z"]}
    }
    assert ev(longest) == [[1, "a"], [0, "b"]]
    fails(
        lambda: ev({"$zip": {"inputs": [[1]], "defaults": [0]}}),
        "cannot specify defaults unless useLongestLength",
    )
