"""BSON byte size of a stored document, for databasecollectionget's ``size`` (bytes on disk)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..database.values import RegExp


def document_size(doc: dict[str, Any]) -> int:
    return 5 + sum(_element(key, value) for key, value in doc.items())


def _element(key: str, value: Any) -> int:
    return 2 + len(key.encode()) + _value(value)


def _value(value: Any) -> int:
    cls = value.__class__
    if cls is str:
        return 5 + len(value.encode())
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
        return 5 + sum(_element(str(i), item) for i, item in enumerate(value))
    if isinstance(value, RegExp):
        return len(value.pattern.encode()) + len(value.options) + 2
    raise TypeError(f"no BSON size for {value!r}")


__all__ = ["document_size"]
