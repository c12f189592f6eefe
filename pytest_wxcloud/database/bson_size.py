"""BSON byte size of stored values: MongoDB's 16 MB document limit counts these bytes.

Strings count their UTF-8 bytes (a Chinese character is 3), not characters; databasecollectionget
reports the same figure as a collection's ``size``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .values import MAX_DOCUMENT_BYTES, RegExp


def document_size(doc: dict[str, Any]) -> int:
    return 5 + sum(_element(key, value) for key, value in doc.items())


def value_size(value: Any) -> int:
    """The bytes ``value`` takes as an element's value (without the element's type and name)."""
    return _value(value)


def _element(key: str, value: Any) -> int:
    return 2 + _text(key) + _value(value)


def _text(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode())


def _value(value: Any) -> int:
    cls = value.__class__
    if cls is str:
        return 5 + _text(value)
    if cls is bool:
        return 1
    if cls is int:
        return 4 if -(2**31) <= value < 2**31 else 8
    if cls is float or isinstance(value, datetime):
        return 8
    if value is None:
        return 0
    if cls is dict:
        return document_size(value)
    if cls is list:
        return 5 + sum(2 + len(str(i)) + _value(item) for i, item in enumerate(value))
    if isinstance(value, RegExp):
        return _text(value.pattern) + len(value.options) + 2
    raise TypeError(f"no BSON size for {value!r}")


__all__ = ["MAX_DOCUMENT_BYTES", "document_size", "value_size"]
