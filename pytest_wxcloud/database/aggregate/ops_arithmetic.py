"""Arithmetic expression operators with MongoDB's type rules.

Null or missing operands give null; other non-numbers are rejected with MongoDB's message; int
arithmetic stays int until it overflows 64 bits (then double), like ``NumberLong`` → double.
Dates take part in ``$add``/``$subtract`` as milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from .registry import ExpressionCompiler, operator
from .support import (
    Evaluator,
    as_int,
    expect_args,
    fail,
    fit_int,
    is_nullish,
    is_number,
    type_name,
)

_MS = timedelta(milliseconds=1)


def _shift_date(moment: datetime, ms: float) -> datetime:
    try:
        whole = math.floor(abs(ms) + 0.5)  # llround: halves away from zero
        return moment + timedelta(milliseconds=whole if ms >= 0 else -whole)
    except (OverflowError, ValueError):
        raise fail(
            f"date arithmetic overflow: {moment.isoformat()} + {ms} ms is out of range"
        ) from None


@operator("$add")
def _add(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in (param if param.__class__ is list else [param])]

    def add(doc: Any, variables: Mapping[str, Any]) -> Any:
        total: Any = 0
        date: datetime | None = None
        for fn in args:
            value = fn(doc, variables)
            cls = value.__class__
            if cls is int or cls is float:
                total += value
            elif is_nullish(value):
                return None
            elif isinstance(value, datetime):
                if date is not None:
                    raise fail("only one date allowed in an $add expression")
                date = value
            else:
                raise fail(f"$add only supports numeric or date types, not {type_name(value)}")
        if date is not None:
            return _shift_date(date, total)
        return fit_int(total) if total.__class__ is int else total

    return add


@operator("$multiply")
def _multiply(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in (param if param.__class__ is list else [param])]

    def multiply(doc: Any, variables: Mapping[str, Any]) -> Any:
        product: Any = 1
        for fn in args:
            value = fn(doc, variables)
            cls = value.__class__
            if cls is int or cls is float:
                product *= value
            elif is_nullish(value):
                return None
            else:
                raise fail(f"$multiply only supports numeric types, not {type_name(value)}")
        return fit_int(product) if product.__class__ is int else product

    return multiply


def _binary(name: str, param: Any, compiler: ExpressionCompiler) -> tuple[Evaluator, Evaluator]:
    left, right = (compiler.compile(a) for a in expect_args(name, param, 2))
    return left, right


def _numeric_pair(name: str, a: Any, b: Any) -> None:
    if not is_number(a) or not is_number(b):
        raise fail(f"{name} only supports numeric types, not {type_name(a)} and {type_name(b)}")


@operator("$subtract")
def _subtract(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = _binary("$subtract", param, compiler)

    def subtract(doc: Any, variables: Mapping[str, Any]) -> Any:
        a, b = left(doc, variables), right(doc, variables)
        if is_nullish(a) or is_nullish(b):
            return None
        if is_number(a) and is_number(b):
            result = a - b
            return fit_int(result) if result.__class__ is int else result
        if isinstance(a, datetime):
            if isinstance(b, datetime):
                return (a - b) // _MS
            if is_number(b):
                return _shift_date(a, -b)
        raise fail(
            f"cant $subtract a{'n' if type_name(b)[0] in 'aeiou' else ''} {type_name(b)} from a {type_name(a)}"
        )

    return subtract


@operator("$divide")
def _divide(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = _binary("$divide", param, compiler)

    def divide(doc: Any, variables: Mapping[str, Any]) -> Any:
        a, b = left(doc, variables), right(doc, variables)
        if is_nullish(a) or is_nullish(b):
            return None
        _numeric_pair("$divide", a, b)
        if b == 0:
            raise fail("can't $divide by zero")
        return a / b

    return divide


@operator("$mod")
def _mod(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = _binary("$mod", param, compiler)

    def mod(doc: Any, variables: Mapping[str, Any]) -> Any:
        a, b = left(doc, variables), right(doc, variables)
        if is_nullish(a) or is_nullish(b):
            return None
        _numeric_pair("$mod", a, b)
        if b == 0:
            raise fail("can't $mod by zero")
        if a.__class__ is int and b.__class__ is int:
            remainder = abs(a) % abs(b)  # sign of the dividend, like C's %
            return -remainder if a < 0 else remainder
        if math.isinf(a) or a != a or b != b:
            return math.nan
        return math.fmod(a, b)

    return mod


@operator("$pow")
def _pow(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = _binary("$pow", param, compiler)

    def power(doc: Any, variables: Mapping[str, Any]) -> Any:
        base, exponent = left(doc, variables), right(doc, variables)
        if is_nullish(base) or is_nullish(exponent):
            return None
        if not is_number(base):
            raise fail(f"$pow's base must be numeric, not {type_name(base)}")
        if not is_number(exponent):
            raise fail(f"$pow's exponent must be numeric, not {type_name(exponent)}")
        if base == 0 and exponent < 0:
            raise fail("$pow cannot take a base of 0 and a negative exponent")
        if base.__class__ is int and exponent.__class__ is int:
            if exponent >= 0 and (abs(base) <= 1 or exponent * math.log2(abs(base)) < 64):
                return fit_int(base**exponent)
            if exponent < 0:
                return float(base) ** exponent
        try:
            result = float(base) ** exponent
        except OverflowError:
            return math.inf
        if isinstance(result, complex):
            return math.nan
        return result

    return power


def _unary(name: str, param: Any, compiler: ExpressionCompiler) -> Evaluator:
    (arg,) = expect_args(name, param, 1)
    return compiler.compile(arg)


def _numeric_unary(name: str, fn: Callable[[Any], Any]) -> None:
    @operator(name)
    def compile_unary(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        arg = _unary(name, param, compiler)

        def unary(doc: Any, variables: Mapping[str, Any]) -> Any:
            value = arg(doc, variables)
            if is_nullish(value):
                return None
            if not is_number(value):
                raise fail(f"{name} only supports numeric types, not {type_name(value)}")
            return fn(value)

        return unary


def _round_toward(fn: Callable[[float], int]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if value.__class__ is int or not math.isfinite(value):
            return value
        return float(fn(value))

    return apply


def _positive_log(name: str, fn: Callable[[float], float]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        if value <= 0 or value != value:
            raise fail(f"{name}'s argument must be a positive number, but is {_num(value)}")
        return fn(value)

    return apply


def _num(value: Any) -> str:
    return repr(value) if value.__class__ is float else str(value)


def _sqrt(value: Any) -> float:
    if value < 0:
        raise fail("$sqrt's argument must be greater than or equal to 0")
    return math.sqrt(value)


def _exp(value: Any) -> float:
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


_numeric_unary("$abs", lambda v: fit_int(abs(v)) if v.__class__ is int else abs(v))
_numeric_unary("$ceil", _round_toward(math.ceil))
_numeric_unary("$floor", _round_toward(math.floor))
_numeric_unary("$exp", _exp)
_numeric_unary("$sqrt", _sqrt)
_numeric_unary("$ln", _positive_log("$ln", math.log))
_numeric_unary("$log10", _positive_log("$log10", math.log10))


@operator("$log")
def _log(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = _binary("$log", param, compiler)

    def log(doc: Any, variables: Mapping[str, Any]) -> Any:
        value, base = left(doc, variables), right(doc, variables)
        if is_nullish(value) or is_nullish(base):
            return None
        if not is_number(value):
            raise fail(f"$log's argument must be numeric, not {type_name(value)}")
        if not is_number(base):
            raise fail(f"$log's base must be numeric, not {type_name(base)}")
        if value <= 0 or value != value:
            raise fail(f"$log's argument must be a positive number, but is {_num(value)}")
        if base <= 0 or base == 1 or base != base:
            raise fail(f"$log's base must be a positive number not equal to 1, but is {_num(base)}")
        return math.log(value) / math.log(base)

    return log


@operator("$trunc")
def _trunc(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in expect_args("$trunc", param, 1, 2)]

    def trunc(doc: Any, variables: Mapping[str, Any]) -> Any:
        value = args[0](doc, variables)
        place = args[1](doc, variables) if len(args) == 2 else 0
        if is_nullish(value) or is_nullish(place):
            return None
        if not is_number(value):
            raise fail(f"$trunc only supports numeric types, not {type_name(value)}")
        integral_place = as_int(place) if is_number(place) else None
        if integral_place is None or not -20 <= integral_place <= 100:
            raise fail(
                '$trunc requires "place" argument to be an integer between -20 and 100, '
                f"but got {_num(place) if is_number(place) else type_name(place)}"
            )
        place = integral_place
        if value.__class__ is int:
            if place >= 0:
                return value
            step = 10**-place
            kept = abs(value) // step * step
            return kept if value >= 0 else -kept
        if not math.isfinite(value):
            return value
        factor = 10.0**place
        scaled = value * factor
        if not math.isfinite(scaled):
            return value
        return math.trunc(scaled) / factor

    return trunc
