"""Time zones, ``$dateToString`` formats and ``$dateFromString`` parsing, MongoDB-style.

Dates are instants (aware UTC datetimes). Operators read them in UTC unless a ``timezone`` is
given: an Olson name (``"Asia/Shanghai"``) or a UTC offset (``"+08:00"``, ``"+0800"``, ``"+08"``).
Cloud functions run in UTC (sdk.md §3.9), so grouping "by day" without a timezone groups by UTC day.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..values import MISSING
from .support import fail, type_name

UTC = timezone.utc
_OFFSET = re.compile(r"^([+-])(\d{2})(?::?(\d{2}))?$")


@lru_cache(maxsize=256)
def resolve_timezone(name: str) -> tzinfo:
    match = _OFFSET.match(name)
    if match:
        sign, hours, minutes = match.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if delta >= timedelta(hours=24):
            raise fail(f'unrecognized time zone identifier: "{name}"')
        return timezone(-delta if sign == "-" else delta)
    if not name or name.startswith(("/", ".")) or ".." in name:
        raise fail(f'unrecognized time zone identifier: "{name}"')
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise fail(f'unrecognized time zone identifier: "{name}"') from None


def timezone_of(value: Any) -> tzinfo | None:
    """The tzinfo a ``timezone`` operand names; None when it is null or missing."""
    if value is None or value is MISSING:
        return None
    if value.__class__ is not str:
        raise fail(f"timezone must evaluate to a string, found {type_name(value)}")
    return resolve_timezone(value)


def as_date(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    raise fail(f"can't convert from BSON type {type_name(value)} to Date")


def local(moment: datetime, zone: tzinfo) -> datetime:
    return moment if zone is UTC else moment.astimezone(zone)


def week_of_year(moment: datetime) -> int:
    """``%U``: weeks start on Sunday; days before the year's first Sunday are week 0."""
    sunday_based = (moment.weekday() + 1) % 7
    return (moment.timetuple().tm_yday - 1 + 7 - sunday_based) // 7


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def format_date(moment: datetime, fmt: str) -> str:
    """``$dateToString`` for a datetime already in the wanted zone."""
    out: list[str] = []
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(fmt):
            raise fail("Unmatched '%' at end of format string")
        spec = fmt[i + 1]
        out.append(_format_one(moment, spec))
        i += 2
    return "".join(out)


def _format_one(moment: datetime, spec: str) -> str:
    if spec == "Y":
        return f"{moment.year:04d}"
    if spec == "m":
        return f"{moment.month:02d}"
    if spec == "d":
        return f"{moment.day:02d}"
    if spec == "H":
        return f"{moment.hour:02d}"
    if spec == "M":
        return f"{moment.minute:02d}"
    if spec == "S":
        return f"{moment.second:02d}"
    if spec == "L":
        return f"{moment.microsecond // 1000:03d}"
    if spec == "j":
        return f"{moment.timetuple().tm_yday:03d}"
    if spec == "w":
        return str((moment.weekday() + 1) % 7 + 1)
    if spec == "u":
        return str(moment.isoweekday())
    if spec == "U":
        return f"{week_of_year(moment):02d}"
    if spec == "V":
        return f"{moment.isocalendar()[1]:02d}"
    if spec == "G":
        return f"{moment.isocalendar()[0]:04d}"
    if spec == "z":
        minutes = _offset_minutes(moment)
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    if spec == "Z":
        minutes = _offset_minutes(moment)
        return f"{'-' if minutes < 0 else '+'}{abs(minutes)}"
    if spec == "%":
        return "%"
    raise fail(f"Invalid format character '%{spec}' in format string")


# --------------------------------------------------------------------------- parsing

_ISO = re.compile(
    r"^(?P<Y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.(?P<frac>\d{1,9}))?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?$"
)

_PARSE_FIELDS = {
    "Y": r"(?P<Y>\d{4})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "H": r"(?P<H>\d{1,2})",
    "M": r"(?P<M>\d{1,2})",
    "S": r"(?P<S>\d{1,2})",
    "L": r"(?P<frac>\d{1,3})",
    "j": r"(?P<j>\d{1,3})",
    "z": r"(?P<tz>[+-]\d{2}:?\d{2})",
    "Z": r"(?P<tzmin>[+-]\d{1,4})",
    "G": r"(?P<G>\d{4})",
    "V": r"(?P<V>\d{1,2})",
    "u": r"(?P<u>[1-7])",
}


@lru_cache(maxsize=128)
def _format_regex(fmt: str) -> re.Pattern[str]:
    pattern = ["^"]
    used: set[str] = set()
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            pattern.append(re.escape(ch))
            i += 1
            continue
        if i + 1 >= len(fmt):
            raise fail("Unmatched '%' at end of format string")
        spec = fmt[i + 1]
        i += 2
        if spec == "%":
            pattern.append("%")
            continue
        if spec not in _PARSE_FIELDS:
            raise fail(f"Invalid format character '%{spec}' in format string")
        if spec in used:
            raise fail(f"Error parsing date string: format '{fmt}' uses %{spec} twice")
        used.add(spec)
        pattern.append(_PARSE_FIELDS[spec])
    pattern.append("$")
    return re.compile("".join(pattern))


def parse_date(text: str, fmt: str | None, zone: tzinfo | None) -> datetime:
    """``$dateFromString``; raises the ``Error parsing date string`` failure when it cannot."""
    match = (_format_regex(fmt) if fmt is not None else _ISO).match(text)
    if match is None:
        expected = (
            f"the format '{fmt}'"
            if fmt is not None
            else "an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z|±HH:MM])"
        )
        raise fail(f"Error parsing date string '{text}'; it does not match {expected}")
    parts = {k: v for k, v in match.groupdict().items() if v is not None}
    offset = _parsed_offset(parts)
    if offset is not None and zone is not None:
        raise fail(
            "you cannot pass in a date/time string with GMT offset together with a timezone argument"
        )
    try:
        moment = _build(parts)
    except ValueError as exc:
        raise fail(f"Error parsing date string '{text}'; {exc}") from None
    if offset is not None:
        return (moment.replace(tzinfo=timezone(offset))).astimezone(UTC)
    return moment.replace(tzinfo=zone or UTC).astimezone(UTC)


def _parsed_offset(parts: dict[str, str]) -> timedelta | None:
    if "tz" in parts:
        raw = parts["tz"]
        if raw == "Z":
            return timedelta(0)
        digits = raw[1:].replace(":", "")
        delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
        return -delta if raw[0] == "-" else delta
    if "tzmin" in parts:
        return timedelta(minutes=int(parts["tzmin"]))
    return None


def _build(parts: dict[str, str]) -> datetime:
    frac = parts.get("frac", "0")
    millis = int((frac + "000")[:3])
    offset = timedelta(
        hours=int(parts.get("H", 0)),
        minutes=int(parts.get("M", 0)),
        seconds=int(parts.get("S", 0)),
        milliseconds=millis,
    )
    for name, limit in (("H", 23), ("M", 59), ("S", 59)):
        if int(parts.get(name, 0)) > limit:
            raise ValueError(f"%{name} value {parts[name]} is out of range")
    if "G" in parts:
        return (
            datetime.fromisocalendar(
                int(parts["G"]), int(parts.get("V", 1)), int(parts.get("u", 1))
            )
            + offset
        )
    if "Y" not in parts:
        raise ValueError("the string has no year")
    year = int(parts["Y"])
    if "j" in parts:
        return datetime(year, 1, 1) + timedelta(days=int(parts["j"]) - 1) + offset
    return datetime(year, int(parts.get("m", 1)), int(parts.get("d", 1))) + offset
