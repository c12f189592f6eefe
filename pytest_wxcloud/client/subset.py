"""The static "is this query a subset of the rule?" decision (client.md §3.5, §3.10).

A query in MongoDB form is expanded into branches (disjunctive normal form). Each branch maps a
field path to the set of values a matching document can hold there: a finite set (``==``,
``in``), an interval (``>``, ``<=`` …) with exclusions (``!=``, ``nin``), or anything. A rule atom
such as ``doc.age > 10`` is then TRUE for the branch when every value in the set satisfies it,
FALSE when none does, and UNKNOWN otherwise.

Ignoring a query condition only makes the query look wider, so operators this module does not
read (regex, ``exists``, geo, ``$nor`` …) are dropped: the check can deny more than production but
never allow more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from .values import RuleTypeError, comparable, compare, js_equal

#: a query with more OR-alternatives than this is not checked but denied
MAX_BRANCHES = 64


class Unknown:
    """The third truth value: the query does not decide the atom."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = Unknown()


class TooManyBranches(Exception):
    """The query's ``or`` alternatives multiply past :data:`MAX_BRANCHES`."""


@dataclass(frozen=True, slots=True)
class Constraint:
    """The values one field can hold in every document a query branch matches."""

    #: a finite set of values (``None``: not finite, see the bounds)
    values: tuple[Any, ...] | None = None
    low: Any = None
    low_inclusive: bool = True
    high: Any = None
    high_inclusive: bool = True
    excluded: tuple[Any, ...] = field(default=())

    @property
    def exact(self) -> bool:
        return self.values is not None and len(self.values) == 1

    def intersect(self, other: Constraint) -> Constraint:
        merged = replace(self, excluded=self.excluded + other.excluded)
        if other.values is not None:
            if merged.values is None:
                merged = replace(merged, values=other.values)
            else:
                merged = replace(
                    merged,
                    values=tuple(
                        v for v in merged.values if any(js_equal(v, w) for w in other.values)
                    ),
                )
        if other.low is not None:
            merged = merged._bound_low(other.low, other.low_inclusive)
        if other.high is not None:
            merged = merged._bound_high(other.high, other.high_inclusive)
        return merged.normalised()

    def _bound_low(self, value: Any, inclusive: bool) -> Constraint:
        if self.low is None or not comparable(self.low, value):
            return replace(self, low=value, low_inclusive=inclusive)
        if compare(">", value, self.low) or (js_equal(value, self.low) and not inclusive):
            return replace(self, low=value, low_inclusive=inclusive)
        return self

    def _bound_high(self, value: Any, inclusive: bool) -> Constraint:
        if self.high is None or not comparable(self.high, value):
            return replace(self, high=value, high_inclusive=inclusive)
        if compare("<", value, self.high) or (js_equal(value, self.high) and not inclusive):
            return replace(self, high=value, high_inclusive=inclusive)
        return self

    def normalised(self) -> Constraint:
        """A finite set absorbs the bounds and exclusions (they just filter it)."""
        if self.values is None:
            return self
        kept = tuple(v for v in self.values if self._admits(v))
        return Constraint(values=kept)

    def _admits(self, value: Any) -> bool:
        if any(js_equal(value, x) for x in self.excluded):
            return False
        try:
            if self.low is not None and not compare(
                ">=" if self.low_inclusive else ">", value, self.low
            ):
                return False
            if self.high is not None and not compare(
                "<=" if self.high_inclusive else "<", value, self.high
            ):
                return False
        except RuleTypeError:
            return False
        return True

    # --- three-valued atoms -------------------------------------------------------------

    def compare(self, op: str, value: Any) -> Any:
        """``field OP value`` for every matching document: True, False or UNKNOWN."""
        if self.values is not None:
            return _all_or_none([_safe(op, v, value) for v in self.values])
        if op in ("==", "==="):
            return False if not self._admits(value) else UNKNOWN
        if op in ("!=", "!=="):
            return True if not self._admits(value) else UNKNOWN
        return self._order(op, value)

    def _order(self, op: str, value: Any) -> Any:
        low, high = self.low, self.high
        if (low is not None and not comparable(low, value)) or (
            high is not None and not comparable(high, value)
        ):
            return UNKNOWN
        if op in (">", ">="):
            if low is not None and (
                compare(">", low, value)
                or (js_equal(low, value) and (op == ">=" or not self.low_inclusive))
            ):
                return True
            if high is not None and (
                compare("<", high, value)
                or (js_equal(high, value) and (op == ">" or not self.high_inclusive))
            ):
                return False
            return UNKNOWN
        if high is not None and (
            compare("<", high, value)
            or (js_equal(high, value) and (op == "<=" or not self.high_inclusive))
        ):
            return True
        if low is not None and (
            compare(">", low, value)
            or (js_equal(low, value) and (op == "<" or not self.low_inclusive))
        ):
            return False
        return UNKNOWN

    def within(self, items: Sequence[Any]) -> Any:
        """``field in [items]`` for every matching document."""
        if self.values is not None:
            return _all_or_none([any(js_equal(v, i) for i in items) for v in self.values])
        if not any(self._admits(item) for item in items):
            return False
        return UNKNOWN


ANYTHING = Constraint()


def _safe(op: str, left: Any, right: Any) -> bool:
    try:
        return compare(op, left, right)
    except RuleTypeError:
        return False


def _all_or_none(results: list[bool]) -> Any:
    if all(results):
        return True
    if not any(results):
        return False
    return UNKNOWN


def field_constraint(condition: Any) -> Constraint | None:
    """What one field's condition says about its value; ``None`` when nothing usable."""
    if isinstance(condition, Mapping) and any(str(k).startswith("$") for k in condition):
        result = ANYTHING
        used = False
        for op, operand in condition.items():
            part = _operator_constraint(op, operand)
            if part is not None:
                result = result.intersect(part)
                used = True
        return result if used else None
    if _plain(condition):
        return Constraint(values=(condition,))
    return None


def _operator_constraint(op: str, operand: Any) -> Constraint | None:
    if op == "$eq" and _plain(operand):
        return Constraint(values=(operand,))
    if op == "$in" and isinstance(operand, list) and all(_plain(v) for v in operand):
        return Constraint(values=tuple(operand))
    if op == "$ne" and _plain(operand):
        return Constraint(excluded=(operand,))
    if op == "$nin" and isinstance(operand, list):
        return Constraint(excluded=tuple(operand))
    if op in ("$gt", "$gte") and _orderable(operand):
        return Constraint(low=operand, low_inclusive=op == "$gte")
    if op in ("$lt", "$lte") and _orderable(operand):
        return Constraint(high=operand, high_inclusive=op == "$lte")
    return None


def _plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str, datetime)):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, Mapping):
        return all(not str(k).startswith("$") and _plain(v) for k, v in value.items())
    return False


def _orderable(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float, str, datetime))


Branch = dict[str, Constraint]


def branches(query: Mapping[str, Any]) -> list[Branch]:
    """The query as OR-ed branches of per-field constraints (an empty query: one empty branch)."""
    out: list[Branch] = []
    for conjunction in _expand(query):
        branch: Branch = {}
        for path, constraint in conjunction:
            existing = branch.get(path)
            branch[path] = constraint if existing is None else existing.intersect(constraint)
        out.append(branch)
    return out


def _expand(query: Any) -> list[list[tuple[str, Constraint]]]:
    if not isinstance(query, Mapping):
        return [[]]
    result: list[list[tuple[str, Constraint]]] = [[]]
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for sub in value:
                result = _product(result, _expand(sub))
        elif key == "$or" and isinstance(value, list):
            alternatives = [conj for sub in value for conj in _expand(sub)]
            result = _product(result, alternatives)
        elif str(key).startswith("$"):
            continue
        else:
            result = _product(result, _field(str(key), value))
    return result


def _field(path: str, condition: Any) -> list[list[tuple[str, Constraint]]]:
    if isinstance(condition, Mapping) and ("$or" in condition or "$and" in condition):
        rest = {k: v for k, v in condition.items() if k not in ("$or", "$and")}
        result = _field(path, rest) if rest else [[]]
        for sub in condition.get("$and") or ():
            result = _product(result, _field(path, sub))
        if isinstance(condition.get("$or"), list):
            result = _product(result, [c for sub in condition["$or"] for c in _field(path, sub)])
        return result
    constraint = field_constraint(condition)
    return [[(path, constraint)]] if constraint is not None else [[]]


def _product(
    left: list[list[tuple[str, Constraint]]], right: list[list[tuple[str, Constraint]]]
) -> list[list[tuple[str, Constraint]]]:
    if len(left) * len(right) > MAX_BRANCHES:
        raise TooManyBranches(
            f"the query has more than {MAX_BRANCHES} or-alternatives to check against the rule"
        )
    return [a + b for a in left for b in right]


__all__ = [
    "ANYTHING",
    "MAX_BRANCHES",
    "UNKNOWN",
    "Branch",
    "Constraint",
    "TooManyBranches",
    "branches",
    "field_constraint",
]
