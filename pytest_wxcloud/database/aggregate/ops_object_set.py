"""Object operators and set operators (arrays read as sets: duplicates and order ignored)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .registry import ExpressionCompiler, operator
from .support import (
    Evaluator,
    expect_args,
    fail,
    hash_key,
    is_nullish,
    operand_list,
    show,
    truthy,
    type_name,
)


@operator("$mergeObjects")
def _merge_objects(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def merge_objects(doc: Any, variables: Mapping[str, Any]) -> Any:
        out: dict[str, Any] = {}
        for fn in args:
            merge_into(out, fn(doc, variables))
        return out

    return merge_objects


def merge_into(out: dict[str, Any], value: Any) -> None:
    """One ``$mergeObjects`` step: null/missing are skipped, later fields win."""
    if is_nullish(value):
        return
    if value.__class__ is not dict:
        raise fail(
            f"$mergeObjects requires object inputs, but input {show(value)} is of type {type_name(value)}"
        )
    out.update(value)


@operator("$objectToArray")
def _object_to_array(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$objectToArray", param, 1)
    fn = compiler.compile(arg)

    def object_to_array(doc: Any, variables: Mapping[str, Any]) -> Any:
        value = fn(doc, variables)
        if is_nullish(value):
            return None
        if value.__class__ is not dict:
            raise fail(f"$objectToArray requires a document input, found: {type_name(value)}")
        return [{"k": k, "v": v} for k, v in value.items()]

    return object_to_array


def _unique(values: list[Any]) -> dict[Any, Any]:
    """hash key -> first value seen, in first-seen order."""
    out: dict[Any, Any] = {}
    for value in values:
        out.setdefault(hash_key(value), value)
    return out


def _elements_true(name: str, combine: Callable[[Iterable[bool]], bool]) -> None:
    @operator(name)
    def compile_(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        (arg,) = expect_args(name, param, 1)
        fn = compiler.compile(arg)

        def evaluate(doc: Any, variables: Mapping[str, Any]) -> Any:
            array = fn(doc, variables)
            if array.__class__ is not list:
                raise fail(f"{name}'s argument must be an array, but is {type_name(array)}")
            return combine(truthy(v) for v in array)

        return evaluate


_elements_true("$allElementsTrue", all)
_elements_true("$anyElementTrue", any)


@operator("$setDifference")
def _set_difference(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = (compiler.compile(a) for a in expect_args("$setDifference", param, 2))

    def set_difference(doc: Any, variables: Mapping[str, Any]) -> Any:
        a, b = left(doc, variables), right(doc, variables)
        if is_nullish(a) or is_nullish(b):
            return None
        if a.__class__ is not list:
            raise fail(
                f"both operands of $setDifference must be arrays. First argument is of type: {type_name(a)}"
            )
        if b.__class__ is not list:
            raise fail(
                f"both operands of $setDifference must be arrays. Second argument is of type: {type_name(b)}"
            )
        exclude = {hash_key(v) for v in b}
        return [v for k, v in _unique(a).items() if k not in exclude]

    return set_difference


@operator("$setEquals")
def _set_equals(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$setEquals", param, 2, 1 << 30)]

    def set_equals(doc: Any, variables: Mapping[str, Any]) -> Any:
        sets = []
        for fn in args:
            value = fn(doc, variables)
            if value.__class__ is not list:
                raise fail(
                    f"All operands of $setEquals must be arrays. One argument is of type: {type_name(value)}"
                )
            sets.append(set(_unique(value)))
        return all(s == sets[0] for s in sets[1:])

    return set_equals


@operator("$setIntersection")
def _set_intersection(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def set_intersection(doc: Any, variables: Mapping[str, Any]) -> Any:
        result: dict[Any, Any] | None = None
        saw_null = False
        for fn in args:
            value = fn(doc, variables)
            if is_nullish(value):
                saw_null = True
                continue
            if value.__class__ is not list:
                raise fail(
                    f"All operands of $setIntersection must be arrays. One argument is of type: {type_name(value)}"
                )
            unique = _unique(value)
            result = unique if result is None else {k: v for k, v in result.items() if k in unique}
        if saw_null:
            return None
        return list(result.values()) if result is not None else []

    return set_intersection


@operator("$setIsSubset")
def _set_is_subset(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = (compiler.compile(a) for a in expect_args("$setIsSubset", param, 2))

    def set_is_subset(doc: Any, variables: Mapping[str, Any]) -> Any:
        a, b = left(doc, variables), right(doc, variables)
        if a.__class__ is not list:
            raise fail(
                f"both operands of $setIsSubset must be arrays. First argument is of type: {type_name(a)}"
            )
        if b.__class__ is not list:
            raise fail(
                f"both operands of $setIsSubset must be arrays. Second argument is of type: {type_name(b)}"
            )
        return set(_unique(a)) <= set(_unique(b))

    return set_is_subset


@operator("$setUnion")
def _set_union(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def set_union(doc: Any, variables: Mapping[str, Any]) -> Any:
        values: list[Any] = []
        saw_null = False
        for fn in args:
            value = fn(doc, variables)
            if is_nullish(value):
                saw_null = True
                continue
            if value.__class__ is not list:
                raise fail(
                    f"All operands of $setUnion must be arrays. One argument is of type: {type_name(value)}"
                )
            values.extend(value)
        if saw_null:
            return None
        return list(_unique(values).values())

    return set_union
