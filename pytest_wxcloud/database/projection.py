"""Projections (``field()``) compiled once into functions returning a new, trimmed document.

MongoDB's rules: a projection either includes fields (``1``/``true``: only those, plus ``_id``)
or excludes them (``0``/``false``: everything else), never both except for ``_id``. Dotted paths
reach through arrays of documents (numeric segments are field names here, not indexes).
``{$slice: n | [skip, n]}`` trims an array and ``{$elemMatch: cond}`` keeps only the first
matching element of a top-level array (the field disappears when nothing matches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import DatabaseError, UnknownOperatorError
from .matching import compile_query
from .paths import Path, bson_repr, split_path
from .values import clone

Document = dict[str, Any]
Projector = Callable[[Document], Document]
Tree = dict[str, Any]  # path segment -> True (the whole value) or a sub-tree

PROJECTION_OPERATORS = ("$elemMatch", "$slice")


def _bad(message: str) -> DatabaseError:
    return DatabaseError(-502001, message)


def _flatten(projection: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Nested sub-projections (``{a: {b: 1}}``) as dotted paths (``a.b``), in order."""
    items: list[tuple[str, Any]] = []
    for key, value in projection.items():
        if not isinstance(key, str) or not key:
            raise _bad(f"projection field names must be non-empty strings, got {key!r}")
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping) and not (value and str(next(iter(value))).startswith("$")):
            if not value:
                raise _bad(
                    f"An empty sub-projection is not a valid value. Found empty object at path {path}"
                )
            items.extend(_flatten(value, path))
        else:
            items.append((path, value))
    return items


def _slice_bounds(operand: Any) -> tuple[int, int | None]:
    """(skip, limit) for ``$slice``; a negative skip counts from the end, limit None = rest."""
    if operand.__class__ is int or (operand.__class__ is float and operand.is_integer()):
        n = int(operand)
        return (0, n) if n >= 0 else (n, None)
    if isinstance(operand, list):
        if len(operand) != 2:
            raise _bad("$slice array wrong size")
        skip, limit = operand
        for part in (skip, limit):
            if not (part.__class__ is int or (part.__class__ is float and part.is_integer())):
                raise _bad("$slice only supports numbers and [skip, limit] arrays")
        if limit <= 0:
            raise _bad("$slice limit must be positive")
        return int(skip), int(limit)
    raise _bad("$slice only supports numbers and [skip, limit] arrays")


def _slicer(operand: Any) -> Callable[[list[Any]], list[Any]]:
    skip, limit = _slice_bounds(operand)
    if limit is None:  # {$slice: -n}: the last n
        return lambda values: values[skip:]
    if skip >= 0:
        return lambda values: values[skip : skip + limit]

    def from_end(values: list[Any]) -> list[Any]:
        start = max(0, len(values) + skip)
        return values[start : start + limit]

    return from_end


def _elem_matcher(path: str, operand: Any) -> Callable[[list[Any]], list[Any] | None]:
    if "." in path:
        raise _bad("Cannot use $elemMatch projection on a nested field.")
    if not isinstance(operand, Mapping):
        raise _bad("elemMatch: Invalid argument, object required.")
    matches = compile_query({"x": {"$elemMatch": operand}})

    def first_match(values: list[Any]) -> list[Any] | None:
        for element in values:
            if matches({"x": [element]}):
                return [clone(element)]
        return None

    return first_match


def _add(tree: Tree, parts: Path) -> None:
    node = tree
    for segment in parts[:-1]:
        child = node.setdefault(segment, {})
        node = child
    node[parts[-1]] = True


def _include(value: Document, tree: Tree) -> Document:
    out: Document = {}
    for key, item in value.items():
        sub = tree.get(key)
        if sub is None:
            continue
        if sub is True:
            out[key] = clone(item)
        elif item.__class__ is dict:
            out[key] = _include(item, sub)
        elif item.__class__ is list:
            out[key] = _include_array(item, sub)
    return out


def _include_array(values: list[Any], tree: Tree) -> list[Any]:
    out: list[Any] = []
    for element in values:
        if element.__class__ is dict:
            out.append(_include(element, tree))
        elif element.__class__ is list:
            out.append(_include_array(element, tree))
    return out


def _exclude(value: Any, parts: Path) -> None:
    """Remove ``parts`` from ``value`` in place, through arrays of documents."""
    if value.__class__ is list:
        for element in value:
            _exclude(element, parts)
    elif value.__class__ is dict:
        if len(parts) == 1:
            value.pop(parts[0], None)
        elif parts[0] in value:
            _exclude(value[parts[0]], parts[1:])


def _apply_at(value: Any, parts: Path, function: Callable[[list[Any]], list[Any]]) -> None:
    """Replace the arrays found at ``parts`` (through arrays of documents) by ``function(array)``."""
    if value.__class__ is list:
        for element in value:
            if element.__class__ is dict:
                _apply_at(element, parts, function)
    elif value.__class__ is dict and parts[0] in value:
        if len(parts) == 1:
            if value[parts[0]].__class__ is list:
                value[parts[0]] = function(value[parts[0]])
        else:
            _apply_at(value[parts[0]], parts[1:], function)


def _check_collisions(paths: list[Path]) -> None:
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter, longer = (first, second) if len(first) <= len(second) else (second, first)
            if longer[: len(shorter)] == shorter:
                raise _bad(
                    f"Path collision at {'.'.join(longer)} remaining portion "
                    f"{'.'.join(longer[len(shorter) :]) or longer[-1]}"
                )


def compile_projection(projection: Mapping[str, Any] | None) -> Projector:
    """A function returning the projected copy of a stored document (never the same object)."""
    if not projection:
        return clone
    if not isinstance(projection, Mapping):
        raise _bad(f"projection must be an object, got {bson_repr(projection)}")
    include_id = True
    includes: list[Path] = []
    excludes: list[Path] = []
    slices: list[tuple[Path, Callable[[list[Any]], list[Any]]]] = []
    elem_matches: list[tuple[str, Callable[[list[Any]], list[Any] | None]]] = []
    mode: str | None = None
    for path, value in _flatten(projection):
        parts = split_path(path)
        if any(part.startswith("$") for part in parts):
            # MongoDB's positional "arr.$" needs the query's array condition; without support
            # it would silently project an empty array
            raise _bad(
                f"positional projection '{path}' is not supported; use "
                "_.project.elem_match(...) to return the first matching element"
            )
        if isinstance(value, Mapping):
            op = next(iter(value))
            if len(value) != 1 or op not in PROJECTION_OPERATORS:
                bad = next((k for k in value if k not in PROJECTION_OPERATORS), op)
                raise UnknownOperatorError(
                    bad, f"the projection of field '{path}'", PROJECTION_OPERATORS
                )
            if op == "$slice":
                slices.append((parts, _slicer(value[op])))
            else:
                elem_matches.append((path, _elem_matcher(path, value[op])))
            continue
        if value.__class__ is bool or value.__class__ is int or value.__class__ is float:
            included = bool(value)
        else:
            raise _bad(
                f"unsupported projection value for field '{path}': {bson_repr(value)}; accepted: "
                "1/true (include), 0/false (exclude), {$slice: ...}, {$elemMatch: ...}"
            )
        if path == "_id":
            include_id = included
            continue
        if included and mode == "exclusion":
            raise _bad(f"Cannot do inclusion on field {path} in exclusion projection")
        if not included and mode == "inclusion":
            raise _bad(f"Cannot do exclusion on field {path} in inclusion projection")
        mode = "inclusion" if included else "exclusion"
        (includes if included else excludes).append(parts)
    if mode is None:
        only_id = projection.keys() == {"_id"} and include_id
        mode = "inclusion" if elem_matches or only_id else "exclusion"
    _check_collisions(includes + excludes + [p for p, _ in slices])

    tree: Tree = {}
    if mode == "inclusion":
        for parts in includes + [p for p, _ in slices]:
            _add(tree, parts)
        for path, _matcher in elem_matches:
            _add(tree, (path,))
        if include_id:
            tree["_id"] = True
    dropped = excludes + ([("_id",)] if not include_id and mode == "exclusion" else [])

    def project(doc: Document) -> Document:
        if mode == "inclusion":
            out = _include(doc, tree)
        else:
            out = clone(doc)
            for parts in dropped:
                _exclude(out, parts)
        for parts, function in slices:
            _apply_at(out, parts, function)
        for path, first_match in elem_matches:
            current = out.pop(path, None)
            kept = first_match(current) if current.__class__ is list else None
            if kept is not None:
                out[path] = kept
        return out

    return project


__all__ = ["PROJECTION_OPERATORS", "Projector", "compile_projection"]
