"""Body fields of the CloudBase protocol: canonical EJSON strings in, EJSON strings out.

@cloudbase/database sends filters, updates, documents, orders, projections and stage values as
``EJSON.stringify(x, {relaxed: false})`` strings, and reads each returned document from an EJSON
string in ``data.list`` (sdk.md §4.2, node-runtime.md §2.2). ``db.serverDate()`` arrives as
``{"$tcb_server_date": {"offset": <EJSON number>}}`` and is resolved here, on the cloud's clock,
as the real backend resolves it on its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ..clock import to_utc_ms
from ..database import ejson
from ..errors import DatabaseError

SERVER_DATE_KEY = "$tcb_server_date"


class BadRequest(DatabaseError):
    """A body the protocol cannot accept: INVALID_PARAM naming the field and what is accepted."""

    def __init__(self, detail: str) -> None:
        super().__init__(-501007, detail, code="INVALID_PARAM")


def decode_value(value: Any, now: Callable[[], datetime], field: str) -> Any:
    """Parsed EJSON → stored values, with server dates resolved to the cloud's now."""
    try:
        decoded = ejson.decode(value)
    except (ejson.EJSONError, RecursionError) as exc:
        raise BadRequest(f"{field}: {exc}") from None
    return _server_dates(decoded, now, field)


def _server_dates(value: Any, now: Callable[[], datetime], field: str) -> Any:
    cls = value.__class__
    if cls is dict:
        if len(value) == 1 and SERVER_DATE_KEY in value:
            return _server_date(value[SERVER_DATE_KEY], now, field)
        return {k: _server_dates(v, now, field) for k, v in value.items()}
    if cls is list:
        return [_server_dates(v, now, field) for v in value]
    return value


def _server_date(inner: Any, now: Callable[[], datetime], field: str) -> datetime:
    offset = inner.get("offset", 0) if isinstance(inner, Mapping) else None
    if (
        isinstance(offset, bool)
        or not isinstance(offset, (int, float))
        or not math.isfinite(offset)
    ):
        raise BadRequest(
            f"{field}: {SERVER_DATE_KEY} needs {{offset: <milliseconds>}}, got {inner!r}"
        )
    try:
        return to_utc_ms(now() + timedelta(milliseconds=offset))
    except (OverflowError, ValueError):
        raise BadRequest(f"{field}: server date offset {offset!r} ms is out of range") from None


def ejson_field(
    body: Mapping[str, Any],
    name: str,
    now: Callable[[], datetime],
    *,
    default: Any = None,
) -> Any:
    """A field holding an EJSON string; absent or ``""`` gives ``default``."""
    text = body.get(name)
    if text is None or text == "":
        return default
    if not isinstance(text, str):
        raise BadRequest(f"{name} must be an EJSON string, got {type(text).__name__}")
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"{name} is not valid JSON: {exc}") from None
    return decode_value(parsed, now, name)


def object_field(body: Mapping[str, Any], name: str, now: Callable[[], datetime]) -> dict[str, Any]:
    """An EJSON-string field that must hold an object (absent means ``{}``)."""
    value = ejson_field(body, name, now, default={})
    if not isinstance(value, dict):
        raise BadRequest(f"{name} must hold a JSON object, got {value!r}")
    return value


def string_field(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise BadRequest(f"{name} is required and must be a non-empty string, got {value!r}")
    return value


def int_field(body: Mapping[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise BadRequest(f"{name} must be an integer, got {value!r}")
    return int(value)


def bool_field(body: Mapping[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise BadRequest(f"{name} must be true or false, got {value!r}")
    return value


def documents_out(docs: list[dict[str, Any]]) -> list[str]:
    """Each document as the canonical EJSON string the SDK parses back."""
    return [ejson.dumps(doc, canonical=True) for doc in docs]


__all__ = [
    "BadRequest",
    "bool_field",
    "decode_value",
    "documents_out",
    "ejson_field",
    "int_field",
    "object_field",
    "string_field",
]
