"""Reading and writing one dotted field of a stage's document without touching the input.

Stages never mutate the documents they receive (those are the stored data): writes copy each
dict along the path and share everything else.
"""

from __future__ import annotations

from typing import Any

from ..values import MISSING
from .support import fail


def split_field(path: str, what: str) -> tuple[str, ...]:
    """A field path as written in a stage option (no leading ``$``), validated."""
    if not isinstance(path, str) or not path:
        raise fail(f"{what} must be a non-empty string, got {path!r}")
    parts = tuple(path.split("."))
    for part in parts:
        if not part:
            raise fail(f"{what} {path!r}: FieldPath field names may not be empty strings.")
        if part.startswith("$"):
            raise fail(f"{what} {path!r}: FieldPath field names may not start with '$'.")
    return parts


def get_field(doc: Any, parts: tuple[str, ...]) -> Any:
    """The value at ``parts`` following documents only (arrays are not traversed), or MISSING."""
    value = doc
    for part in parts:
        if value.__class__ is not dict:
            return MISSING
        value = value.get(part, MISSING)
    return value


def with_field(doc: dict[str, Any], parts: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with ``parts`` set to ``value`` (removed when ``value`` is MISSING).

    Intermediate non-documents are replaced by documents, as ``$addFields``/``$lookup`` do.
    """
    out = dict(doc)
    head = parts[0]
    if len(parts) == 1:
        if value is MISSING:
            out.pop(head, None)
        else:
            out[head] = value
        return out
    child = doc.get(head, MISSING)
    if child.__class__ is not dict:
        if value is MISSING:
            return out
        child = {}
    out[head] = with_field(child, parts[1:], value)
    return out
