"""String operators. Byte variants count UTF-8 bytes, CP variants count code points; case
conversion and ``$strcasecmp`` only fold ASCII letters, as MongoDB does."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .registry import ExpressionCompiler, operator
from .support import (
    Evaluator,
    as_int,
    expect_args,
    fail,
    is_nullish,
    is_number,
    operand_list,
    type_name,
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def coerce_to_string(value: Any, operator_name: str) -> str:
    """MongoDB's ``coerceToString``: null/missing → "", numbers and dates → their text."""
    cls = value.__class__
    if cls is str:
        return value  # type: ignore[no-any-return]
    if is_nullish(value):
        return ""
    if cls is int:
        return str(value)
    if cls is float:
        return format(value, "g")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    raise fail(f"{operator_name}: can't convert from BSON type {type_name(value)} to String")


@operator("$concat")
def _concat(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    args = [compiler.compile(a) for a in operand_list(param)]

    def concat(doc: Any, variables: Mapping[str, Any]) -> Any:
        parts = []
        for fn in args:
            value = fn(doc, variables)
            if value.__class__ is str:
                parts.append(value)
            elif is_nullish(value):
                return None
            else:
                raise fail(f"$concat only supports strings, not {type_name(value)}")
        return "".join(parts)

    return concat


def _index_of(name: str, encode: bool) -> None:
    @operator(name)
    def compile_index_of(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        args = [compiler.compile(a) for a in expect_args(name, param, 2, 4)]

        def index_of(doc: Any, variables: Mapping[str, Any]) -> Any:
            values = [fn(doc, variables) for fn in args]
            text, token = values[0], values[1]
            if is_nullish(text):
                return None
            if text.__class__ is not str:
                raise fail(
                    f"{name} requires a string as the first argument, found: {type_name(text)}"
                )
            if token.__class__ is not str:
                raise fail(
                    f"{name} requires a string as the second argument, found: {type_name(token)}"
                )
            bounds = []
            for value in values[2:]:
                integral = as_int(value)
                if integral is None:
                    raise fail(
                        f"{name} requires an integral starting index, found a value of type: {type_name(value)}"
                    )
                if integral < 0:
                    raise fail(f"{name} requires a nonnegative start index, found: {integral}")
                bounds.append(integral)
            haystack: Any = text.encode() if encode else text
            needle: Any = token.encode() if encode else token
            start = bounds[0] if bounds else 0
            end = bounds[1] if len(bounds) > 1 else len(haystack)
            if start > len(haystack) or start > end:
                return -1
            return haystack.find(needle, start, end)

        return index_of


_index_of("$indexOfBytes", encode=True)
_index_of("$indexOfCP", encode=False)


@operator("$split")
def _split(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    text_fn, sep_fn = (compiler.compile(a) for a in expect_args("$split", param, 2))

    def split(doc: Any, variables: Mapping[str, Any]) -> Any:
        text, separator = text_fn(doc, variables), sep_fn(doc, variables)
        if is_nullish(text):
            return None
        if text.__class__ is not str:
            raise fail(
                f"$split requires an expression that evaluates to a string as a first argument, found: {type_name(text)}"
            )
        if separator.__class__ is not str:
            raise fail(
                f"$split requires an expression that evaluates to a string as a second argument, found: {type_name(separator)}"
            )
        if not separator:
            raise fail("$split requires a non-empty separator")
        return text.split(separator)

    return split


def _length(name: str, encode: bool) -> None:
    @operator(name)
    def compile_length(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        (arg,) = expect_args(name, param, 1)
        fn = compiler.compile(arg)

        def length(doc: Any, variables: Mapping[str, Any]) -> Any:
            value = fn(doc, variables)
            if value.__class__ is not str:
                raise fail(f"{name} requires a string argument, found: {type_name(value)}")
            return len(value.encode()) if encode else len(value)

        return length


_length("$strLenBytes", encode=True)
_length("$strLenCP", encode=False)


@operator("$strcasecmp")
def _strcasecmp(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    left, right = (compiler.compile(a) for a in expect_args("$strcasecmp", param, 2))

    def strcasecmp(doc: Any, variables: Mapping[str, Any]) -> Any:
        a = coerce_to_string(left(doc, variables), "$strcasecmp").translate(_ASCII_UPPER).encode()
        b = coerce_to_string(right(doc, variables), "$strcasecmp").translate(_ASCII_UPPER).encode()
        return (a > b) - (a < b)

    return strcasecmp


def _case(name: str, table: dict[int, int]) -> None:
    @operator(name)
    def compile_case(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        (arg,) = expect_args(name, param, 1)
        fn = compiler.compile(arg)
        return lambda doc, variables: coerce_to_string(fn(doc, variables), name).translate(table)


_case("$toLower", _ASCII_LOWER)
_case("$toUpper", _ASCII_UPPER)


def _count(name: str, what: str, value: Any) -> int:
    if not is_number(value):
        raise fail(f"{name}: {what} must be a numeric type (is BSON type {type_name(value)})")
    if value != value or value in (float("inf"), float("-inf")):
        raise fail(f"{name}: {what} cannot be represented as a 64-bit integral value: {value}")
    return int(value)


@operator("$substrBytes", "$substr")
def _substr_bytes(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    text_fn, start_fn, length_fn = (
        compiler.compile(a) for a in expect_args("$substrBytes", param, 3)
    )

    def substr_bytes(doc: Any, variables: Mapping[str, Any]) -> Any:
        data = coerce_to_string(text_fn(doc, variables), "$substrBytes").encode()
        start = _count("$substrBytes", "starting index", start_fn(doc, variables))
        length = _count("$substrBytes", "length", length_fn(doc, variables))
        if start < 0 or start >= len(data):
            return ""  # MongoDB reads the start as unsigned: a negative start is past the end
        end = len(data) if length < 0 else min(len(data), start + length)
        if data[start] & 0xC0 == 0x80:
            raise fail("$substrBytes:  Invalid range, starting index is a UTF-8 continuation byte.")
        if end < len(data) and data[end] & 0xC0 == 0x80:
            raise fail(
                "$substrBytes:  Invalid range, ending index is in the middle of a UTF-8 character."
            )
        return data[start:end].decode()

    return substr_bytes


@operator("$substrCP")
def _substr_cp(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    text_fn, start_fn, length_fn = (compiler.compile(a) for a in expect_args("$substrCP", param, 3))

    def substr_cp(doc: Any, variables: Mapping[str, Any]) -> Any:
        text = coerce_to_string(text_fn(doc, variables), "$substrCP")
        start_value, length_value = start_fn(doc, variables), length_fn(doc, variables)
        if not is_number(start_value):
            raise fail(
                f"$substrCP: starting index must be a numeric type (is BSON type {type_name(start_value)})"
            )
        if not is_number(length_value):
            raise fail(
                f"$substrCP: length must be a numeric type (is BSON type {type_name(length_value)})"
            )
        start, length = as_int(start_value), as_int(length_value)
        if start is None:
            raise fail(
                f"$substrCP: starting index cannot be represented as a 32-bit integral value: {start_value}"
            )
        if length is None:
            raise fail(
                f"$substrCP: length cannot be represented as a 32-bit integral value: {length_value}"
            )
        if start < 0:
            raise fail("$substrCP: starting index must be non-negative (got: " + str(start) + ")")
        if length < 0:
            raise fail("$substrCP: length must be a nonnegative integer.")
        return text[start : start + length]

    return substr_cp
