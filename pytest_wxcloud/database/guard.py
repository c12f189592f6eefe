"""One guard for every structured input: nesting depth, cycles and lone surrogates.

Conditions, update data, projections, aggregation stages and ``call_function`` payloads are all
walked recursively further in; a value nested 1,000 levels deep (or one that contains itself)
would end there as a raw ``RecursionError``, and a string holding a lone UTF-16 surrogate
(``"\\ud800"``, which UTF-8 cannot encode) would be stored and crash a later reply with
``UnicodeEncodeError``. MongoDB refuses more than 100 levels of BSON nesting, and the platform
carries text as UTF-8, so both are refused here, before anything is serialized or stored, with
the path of the offending value. The walk is iterative, so the guard itself cannot overflow.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import SDKUsageError

#: MongoDB's nesting limit for BSON documents: each object or array adds a level
MAX_NESTING = 100

_SURROGATE = re.compile("[\ud800-\udfff]")


class InputShapeError(SDKUsageError):
    """Input nested too deep, circular, or holding a lone surrogate; ``path`` locates it and
    ``kind`` (``"depth"``, ``"circular"`` or ``"surrogate"``) says which."""

    def __init__(self, message: str, path: str, kind: str) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind


def too_deep(path: str, limit: int = MAX_NESTING) -> InputShapeError:
    source = " (BSON limit)" if limit == MAX_NESTING else ""
    return InputShapeError(
        f"value at {path or 'top level'} is nested more than {limit} levels deep{source}",
        path,
        "depth",
    )


def lone_surrogate(text: str, path: str, what: str = "string") -> InputShapeError:
    """A code point UTF-8 cannot carry, named with its position in the text."""
    found = _SURROGATE.search(text)
    position = found.start() if found else 0
    code = f"U+{ord(text[position]):04X}" if found else "a surrogate"
    path = path.encode("utf-8", "backslashreplace").decode()  # the path may hold the key itself
    return InputShapeError(
        f"{what} at {path or 'top level'} contains a lone UTF-16 surrogate ({code} at index "
        f"{position}), which UTF-8 cannot encode; write the real character instead",
        path,
        "surrogate",
    )


def has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _children(value: Any) -> Any:
    """The parts of a container or command the rest of the code recurses into, as (key, item)."""
    cls = value.__class__
    if cls is dict or isinstance(value, Mapping):
        return value.items()
    if cls is list or cls is tuple:
        return enumerate(value)
    # commands (imported here: the command module itself builds on values, which uses this guard)
    from .commands import ExprCommand, LogicCommand, ProjectionCommand, QueryCommand, UpdateCommand

    if isinstance(value, (QueryCommand, LogicCommand)):
        return enumerate(value.operands)
    if isinstance(value, (UpdateCommand, ProjectionCommand)):
        return ((value.operator, value.value),)
    if isinstance(value, ExprCommand):
        return (("$expr", value.expression),)
    return None


def check_input(value: Any, path: str = "", limit: int = MAX_NESTING) -> None:
    """Raise :class:`InputShapeError` if ``value`` nests deeper than ``limit`` containers
    (a cycle is reported as such), or if a string or key in it holds a lone surrogate."""
    if value.__class__ is str:
        if has_surrogate(value):
            raise lone_surrogate(value, path)
        return
    # entries: (value, depth, parent entry, key) — the path is only rebuilt for an error
    stack: list[tuple[Any, int, Any, Any]] = [(value, 0, None, None)]
    while stack:
        entry = stack.pop()
        item, depth, _, _ = entry
        children = _children(item)
        if children is None:
            continue
        if depth > limit:
            _raise_too_deep(entry, path, limit)
        for key, child in children:
            if key.__class__ is str and has_surrogate(key):
                raise lone_surrogate(key, _path_of((child, depth + 1, entry, key), path), "key")
            cls = child.__class__
            if cls is str:
                if has_surrogate(child):
                    raise lone_surrogate(child, _path_of((child, depth + 1, entry, key), path))
            elif not (cls is int or cls is float or cls is bool or child is None):
                stack.append((child, depth + 1, entry, key))


def _path_of(entry: tuple[Any, int, Any, Any], root: str) -> str:
    keys = []
    while entry[2] is not None:
        keys.append(str(entry[3]))
        entry = entry[2]
    keys.reverse()
    return ".".join([root, *keys] if root else keys)


def _raise_too_deep(entry: tuple[Any, int, Any, Any], root: str, limit: int) -> None:
    chain = []
    while entry is not None:
        chain.append(entry)
        entry = entry[2]
    chain.reverse()
    first_seen: dict[int, tuple[Any, int, Any, Any]] = {}
    for link in chain:
        earlier = first_seen.setdefault(id(link[0]), link)
        if earlier is not link:  # the outermost value that contains itself
            raise InputShapeError(
                f"value at {_path_of(earlier, root) or 'top level'} contains itself "
                f"(circular reference at {_path_of(link, root)})",
                _path_of(link, root),
                "circular",
            )
    raise too_deep(_path_of(chain[-1], root), limit)


__all__ = [
    "MAX_NESTING",
    "InputShapeError",
    "check_input",
    "has_surrogate",
    "lone_surrogate",
    "too_deep",
]
