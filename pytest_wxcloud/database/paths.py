"""Dot paths (``"a.b.0.c"``) as MongoDB walks them: fanned out through arrays for queries and
sorts, strictly positional for updates.

Queries see a path as a *set* of values: ``"courses.code"`` over ``{"courses": [{"code": 1},
{"code": 2}]}`` yields both codes, a numeric segment addresses an index (and, as in MongoDB, a
field of that name inside array elements that are documents). Updates see one location and must
create or refuse to create what is missing, with MongoDB's error text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import DatabaseError
from .values import INT32_MAX, INT32_MIN, MISSING

Path = tuple[str, ...]

#: MongoDB refuses to null-pad an array by more than this many elements in one update
MAX_BACKFILL = 1_500_000


def split_path(path: str) -> Path:
    return tuple(path.split("."))


def as_index(segment: str) -> int | None:
    """The array index a segment names, or None (MongoDB ignores forms like ``"01"`` or ``"-1"``)."""
    if segment.isdigit() and segment.isascii() and (segment == "0" or segment[0] != "0"):
        return int(segment)
    return None


# --------------------------------------------------------------------------- query side


def _collect(value: Any, parts: Path, i: int, out: list[Any], expand: bool) -> None:
    """Append every value ``parts[i:]`` reaches from ``value``, as MongoDB's element iterator.

    Documents are walked field by field; a path ending (or broken) at a scalar or absent field
    yields MISSING. An array met before the end is traversed: elements that are documents
    continue with the same segment, a numeric segment also selects that index, and scalar
    elements yield nothing. With ``expand``, an array at the end of the path yields its elements
    and then itself — except one selected by an explicit index, which is yielded as it is.
    """
    n = len(parts)
    while i < n:
        cls = value.__class__
        segment = parts[i]
        if cls is dict:
            value = value.get(segment, MISSING)
            i += 1
            continue
        if cls is list:
            for element in value:
                if element.__class__ is dict:
                    _collect(element.get(segment, MISSING), parts, i + 1, out, expand)
            index = as_index(segment)
            if index is not None and index < len(value):
                element = value[index]
                if i + 1 == n:
                    out.append(element)
                elif element.__class__ is dict or element.__class__ is list:
                    _collect(element, parts, i + 1, out, expand)
            return
        out.append(MISSING)
        return
    if expand and value.__class__ is list:
        out.extend(value)
    out.append(value)


def values_along(doc: Any, parts: Path, *, expand: bool = False) -> list[Any]:
    """All values a query on ``parts`` considers (``[MISSING]`` when the path is absent).

    ``expand`` adds the elements of arrays found at the end of the path, which is what
    comparisons and equality test; ``$size``, ``$elemMatch`` and sorting want the arrays whole.
    """
    out: list[Any] = []
    _collect(doc, parts, 0, out, expand)
    return out


def compile_getter(path: str, *, expand: bool) -> Callable[[dict[str, Any]], list[Any]]:
    """``values_along`` specialised for one path, so compiled queries do not re-split it."""
    parts = split_path(path)
    first = parts[0]
    if len(parts) == 1 and not expand:

        def top_level(doc: dict[str, Any]) -> list[Any]:
            return [doc.get(first, MISSING)]

        return top_level

    def nested(doc: dict[str, Any]) -> list[Any]:
        out: list[Any] = []
        _collect(doc.get(first, MISSING), parts, 1, out, expand)
        return out

    return nested


# --------------------------------------------------------------------------- update side


def get_path(doc: Any, parts: Path) -> Any:
    """The single value at ``parts`` (numeric segments index arrays), or MISSING."""
    value = doc
    for segment in parts:
        cls = value.__class__
        if cls is dict:
            value = value.get(segment, MISSING)
        elif cls is list:
            index = as_index(segment)
            if index is None or index >= len(value):
                return MISSING
            value = value[index]
        else:
            return MISSING
        if value is MISSING:
            return MISSING
    return value


def bson_repr(value: Any) -> str:
    """A value the way MongoDB prints it inside error messages (``{a: "x"}``, ``[ 1, 2 ]``)."""
    cls = value.__class__
    if value is None or value is MISSING:
        return "null"
    if cls is bool:
        return "true" if value else "false"
    if cls is str:
        text: str = value
        return '"' + text.replace('"', '\\"') + '"'
    if cls is float:
        return repr(value) if value == value else "nan"
    if cls is dict:
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{k}: {bson_repr(v)}" for k, v in value.items()) + " }"
    if cls is list:
        if not value:
            return "[]"
        return "[ " + ", ".join(bson_repr(v) for v in value) + " ]"
    if hasattr(value, "isoformat"):
        return f'new Date("{value.isoformat()}")'
    if hasattr(value, "pattern"):
        return f"/{value.pattern}/{value.options}"
    return str(value)


def bson_type_name(value: Any) -> str:
    """MongoDB's ``$type`` alias of a stored value (used in error messages)."""
    cls = value.__class__
    if cls is bool:
        return "bool"
    if cls is int:
        return "int" if INT32_MIN <= value <= INT32_MAX else "long"
    if cls is float:
        return "double"
    if cls is str:
        return "string"
    if cls is dict:
        return "object"
    if cls is list:
        return "array"
    if value is None or value is MISSING:
        return "null"
    if hasattr(value, "isoformat"):
        return "date"
    return "regex"


def _conflict(message: str) -> DatabaseError:
    return DatabaseError(-502001, message)


def set_path(doc: dict[str, Any], parts: Path, value: Any) -> None:
    """Store ``value`` at ``parts`` in place, creating documents (and null-padding arrays).

    Raises MongoDB's ``Cannot create field 'x' in element {a: 1}`` when a segment would have
    to go through a scalar, or through an array by a non-numeric name.
    """
    container: Any = doc
    last = len(parts) - 1
    for i, segment in enumerate(parts):
        cls = container.__class__
        if cls is dict:
            if i == last:
                container[segment] = value
                return
            child = container.get(segment, MISSING)
            if child is MISSING:
                child = {}
                container[segment] = child
        elif cls is list:
            index = as_index(segment)
            if index is None:
                raise _conflict(
                    f"Cannot create field '{segment}' in element "
                    f"{{{parts[i - 1]}: {bson_repr(container)}}}"
                )
            padded = index >= len(container)
            if padded:
                if index - len(container) > MAX_BACKFILL:
                    raise _conflict(
                        f"can't backfill more than {MAX_BACKFILL} elements (setting index "
                        f"{segment} of '{'.'.join(parts[:i])}', an array of {len(container)})"
                    )
                container.extend([None] * (index + 1 - len(container)))
            if i == last:
                container[index] = value
                return
            child = container[index]
            if padded:
                child = {}
                container[index] = child
        else:  # pragma: no cover - callers only pass containers; scalars are caught below
            raise AssertionError("set_path reached a scalar container")
        if child.__class__ is not dict and child.__class__ is not list:
            raise _conflict(
                f"Cannot create field '{parts[i + 1]}' in element {{{segment}: {bson_repr(child)}}}"
            )
        container = child


def unset_path(doc: dict[str, Any], parts: Path) -> None:
    """Remove the field at ``parts`` in place; an array slot becomes null, as in MongoDB."""
    parent = get_path(doc, parts[:-1]) if len(parts) > 1 else doc
    segment = parts[-1]
    if parent.__class__ is dict:
        parent.pop(segment, None)
    elif parent.__class__ is list:
        index = as_index(segment)
        if index is not None and index < len(parent):
            parent[index] = None


def path_crosses_array(doc: Any, parts: Path) -> str | None:
    """The first prefix of ``parts`` (excluding the full path) that holds an array, if any."""
    value = doc
    for i, segment in enumerate(parts[:-1]):
        value = get_path(value, (segment,))
        if value.__class__ is list:
            return ".".join(parts[: i + 1])
        if value is MISSING:
            return None
    return None


__all__ = [
    "Path",
    "as_index",
    "bson_repr",
    "bson_type_name",
    "compile_getter",
    "get_path",
    "path_crosses_array",
    "set_path",
    "split_path",
    "unset_path",
    "values_along",
]
