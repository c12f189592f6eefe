"""Boolean, comparison and conditional operators.

Comparisons use BSON order across types (``$gt: ["a", 5]`` is true: strings sort after numbers)
with aggregation's extra rule that a missing value sorts below null.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..values import MISSING
from .registry import ExpressionCompiler, operator
from .support import Evaluator, agg_compare, expect_args, fail, operand_list, show, truthy


@operator("$and")
def _and(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def and_(doc: Any, variables: Mapping[str, Any]) -> Any:
        return all(truthy(fn(doc, variables)) for fn in args)

    return and_


@operator("$or")
def _or(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def or_(doc: Any, variables: Mapping[str, Any]) -> Any:
        return any(truthy(fn(doc, variables)) for fn in args)

    return or_


@operator("$not")
def _not(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$not", param, 1)
    fn = compiler.compile(arg)
    return lambda doc, variables: not truthy(fn(doc, variables))


def _comparison(name: str, test: Callable[[int], Any]) -> None:
    @operator(name)
    def compile_comparison(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        left, right = (compiler.compile(a) for a in expect_args(name, param, 2))

        def comparison(doc: Any, variables: Mapping[str, Any]) -> Any:
            return test(agg_compare(left(doc, variables), right(doc, variables)))

        return comparison


_comparison("$cmp", lambda c: c)
_comparison("$eq", lambda c: c == 0)
_comparison("$ne", lambda c: c != 0)
_comparison("$gt", lambda c: c > 0)
_comparison("$gte", lambda c: c >= 0)
_comparison("$lt", lambda c: c < 0)
_comparison("$lte", lambda c: c <= 0)


@operator("$cond")
def _cond(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    if param.__class__ is dict:
        for key in param:
            if key not in ("if", "then", "else"):
                raise fail(f"Unrecognized parameter to $cond: {key}")
        for key in ("if", "then", "else"):
            if key not in param:
                raise fail(f"Missing '{key}' parameter to $cond")
        parts = [param["if"], param["then"], param["else"]]
    else:
        parts = expect_args("$cond", param, 3)
    test, then, otherwise = (compiler.compile(p) for p in parts)

    def cond(doc: Any, variables: Mapping[str, Any]) -> Any:
        if truthy(test(doc, variables)):
            return then(doc, variables)
        return otherwise(doc, variables)

    return cond


@operator("$ifNull")
def _if_null(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$ifNull", param, 2)]
    value_fn, replacement = args

    def if_null(doc: Any, variables: Mapping[str, Any]) -> Any:
        value = value_fn(doc, variables)
        if value is None or value is MISSING:
            return replacement(doc, variables)
        return value

    return if_null


@operator("$switch")
def _switch(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    if param.__class__ is not dict:
        raise fail(f"$switch requires an object as an argument, found: {show(param)}")
    for key in param:
        if key not in ("branches", "default"):
            raise fail(f"$switch found an unknown argument: {key}")
    branches_spec = param.get("branches", MISSING)
    if branches_spec.__class__ is not list:
        raise fail(f"$switch expected an array for 'branches', found: {show(branches_spec)}")
    if not branches_spec:
        raise fail("$switch requires at least one branch.")
    branches: list[tuple[Evaluator, Evaluator]] = []
    for branch in branches_spec:
        if branch.__class__ is not dict:
            raise fail(f"$switch expected each branch to be an object, found: {show(branch)}")
        for key in branch:
            if key not in ("case", "then"):
                raise fail(f"$switch found an unknown argument to a branch: {key}")
        if "case" not in branch:
            raise fail("$switch requires each branch have a 'case' expression")
        if "then" not in branch:
            raise fail("$switch requires each branch have a 'then' expression.")
        branches.append((compiler.compile(branch["case"]), compiler.compile(branch["then"])))
    default = compiler.compile(param["default"]) if "default" in param else None

    def switch(doc: Any, variables: Mapping[str, Any]) -> Any:
        for case, then in branches:
            if truthy(case(doc, variables)):
                return then(doc, variables)
        if default is None:
            raise fail(
                "$switch could not find a matching branch for an input, and no default was specified."
            )
        return default(doc, variables)

    return switch
