"""Shared rules of aggregation expressions: errors, type names, truthiness, BSON order.

Aggregation differs from ``find`` in one visible way: a missing field is its own value
(``undefined``), ordered *below* null, so ``{$eq: ["$nope", null]}`` is false while the query
``{nope: null}`` matches. :func:`agg_compare` encodes that; everything else defers to
:mod:`pytest_wxcloud.database.compare`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ...errors import DatabaseError
from ..compare import compare
from ..paths import bson_repr, bson_type_name
from ..values import INT64_MAX, INT64_MIN, MISSING

#: (current document, variables) -> value. ``variables`` holds let/$map/$filter bindings, and
#: ``ROOT`` only when ``$$CURRENT`` has been rebound (otherwise ROOT is the current document).
Evaluator = Callable[[Any, Mapping[str, Any]], Any]

NO_VARIABLES: Mapping[str, Any] = {}


def fail(message: str) -> DatabaseError:
    """A MongoDB rejection (-502001, ``database request fail``) carrying MongoDB's own text."""
    return DatabaseError(-502001, message)


def type_name(value: Any) -> str:
    """MongoDB's type alias for error messages; ``missing`` for an absent value."""
    return "missing" if value is MISSING else bson_type_name(value)


def show(value: Any) -> str:
    return "MISSING" if value is MISSING else bson_repr(value)


def is_number(value: Any) -> bool:
    cls = value.__class__
    return cls is int or cls is float


def is_nullish(value: Any) -> bool:
    return value is None or value is MISSING


def truthy(value: Any) -> bool:
    """MongoDB's ``coerceToBool``: false, null, missing and numeric zero are false; all else true
    (including ``""``, ``[]`` and ``{}``)."""
    if value is None or value is MISSING or value is False:
        return False
    cls = value.__class__
    if cls is int or cls is float:
        return bool(value != 0)
    return True


def fit_int(value: int) -> int | float:
    """64-bit overflow turns an integer result into a double, as MongoDB's arithmetic does."""
    if INT64_MIN <= value <= INT64_MAX:
        return value
    return float(value)


def agg_compare(a: Any, b: Any) -> int:
    """BSON order with ``missing`` below ``null`` (aggregation semantics)."""
    if a is MISSING or b is MISSING:
        if a is b:
            return 0
        return -1 if a is MISSING else 1
    return compare(a, b)


def agg_equal(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return compare(a, b) == 0


def operand_list(param: Any) -> list[Any]:
    """An operator's operands: a list as given, any other value as the single operand."""
    return list(param) if param.__class__ is list else [param]


def expect_args(name: str, param: Any, low: int, high: int | None = None) -> list[Any]:
    """Operands with MongoDB's arity errors (``Expression $x takes exactly 2 arguments. …``)."""
    args = operand_list(param)
    high = low if high is None else high
    if low <= len(args) <= high:
        return args
    if low == high:
        raise fail(f"Expression {name} takes exactly {low} arguments. {len(args)} were passed in.")
    if len(args) < low:
        raise fail(
            f"Expression {name} takes at least {low} arguments, and {len(args)} were passed in."
        )
    raise fail(f"Expression {name} takes at most {high} arguments, and {len(args)} were passed in.")


def as_int(value: Any) -> int | None:
    """An integral number as ``int`` (``2.0`` counts), else None."""
    cls = value.__class__
    if cls is int:
        return value  # type: ignore[no-any-return]
    if (
        cls is float
        and value == value
        and value not in (float("inf"), float("-inf"))
        and value == int(value)
    ):
        return int(value)
    return None


def hash_key(value: Any) -> Any:
    """A hashable stand-in with MongoDB equality: ``1 == 1.0``, ``True != 1``, null == missing.

    Used to bucket values ($group, $addToSet, set operators, $lookup joins) in one dict lookup
    instead of pairwise comparisons.
    """
    cls = value.__class__
    if cls is str:
        return value
    if cls is int:
        return value
    if cls is float:
        return value if value == value else _NAN
    if value is None or value is MISSING:
        return None
    if cls is bool:
        return (_BOOL, value)
    if cls is dict:
        return (_OBJECT, tuple((k, hash_key(v)) for k, v in value.items()))
    if cls is list:
        return (_ARRAY, tuple(hash_key(v) for v in value))
    if hasattr(value, "isoformat"):
        return (_DATE, value)
    return (_REGEX, value.pattern, value.options)


class _Tag:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


_NAN, _BOOL, _OBJECT, _ARRAY, _DATE, _REGEX = (
    _Tag(n) for n in ("nan", "bool", "object", "array", "date", "regex")
)


def check_variable_name(name: Any) -> None:
    """User variable names: a lowercase ASCII letter (or non-ASCII) first, then word characters."""
    if not isinstance(name, str) or not name:
        raise fail(f"empty variable names are not allowed, got {name!r}")
    first = name[0]
    if not (first.islower() or ord(first) > 127):
        raise fail(f"'{name}' starts with an invalid character for a user variable name")
    for ch in name[1:]:
        if not (ch.isalnum() or ch == "_" or ord(ch) > 127):
            raise fail(f"'{name}' contains an invalid character for a variable name: '{ch}'")


#: The most documents any stage may emit (or ``$lookup`` may join in total). MongoDB itself has no
#: such count limit but fails on memory (100 MB per stage); a bound on count keeps a runaway
#: ``$unwind`` cross product from exhausting the test process and gives a clear error instead.
MAX_STAGE_DOCUMENTS = 1_000_000


@dataclass(frozen=True)
class RunContext:
    """What a running pipeline needs besides its documents."""

    source: Callable[[str], list[dict[str, Any]]]  # another collection's documents ($lookup)
    rng: random.Random  # $sample
    variables: Mapping[str, Any]  # $lookup let-variables in a sub-pipeline

    def with_variables(self, variables: Mapping[str, Any]) -> RunContext:
        return RunContext(self.source, self.rng, variables)


#: A compiled stage: documents in, new documents out (inputs are never modified).
StageFn = Callable[[list[dict[str, Any]], RunContext], list[dict[str, Any]]]


class SubPipeline(Protocol):
    def run(self, docs: list[dict[str, Any]], ctx: RunContext) -> list[dict[str, Any]]: ...
