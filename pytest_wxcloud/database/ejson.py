"""MongoDB Extended JSON (v2) for the values the cloud database stores.

The WeChat HTTP API answers in two dialects of the same format (http-api.md §4.6):
``databasequery`` sends *relaxed* records (plain JSON numbers) while ``databaseaggregate`` sends
*canonical* ones (``{"$numberInt": "3"}``), and client code reads the wrappers by key. Export
files and the console add their own date spellings. One codec covers all of them so the HTTP face,
the loaders and the tests agree on a single definition.

Date spelling in relaxed output is unconfirmed for the live API, hence ``date_format``:
``"ms"`` gives ``{"$date": <ms>}`` (what the console shows), ``"iso"`` gives the Extended JSON
relaxed form ``{"$date": "2024-05-01T00:00:00.000Z"}`` (``$numberLong`` outside years 1970-9999).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from .values import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, Geometry, RegExp

DateFormat = Literal["ms", "iso"]


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_ISO_MIN_MS = 0  # 1970-01-01: relaxed ISO form only covers 1970-9999 (Extended JSON spec)
_ISO_MAX_MS = 253402300799999  # 9999-12-31T23:59:59.999Z


class EJSONError(ValueError):
    """An Extended JSON wrapper that does not hold what its key promises."""


# --------------------------------------------------------------------------- encoding


def to_ms(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def _double_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value).replace("e", "E")


def _iso(ms: int) -> str:
    moment = from_ms(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def encode(value: Any, *, canonical: bool = False, date_format: DateFormat = "ms") -> Any:
    """The JSON-ready form of a stored (or caller-facing) value."""
    if canonical:
        return _canonical(value)
    return _relaxed(value, date_format == "iso")


def _canonical(value: Any) -> Any:
    cls = value.__class__
    if cls is str or value is None or cls is bool:
        return value
    if cls is int:
        key = "$numberInt" if INT32_MIN <= value <= INT32_MAX else "$numberLong"
        return {key: str(value)}
    if cls is float:
        return {"$numberDouble": _double_text(value)}
    if cls is dict:
        return {k: _canonical(v) for k, v in value.items()}
    if cls is list or cls is tuple:
        return [_canonical(v) for v in value]
    return _special(value, _canonical, lambda ms: {"$date": {"$numberLong": str(ms)}})


def _relaxed(value: Any, iso_dates: bool) -> Any:
    cls = value.__class__
    if cls is str or cls is int or value is None or cls is bool:
        return value
    if cls is float:
        if math.isnan(value) or math.isinf(value):
            return {"$numberDouble": _double_text(value)}
        return value
    if cls is dict:
        return {k: _relaxed(v, iso_dates) for k, v in value.items()}
    if cls is list or cls is tuple:
        return [_relaxed(v, iso_dates) for v in value]

    def date(ms: int) -> Any:
        if not iso_dates:
            return {"$date": ms}
        if _ISO_MIN_MS <= ms <= _ISO_MAX_MS:
            return {"$date": _iso(ms)}
        return {"$date": {"$numberLong": str(ms)}}

    return _special(value, lambda v: _relaxed(v, iso_dates), date)


def _special(value: Any, again: Any, date: Any) -> Any:
    if isinstance(value, datetime):
        return date(to_ms(value))
    if isinstance(value, RegExp):
        return {"$regularExpression": {"pattern": value.pattern, "options": value.options}}
    if isinstance(value, Geometry):
        return again(value.to_geojson())
    if isinstance(value, (bool, int, float, str)):  # IntEnum and friends: their base type
        for base in (bool, int, float, str):
            if isinstance(value, base):
                return again(base(value))
    raise EJSONError(
        f"cannot encode {value!r} ({type(value).__name__}) as Extended JSON: accepted values are "
        "None, bool, int, float, str, datetime, list, dict, RegExp and db.Geo objects"
    )


def dumps(value: Any, *, canonical: bool = False, date_format: DateFormat = "ms") -> str:
    """Compact JSON text, as the HTTP API puts each record into ``data``."""
    return json.dumps(
        encode(value, canonical=canonical, date_format=date_format),
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )


# --------------------------------------------------------------------------- decoding


def decode(value: Any) -> Any:
    """Python values for parsed Extended JSON, canonical, relaxed or export-file spelling.

    Only exact single-purpose wrappers are converted; other ``$`` keys (query operators) stay.
    """
    cls = value.__class__
    if cls is dict:
        if len(value) <= 2 and value:
            wrapped = _unwrap(value)
            if wrapped is not _NOT_A_WRAPPER:
                return wrapped
        return {k: decode(v) for k, v in value.items()}
    if cls is list:
        return [decode(v) for v in value]
    return value


def loads(text: str | bytes) -> Any:
    return decode(json.loads(text))


_NOT_A_WRAPPER: Any = object()


def _unwrap(value: dict[str, Any]) -> Any:
    if len(value) == 2:
        if set(value) == {"$regex", "$options"}:  # legacy Extended JSON v1
            return _regex(value["$regex"], value["$options"], value)
        return _NOT_A_WRAPPER
    ((key, inner),) = value.items()
    if key == "$numberInt":
        return _integer(inner, INT32_MIN, INT32_MAX, value)
    if key == "$numberLong":
        return _integer(inner, INT64_MIN, INT64_MAX, value)
    if key == "$numberDouble":
        return _double(inner, value)
    if key == "$date":
        return _date(inner, value)
    if key == "$regularExpression":
        if isinstance(inner, dict) and set(inner) <= {"pattern", "options"} and "pattern" in inner:
            return _regex(inner["pattern"], inner.get("options", ""), value)
        raise EJSONError(f"$regularExpression needs {{pattern, options}}, got {inner!r}")
    if key == "$oid":
        if isinstance(inner, str):
            return inner  # ids stay strings in the cloud database
        raise EJSONError(f"$oid must hold a string, got {inner!r}")
    return _NOT_A_WRAPPER


def _integer(inner: Any, low: int, high: int, whole: dict[str, Any]) -> int:
    text = inner.strip() if isinstance(inner, str) else None
    if text and (text.lstrip("-").isdigit()) and low <= int(text) <= high:
        return int(text)
    raise EJSONError(f"{whole!r} is not a valid integer wrapper (a decimal string in range)")


def _double(inner: Any, whole: dict[str, Any]) -> float:
    if isinstance(inner, str):
        special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
        if inner in special:
            return special[inner]
        try:
            number = float(inner)
        except ValueError:
            number = math.nan
        if not math.isnan(number) and not math.isinf(number):
            return number
    raise EJSONError(f"{whole!r} is not a valid $numberDouble (a decimal string, NaN or ±Infinity)")


def _date(inner: Any, whole: dict[str, Any]) -> datetime:
    if inner.__class__ is int:
        return from_ms(inner)
    if inner.__class__ is float and inner.is_integer():
        return from_ms(int(inner))
    if isinstance(inner, dict) and len(inner) == 1 and "$numberLong" in inner:
        return from_ms(_integer(inner["$numberLong"], INT64_MIN, INT64_MAX, whole))
    if isinstance(inner, str):
        return _parse_iso(inner, whole)
    raise EJSONError(
        f"{whole!r} is not a valid $date: accepted are milliseconds, "
        '{"$numberLong": "<ms>"} and an ISO-8601 string'
    )


def _parse_iso(text: str, whole: dict[str, Any]) -> datetime:
    candidate = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        raise EJSONError(f"{whole!r}: {text!r} is not an ISO-8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    moment = moment.astimezone(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _regex(pattern: Any, options: Any, whole: dict[str, Any]) -> RegExp:
    if not isinstance(pattern, str) or not isinstance(options, str):
        raise EJSONError(f"{whole!r}: pattern and options must be strings")
    try:
        return RegExp(pattern, options)
    except (TypeError, ValueError) as exc:
        raise EJSONError(f"{whole!r}: {exc}") from None


__all__ = ["EJSONError", "decode", "dumps", "encode", "from_ms", "loads", "to_ms"]
