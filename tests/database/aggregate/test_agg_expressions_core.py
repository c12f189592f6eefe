"""Field paths, variables, literals and the expression forms (MongoDB expression semantics)."""

from __future__ import annotations

import pytest
from agg_helpers import ev, fails

from pytest_wxcloud.database.aggregate import compile_expression
from pytest_wxcloud.database.values import MISSING
from pytest_wxcloud.errors import UnknownOperatorError


def test_field_path_reads_nested_documents() -> None:
    assert ev("$a.b.c", {"a": {"b": {"c": 5}}}) == 5
    assert ev("$a.x", {"a": {"b": 1}}) is MISSING
    assert ev("$a.b", {"a": 3}) is MISSING


def test_field_path_through_array_collects_element_values() -> None:
    doc = {"items": [{"p": 1}, {"q": 2}, {"p": [3, 4]}, 7, [{"p": 9}]]}
    # non-document elements (7 and the nested array) are skipped, missing values dropped
    assert ev("$items.p", doc) == [1, [3, 4]]


def test_numeric_path_segment_is_a_field_name_not_an_index() -> None:
    assert ev("$a.0", {"a": [10, 20]}) == []
    assert ev("$a.0", {"a": {"0": "zero"}}) == "zero"


def test_root_current_and_remove() -> None:
    doc = {"a": 1}
    assert ev("$$ROOT", doc) == doc
    assert ev("$$CURRENT.a", doc) == 1
    assert ev("$$REMOVE", doc) is MISSING


def test_object_expression_drops_missing_fields_and_array_makes_them_null() -> None:
    doc = {"a": 1}
    assert ev({"x": "$a", "y": "$nope"}, doc) == {"x": 1}
    assert ev(["$a", "$nope"], doc) == [1, None]


def test_literal_keeps_dollar_strings_and_operators() -> None:
    assert ev({"$literal": "$price"}) == "$price"
    assert ev({"$literal": {"$add": [1, 2]}}) == {"$add": [1, 2]}


def test_let_binds_variables_and_can_rebind_current() -> None:
    doc = {"price": 10, "tax": 0.5}
    expr = {
        "$let": {
            "vars": {"total": {"$add": ["$price", "$tax"]}},
            "in": {"$multiply": ["$$total", 2]},
        }
    }
    assert ev(expr, doc) == 21.0
    rebound = {"$let": {"vars": {"CURRENT": {"price": 99}}, "in": ["$price", "$$ROOT.price"]}}
    assert ev(rebound, doc) == [99, 10]


def test_undefined_variable_is_rejected_at_compile_time() -> None:
    fails(lambda: compile_expression({"$add": ["$$nope", 1]}), "Use of undefined variable: nope")


def test_invalid_variable_names() -> None:
    fails(lambda: ev({"$let": {"vars": {"Total": 1}, "in": 1}}), "starts with an invalid character")
    fails(lambda: ev({"$let": {"vars": {"t": 1}}}), "Missing 'in' parameter to \\$let")


def test_unknown_operator_names_itself_and_suggests() -> None:
    with pytest.raises(UnknownOperatorError, match=r"\$summ.*did you mean \$sum") as info:
        compile_expression({"$summ": "$a"})
    assert info.value.operator == "$summ"


def test_group_only_accumulators_are_not_expressions() -> None:
    with pytest.raises(
        UnknownOperatorError, match=r"\$push is only valid as a \$group accumulator"
    ):
        compile_expression({"$push": "$a"})


def test_operator_object_must_have_one_field() -> None:
    fails(lambda: compile_expression({"$add": [1], "b": 1}), "exactly one field")


def test_bad_field_paths() -> None:
    fails(lambda: compile_expression("$"), "'\\$' by itself is not a valid FieldPath")
    fails(lambda: compile_expression("$a..b"), "may not be empty strings")
    fails(lambda: compile_expression({"a.b": 1}), "may not contain '.'")


def test_meta_has_no_text_score() -> None:
    fails(lambda: compile_expression({"$meta": "textScore"}), "text score metadata")
    fails(lambda: compile_expression({"$meta": "bogus"}), "Unsupported argument to \\$meta")


def test_arity_errors_use_mongodb_wording() -> None:
    fails(
        lambda: compile_expression({"$eq": [1]}),
        "Expression \\$eq takes exactly 2 arguments. 1 were passed in.",
    )
