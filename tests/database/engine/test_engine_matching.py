"""Query semantics of the engine, in MongoDB form (what the SDK sends, sdk.md §3.5/§3.7)."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_wxcloud.database.matching import (
    compile_filter,
    compile_query,
    set_expression_evaluator,
)
from pytest_wxcloud.database.values import RegExp
from pytest_wxcloud.errors import DatabaseError, UnknownOperatorError

T0 = datetime(2024, 5, 1, tzinfo=timezone.utc)

BOOKS: list[dict[str, Any]] = [
    {"_id": "b1", "title": "Dream of the Red Chamber", "price": 12, "tags": ["classic", "novel"],
     "author": {"name": "Cao Xueqin", "born": 1715}, "numbers": [10, 20, 30], "published": T0,
     "courses": [{"code": "C1", "score": 90}, {"code": "C2", "score": 70}]},
    {"_id": "b2", "title": "Journey to the West", "price": 8.5, "tags": ["classic"],
     "author": {"name": "Wu Cheng'en"}, "numbers": [5, 6], "published": T0 + timedelta(days=1),
     "courses": [{"code": "C2", "score": 95}]},
    {"_id": "b3", "title": "Three Body", "price": "unknown", "tags": [], "author": None,
     "numbers": 20},
    {"_id": "b4", "title": "Fortress Besieged", "price": None, "stock": 0},
    {"_id": "b5", "title": "Border Town", "price": 30, "tags": ["novel", ["nested"]],
     "author": {"name": "Shen Congwen", "born": 1902}, "numbers": [[20]]},
]  # fmt: skip


def ids(query: dict[str, Any], docs: Any = BOOKS) -> list[Any]:
    predicate = compile_query(query)
    by_predicate = [d["_id"] for d in docs if predicate(d)]
    by_filter = [d["_id"] for d in compile_filter(query)(docs)]
    assert by_predicate == by_filter, "compile_query and compile_filter must agree"
    return by_predicate


# --------------------------------------------------------------------------- equality


def test_scalar_equality_and_empty_query() -> None:
    assert ids({"title": "Three Body"}) == ["b3"]
    assert ids({}) == ["b1", "b2", "b3", "b4", "b5"]


def test_nested_object_where_is_a_dot_path_match() -> None:
    # sdk.md §8.1: where({author: {name: ...}}) is sent as {"author.name": ...}
    assert ids({"author.name": "Cao Xueqin"}) == ["b1"]
    # an explicit sub-document ({"author": {"$eq": {...}}}) is exact, ordered equality
    assert ids({"author": {"$eq": {"name": "Cao Xueqin"}}}) == []
    assert ids({"author": {"$eq": {"name": "Cao Xueqin", "born": 1715}}}) == ["b1"]
    assert ids({"author": {"$eq": {"born": 1715, "name": "Cao Xueqin"}}}) == []


def test_scalar_matches_any_array_element() -> None:
    # sdk.md §3.5: numbers: 20 matches [10, 20, 30]
    assert ids({"numbers": 20}) == ["b1", "b3"]
    assert ids({"tags": "novel"}) == ["b1", "b5"]


def test_array_literal_matches_exact_array_or_an_element_equal_to_it() -> None:
    assert ids({"tags": ["classic", "novel"]}) == ["b1"]
    assert ids({"tags": ["novel", "classic"]}) == []
    assert ids({"tags": ["nested"]}) == ["b5"]
    assert ids({"numbers": [20]}) == ["b5"]
    assert ids({"tags": []}) == ["b3"]


def test_only_one_level_of_arrays_is_entered() -> None:
    assert ids({"numbers": 20}) == ["b1", "b3"]  # b5 holds [[20]]


def test_numeric_path_segment_addresses_an_index() -> None:
    assert ids({"numbers.1": 20}) == ["b1"]
    assert ids({"numbers.0": 5}) == ["b2"]
    assert ids({"courses.1.code": "C2"}) == ["b1"]
    assert ids({"numbers.5": {"$exists": True}}) == []


def test_path_expands_through_arrays_of_objects() -> None:
    assert ids({"courses.code": "C2"}) == ["b1", "b2"]
    assert ids({"courses.score": {"$gt": 92}}) == ["b2"]


def test_null_matches_null_or_missing() -> None:
    assert ids({"price": None}) == ["b4"]
    assert ids({"stock": None}) == ["b1", "b2", "b3", "b5"]
    assert ids({"author.name": None}) == ["b3", "b4"]  # author null / author missing
    assert ids({"price": {"$ne": None}}) == ["b1", "b2", "b3", "b5"]


def test_null_through_a_scalar_and_inside_arrays_of_documents() -> None:
    docs = [
        {"_id": 1, "a": 1},
        {"_id": 2, "a": [{"b": 1}, {"c": 2}]},
        {"_id": 3, "a": [1, 2]},
        {"_id": 4, "a": []},
    ]
    # a scalar on the way means the field is missing; scalar array elements yield nothing
    assert ids({"a.b": None}, docs) == [1, 2]
    assert ids({"a.b": {"$exists": False}}, docs) == [1, 3, 4]


def test_index_selected_arrays_are_not_expanded() -> None:
    docs = [{"_id": 1, "a": [[1, 2]]}, {"_id": 2, "a": [1, 2]}]
    assert ids({"a.0": 1}, docs) == [2]
    assert ids({"a.0": [1, 2]}, docs) == [1]
    assert ids({"a": [1, 2]}, docs) == [1, 2]


def test_numbers_compare_across_int_and_float_but_never_with_bool() -> None:
    docs = [{"_id": 1, "n": 1}, {"_id": 2, "n": 1.0}, {"_id": 3, "n": True}, {"_id": 4, "n": "1"}]
    assert ids({"n": 1}, docs) == [1, 2]
    assert ids({"n": True}, docs) == [3]
    assert ids({"n": {"$in": [1]}}, docs) == [1, 2]
    assert ids({"n": {"$in": [True]}}, docs) == [3]


def test_nan_equals_only_nan() -> None:
    docs = [{"_id": 1, "n": math.nan}, {"_id": 2, "n": 1.0}]
    assert ids({"n": math.nan}, docs) == [1]
    assert ids({"n": {"$gte": math.nan}}, docs) == [1]
    assert ids({"n": {"$gt": math.nan}}, docs) == []
    assert ids({"n": {"$lt": 5}}, docs) == [2]


def test_dates_compare_with_dates_only() -> None:
    assert ids({"published": T0}) == ["b1"]
    assert ids({"published": {"$gt": T0}}) == ["b2"]
    assert ids({"published": {"$gt": "2020-01-01"}}) == []


# --------------------------------------------------------------------------- comparisons


def test_comparisons_are_type_bracketed() -> None:
    assert ids({"price": {"$gt": 10}}) == ["b1", "b5"]  # "unknown" and null never compare
    assert ids({"price": {"$lt": 10}}) == ["b2"]
    assert ids({"price": {"$gte": "a"}}) == ["b3"]
    assert ids({"price": {"$lte": 8.5}}) == ["b2"]


def test_gte_and_lte_null_match_null_and_missing_but_gt_null_nothing() -> None:
    assert ids({"stock": {"$gte": None}}) == ["b1", "b2", "b3", "b5"]
    assert ids({"price": {"$lte": None}}) == ["b4"]
    assert ids({"price": {"$gt": None}}) == []
    assert ids({"price": {"$lt": None}}) == []


def test_comparison_on_array_matches_if_any_element_satisfies() -> None:
    # sdk.md §3.5: numbers: _.gt(25)
    assert ids({"numbers": {"$gt": 25}}) == ["b1"]


def test_two_operators_on_an_array_may_be_satisfied_by_different_elements() -> None:
    docs = [{"_id": 1, "a": [1, 10]}, {"_id": 2, "a": [5]}]
    assert ids({"a": {"$gt": 3, "$lt": 6}}, docs) == [1, 2]
    assert ids({"a": {"$elemMatch": {"$gt": 3, "$lt": 6}}}, docs) == [2]


def test_chained_and_serialization_form() -> None:
    # sdk.md §3.5: _.gt(1).and(_.lt(5)) → {"$and": [{f: {$gt: 1}}, {f: {$lt: 5}}]}
    query = {"$and": [{"price": {"$gt": 8}}, {"price": {"$lt": 20}}]}
    assert ids(query) == ["b1", "b2"]


def test_or_merge_form_is_an_or_of_all_branches() -> None:
    # sdk.md §3.5 bug: two field-level ORs become one flat $or
    query = {"$or": [{"price": 12}, {"price": 30}, {"title": "Three Body"}]}
    assert ids(query) == ["b1", "b3", "b5"]


def test_objects_and_arrays_compare_within_their_bracket() -> None:
    docs = [{"_id": 1, "a": {"x": 2}}, {"_id": 2, "a": {"x": 1}}, {"_id": 3, "a": 5}]
    assert ids({"a": {"$gt": {"x": 1}}}, docs) == [1]
    docs = [{"_id": 1, "a": [1, 3]}, {"_id": 2, "a": [1, 2]}]
    assert ids({"a": {"$gt": [1, 2]}}, docs) == [1]


def test_booleans_compare_with_booleans() -> None:
    docs = [{"_id": 1, "ok": True}, {"_id": 2, "ok": False}, {"_id": 3, "ok": 1}]
    assert ids({"ok": {"$gt": False}}, docs) == [1]


# --------------------------------------------------------------------------- sets and arrays


def test_in_and_nin() -> None:
    assert ids({"title": {"$in": ["Three Body", "Border Town"]}}) == ["b3", "b5"]
    assert ids({"tags": {"$in": ["novel"]}}) == ["b1", "b5"]
    assert ids({"stock": {"$in": [None]}}) == ["b1", "b2", "b3", "b5"]
    assert ids({"tags": {"$nin": ["classic"]}}) == ["b3", "b4", "b5"]
    assert ids({"tags": {"$in": []}}) == []


def test_in_with_regular_expressions() -> None:
    assert ids({"title": {"$in": [RegExp("^Three"), "Border Town"]}}) == ["b3", "b5"]
    assert ids({"tags": {"$nin": [RegExp("^nov")]}}) == ["b2", "b3", "b4"]


def test_all() -> None:
    assert ids({"tags": {"$all": ["novel", "classic"]}}) == ["b1"]
    assert ids({"tags": {"$all": ["novel"]}}) == ["b1", "b5"]
    assert ids({"tags": {"$all": []}}) == []
    assert ids({"numbers": {"$all": [20]}}) == ["b1", "b3"]


def test_all_with_elem_match_members() -> None:
    query = {
        "courses": {
            "$all": [
                {"$elemMatch": {"code": "C1", "score": {"$gte": 80}}},
                {"$elemMatch": {"code": "C2"}},
            ]
        }
    }
    assert ids(query) == ["b1"]


def test_elem_match_object_form_needs_one_element_satisfying_everything() -> None:
    assert ids({"courses": {"$elemMatch": {"code": "C2", "score": {"$gt": 80}}}}) == ["b2"]
    # without $elemMatch the conditions may hold on different elements
    assert ids({"courses.code": "C2", "courses.score": {"$gt": 80}}) == ["b1", "b2"]


def test_elem_match_operator_form() -> None:
    # sdk.md §3.7: elemMatch(_.gt(2)) → {$elemMatch: {$gt: 2}}
    assert ids({"numbers": {"$elemMatch": {"$gt": 25}}}) == ["b1"]
    assert ids({"numbers": {"$elemMatch": {"$gt": 15}}}) == ["b1"]  # b3 is no array
    assert ids({"tags": {"$elemMatch": {"$in": ["novel"], "$ne": "classic"}}}) == ["b1", "b5"]


def test_exists() -> None:
    assert ids({"stock": {"$exists": True}}) == ["b4"]
    assert ids({"price": {"$exists": True}}) == ["b1", "b2", "b3", "b4", "b5"]
    assert ids({"author.born": {"$exists": False}}) == ["b2", "b3", "b4"]
    assert ids({"tags.1": {"$exists": True}}) == ["b1", "b5"]


def test_exists_operand_follows_mongodb_truthiness() -> None:
    assert ids({"stock": {"$exists": 1}}) == ids({"stock": {"$exists": True}})
    assert ids({"stock": {"$exists": 0}}) == ids({"stock": {"$exists": False}})
    assert ids({"stock": {"$exists": None}}) == ids({"stock": {"$exists": False}})
    assert ids({"stock": {"$exists": "yes"}}) == ids({"stock": {"$exists": True}})


def test_size() -> None:
    assert ids({"tags": {"$size": 0}}) == ["b3"]
    assert ids({"tags": {"$size": 2}}) == ["b1", "b5"]
    assert ids({"numbers": {"$size": 1}}) == ["b5"]  # numbers: 20 is not an array
    assert ids({"tags": {"$size": 2.0}}) == ["b1", "b5"]


def test_mod() -> None:
    docs = [{"_id": 1, "n": 7}, {"_id": 2, "n": 8.9}, {"_id": 3, "n": -7}, {"_id": 4, "n": "7"}]
    assert ids({"n": {"$mod": [4, 3]}}, docs) == [1]
    assert ids({"n": {"$mod": [4, 0]}}, docs) == [2]  # 8.9 truncates to 8
    assert ids({"n": {"$mod": [4, -3]}}, docs) == [3]  # sign of the dividend, as in C


# --------------------------------------------------------------------------- regex and $not


def test_regexp_value_matches_strings_and_array_elements() -> None:
    assert ids({"title": RegExp("^three", "i")}) == ["b3"]
    assert ids({"tags": RegExp("^nov")}) == ["b1", "b5"]
    assert ids({"price": RegExp("1")}) == []  # numbers are not strings


def test_python_pattern_converted_by_the_caller_matches_the_same() -> None:
    assert ids({"title": RegExp.from_pattern(re.compile("west$", re.I))}) == ["b2"]


def test_regex_operator_with_options() -> None:
    assert ids({"title": {"$regex": "body", "$options": "i"}}) == ["b3"]
    assert ids({"title": {"$regex": RegExp("body", "i")}}) == ["b3"]
    assert ids({"title": {"$regex": "^F"}}) == ["b4"]


def test_not_negates_including_missing_fields() -> None:
    assert ids({"price": {"$not": {"$gt": 10}}}) == ["b2", "b3", "b4"]
    assert ids({"title": {"$not": RegExp("^[A-F]")}}) == ["b2", "b3"]
    assert ids({"stock": {"$not": {"$gte": 1}}}) == ["b1", "b2", "b3", "b4", "b5"]


def test_ne_on_an_array_means_no_element_equals() -> None:
    assert ids({"tags": {"$ne": "classic"}}) == ["b3", "b4", "b5"]


# --------------------------------------------------------------------------- logic


def test_and_or_nor() -> None:
    assert ids({"$and": [{"tags": "classic"}, {"price": {"$lt": 10}}]}) == ["b2"]
    assert ids({"$or": [{"price": {"$lt": 10}}, {"stock": 0}]}) == ["b2", "b4"]
    assert ids({"$nor": [{"tags": "classic"}, {"price": None}]}) == ["b3", "b5"]


def test_top_level_keys_are_and_ed() -> None:
    assert ids({"tags": "novel", "price": {"$gt": 20}}) == ["b5"]


@pytest.mark.parametrize("op", ["$and", "$or", "$nor"])
def test_logical_operators_need_a_nonempty_array_of_objects(op: str) -> None:
    with pytest.raises(DatabaseError) as empty:
        compile_query({op: []})
    assert (empty.value.err_code, empty.value.detail) == (
        -502001,
        "$and/$or/$nor must be a nonempty array",
    )
    with pytest.raises(DatabaseError, match=rf"\{op} must be an array"):
        compile_query({op: {"a": 1}})
    with pytest.raises(DatabaseError, match="entries need to be full objects"):
        compile_query({op: [1]})


# --------------------------------------------------------------------------- $expr


def test_expr_without_aggregation_support_is_refused() -> None:
    from pytest_wxcloud.database import matching

    saved = matching._expression_evaluator
    set_expression_evaluator(None)
    try:
        with pytest.raises(UnknownOperatorError, match=r"\$expr needs aggregation"):
            compile_query({"$expr": {"$gt": ["$a", "$b"]}})
    finally:
        set_expression_evaluator(saved)


def test_expr_delegates_to_the_registered_evaluator_with_mongodb_truthiness() -> None:
    from pytest_wxcloud.database import matching

    seen: list[Any] = []

    def evaluator(expression: Any, doc: dict[str, Any]) -> Any:
        seen.append(expression)
        return doc.get("stock")  # 0 is falsy, a missing field too

    saved = matching._expression_evaluator
    set_expression_evaluator(evaluator)
    try:
        docs = [{"_id": 1, "stock": 0}, {"_id": 2, "stock": 3}, {"_id": 3}]
        assert ids({"$expr": "$stock"}, docs) == [2]
        assert seen[0] == "$stock"
    finally:
        set_expression_evaluator(saved)


# --------------------------------------------------------------------------- errors


def test_unknown_field_operator_names_it_and_lists_the_accepted_ones() -> None:
    with pytest.raises(UnknownOperatorError) as caught:
        compile_query({"price": {"$foo": 1}})
    assert isinstance(caught.value, NotImplementedError)
    assert caught.value.operator == "$foo"
    assert "'price'" in caught.value.detail and "$elemMatch" in caught.value.detail


@pytest.mark.parametrize("op", ["$foo", "$comment", "$jsonSchema"])
def test_unknown_top_level_operator(op: str) -> None:
    with pytest.raises(UnknownOperatorError, match=rf"\{op} in the top level of a query"):
        compile_query({op: {}})


def test_where_is_refused_no_javascript() -> None:
    with pytest.raises(UnknownOperatorError, match="JavaScript"):
        compile_query({"$where": "this.a > 1"})


def test_text_is_refused() -> None:
    with pytest.raises(UnknownOperatorError, match=r"\$text"):
        compile_query({"$text": {"$search": "x"}})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"a": {"$in": 1}}, "$in needs an array"),
        ({"a": {"$nin": "x"}}, "$nin needs an array"),
        ({"a": {"$all": 1}}, "$all needs an array"),
        ({"a": {"$in": [{"$gt": 1}]}}, "cannot nest $ under $in"),
        ({"a": {"$size": "2"}}, "$size needs a number"),
        ({"a": {"$size": 1.5}}, "$size must be a whole number"),
        ({"a": {"$size": float("inf")}}, "$size must be a whole number"),
        ({"a": {"$size": float("nan")}}, "$size must be a whole number"),
        ({"a": {"$size": -1}}, "$size may not be negative"),
        ({"a": {"$mod": [0, 1]}}, "divisor cannot be 0"),
        ({"a": {"$mod": [1]}}, "malformed mod, not enough elements"),
        ({"a": {"$mod": [1, 2, 3]}}, "malformed mod, too many elements"),
        ({"a": {"$mod": 4}}, "malformed mod, needs to be an array"),
        ({"a": {"$mod": ["x", 1]}}, "malformed mod, divisor not a number"),
        ({"a": {"$elemMatch": 1}}, "$elemMatch needs an Object"),
        ({"a": {"$not": 1}}, "$not needs a regex or a document"),
        ({"a": {"$not": {}}}, "$not cannot be empty"),
        ({"a": {"$options": "i"}}, "$options needs a $regex"),
        ({"a": {"$regex": 1}}, "$regex has to be a string"),
        ({"a": {"$regex": "("}}, "Regular expression is invalid"),
        ({"a": {"$all": [{"$elemMatch": {"b": 1}}, 2]}}, "$all/$elemMatch has to be consistent"),
    ],
)
def test_bad_operands_get_mongodb_messages(query: dict[str, Any], message: str) -> None:
    with pytest.raises(DatabaseError) as caught:
        compile_query(query)
    assert caught.value.err_code == -502001
    assert message in caught.value.detail


def test_operands_of_unsupported_python_types_are_rejected_with_the_value() -> None:
    with pytest.raises(DatabaseError) as caught:
        compile_query({"a": {"$gt": object()}})
    assert caught.value.err_code == -501007
    assert "accepted values" in caught.value.detail


def test_compile_filter_keeps_order_and_accepts_iterators() -> None:
    query = {"price": {"$gt": 5}, "tags": "classic"}
    assert [d["_id"] for d in compile_filter(query)(iter(BOOKS))] == ["b1", "b2"]
    assert compile_filter({})(iter(BOOKS)) == BOOKS
