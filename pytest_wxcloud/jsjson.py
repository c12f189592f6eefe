"""JavaScript ``JSON.stringify`` / ``JSON.parse`` semantics for values crossing ``callFunction``.

Everything a cloud function receives or returns goes through JSON on the platform (reference
sdk.md §1.4, §2.2, §8 item 11). A Python fake that passed objects by reference would let tests
pass that fail in production (a ``datetime`` arriving as a ``datetime``, a mutated event leaking
back to the caller), so both directions are rebuilt here exactly as JavaScript would:

* ``datetime`` → ``"2024-05-01T00:00:00.000Z"`` (``Date.prototype.toJSON``; naive means UTC);
* ``db.Geo`` objects → GeoJSON (they define ``toJSON``); ``db.RegExp`` / ``re.Pattern`` → ``{}``;
* ``MISSING`` (JS ``undefined``) is dropped from objects and becomes ``null`` in arrays;
* ``NaN`` / ``±Infinity`` → ``null``; integral floats become ints (JS has one number type);
* tuples → lists; integer keys → strings;
* anything JavaScript has no counterpart for (sets, bytes, arbitrary objects) is rejected with
  :class:`JSONBoundaryError` naming the path and the accepted values, as is a circular reference
  (node-sdk's ``对象出现了循环引用``), a value nested more than 200 levels deep, and text holding a
  lone UTF-16 surrogate (UTF-8 cannot carry it) — the database's input guard, so the error
  names the path instead of a ``RecursionError`` or ``UnicodeEncodeError`` escaping later.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .clock import to_utc_ms
from .database.guard import InputShapeError, check_input
from .database.values import MISSING, Geometry, RegExp

CIRCULAR_MESSAGE = "对象出现了循环引用"

#: deepest event or result accepted, as for events arriving over HTTP (invokecloudfunction):
#: JSON payloads are not BSON documents, so not MongoDB's 100 levels
MAX_JSON_NESTING = 200

ACCEPTED = (
    "accepted values are None, bool, int, float, str, list, tuple, dict with str keys, "
    "datetime, db.Geo.* and db.RegExp"
)

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


class JSONBoundaryError(TypeError):
    """A value JavaScript could not carry across the JSON boundary, with where it was found."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path


def to_json_value(value: Any, path: str = "") -> Any:
    """What ``JSON.parse(JSON.stringify(value))`` gives, as fresh Python objects.

    A bare ``MISSING`` (a function returning ``undefined``) becomes ``None``: what the platform
    sends then is unconfirmed (sdk.md §2.2), and ``null`` is the likelier reading.
    """
    if value is MISSING:
        return None
    path = path or "value"
    try:
        check_input(value, path, MAX_JSON_NESTING)
    except InputShapeError as exc:
        if exc.kind == "circular":
            raise JSONBoundaryError(f"{CIRCULAR_MESSAGE} ({exc})", exc.path) from None
        raise JSONBoundaryError(f"cannot send {path} as JSON: {exc}", exc.path) from None
    return _convert(value, path)


def stringify(value: Any, path: str = "") -> str:
    """``JSON.stringify(value)`` (compact, UTF-8 text as JavaScript writes it)."""
    return _ENCODER.encode(to_json_value(value, path))


def round_trip(value: Any, path: str = "") -> tuple[Any, int]:
    """The parsed copy and its size in UTF-8 bytes, for the platform's payload limits."""
    converted = to_json_value(value, path)
    return converted, len(_ENCODER.encode(converted).encode("utf-8"))


def parse(text: str) -> Any:
    """``JSON.parse``: standard JSON only (no ``NaN``/``Infinity`` literals, as in JavaScript)."""
    return json.loads(text, parse_constant=_reject_constant)


def iso_string(moment: datetime) -> str:
    """``Date.prototype.toISOString``: UTC, milliseconds, ``Z``."""
    utc = to_utc_ms(moment)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def js_type(value: Any) -> str:
    """The JavaScript type name wx-server-sdk's parameter assertions and our diffs print."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return f"object ({type(value).__name__})"


def json_equal(a: Any, b: Any) -> bool:
    """JavaScript's view of two JSON values being the same: deep, key order ignored, ``true``
    is not ``1`` (JSON has a boolean type, Python's ``True == 1`` must not leak in), ``1`` is
    ``1.0`` (JSON has one number type)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(json_equal(v, b[k]) for k, v in a.items())
        )
    if isinstance(a, list):
        return (
            isinstance(b, list)
            and len(a) == len(b)
            and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected token {name[0]} in JSON: {name} is not valid JSON")


def _convert(value: Any, path: str) -> Any:
    """The JSON copy; ``value`` has passed the input guard, so it is acyclic and shallow."""
    cls = value.__class__
    if cls is str or cls is int or cls is bool or value is None:
        return value
    if cls is float:
        return _number(value)
    if cls is list or cls is tuple:
        return [
            None if item is MISSING else _convert(item, f"{path}[{i}]")
            for i, item in enumerate(value)
        ]
    if cls is dict or isinstance(value, Mapping):
        return _object(value, path)
    if isinstance(value, datetime):
        try:
            return iso_string(value)
        except OverflowError:
            raise JSONBoundaryError(
                f"cannot send the date {value.isoformat()} at {path} as JSON: it is outside the "
                "years 1-9999 once converted to UTC",
                path,
            ) from None
    if isinstance(value, Geometry):
        return value.to_geojson()
    if isinstance(value, RegExp | re.Pattern):
        return {}
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return _number(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list | tuple):
        return _convert(list(value), path)
    raise JSONBoundaryError(_unsupported(value, path), path)


def _number(value: float) -> int | float | None:
    if not math.isfinite(value):
        return None
    # JavaScript writes integral numbers below 1e21 without a fraction, so JSON.parse on the
    # Python side yields an int; from 1e21 on it switches to exponent form, which parses as float.
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _object(value: Mapping[Any, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is MISSING:
            continue
        if key.__class__ is not str:
            key = _key(key, path)
        out[key] = _convert(item, f"{path}.{key}")
    return out


def _key(key: Any, path: str) -> str:
    if isinstance(key, bool) or not isinstance(key, int | str):
        raise JSONBoundaryError(
            f"cannot send the key {key!r} ({type(key).__name__}) of {path} as JSON: "
            "object keys must be str (int keys become strings, as in JavaScript)",
            path,
        )
    return str(key)


def _unsupported(value: Any, path: str) -> str:
    kind = type(value).__name__
    hint = ""
    if isinstance(value, set | frozenset):
        hint = " (use a list)"
    elif isinstance(value, bytes | bytearray):
        hint = " (send text, or upload the bytes to cloud storage and pass the fileID)"
    elif kind == "ServerDate":
        hint = " (db.server_date() only means something inside a database write; send a datetime)"
    elif kind in {"date", "time", "Decimal"}:
        hint = " (convert it to a datetime, str or number first)"
    return f"cannot send {value!r} ({kind}) at {path} as JSON{hint}; {ACCEPTED}"


#: UTF-16 surrogate code points: a Python ``str`` may hold them alone, UTF-8 cannot encode them.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def encode_json(body: Any) -> bytes:
    """UTF-8 JSON as the platform's JavaScript back end writes it, for any string we hold.

    ES2019's well-formed ``JSON.stringify`` writes a lone surrogate as a ``\\udXXX`` escape
    instead of failing; a high and low surrogate stored as two code points come out as two
    escapes, which every JSON parser joins back into the one character. Valid UTF-8 and valid
    JSON either way, so a client's decoder never trips over data the cloud accepted.
    """
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode()
    except UnicodeEncodeError:  # only strings can hold surrogates, so escaping them is exact
        return _SURROGATE.sub(_escape_surrogate, text).encode()


__all__ = [
    "CIRCULAR_MESSAGE",
    "MAX_JSON_NESTING",
    "JSONBoundaryError",
    "encode_json",
    "iso_string",
    "js_type",
    "json_equal",
    "parse",
    "round_trip",
    "stringify",
    "to_json_value",
]
