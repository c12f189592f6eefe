"""Sorting in MongoDB's order: BSON type brackets, missing as null, arrays by their extreme element.

An array field sorts by its smallest element ascending and by its largest descending (an empty
array sorts before null either way); a path through an array of documents considers every
element's value. Sorts are stable, so documents with equal keys keep their stored order.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from .compare import sort_key
from .paths import Path, split_path, values_along
from .values import MISSING

#: ``$push``'s ``$sort``: 1 / -1 for whole elements, or (path, direction) pairs.
SortSpec = int | list[tuple[str, int]]

_EMPTY_ARRAY_KEY: tuple[Any, ...] = (0,)  # below null's bracket (1), as MongoDB orders []
_NULL_KEY = sort_key(None)


def _path_key(value: Any, parts: Path, descending: bool) -> tuple[Any, ...]:
    keys: list[tuple[Any, ...]] = []
    for candidate in values_along(value, parts):
        if candidate.__class__ is list:
            if candidate:
                keys.extend(sort_key(element) for element in candidate)
            else:
                keys.append(_EMPTY_ARRAY_KEY)
        else:
            keys.append(sort_key(candidate))
    if not keys:
        return _NULL_KEY
    return max(keys) if descending else min(keys)


_NUMBER_CLASSES = frozenset((int, float))
_STRING_CLASSES = frozenset((str,))


def _uniform_scalars(values: list[Any]) -> bool:
    """All numbers (no NaN) or all strings: Python's own order is then BSON order."""
    classes = set(map(type, values))
    if classes <= _STRING_CLASSES:
        return True
    if classes <= _NUMBER_CLASSES:
        return float not in classes or not any(v != v for v in values)
    return False


def _sort_by(items: list[Any], parts: Path, direction: int, top_level: bool) -> list[Any]:
    descending = direction < 0
    if top_level and items and all(item.__class__ is dict for item in items):
        key = parts[0]
        values = [item.get(key, MISSING) for item in items]
        if _uniform_scalars(values):  # every document has the field: no MISSING among them
            return sorted(items, key=itemgetter(key), reverse=descending)
    return sorted(items, key=lambda item: _path_key(item, parts, descending), reverse=descending)


def _check_direction(direction: Any) -> int:
    if direction.__class__ is bool or direction not in (1, -1):
        raise ValueError(f"sort direction must be 1 or -1, got {direction!r}")
    return int(direction)


def sort_documents(
    docs: list[dict[str, Any]], order: Sequence[tuple[str, int]]
) -> list[dict[str, Any]]:
    """A new list of ``docs`` ordered by ``order`` ([(path, 1 | -1), …], most significant first)."""
    result: list[Any] = list(docs)
    for path, direction in reversed(order):
        parts = split_path(path)
        result = _sort_by(result, parts, _check_direction(direction), len(parts) == 1)
    return result


def sort_values(values: list[Any], spec: SortSpec) -> list[Any]:
    """``$push``'s ``$sort``: whole elements by BSON order, or documents by fields."""
    if isinstance(spec, int):
        return sorted(values, key=sort_key, reverse=spec < 0)
    result = list(values)
    for path, direction in reversed(spec):
        result = _sort_by(result, split_path(path), direction, False)
    return result


__all__ = ["SortSpec", "sort_documents", "sort_values"]
