"""Stages that fold documents into groups: ``$group``, ``$bucket``, ``$bucketAuto``,
``$sortByCount`` and ``$count``.

Groups are found with one dict lookup per document on :func:`support.hash_key` of the group key
(MongoDB equality: ``1`` and ``1.0`` share a group, ``true`` and ``1`` do not, null and missing
share one). Output is in first-seen order; MongoDB leaves it unspecified, so sort if you rely on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import Any

from ...errors import UnknownOperatorError
from ..values import MISSING
from .accumulators import ACCUMULATORS, Accumulator
from .expressions import compile_expression, top_level_field
from .support import (
    Evaluator,
    agg_compare,
    as_int,
    fail,
    hash_key,
    is_number,
    show,
    type_name,
)

Doc = dict[str, Any]
AccumulatorSpec = list[tuple[str, Callable[[], Accumulator], Evaluator]]


def parse_accumulators(
    stage: str, fields: Mapping[str, Any], variables: frozenset[str]
) -> AccumulatorSpec:
    out: AccumulatorSpec = []
    for name, spec in fields.items():
        if not isinstance(name, str) or not name:
            raise fail(f"{stage} field names must be non-empty strings, got {name!r}")
        if "." in name:
            raise fail(
                f"the group aggregate field name '{name}' cannot be used because {stage}'s field names cannot contain '.'"
            )
        if name.startswith("$"):
            raise fail(f"the group aggregate field name '{name}' cannot be an operator name")
        if spec.__class__ is not dict:
            raise fail(f"The field '{name}' must be an accumulator object")
        if len(spec) != 1:
            raise fail(f"The field '{name}' must specify one accumulator")
        ((op, arg),) = spec.items()
        factory = ACCUMULATORS.get(op)
        if factory is None:
            raise UnknownOperatorError(
                op, f"{stage} (field {name!r}): unknown group operator", ACCUMULATORS
            )
        if arg.__class__ is list:
            raise fail(f"The {op} accumulator is a unary operator")
        out.append((name, factory, compile_expression(arg, variables)))
    return out


def fold(
    docs: list[Doc],
    key_fn: Evaluator,
    accumulators: AccumulatorSpec,
    variables: Mapping[str, Any],
    fields: tuple[str | None, ...] = (),
) -> list[tuple[Any, list[Accumulator]]]:
    """(group key value, accumulators) per group, in first-seen order.

    ``fields`` may name, for the key and then each accumulator, a top-level field its expression
    just reads (``"$price"``); the common ``{_id: "$a", x: {$sum: "$b"}, y: {$avg: "$c"}}`` then
    runs without any evaluator call.

    The hot loop: one key evaluation, one dict lookup (strings are their own hash key) and, per
    accumulator, one evaluation and one pre-bound ``add`` call.
    """
    groups: dict[Any, tuple[Any, list[Accumulator], tuple[Callable[[Any], None], ...]]] = {}
    factories = [f for _, f, _ in accumulators]
    fns = [fn for _, _, fn in accumulators]

    def new_group(key: Any) -> tuple[Any, list[Accumulator], tuple[Callable[[Any], None], ...]]:
        accs = [f() for f in factories]
        return key, accs, tuple(acc.add for acc in accs)

    if len(fns) == 2 and len(fields) == 3 and None not in fields:
        key_name, first_name, second_name = fields
        for doc in docs:
            key = doc.get(key_name, MISSING)  # type: ignore[arg-type]
            hashed = key if key.__class__ is str else hash_key(key)
            group = groups.get(hashed)
            if group is None:
                group = groups[hashed] = new_group(key)
            adds = group[2]
            adds[0](doc.get(first_name, MISSING))  # type: ignore[arg-type]
            adds[1](doc.get(second_name, MISSING))  # type: ignore[arg-type]
    elif len(fns) == 2:  # the common shape, unrolled: no inner loop per document
        first_fn, second_fn = fns
        for doc in docs:
            key = key_fn(doc, variables)
            hashed = key if key.__class__ is str else hash_key(key)
            group = groups.get(hashed)
            if group is None:
                group = groups[hashed] = new_group(key)
            adds = group[2]
            adds[0](first_fn(doc, variables))
            adds[1](second_fn(doc, variables))
    else:
        for doc in docs:
            key = key_fn(doc, variables)
            hashed = key if key.__class__ is str else hash_key(key)
            group = groups.get(hashed)
            if group is None:
                group = groups[hashed] = new_group(key)
            for add, fn in zip(group[2], fns):
                add(fn(doc, variables))
    return [(key, accs) for key, accs, _ in groups.values()]


def _output(key: Any, accs: list[Accumulator], accumulators: AccumulatorSpec) -> Doc:
    out: Doc = {"_id": None if key is MISSING else key}
    for (name, _, _), acc in zip(accumulators, accs):
        out[name] = acc.result()
    return out


def compile_group(
    spec: Any, variables: frozenset[str]
) -> Callable[[list[Doc], Mapping[str, Any]], list[Doc]]:
    if spec.__class__ is not dict:
        raise fail(f"a group's fields must be specified in an object, got {show(spec)}")
    if "_id" not in spec:
        raise fail("a group specification must include an _id")
    key_fn = compile_expression(spec["_id"], variables)
    fields = {k: v for k, v in spec.items() if k != "_id"}
    accumulators = parse_accumulators("$group", fields, variables)
    inline = (
        top_level_field(spec["_id"]),
        *(top_level_field(next(iter(v.values()))) for v in fields.values()),
    )

    def group(docs: list[Doc], scope: Mapping[str, Any]) -> list[Doc]:
        return [
            _output(key, accs, accumulators)
            for key, accs in fold(docs, key_fn, accumulators, scope, inline)
        ]

    return group


def compile_sort_by_count(
    spec: Any, variables: frozenset[str]
) -> Callable[[list[Doc], Mapping[str, Any]], list[Doc]]:
    is_path = spec.__class__ is str and spec.startswith("$") and not spec.startswith("$$")
    is_expression = spec.__class__ is dict and len(spec) == 1 and next(iter(spec)).startswith("$")
    if not (is_path or is_expression):
        raise fail("the sortByCount field must be defined as a $-prefixed path or an expression")
    key_fn = compile_expression(spec, variables)
    counting: AccumulatorSpec = [("count", ACCUMULATORS["$sum"], lambda doc, v: 1)]

    def sort_by_count(docs: list[Doc], scope: Mapping[str, Any]) -> list[Doc]:
        groups = [_output(key, accs, counting) for key, accs in fold(docs, key_fn, counting, scope)]
        groups.sort(key=lambda g: -g["count"])
        return groups

    return sort_by_count


def compile_count(spec: Any) -> Callable[[list[Doc], Mapping[str, Any]], list[Doc]]:
    if spec.__class__ is not str or not spec:
        raise fail(f"the count field must be a non-empty string, got {show(spec)}")
    if spec.startswith("$"):
        raise fail("the count field cannot be a $-prefixed path")
    if "." in spec:
        raise fail("the count field cannot contain '.'")
    if "\x00" in spec:
        raise fail("the count field cannot contain a null byte")

    def count(docs: list[Doc], scope: Mapping[str, Any]) -> list[Doc]:
        return [{spec: len(docs)}] if docs else []

    return count


# --------------------------------------------------------------------------- $bucket


def _check_options(
    stage: str, spec: Any, allowed: tuple[str, ...], required: tuple[str, ...]
) -> Mapping[str, Any]:
    if spec.__class__ is not dict:
        raise fail(
            f"Argument to {stage} stage must be an object, but found type: {type_name(spec)}."
        )
    for key in spec:
        if key not in allowed:
            raise fail(f"Unrecognized option to {stage}: {key}.")
    missing = [k for k in required if k not in spec]
    if missing:
        names = "' and '".join(required)
        raise fail(f"{stage} requires '{names}' to be specified")
    return spec  # type: ignore[no-any-return]


def _group_by(stage: str, spec: Any, variables: frozenset[str]) -> Evaluator:
    expr = spec["groupBy"]
    is_path = expr.__class__ is str and expr.startswith("$")
    is_operator = expr.__class__ is dict and bool(expr) and str(next(iter(expr))).startswith("$")
    if not (is_path or is_operator):
        raise fail(
            f"The {stage} 'groupBy' field must be defined as a $-prefixed path or an expression object, but found: {show(expr)}."
        )
    return compile_expression(expr, variables)


def _output_spec(stage: str, spec: Mapping[str, Any], variables: frozenset[str]) -> AccumulatorSpec:
    if "output" not in spec:
        return [("count", ACCUMULATORS["$sum"], lambda doc, v: 1)]
    output = spec["output"]
    if output.__class__ is not dict:
        raise fail(
            f"The {stage} 'output' field must be an object, but found type: {type_name(output)}."
        )
    return parse_accumulators(stage, output, variables)


def compile_bucket(
    spec: Any, variables: frozenset[str]
) -> Callable[[list[Doc], Mapping[str, Any]], list[Doc]]:
    spec = _check_options(
        "$bucket", spec, ("groupBy", "boundaries", "default", "output"), ("groupBy", "boundaries")
    )
    key_fn = _group_by("$bucket", spec, variables)
    boundaries = spec["boundaries"]
    if boundaries.__class__ is not list or len(boundaries) < 2:
        raise fail(
            "The $bucket 'boundaries' field must have at least 2 values, but found: "
            + show(boundaries)
        )
    for low, high in pairwise(boundaries):
        if type_name(low) != type_name(high) and not (is_number(low) and is_number(high)):
            raise fail(
                "All values in the the 'boundaries' option to $bucket must have the same type. "
                f"Found conflicting types {type_name(low)} and {type_name(high)}."
            )
        if agg_compare(low, high) >= 0:
            raise fail(
                "The 'boundaries' option to $bucket must be sorted in ascending order, but elements "
                f"{show(low)} and {show(high)} are not in ascending order."
            )
    has_default = "default" in spec
    default = spec.get("default")
    if (
        has_default
        and agg_compare(boundaries[0], default) <= 0
        and agg_compare(default, boundaries[-1]) < 0
    ):
        raise fail(
            "The $bucket 'default' field must be less than the lowest boundary or greater than or "
            "equal to the highest boundary."
        )
    accumulators = _output_spec("$bucket", spec, variables)

    def bucket_of(value: Any) -> Any:
        if (
            value is not MISSING
            and agg_compare(boundaries[0], value) <= 0
            and agg_compare(value, boundaries[-1]) < 0
        ):
            lo, hi = 0, len(boundaries) - 1
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if agg_compare(boundaries[mid], value) <= 0:
                    lo = mid
                else:
                    hi = mid
            return boundaries[lo]
        if not has_default:
            raise fail(
                "$bucket could not find a matching branch for an input, and no default was specified. "
                f"The groupBy value {show(value)} is outside the boundaries {show(boundaries)}."
            )
        return default

    def bucket(docs: list[Doc], scope: Mapping[str, Any]) -> list[Doc]:
        groups: dict[Any, tuple[Any, list[Accumulator]]] = {}
        for doc in docs:
            key = bucket_of(key_fn(doc, scope))
            hashed = hash_key(key)
            found = groups.get(hashed)
            if found is None:
                found = groups[hashed] = (key, [factory() for _, factory, _ in accumulators])
            for acc, (_, _, fn) in zip(found[1], accumulators):
                acc.add(fn(doc, scope))
        out = [_output(key, accs, accumulators) for key, accs in groups.values()]
        out.sort(key=lambda row: _Ordered(row["_id"]))
        return out

    return bucket


# --------------------------------------------------------------------------- $bucketAuto


def compile_bucket_auto(
    spec: Any, variables: frozenset[str]
) -> Callable[[list[Doc], Mapping[str, Any]], list[Doc]]:
    from .granularity import rounder

    spec = _check_options(
        "$bucketAuto", spec, ("groupBy", "buckets", "output", "granularity"), ("groupBy", "buckets")
    )
    key_fn = _group_by("$bucketAuto", spec, variables)
    buckets = spec["buckets"]
    if not is_number(buckets):
        raise fail(
            f"The $bucketAuto 'buckets' field must be a numeric value, but found type: {type_name(buckets)}"
        )
    count = as_int(buckets)
    if count is None or not -(2**31) <= count <= 2**31 - 1:
        raise fail(
            f"The $bucketAuto 'buckets' field must be representable as a 32-bit integer, but found {buckets}"
        )
    if count <= 0:
        raise fail(f"The $bucketAuto 'buckets' field must be greater than 0, but found: {count}")
    accumulators = _output_spec("$bucketAuto", spec, variables)
    granularity = rounder(spec["granularity"]) if "granularity" in spec else None

    def bucket_auto(docs: list[Doc], scope: Mapping[str, Any]) -> list[Doc]:
        keyed = []
        for doc in docs:
            value = key_fn(doc, scope)
            if value is MISSING:
                value = None
            if granularity is not None:
                _check_granular(value)
            keyed.append((value, doc))
        keyed.sort(key=lambda pair: _Ordered(pair[0]))
        buckets = _fill(keyed, count, granularity)
        out = []
        for low, high, members in buckets:
            accs = [factory() for _, factory, _ in accumulators]
            for doc in members:
                for acc, (_, _, fn) in zip(accs, accumulators):
                    acc.add(fn(doc, scope))
            row: Doc = {"_id": {"min": low, "max": high}}
            for (name, _, _), acc in zip(accumulators, accs):
                row[name] = acc.result()
            out.append(row)
        return out

    return bucket_auto


class _Ordered:
    """Sort key for values in aggregation's BSON order (missing below null)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: _Ordered) -> bool:
        return agg_compare(self.value, other.value) < 0


def _check_granular(value: Any) -> None:
    if not is_number(value):
        raise fail(
            "$bucketAuto can specify a 'granularity' with numeric boundaries only, but found a "
            f"value with type: {type_name(value)}"
        )
    if value != value:
        raise fail(
            "$bucketAuto can specify a 'granularity' with numeric boundaries only, but found a NaN"
        )
    if value < 0:
        raise fail(
            "$bucketAuto can specify a 'granularity' with non-negative numbers only, but found a negative number"
        )


def _fill(
    keyed: list[tuple[Any, Doc]], count: int, granularity: Any
) -> list[tuple[Any, Any, list[Doc]]]:
    """MongoDB's ``populateBuckets``: ~n/buckets documents each, equal values never split, and
    with a granularity every boundary rounded onto the series."""
    n = len(keyed)
    size = max(1, math.floor(n / count + 0.5))  # C's round(): halves go up, not to even
    buckets: list[list[Any]] = []  # [min, max, members]
    i = 0
    for number in range(count):
        if i >= n:
            break
        low = high = keyed[i][0]
        members = [keyed[i][1]]
        i += 1
        if number == count - 1:
            members.extend(d for _, d in keyed[i:])
            if i < n:
                high = keyed[-1][0]
            i = n
        else:
            for value, doc in keyed[i : i + size - 1]:
                members.append(doc)
                high = value
            i = min(n, i + size - 1)
            if granularity is not None:
                boundary = granularity.round_up(high)
                while i < n and agg_compare(boundary, keyed[i][0]) > 0:
                    members.append(keyed[i][1])
                    high = keyed[i][0]
                    i += 1
                if i < n:
                    high = boundary
            else:
                while i < n and agg_compare(keyed[i][0], high) == 0:
                    members.append(keyed[i][1])
                    i += 1
        _add_bucket(buckets, [low, high, members], granularity)
    if buckets and granularity is not None:
        buckets[0][0] = granularity.round_down(buckets[0][0])
        buckets[-1][1] = granularity.round_up(buckets[-1][1])
    return [(low, high, members) for low, high, members in buckets]


def _add_bucket(buckets: list[list[Any]], bucket: list[Any], granularity: Any) -> None:
    """MongoDB's ``addBucket``: boundaries are shared, minimums inclusive, maximums exclusive."""
    if buckets:
        previous = buckets[-1]
        if granularity is None:
            previous[1] = bucket[0]
        else:
            if previous[1] == 0:
                previous[1] = granularity.round_down(bucket[0])
            bucket[0] = previous[1]
    buckets.append(bucket)
