"""Array expression operators, including the ones that bind variables ($filter, $map, $reduce)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..values import INT32_MAX, INT32_MIN, MISSING
from .registry import ExpressionCompiler, operator
from .support import (
    MAX_STAGE_DOCUMENTS,
    Evaluator,
    agg_equal,
    as_int,
    check_variable_name,
    expect_args,
    fail,
    is_nullish,
    is_number,
    show,
    truthy,
    type_name,
)


def _int32(name: str, what: str, value: Any) -> int:
    if not is_number(value):
        raise fail(f"{name}'s {what} must be a numeric value, but is {type_name(value)}")
    integral = as_int(value)
    if integral is None or not INT32_MIN <= integral <= INT32_MAX:
        raise fail(
            f"{name}'s {what} must be representable as a 32-bit integer, but is {show(value)}"
        )
    return integral


@operator("$arrayElemAt")
def _array_elem_at(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    array_fn, index_fn = (compiler.compile(a) for a in expect_args("$arrayElemAt", param, 2))

    def array_elem_at(doc: Any, variables: Mapping[str, Any]) -> Any:
        array, index = array_fn(doc, variables), index_fn(doc, variables)
        if is_nullish(array) or is_nullish(index):
            return None
        if array.__class__ is not list:
            raise fail(f"$arrayElemAt's first argument must be an array, but is {type_name(array)}")
        i = _int32("$arrayElemAt", "second argument", index)
        if i < 0:
            i += len(array)
        if 0 <= i < len(array):
            return array[i]
        return MISSING

    return array_elem_at


@operator("$arrayToObject")
def _array_to_object(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$arrayToObject", param, 1)
    fn = compiler.compile(arg)

    def array_to_object(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = fn(doc, variables)
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(f"$arrayToObject requires an array input, found: {type_name(array)}")
        out: dict[str, Any] = {}
        for item in array:
            if item.__class__ is list:
                if len(item) != 2:
                    raise fail(
                        f"$arrayToObject requires an array of size 2 arrays,found array of size: {len(item)}"
                    )
                key, value = item
            elif item.__class__ is dict:
                if len(item) != 2 or "k" not in item or "v" not in item:
                    raise fail(
                        "$arrayToObject requires an object with keys 'k' and 'v', where the value of 'k' "
                        f"is of type string. Found: {show(item)}"
                    )
                key, value = item["k"], item["v"]
            else:
                raise fail(f"Unrecognised input type format for $arrayToObject: {type_name(item)}")
            if key.__class__ is not str:
                raise fail(f"$arrayToObject requires keys of type string, found: {type_name(key)}")
            if "\x00" in key:
                raise fail("Key field cannot contain an embedded null byte")
            out[key] = value
        return out

    return array_to_object


@operator("$concatArrays")
def _concat_arrays(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in (param if param.__class__ is list else [param])]

    def concat_arrays(doc: Any, variables: Mapping[str, Any]) -> Any:
        out: list[Any] = []
        for fn in args:
            value = fn(doc, variables)
            if is_nullish(value):
                return None
            if value.__class__ is not list:
                raise fail(f"$concatArrays only supports arrays, not {type_name(value)}")
            out.extend(value)
        return out

    return concat_arrays


def _spec(
    name: str, param: Any, allowed: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, Any]:
    if param.__class__ is not dict:
        raise fail(f"{name} only supports an object as its argument")
    for key in param:
        if key not in allowed:
            raise fail(f"Unrecognized parameter to {name}: {key}")
    for key in required:
        if key not in param:
            raise fail(f"Missing '{key}' parameter to {name}")
    return param  # type: ignore[no-any-return]


def _variable_name(name: str, spec: Mapping[str, Any], default: str) -> str:
    var = spec.get("as", default)
    check_variable_name(var)
    return var  # type: ignore[no-any-return]


@operator("$filter")
def _filter(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _spec("$filter", param, ("input", "as", "cond"), ("input", "cond"))
    var = _variable_name("$filter", spec, "this")
    input_fn = compiler.compile(spec["input"])
    cond = compiler.with_variables([var]).compile(spec["cond"])

    def filter_(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = input_fn(doc, variables)
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(f"input to $filter must be an array not {type_name(array)}")
        scope = dict(variables)
        out = []
        for item in array:
            scope[var] = item
            if truthy(cond(doc, scope)):
                out.append(item)
        return out

    return filter_


@operator("$map")
def _map(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _spec("$map", param, ("input", "as", "in"), ("input", "in"))
    var = _variable_name("$map", spec, "this")
    input_fn = compiler.compile(spec["input"])
    body = compiler.with_variables([var]).compile(spec["in"])

    def map_(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = input_fn(doc, variables)
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(f"input to $map must be an array not {type_name(array)}")
        scope = dict(variables)
        out = []
        for item in array:
            scope[var] = item
            value = body(doc, scope)
            out.append(None if value is MISSING else value)
        return out

    return map_


@operator("$reduce")
def _reduce(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _spec("$reduce", param, ("input", "initialValue", "in"), ("input", "initialValue", "in"))
    input_fn = compiler.compile(spec["input"])
    initial = compiler.compile(spec["initialValue"])
    body = compiler.with_variables(["this", "value"]).compile(spec["in"])

    def reduce(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = input_fn(doc, variables)
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(f"$reduce requires an array as input, found: {type_name(array)}")
        scope = dict(variables)
        accumulated = initial(doc, variables)
        for item in array:
            scope["this"] = item
            scope["value"] = accumulated
            accumulated = body(doc, scope)
        return accumulated

    return reduce


@operator("$in")
def _in(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    needle_fn, array_fn = (compiler.compile(a) for a in expect_args("$in", param, 2))

    def in_(doc: Any, variables: Mapping[str, Any]) -> Any:
        needle, array = needle_fn(doc, variables), array_fn(doc, variables)
        if array.__class__ is not list:
            raise fail(f"$in requires an array as a second argument, found: {type_name(array)}")
        return any(agg_equal(needle, item) for item in array)

    return in_


@operator("$indexOfArray")
def _index_of_array(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$indexOfArray", param, 2, 4)]

    def index_of_array(doc: Any, variables: Mapping[str, Any]) -> Any:
        values = [fn(doc, variables) for fn in args]
        array, needle = values[0], values[1]
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(
                f"$indexOfArray requires an array as a first argument, found: {type_name(array)}"
            )
        bounds = [_index_bound("$indexOfArray", b) for b in values[2:]]
        start = bounds[0] if bounds else 0
        end = min(bounds[1], len(array)) if len(bounds) > 1 else len(array)
        for i in range(start, end):
            if agg_equal(array[i], needle):
                return i
        return -1

    return index_of_array


def _index_bound(name: str, value: Any) -> int:
    integral = as_int(value)
    if integral is None:
        raise fail(
            f"{name} requires an integral starting index, found a value of type: {type_name(value)}, with value: {show(value)}"
        )
    if integral < 0:
        raise fail(f"{name} requires a nonnegative starting index, found: {integral}")
    return integral


@operator("$isArray")
def _is_array(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$isArray", param, 1)
    fn = compiler.compile(arg)
    return lambda doc, variables: fn(doc, variables).__class__ is list


@operator("$range")
def _range(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$range", param, 2, 3)]

    def range_(doc: Any, variables: Mapping[str, Any]) -> Any:
        values = [fn(doc, variables) for fn in args]
        names = ("starting value", "ending value", "step value")
        start, end, *rest = (_range_int(names[i], v) for i, v in enumerate(values))
        step = rest[0] if rest else 1
        if step == 0:
            raise fail("$range requires a non-zero step value")
        count = len(range(start, end, step))
        if count > MAX_STAGE_DOCUMENTS:
            raise fail(
                f"$range would produce {count} elements; the emulator's limit is {MAX_STAGE_DOCUMENTS}"
            )
        return list(range(start, end, step))

    return range_


def _range_int(what: str, value: Any) -> int:
    if not is_number(value):
        raise fail(f"$range requires a numeric {what}, found value of type: {type_name(value)}")
    integral = as_int(value)
    if integral is None or not INT32_MIN <= integral <= INT32_MAX:
        raise fail(
            f"$range requires a {what} that can be represented as a 32-bit integer, found value: {show(value)}"
        )
    return integral


@operator("$reverseArray")
def _reverse_array(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$reverseArray", param, 1)
    fn = compiler.compile(arg)

    def reverse_array(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = fn(doc, variables)
        if is_nullish(array):
            return None
        if array.__class__ is not list:
            raise fail(
                f"The argument to $reverseArray must be an array, but was of type: {type_name(array)}"
            )
        return array[::-1]

    return reverse_array


@operator("$size")
def _size(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args("$size", param, 1)
    fn = compiler.compile(arg)

    def size(doc: Any, variables: Mapping[str, Any]) -> Any:
        array = fn(doc, variables)
        if array.__class__ is not list:
            raise fail(
                f"The argument to $size must be an array, but was of type: {type_name(array)}"
            )
        return len(array)

    return size


@operator("$slice")
def _slice(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$slice", param, 2, 3)]

    def slice_(doc: Any, variables: Mapping[str, Any]) -> Any:
        values = [fn(doc, variables) for fn in args]
        if any(is_nullish(v) for v in values):
            return None
        array = values[0]
        if array.__class__ is not list:
            raise fail(
                f"First argument to $slice must be an array, but is of type: {type_name(array)}"
            )
        if len(values) == 2:
            n = _slice_int("Second argument to $slice", values[1])
            return array[n:] if n < 0 else array[:n]
        position = _slice_int("Second argument to $slice", values[1])
        n = _slice_int("Third argument to $slice", values[2])
        if n <= 0:
            raise fail(f"Third argument to $slice must be positive: {show(values[2])}")
        if position < 0:
            position = max(0, len(array) + position)
        return array[position : position + n]

    return slice_


def _slice_int(what: str, value: Any) -> int:
    if not is_number(value):
        raise fail(f"{what} must be numeric, but is of type: {type_name(value)}")
    integral = as_int(value)
    if integral is None or not INT32_MIN <= integral <= INT32_MAX:
        raise fail(f"{what} can't be represented as a 32-bit integer: {show(value)}")
    return integral


@operator("$zip")
def _zip(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _spec("$zip", param, ("inputs", "useLongestLength", "defaults"), ())
    inputs_spec = spec.get("inputs", MISSING)
    if inputs_spec.__class__ is not list:
        raise fail(f"inputs must be an array of expressions, found {type_name(inputs_spec)}")
    longest = spec.get("useLongestLength", False)
    if longest.__class__ is not bool:
        raise fail(f"useLongestLength must be a bool, found {type_name(longest)}")
    if "defaults" in spec and not longest:
        raise fail("cannot specify defaults unless useLongestLength is true")
    inputs = [compiler.compile(e) for e in inputs_spec]
    defaults_fn = compiler.compile(spec["defaults"]) if "defaults" in spec else None

    def zip_(doc: Any, variables: Mapping[str, Any]) -> Any:
        arrays = []
        for fn in inputs:
            value = fn(doc, variables)
            if is_nullish(value):
                return None
            if value.__class__ is not list:
                raise fail(f"$zip found a non-array expression in input: {show(value)}")
            arrays.append(value)
        defaults = [None] * len(arrays)
        if defaults_fn is not None:
            given = defaults_fn(doc, variables)
            if given.__class__ is not list:
                raise fail(f"defaults must be an array of expressions, found {type_name(given)}")
            if len(given) != len(arrays):
                raise fail("defaults and inputs must have the same length")
            defaults = given
        if not arrays:
            return []
        length = max(map(len, arrays)) if longest else min(map(len, arrays))
        return [
            [array[i] if i < len(array) else defaults[j] for j, array in enumerate(arrays)]
            for i in range(length)
        ]

    return zip_
