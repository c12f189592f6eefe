"""``$group`` accumulators, and the expression forms of ``$sum $avg $max $min $stdDev*``.

MongoDB's rules for odd inputs, which hand-written reductions usually get wrong:

* ``$sum``/``$avg``/``$stdDev*`` ignore non-numbers (strings, null, missing, arrays); ``$sum`` of
  nothing is 0, ``$avg``/``$stdDev*`` of nothing is null, ``$stdDevSamp`` of one value is null.
* ``$sum`` keeps integers integral (overflowing to double); ``$avg`` is always a double.
* ``$min``/``$max`` ignore null and missing and compare everything else in BSON order.
* ``$first``/``$last`` report a missing value as null; ``$push``/``$addToSet`` skip missing
  values but keep nulls.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from ..values import MISSING
from .ops_object_set import merge_into
from .registry import ExpressionCompiler, operator
from .support import Evaluator, agg_compare, fit_int, hash_key


class Accumulator:
    """One group's running state for one output field."""

    __slots__ = ()

    def add(self, value: Any) -> None:
        raise NotImplementedError

    def result(self) -> Any:
        raise NotImplementedError


class Sum(Accumulator):
    __slots__ = ("total",)

    def __init__(self) -> None:
        self.total: int | float = 0

    def add(self, value: Any) -> None:
        cls = value.__class__
        if cls is int or cls is float:
            self.total += value

    def result(self) -> Any:
        total = self.total
        return fit_int(total) if total.__class__ is int else total


class Avg(Accumulator):
    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.total: int | float = 0
        self.count = 0

    def add(self, value: Any) -> None:
        cls = value.__class__
        if cls is int or cls is float:
            self.total += value
            self.count += 1

    def result(self) -> Any:
        return self.total / self.count if self.count else None


class First(Accumulator):
    __slots__ = ("seen", "value")

    def __init__(self) -> None:
        self.seen = False
        self.value: Any = None

    def add(self, value: Any) -> None:
        if not self.seen:
            self.seen = True
            self.value = value

    def result(self) -> Any:
        return None if self.value is MISSING else self.value


class Last(Accumulator):
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None

    def add(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return None if self.value is MISSING else self.value


class Max(Accumulator):
    __slots__ = ("value",)
    sign = 1

    def __init__(self) -> None:
        self.value: Any = MISSING

    def add(self, value: Any) -> None:
        if value is None or value is MISSING:
            return
        if self.value is MISSING or agg_compare(value, self.value) * self.sign > 0:
            self.value = value

    def result(self) -> Any:
        return None if self.value is MISSING else self.value


class Min(Max):
    __slots__ = ()
    sign = -1


class Push(Accumulator):
    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: list[Any] = []

    def add(self, value: Any) -> None:
        if value is not MISSING:
            self.values.append(value)

    def result(self) -> Any:
        return self.values


class AddToSet(Accumulator):
    __slots__ = ("values",)

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    def add(self, value: Any) -> None:
        if value is not MISSING:
            self.values.setdefault(hash_key(value), value)

    def result(self) -> Any:
        return list(self.values.values())


class StdDevPop(Accumulator):
    """Welford's running variance: stable for large counts and large offsets."""

    __slots__ = ("count", "m2", "mean")
    sample = False

    def __init__(self) -> None:
        self.count = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, value: Any) -> None:
        cls = value.__class__
        if cls is int or cls is float:
            self.count += 1
            delta = value - self.mean
            self.mean += delta / self.count
            self.m2 += delta * (value - self.mean)

    def result(self) -> Any:
        n = self.count - 1 if self.sample else self.count
        if n <= 0:
            return None
        return math.sqrt(max(self.m2, 0.0) / n)


class StdDevSamp(StdDevPop):
    __slots__ = ()
    sample = True


class MergeObjects(Accumulator):
    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: dict[str, Any] = {}

    def add(self, value: Any) -> None:
        merge_into(self.value, value)

    def result(self) -> Any:
        return self.value


ACCUMULATORS: dict[str, Callable[[], Accumulator]] = {
    "$sum": Sum,
    "$avg": Avg,
    "$first": First,
    "$last": Last,
    "$max": Max,
    "$min": Min,
    "$push": Push,
    "$addToSet": AddToSet,
    "$stdDevPop": StdDevPop,
    "$stdDevSamp": StdDevSamp,
    "$mergeObjects": MergeObjects,
}


def _expression_form(name: str) -> None:
    """``{$sum: "$arr"}`` sums the array; ``{$sum: ["$a", "$b"]}`` sums the operands."""
    factory = ACCUMULATORS[name]

    @operator(name)
    def compile_reduction(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        if param.__class__ is list:
            args = [compiler.compile(a) for a in param]

            def over_operands(doc: Any, variables: Mapping[str, Any]) -> Any:
                acc = factory()
                for fn in args:
                    acc.add(fn(doc, variables))
                return acc.result()

            return over_operands
        single = compiler.compile(param)

        def over_value(doc: Any, variables: Mapping[str, Any]) -> Any:
            acc = factory()
            value = single(doc, variables)
            if value.__class__ is list:
                for item in value:
                    acc.add(item)
            else:
                acc.add(value)
            return acc.result()

        return over_value


for _name in ("$sum", "$avg", "$max", "$min", "$stdDevPop", "$stdDevSamp"):
    _expression_form(_name)
