"""JavaScript-like comparison of rule values, shared by concrete evaluation and the subset check.

Rules compare with ``==``, ``<`` … as JavaScript does, but only between values of one kind:
numbers with numbers (dates count as epoch milliseconds, which is what ``now`` is), strings with
strings. Mixing kinds is a :class:`RuleTypeError`, which denies: production's rule engine errs on
it too, and a silent ``false`` under ``!`` would grant access.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..database.values import MISSING


class RuleTypeError(Exception):
    """A rule compared or combined values of different kinds: the request is denied."""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, datetime):
        return value.timestamp() * 1000
    return None


def js_equal(left: Any, right: Any) -> bool:
    """``==``: null equals undefined; otherwise equal values of the same kind."""
    if left is MISSING or left is None:
        return right is MISSING or right is None
    if right is MISSING or right is None:
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    a, b = _number(left), _number(right)
    if a is not None or b is not None:
        return a is not None and b is not None and a == b
    if type(left) is not type(right):
        return False
    return bool(left == right)


def js_order(op: str, left: Any, right: Any) -> bool:
    """``<  <=  >  >=`` between two numbers (dates as epoch ms) or two strings."""
    a, b = _number(left), _number(right)
    if a is None or b is None:
        if isinstance(left, str) and isinstance(right, str):
            a_s, b_s = left, right
            return _apply(op, a_s, b_s)
        raise RuleTypeError(f"cannot order {describe(left)} and {describe(right)} with {op}")
    return _apply(op, a, b)


def _apply(op: str, a: Any, b: Any) -> bool:
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def comparable(left: Any, right: Any) -> bool:
    """Whether ``js_order`` can compare the two (same kind)."""
    if _number(left) is not None and _number(right) is not None:
        return True
    return isinstance(left, str) and isinstance(right, str)


def compare(op: str, left: Any, right: Any) -> bool:
    """Every comparison operator of the rule language on concrete values."""
    if op in ("==", "==="):
        return js_equal(left, right)
    if op in ("!=", "!=="):
        return not js_equal(left, right)
    if op == "in":
        if not isinstance(right, list):
            raise RuleTypeError(f"'in' needs an array on its right, got {describe(right)}")
        return any(js_equal(left, item) for item in right)
    return js_order(op, left, right)


def js_string(value: Any) -> str:
    """A value as template strings and ``+`` insert it (primitives only)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)
    if value is None:
        return "null"
    if value is MISSING:
        return "undefined"
    raise RuleTypeError(f"cannot turn {describe(value)} into a string")


def describe(value: Any) -> str:
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return repr(value)
    if isinstance(value, datetime):
        return f"Date({value.isoformat()})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


__all__ = ["RuleTypeError", "comparable", "compare", "describe", "js_equal", "js_string"]
