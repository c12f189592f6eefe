"""BSON byte size of stored values: MongoDB's 16 MB document limit counts these bytes.

Strings count their UTF-8 bytes (a Chinese character is 3), not characters; databasecollectionget
reports the same figure as a collection's ``size``. Every stored write measures its document, so
the common types are tested first and ASCII text is measured without encoding it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def document_size(doc: dict[str, Any]) -> int:
    total = 5
    for key, value in doc.items():
        total += 2 + (len(key) if key.isascii() else len(key.encode())) + value_size(value)
    return total


def value_size(value: Any) -> int:
    """The bytes ``value`` takes as an element's value (without the element's type and name)."""
    cls = value.__class__
    if cls is str:
        return 5 + (len(value) if value.isascii() else len(value.encode()))
    if cls is int:
        return 4 if -2147483648 <= value < 2147483648 else 8
    if cls is float:
        return 8
    if cls is dict:
        return document_size(value)
    if cls is list:
        total = 5
        for index, item in enumerate(value):
            total += 2 + len(str(index)) + value_size(item)
        return total
    if cls is bool:
        return 1
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 8
    from .values import RegExp  # values measures documents with this module

    if isinstance(value, RegExp):
        pattern = value.pattern
        return (
            (len(pattern) if pattern.isascii() else len(pattern.encode())) + len(value.options) + 2
        )
    raise TypeError(f"no BSON size for {value!r}")


__all__ = ["document_size", "value_size"]
