"""Update operators of the engine, in MongoDB form (sdk.md §3.6/§3.7)."""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud.database.updating import compile_update
from pytest_wxcloud.database.values import RegExp
from pytest_wxcloud.errors import DatabaseError, UnknownOperatorError


def updated(doc: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    original = copy.deepcopy(doc)
    result = compile_update(update)(doc)
    assert doc == original, "the stored document must never be mutated"
    return result


def rejected(doc: dict[str, Any], update: dict[str, Any]) -> DatabaseError:
    original = copy.deepcopy(doc)
    apply = compile_update(update)
    with pytest.raises(DatabaseError) as caught:
        apply(doc)
    assert doc == original
    return caught.value


def compile_error(update: Any) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught:
        compile_update(update)
    return caught.value


# --------------------------------------------------------------------------- $set / $unset


def test_flattened_set_merges_and_keeps_siblings() -> None:
    # sdk.md §3.6: {a: {b: 1, c: {d: 2}}} → {"$set": {"a.b": 1, "a.c.d": 2}}
    doc = {"_id": 1, "a": {"b": 0, "keep": True, "c": {"e": 3}}}
    assert updated(doc, {"$set": {"a.b": 1, "a.c.d": 2}}) == {
        "_id": 1,
        "a": {"b": 1, "keep": True, "c": {"e": 3, "d": 2}},
    }


def test_set_of_an_object_replaces_it() -> None:
    # sdk.md §3.6: {a: _.set({b: 1})} → {"$set": {"a": {"b": 1}}}
    doc = {"_id": 1, "a": {"x": 1}}
    assert updated(doc, {"$set": {"a": {"b": 1}}}) == {"_id": 1, "a": {"b": 1}}


def test_set_creates_intermediate_documents() -> None:
    assert updated({"_id": 1}, {"$set": {"a.b.c": 1}}) == {"_id": 1, "a": {"b": {"c": 1}}}


def test_set_by_index_replaces_or_extends_with_nulls() -> None:
    doc = {"_id": 1, "arr": [1, 2]}
    assert updated(doc, {"$set": {"arr.0": 9}}) == {"_id": 1, "arr": [9, 2]}
    assert updated(doc, {"$set": {"arr.4": 5}}) == {"_id": 1, "arr": [1, 2, None, None, 5]}
    assert updated(doc, {"$set": {"arr.3.x": 5}}) == {"_id": 1, "arr": [1, 2, None, {"x": 5}]}
    objects = {"_id": 1, "arr": [{"x": 1}, {"x": 2}]}
    assert updated(objects, {"$set": {"arr.1.x": 7}}) == {"_id": 1, "arr": [{"x": 1}, {"x": 7}]}


def test_set_through_a_scalar_is_rejected_with_mongodb_message() -> None:
    error = rejected({"_id": 1, "a": 1}, {"$set": {"a.b": 2}})
    assert (error.err_code, error.detail) == (-502001, "Cannot create field 'b' in element {a: 1}")
    error = rejected({"_id": 1, "a": {"b": "x"}}, {"$set": {"a.b.c": 2}})
    assert error.detail == "Cannot create field 'c' in element {b: \"x\"}"
    error = rejected({"_id": 1, "a": [1]}, {"$set": {"a.x": 2}})
    assert error.detail == "Cannot create field 'x' in element {a: [ 1 ]}"
    error = rejected({"_id": 1, "a": None}, {"$set": {"a.b": 2}})
    assert error.detail == "Cannot create field 'b' in element {a: null}"


def test_set_values_are_copied_per_document() -> None:
    apply = compile_update({"$set": {"tags": ["a"]}})
    first, second = apply({"_id": 1}), apply({"_id": 2})
    first["tags"].append("changed")
    assert second["tags"] == ["a"]


def test_unset() -> None:
    doc = {"_id": 1, "a": {"b": 1, "c": 2}, "arr": [1, 2, 3]}
    assert updated(doc, {"$unset": {"a.b": ""}}) == {"_id": 1, "a": {"c": 2}, "arr": [1, 2, 3]}
    assert updated(doc, {"$unset": {"missing.x": ""}}) == doc
    # an array slot becomes null, it is not removed
    assert updated(doc, {"$unset": {"arr.1": ""}})["arr"] == [1, None, 3]


# --------------------------------------------------------------------------- arithmetic


def test_inc_keeps_ints_and_becomes_float_with_a_float() -> None:
    doc = {"_id": 1, "n": 1}
    result = updated(doc, {"$inc": {"n": 2}})
    assert result["n"] == 3 and type(result["n"]) is int
    result = updated(doc, {"$inc": {"n": 0.5}})
    assert result["n"] == 1.5 and type(result["n"]) is float
    assert updated(doc, {"$inc": {"m": 5}})["m"] == 5


def test_mul_of_a_missing_field_is_zero_of_the_operand_type() -> None:
    doc = {"_id": 1, "n": 3}
    assert updated(doc, {"$mul": {"n": 2}})["n"] == 6
    result = updated(doc, {"$mul": {"m": 2}})
    assert result["m"] == 0 and type(result["m"]) is int
    result = updated(doc, {"$mul": {"m": 2.5}})
    assert result["m"] == 0.0 and type(result["m"]) is float


def test_inc_on_a_non_number_names_the_document_and_type() -> None:
    error = rejected({"_id": "x1", "n": "5"}, {"$inc": {"n": 1}})
    assert error.detail == (
        "Cannot apply $inc to a value of non-numeric type. {_id: \"x1\"} has the field 'n' "
        "of non-numeric type string"
    )
    error = rejected({"_id": 1, "flag": True}, {"$mul": {"flag": 2}})
    assert "Cannot apply $mul to a value of non-numeric type" in error.detail
    assert "non-numeric type bool" in error.detail


def test_inc_with_a_non_numeric_argument() -> None:
    error = compile_error({"$inc": {"n": "1"}})
    assert error.detail == 'Cannot increment with non-numeric argument: {n: "1"}'
    assert (
        "Cannot multiply with non-numeric argument" in compile_error({"$mul": {"n": None}}).detail
    )


def test_inc_overflowing_64_bits_is_refused() -> None:
    error = rejected({"_id": 1, "n": 2**63 - 1}, {"$inc": {"n": 1}})
    assert "Failed to apply $inc" in error.detail


def test_min_and_max_use_bson_order() -> None:
    doc = {"_id": 1, "low": 5, "high": 5, "mixed": "text"}
    assert updated(doc, {"$min": {"low": 3}})["low"] == 3
    assert updated(doc, {"$min": {"low": 7}})["low"] == 5
    assert updated(doc, {"$max": {"high": 9.5}})["high"] == 9.5
    assert updated(doc, {"$max": {"absent": 1}})["absent"] == 1
    # numbers sort before strings: a number is a new minimum, never a new maximum
    assert updated(doc, {"$min": {"mixed": 100}})["mixed"] == 100
    assert updated(doc, {"$max": {"mixed": 100}})["mixed"] == "text"
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert (
        updated({"_id": 1, "d": when}, {"$max": {"d": datetime(2025, 1, 1, tzinfo=timezone.utc)}})[
            "d"
        ].year
        == 2025
    )


def test_bit() -> None:
    doc = {"_id": 1, "flags": 0b1010}
    assert updated(doc, {"$bit": {"flags": {"and": 0b0110}}})["flags"] == 0b0010
    assert updated(doc, {"$bit": {"flags": {"or": 0b0101}}})["flags"] == 0b1111
    assert updated(doc, {"$bit": {"flags": {"xor": 0b1000}}})["flags"] == 0b0010
    assert updated(doc, {"$bit": {"new": {"or": 3}}})["new"] == 3


def test_bit_errors() -> None:
    assert (
        "only supports 'and', 'or', and 'xor'" in compile_error({"$bit": {"f": {"not": 1}}}).detail
    )
    assert "must be an Integer" in compile_error({"$bit": {"f": {"and": 1.5}}}).detail
    assert "embedded document" in compile_error({"$bit": {"f": 5}}).detail
    error = rejected({"_id": 1, "f": 1.5}, {"$bit": {"f": {"and": 1}}})
    assert "Cannot apply $bit to a value of non-integral type" in error.detail


def test_rename() -> None:
    doc = {"_id": 1, "a": {"b": 1}, "c": 2}
    assert updated(doc, {"$rename": {"c": "d"}}) == {"_id": 1, "a": {"b": 1}, "d": 2}
    assert updated(doc, {"$rename": {"a.b": "x.y"}}) == {"_id": 1, "a": {}, "c": 2, "x": {"y": 1}}
    assert updated(doc, {"$rename": {"missing": "z"}}) == doc


def test_rename_errors() -> None:
    assert "must differ" in compile_error({"$rename": {"a": "a"}}).detail
    assert "must not be on the same path" in compile_error({"$rename": {"a": "a.b"}}).detail
    assert "must be a string" in compile_error({"$rename": {"a": 1}}).detail
    error = rejected({"_id": 1, "arr": [{"x": 1}]}, {"$rename": {"arr.0.x": "y"}})
    assert "The source field cannot be an array element" in error.detail
    error = rejected({"_id": 1, "x": 1, "arr": [{}]}, {"$rename": {"x": "arr.0.y"}})
    assert "The destination field cannot be an array element" in error.detail


# --------------------------------------------------------------------------- arrays


def test_push_each_is_what_the_sdk_always_sends() -> None:
    doc = {"_id": 1, "tags": ["a"]}
    assert updated(doc, {"$push": {"tags": {"$each": ["b", "c"]}}})["tags"] == ["a", "b", "c"]
    assert updated(doc, {"$push": {"tags": "b"}})["tags"] == ["a", "b"]
    assert updated(doc, {"$push": {"new": {"$each": [1]}}})["new"] == [1]
    # an object without $each is pushed as it is
    assert updated(doc, {"$push": {"tags": {"x": 1}}})["tags"] == ["a", {"x": 1}]


def test_push_position_sort_slice() -> None:
    doc = {"_id": 1, "n": [1, 5, 9]}
    assert updated(doc, {"$push": {"n": {"$each": [0], "$position": 0}}})["n"] == [0, 1, 5, 9]
    # unshift(a, b) → {$each: [a, b], $position: 0}
    assert updated(doc, {"$push": {"n": {"$each": [7, 8], "$position": 0}}})["n"] == [7, 8, 1, 5, 9]
    assert updated(doc, {"$push": {"n": {"$each": [3], "$position": -1}}})["n"] == [1, 5, 3, 9]
    assert updated(doc, {"$push": {"n": {"$each": [3], "$position": 10}}})["n"] == [1, 5, 9, 3]
    assert updated(doc, {"$push": {"n": {"$each": [3], "$sort": -1}}})["n"] == [9, 5, 3, 1]
    assert updated(doc, {"$push": {"n": {"$each": [3], "$slice": 2}}})["n"] == [1, 5]
    assert updated(doc, {"$push": {"n": {"$each": [3], "$slice": -2}}})["n"] == [9, 3]
    assert updated(doc, {"$push": {"n": {"$each": [], "$slice": 0}}})["n"] == []
    combined = {"$each": [4], "$sort": 1, "$slice": 3}
    assert updated(doc, {"$push": {"n": combined}})["n"] == [1, 4, 5]


def test_push_sort_by_embedded_fields() -> None:
    doc = {"_id": 1, "quizzes": [{"wk": 1, "score": 10}, {"wk": 2, "score": 8}]}
    spec = {"$each": [{"wk": 5, "score": 8}, {"wk": 6}], "$sort": {"score": -1, "wk": 1}}
    assert updated(doc, {"$push": {"quizzes": spec}})["quizzes"] == [
        {"wk": 1, "score": 10},
        {"wk": 2, "score": 8},
        {"wk": 5, "score": 8},
        {"wk": 6},  # missing sorts as null, below numbers
    ]


def test_push_errors() -> None:
    error = rejected({"_id": 1, "tags": "x"}, {"$push": {"tags": 1}})
    assert error.detail == (
        "The field 'tags' must be an array but is of type string in document {_id: 1}"
    )
    assert (
        "Unrecognized clause in $push: $foo"
        in compile_error({"$push": {"a": {"$each": [], "$foo": 1}}}).detail
    )
    assert "$each in $push must be an array" in compile_error({"$push": {"a": {"$each": 1}}}).detail
    assert (
        "$slice must be an integer"
        in compile_error({"$push": {"a": {"$each": [], "$slice": "1"}}}).detail
    )
    assert (
        "The $sort is invalid" in compile_error({"$push": {"a": {"$each": [], "$sort": 2}}}).detail
    )


def test_pop_last_and_first() -> None:
    doc = {"_id": 1, "q": [1, 2, 3]}
    assert updated(doc, {"$pop": {"q": 1}})["q"] == [1, 2]
    assert updated(doc, {"$pop": {"q": -1}})["q"] == [2, 3]
    assert updated(doc, {"$pop": {"missing": 1}}) == doc
    assert updated({"_id": 1, "q": []}, {"$pop": {"q": 1}})["q"] == []
    assert "$pop expects 1 or -1, found: 2" in compile_error({"$pop": {"q": 2}}).detail
    error = rejected({"_id": 1, "q": 5}, {"$pop": {"q": 1}})
    assert error.detail == "Path 'q' contains an element of non-array type 'int'"


def test_add_to_set_adds_one_element_deep_equal_checked() -> None:
    doc = {"_id": 1, "tags": ["a", {"k": 1, "v": 2}, [1, 2]]}
    assert updated(doc, {"$addToSet": {"tags": "a"}})["tags"] == doc["tags"]
    assert updated(doc, {"$addToSet": {"tags": {"k": 1, "v": 2}}})["tags"] == doc["tags"]
    # field order matters for documents, as in MongoDB
    assert len(updated(doc, {"$addToSet": {"tags": {"v": 2, "k": 1}}})["tags"]) == 4
    # sdk.md §8.3: addToSet([a, b]) adds ONE array element
    assert updated(doc, {"$addToSet": {"tags": [1, 2]}})["tags"] == doc["tags"]
    assert updated(doc, {"$addToSet": {"tags": [3]}})["tags"][-1] == [3]
    each = {"$each": ["a", "b", "b", 1.0]}
    assert updated(doc, {"$addToSet": {"tags": each}})["tags"][3:] == ["b", 1.0]
    assert updated({"_id": 1}, {"$addToSet": {"s": 1}})["s"] == [1]


def test_add_to_set_errors() -> None:
    error = rejected({"_id": 1, "s": 1}, {"$addToSet": {"s": 2}})
    assert error.detail == (
        "Cannot apply $addToSet to non-array field. Field named 's' has non-array type int"
    )
    assert (
        "unexpected fields after $each"
        in compile_error({"$addToSet": {"s": {"$each": [1], "$slice": 1}}}).detail
    )


def test_pull_by_value_condition_and_document_query() -> None:
    doc = {"_id": 1, "n": [1, 5, 3, 5, 8], "items": [{"q": 1, "k": "a"}, {"q": 5, "k": "b"}, 3]}
    assert updated(doc, {"$pull": {"n": 5}})["n"] == [1, 3, 8]
    assert updated(doc, {"$pull": {"n": {"$gt": 3}}})["n"] == [1, 3]
    assert updated(doc, {"$pull": {"n": {"$in": [1, 8]}}})["n"] == [5, 3, 5]
    # a document is a query on object elements: extra fields do not matter, scalars stay
    assert updated(doc, {"$pull": {"items": {"q": {"$gte": 5}}}})["items"] == [
        {"q": 1, "k": "a"},
        3,
    ]
    assert updated(doc, {"$pull": {"items": {"k": "a"}}})["items"] == [{"q": 5, "k": "b"}, 3]
    assert updated({"_id": 1, "s": ["apple", "kiwi"]}, {"$pull": {"s": RegExp("^a")}})["s"] == [
        "kiwi"
    ]
    assert updated(doc, {"$pull": {"missing": 1}}) == doc
    error = rejected({"_id": 1, "s": "x"}, {"$pull": {"s": "x"}})
    assert error.detail == "Cannot apply $pull to a non-array value"


def test_pull_all() -> None:
    doc = {"_id": 1, "n": [0, 2, 5, 5, 1, 0]}
    assert updated(doc, {"$pullAll": {"n": [0, 5]}})["n"] == [2, 1]
    assert "$pullAll requires an array argument" in compile_error({"$pullAll": {"n": 1}}).detail


# --------------------------------------------------------------------------- validation


def test_several_operators_apply_together() -> None:
    doc = {"_id": 1, "n": 1, "tags": ["a"], "old": True}
    assert updated(
        doc, {"$inc": {"n": 1}, "$push": {"tags": {"$each": ["b"]}}, "$unset": {"old": ""}}
    ) == {"_id": 1, "n": 2, "tags": ["a", "b"]}


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"$set": {"a": 1}, "$inc": {"a": 1}}, "Updating the path 'a' would create a conflict at 'a'"),
        ({"$set": {"a": 1, "a.b": 1}}, "Updating the path 'a.b' would create a conflict at 'a'"),
        ({"$set": {"a.b": 1}, "$unset": {"a": ""}}, "Updating the path 'a' would create a conflict at 'a'"),
        ({"$rename": {"a": "b"}, "$set": {"b.c": 1}}, "Updating the path 'b.c' would create a conflict at 'b'"),
    ],
)  # fmt: skip
def test_conflicting_paths_are_rejected_before_any_document(
    update: dict[str, Any], message: str
) -> None:
    error = compile_error(update)
    assert (error.err_code, error.detail) == (-502001, message)


@pytest.mark.parametrize("op", ["$set", "$unset", "$inc", "$rename"])
def test_updating_id_is_refused(op: str) -> None:
    error = compile_error({op: {"_id": "x" if op == "$rename" else 1}})
    assert (error.err_code, error.detail) == (-501007, "不能更新_id的值")


def test_nested_id_is_an_ordinary_field() -> None:
    assert updated({"_id": 1}, {"$set": {"sub._id": 2}}) == {"_id": 1, "sub": {"_id": 2}}


@pytest.mark.parametrize("op", ["$currentDate", "$setOnInsert", "$foo"])
def test_unknown_update_operators(op: str) -> None:
    with pytest.raises(UnknownOperatorError) as caught:
        compile_update({op: {"a": 1}})
    assert caught.value.operator == op
    assert "$addToSet" in caught.value.detail


def test_positional_operators_are_refused_clearly() -> None:
    with pytest.raises(UnknownOperatorError, match="positional"):
        compile_update({"$set": {"arr.$.x": 1}})


def test_malformed_update_documents() -> None:
    assert "Modifiers operate on fields" in compile_error({"$set": 1}).detail
    assert "Unknown modifier: a" in compile_error({"a": 1}).detail
    assert "contains an empty field name" in compile_error({"$set": {"a..b": 1}}).detail


def test_a_failing_update_leaves_the_document_untouched_even_after_partial_work() -> None:
    doc = {"_id": 1, "n": 1, "s": "x"}
    error = rejected(doc, {"$inc": {"n": 1}, "$mul": {"s": 2}})
    assert "non-numeric" in error.detail
