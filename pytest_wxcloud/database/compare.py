"""MongoDB's value order: type brackets first, then values within a bracket.

The cloud database is MongoDB underneath, so ``orderBy`` over mixed types, ``_.gt`` on a field
that holds strings in some documents and numbers in others, ``_.min``/``_.max`` updates and the
aggregation comparison operators all follow BSON comparison order:

    MinKey < null/missing < numbers < strings < objects < arrays < binary < ObjectId
           < booleans < dates < timestamps < regular expressions < MaxKey

Query comparison operators only match values in the same bracket ("type bracketing"): a
string date never compares with a ``datetime``. Equality treats ``1 == 1.0`` but not ``1 == True``,
and documents compare field by field in order, as MongoDB does.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from .values import MISSING, RegExp

RANK_NULL = 1
RANK_NUMBER = 2
RANK_STRING = 3
RANK_OBJECT = 4
RANK_ARRAY = 5
RANK_BOOL = 8
RANK_DATE = 9
RANK_REGEX = 11


def type_rank(value: Any) -> int:
    cls = value.__class__
    if cls is str:
        return RANK_STRING
    if cls is int or cls is float:
        return RANK_NUMBER
    if value is None or value is MISSING:
        return RANK_NULL
    if cls is bool:
        return RANK_BOOL
    if cls is dict:
        return RANK_OBJECT
    if cls is list:
        return RANK_ARRAY
    if isinstance(value, datetime):
        return RANK_DATE
    if isinstance(value, RegExp):
        return RANK_REGEX
    raise TypeError(f"no BSON type for {value!r} ({type(value).__name__})")


def sort_key(value: Any) -> tuple[Any, ...]:
    """A Python-comparable key giving BSON order for any stored value."""
    cls = value.__class__
    if cls is str:
        return (RANK_STRING, value)
    if cls is int or cls is float:
        if value != value:  # NaN sorts below every other number
            return (RANK_NUMBER, -math.inf, 0)
        return (RANK_NUMBER, value, 1)
    if value is None or value is MISSING:
        return (RANK_NULL,)
    if cls is bool:
        return (RANK_BOOL, value)
    if cls is dict:
        return (RANK_OBJECT, tuple(_field_key(k, v) for k, v in value.items()))
    if cls is list:
        return (RANK_ARRAY, tuple(sort_key(v) for v in value))
    if isinstance(value, datetime):
        return (RANK_DATE, value)
    if isinstance(value, RegExp):
        return (RANK_REGEX, value.pattern, value.options)
    raise TypeError(f"no BSON order for {value!r} ({type(value).__name__})")


def _field_key(name: str, value: Any) -> tuple[Any, ...]:
    """Documents compare field by field: the value's bracket, then the name, then the value."""
    key = sort_key(value)
    return (key[0], name, key)


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 in BSON order (``$cmp``)."""
    ka, kb = sort_key(a), sort_key(b)
    if ka == kb:
        return 0
    return -1 if ka < kb else 1


def values_equal(a: Any, b: Any) -> bool:
    """MongoDB equality: numbers by value across int/float, bool never equals a number,
    documents field by field in order, arrays element by element."""
    ca, cb = a.__class__, b.__class__
    if ca is cb:
        if ca is dict:
            if len(a) != len(b):
                return False
            return all(
                ka == kb and values_equal(va, vb)
                for (ka, va), (kb, vb) in zip(a.items(), b.items())
            )
        if ca is list:
            return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
        if ca is float and a != a:
            return bool(b != b)  # NaN equals NaN in MongoDB
        return bool(a == b)
    if (ca is int or ca is float) and (cb is int or cb is float):
        return bool(a == b)
    if (a is None or a is MISSING) and (b is None or b is MISSING):
        return True
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b
    return False
