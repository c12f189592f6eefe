"""Database value types and the boundary between callers and stored data.

Stored documents hold only: ``None``, ``bool``, ``int`` (64-bit), ``float``, ``str``, aware UTC
``datetime`` (millisecond precision), :class:`RegExp`, ``list`` and ``dict`` (geometry is stored as
GeoJSON dicts, as MongoDB stores it). Everything crossing into the store goes through
:func:`to_stored` (validates, converts, copies); everything going back out through
:func:`to_caller` (copies, turns GeoJSON back into Geo objects as the SDK does on read).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..clock import to_utc_ms
from ..errors import SDKTypeError, SDKUsageError
from .bson_size import document_size, value_size
from .guard import MAX_NESTING, has_surrogate, lone_surrogate, too_deep

MAX_DOCUMENT_BYTES = 16 * 1024 * 1024
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: compiled regular expressions kept (least recently used dropped first)
REGEX_CACHE_SIZE = 512

_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


class _Missing:
    """The absence of a field — distinct from ``None`` (JSON null), like JS ``undefined``."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@dataclass(frozen=True)
class RegExp:
    """``db.RegExp({regexp, options})`` / a JS regex literal. Python ``re.Pattern`` converts to it."""

    pattern: str
    options: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.pattern, str):
            raise SDKTypeError("regexp must be a string")
        if not isinstance(self.options, str):
            raise SDKTypeError("options must be a string")
        if has_surrogate(self.pattern):
            raise lone_surrogate(self.pattern, "regexp", "regular expression")
        unknown = sorted(set(self.options) - set(_REGEX_FLAGS) - {"u", "g"})
        if unknown:
            raise SDKUsageError(
                f"db.RegExp: unsupported option(s) {''.join(unknown)!r} in {self.options!r}; "
                "accepted: i, m, s, x"
            )

    @property
    def compiled(self) -> re.Pattern[str]:
        return _compile_regex(self.pattern, self.options)

    @classmethod
    def from_pattern(cls, pattern: re.Pattern[str]) -> RegExp:
        options = "".join(letter for letter, flag in _REGEX_FLAGS.items() if pattern.flags & flag)
        return cls(pattern.pattern, options)


@functools.lru_cache(maxsize=REGEX_CACHE_SIZE)
def _compile_regex(pattern: str, options: str) -> re.Pattern[str]:
    """Compiled once per (pattern, options), with the least recently used dropped past
    :data:`REGEX_CACHE_SIZE` entries, so generated patterns cannot grow memory without bound."""
    flags = 0
    for letter in options:
        flags |= _REGEX_FLAGS.get(letter, 0)
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise SDKUsageError(f"invalid regular expression {pattern!r}: {exc}") from None


@dataclass(frozen=True)
class ServerDate:
    """``db.serverDate({offset})``: resolved to the cloud's clock + offset (ms) when executed."""

    offset: int | float = 0

    def __post_init__(self) -> None:
        offset = self.offset
        if (
            isinstance(offset, bool)
            or not isinstance(offset, (int, float))
            or (isinstance(offset, float) and not math.isfinite(offset))
        ):
            raise SDKTypeError(
                f"serverDate offset must be a finite number of milliseconds, got {offset!r}"
            )

    def resolve(self, now: datetime) -> datetime:
        """``now`` shifted by the offset; a date outside the years 1-9999 is refused."""
        try:
            return now + timedelta(milliseconds=self.offset)
        except OverflowError:
            raise SDKUsageError(
                f"serverDate offset {self.offset!r} ms puts the date outside the years 1-9999"
            ) from None


# --------------------------------------------------------------------------- geometry


class Geometry:
    """Base of the ``db.Geo`` types: immutable, compared by value, stored as GeoJSON."""

    geo_type: str = ""

    def to_geojson(self) -> dict[str, Any]:
        return {"type": self.geo_type, "coordinates": self._coordinates()}

    def _coordinates(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define its coordinates")

    def toJSON(self) -> dict[str, Any]:
        return self.to_geojson()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Geometry):
            return self.to_geojson() == other.to_geojson()
        if isinstance(other, dict):
            return self.to_geojson() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(repr(self.to_geojson()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._coordinates()!r})"


def _check_number(value: Any, what: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise SDKTypeError(f"{what} should be a number ranges from {int(low)} to {int(high)}")
    return value


class Point(Geometry):
    geo_type = "Point"

    def __init__(self, longitude: float, latitude: float) -> None:
        self.longitude = _check_number(longitude, "longitude", -180, 180)
        self.latitude = _check_number(latitude, "latitude", -90, 90)

    def _coordinates(self) -> list[float]:
        # MongoDB stores GeoJSON positions as doubles: Point(113, 23) reads back as 113.0
        return [float(self.longitude), float(self.latitude)]


def _as_points(points: Any, owner: str, minimum: int) -> tuple[Point, ...]:
    if not isinstance(points, (list, tuple)) or not all(isinstance(p, Point) for p in points):
        raise SDKTypeError(f'"points" of {owner} must be an array of Point. Received {points!r}')
    if len(points) < minimum:
        raise SDKTypeError(f"{owner} must contain at least {minimum} points")
    return tuple(points)


def _typed_list(items: Any, kind: type, owner: str, what: str) -> tuple[Any, ...]:
    if (
        not isinstance(items, (list, tuple))
        or not items
        or not all(isinstance(i, kind) for i in items)
    ):
        raise SDKTypeError(
            f'"{what}" of {owner} must be a non-empty array of {kind.__name__}. Received {items!r}'
        )
    return tuple(items)


class LineString(Geometry):
    geo_type = "LineString"

    def __init__(self, points: Sequence[Point]) -> None:
        self.points = _as_points(points, "LineString", 2)

    def _coordinates(self) -> list[list[float]]:
        return [p._coordinates() for p in self.points]

    @property
    def is_closed(self) -> bool:
        return self.points[0] == self.points[-1]


class Polygon(Geometry):
    geo_type = "Polygon"

    def __init__(self, lines: Sequence[LineString]) -> None:
        lines = _typed_list(lines, LineString, "Polygon", "lines")
        for line in lines:
            if len(line.points) < 4 or not line.is_closed:
                raise SDKTypeError(
                    "LineString of a Polygon must be closed (first point == last point) "
                    "and have at least 4 points"
                )
        self.lines = tuple(lines)

    def _coordinates(self) -> list[list[list[float]]]:
        return [line._coordinates() for line in self.lines]


class MultiPoint(Geometry):
    geo_type = "MultiPoint"

    def __init__(self, points: Sequence[Point]) -> None:
        self.points = _as_points(points, "MultiPoint", 1)

    def _coordinates(self) -> list[list[float]]:
        return [p._coordinates() for p in self.points]


class MultiLineString(Geometry):
    geo_type = "MultiLineString"

    def __init__(self, lines: Sequence[LineString]) -> None:
        self.lines = _typed_list(lines, LineString, "MultiLineString", "lines")

    def _coordinates(self) -> list[list[list[float]]]:
        return [line._coordinates() for line in self.lines]


class MultiPolygon(Geometry):
    geo_type = "MultiPolygon"

    def __init__(self, polygons: Sequence[Polygon]) -> None:
        self.polygons = _typed_list(polygons, Polygon, "MultiPolygon", "polygons")

    def _coordinates(self) -> list[Any]:
        return [p._coordinates() for p in self.polygons]


class Geo:
    """``db.Geo``: the geometry constructors."""

    Point = Point
    LineString = LineString
    Polygon = Polygon
    MultiPoint = MultiPoint
    MultiLineString = MultiLineString
    MultiPolygon = MultiPolygon


GEO_TYPES: dict[str, type[Geometry]] = {
    cls.geo_type: cls
    for cls in (Point, LineString, Polygon, MultiPoint, MultiLineString, MultiPolygon)
}


def geometry_from_geojson(value: Mapping[str, Any]) -> Geometry | None:
    """The Geo object for a GeoJSON dict, or None when it is not a well-formed one."""
    kind = value.get("type")
    coords = value.get("coordinates")
    if len(value) != 2 or kind not in GEO_TYPES or not isinstance(coords, list):
        return None
    try:
        return _build_geometry(kind, coords)
    except (TypeError, ValueError, IndexError):
        return None


def _build_geometry(kind: str, coords: Any) -> Geometry:
    def point(c: Any) -> Point:
        if not isinstance(c, list) or len(c) != 2:
            raise ValueError("not a position")
        return Point(c[0], c[1])

    def line(c: Any) -> LineString:
        return LineString([point(p) for p in c])

    if kind == "Point":
        return point(coords)
    if kind == "LineString":
        return line(coords)
    if kind == "Polygon":
        return Polygon([line(r) for r in coords])
    if kind == "MultiPoint":
        return MultiPoint([point(p) for p in coords])
    if kind == "MultiLineString":
        return MultiLineString([line(r) for r in coords])
    return MultiPolygon([Polygon([line(r) for r in poly]) for poly in coords])


# --------------------------------------------------------------------------- the boundary

_SCALARS = (str, int, float, bool, type(None))


def check_field_name(name: Any, path: str) -> None:
    """Field names the database can store: non-empty strings, no leading ``$``, no ``.``."""
    if not isinstance(name, str):
        raise SDKTypeError(
            f"field names must be strings; got {name!r} ({type(name).__name__}) at {path or 'top level'}"
        )
    if not name or name.startswith("$") or "." in name or "\x00" in name:
        where = f" in {path}" if path else ""
        raise SDKUsageError(
            f"invalid field name {name!r}{where}: field names must be non-empty, must not start "
            "with '$' and must not contain '.' or NUL"
        )


def to_stored(
    value: Any, now: Callable[[], datetime], path: str = "", check_names: bool = True
) -> Any:
    """Validate and copy a caller value into its stored form.

    ``now`` resolves :class:`ServerDate`; it is only called when one is present. Raises
    :class:`SDKTypeError`/:class:`SDKUsageError` naming the offending path and value, before
    anything is stored: nesting and lone surrogates as the shared input guard reports them, and
    documents over 16 MB counted in BSON bytes.
    """
    stored = _store(value, now, path, check_names, 0)
    check_size(stored, path)
    return stored


def check_size(stored: Any, path: str = "") -> None:
    """MongoDB's 16 MB limit, in the bytes BSON would take (UTF-8 text, 8-byte doubles …)."""
    size = document_size(stored) if stored.__class__ is dict else value_size(stored)
    if size > MAX_DOCUMENT_BYTES:
        raise SDKUsageError(
            f"document{' ' + path if path else ''} is {size} bytes as BSON; "
            f"the maximum document size is {MAX_DOCUMENT_BYTES} bytes (16 MB)"
        )


def _store(value: Any, now: Callable[[], datetime], path: str, names: bool, depth: int) -> Any:
    cls = value.__class__
    if cls is str:
        if not value.isascii() and has_surrogate(value):
            raise lone_surrogate(value, path)
        return value
    if cls is int:
        if not INT64_MIN <= value <= INT64_MAX:
            raise SDKUsageError(
                f"integer {_short_int(value)} at {path or 'top level'} does not fit in 64 bits; "
                "the database stores integers between -2**63 and 2**63-1"
            )
        return value
    if cls is float or cls is bool or value is None:
        return value
    if depth > MAX_NESTING:
        raise too_deep(path)
    if cls is dict:
        out: dict[str, Any] = {}
        for key, item in value.items():
            if names:
                check_field_name(key, path)
            elif not isinstance(key, str):
                raise SDKTypeError(
                    f"field names must be strings; got {key!r} at {path or 'top level'}"
                )
            where = f"{path}.{key}" if path else key
            if not key.isascii() and has_surrogate(key):
                raise lone_surrogate(key, where, "field name")
            if item is MISSING:
                continue
            out[key] = _store(item, now, where, names, depth + 1)
        return out
    if cls is list or cls is tuple:
        return [
            _store(item, now, f"{path}.{i}" if path else str(i), names, depth + 1)
            for i, item in enumerate(value)
        ]
    if isinstance(value, datetime):
        return _stored_date(value, path)
    if isinstance(value, ServerDate):
        return _stored_date(value.resolve(now()), path)
    if isinstance(value, RegExp):
        return value
    if isinstance(value, re.Pattern):
        return RegExp.from_pattern(value)
    if isinstance(value, Geometry):
        return _store(value.to_geojson(), now, path, names, depth)
    if isinstance(value, bool | int | float | str):
        # subclasses (IntEnum, str enums, numpy-like ints registering as int) store as the base type
        return _store(_base_scalar(value), now, path, names, depth)
    if isinstance(value, Mapping):
        return _store(dict(value), now, path, names, depth)
    raise SDKTypeError(
        f"cannot store {value!r} ({type(value).__name__}) at {path or 'top level'}: accepted values "
        "are None, bool, int, float, str, datetime, list, dict, db.RegExp, re.Pattern, "
        "db.Geo.* and db.server_date()"
    )


def _short_int(value: int) -> str:
    """Python refuses to print integers of more than 4,300 digits; name those by their size."""
    digits = value.bit_length() * 30103 // 100000 + 1
    return (
        str(value) if digits < 40 else f"{'-' if value < 0 else ''}<an integer of ~{digits} digits>"
    )


def _stored_date(moment: datetime, path: str) -> datetime:
    try:
        return to_utc_ms(moment)
    except OverflowError:
        raise SDKUsageError(
            f"date {moment.isoformat()} at {path or 'top level'} is outside the years 1-9999 "
            "once converted to UTC"
        ) from None


def _base_scalar(value: Any) -> Any:
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def clone(value: Any) -> Any:
    """A deep copy of a stored value (dicts and lists are the only mutable parts)."""
    cls = value.__class__
    if cls is dict:
        return {
            k: clone(v) if v.__class__ is dict or v.__class__ is list else v
            for k, v in value.items()
        }
    if cls is list:
        return [clone(v) if v.__class__ is dict or v.__class__ is list else v for v in value]
    return value


def to_caller(value: Any) -> Any:
    """A copy for the caller, with GeoJSON read back as Geo objects (as the SDK's reader does)."""
    cls = value.__class__
    if cls is dict:
        if "type" in value and "coordinates" in value:
            geometry = geometry_from_geojson(value)
            if geometry is not None:
                return geometry
        return {
            k: to_caller(v) if v.__class__ is dict or v.__class__ is list else v
            for k, v in value.items()
        }
    if cls is list:
        return [to_caller(v) if v.__class__ is dict or v.__class__ is list else v for v in value]
    return value


def is_number(value: Any) -> bool:
    cls = value.__class__
    return cls is int or cls is float


__all__ = [
    "GEO_TYPES",
    "MAX_DOCUMENT_BYTES",
    "MISSING",
    "Geo",
    "Geometry",
    "LineString",
    "MultiLineString",
    "MultiPoint",
    "MultiPolygon",
    "Point",
    "Polygon",
    "RegExp",
    "ServerDate",
    "check_field_name",
    "clone",
    "geometry_from_geojson",
    "is_number",
    "to_caller",
    "to_stored",
]
