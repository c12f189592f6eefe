"""Date operators: parts of a date (in UTC or a given ``timezone``), formatting, parsing, building.

Each part operator accepts ``"$d"``, ``["$d"]`` or ``{"date": "$d", "timezone": "Asia/Shanghai"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any

from .dates import UTC, as_date, format_date, local, parse_date, timezone_of, week_of_year
from .registry import ExpressionCompiler, operator
from .support import Evaluator, as_int, expect_args, fail, is_nullish, is_number, show, type_name


def _date_and_zone(
    name: str, param: Any, compiler: ExpressionCompiler
) -> tuple[Evaluator, Evaluator | None]:
    if param.__class__ is dict and param and not any(k.startswith("$") for k in param):
        for key in param:
            if key not in ("date", "timezone"):
                raise fail(f'unrecognized option to {name}: "{key}"')
        if "date" not in param:
            raise fail(f"missing 'date' argument to {name}")
        zone = compiler.compile(param["timezone"]) if "timezone" in param else None
        return compiler.compile(param["date"]), zone
    (arg,) = expect_args(name, param, 1)
    return compiler.compile(arg), None


def _zone(zone_fn: Evaluator | None, doc: Any, variables: Mapping[str, Any]) -> tzinfo | None:
    """UTC without a timezone operand; None when the operand is null (the result is then null)."""
    if zone_fn is None:
        return UTC
    return timezone_of(zone_fn(doc, variables))


def _part(name: str, extract: Callable[[datetime], int]) -> None:
    @operator(name)
    def compile_part(param: Any, compiler: ExpressionCompiler) -> Evaluator:
        date_fn, zone_fn = _date_and_zone(name, param, compiler)

        def part(doc: Any, variables: Mapping[str, Any]) -> Any:
            value = date_fn(doc, variables)
            if is_nullish(value):
                return None
            zone = _zone(zone_fn, doc, variables)
            if zone is None:
                return None
            return extract(local(as_date(value), zone))

        return part


_part("$year", lambda d: d.year)
_part("$month", lambda d: d.month)
_part("$dayOfMonth", lambda d: d.day)
_part("$hour", lambda d: d.hour)
_part("$minute", lambda d: d.minute)
_part("$second", lambda d: d.second)
_part("$millisecond", lambda d: d.microsecond // 1000)
_part("$dayOfYear", lambda d: d.timetuple().tm_yday)
_part("$dayOfWeek", lambda d: (d.weekday() + 1) % 7 + 1)
_part("$week", week_of_year)
_part("$isoDayOfWeek", lambda d: d.isoweekday())
_part("$isoWeek", lambda d: d.isocalendar()[1])
_part("$isoWeekYear", lambda d: d.isocalendar()[0])


def _options(
    name: str, param: Any, allowed: tuple[str, ...], required: tuple[str, ...]
) -> dict[str, Any]:
    if param.__class__ is not dict:
        raise fail(f"{name} only supports an object as its argument")
    for key in param:
        if key not in allowed:
            raise fail(
                f"Unrecognized argument to {name}: {key}. Expected arguments are {', '.join(allowed)}"
            )
    for key in required:
        if key not in param:
            raise fail(f"Missing '{key}' parameter to {name}")
    return param  # type: ignore[no-any-return]


@operator("$dateToString")
def _date_to_string(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _options("$dateToString", param, ("date", "format", "timezone", "onNull"), ("date",))
    date_fn = compiler.compile(spec["date"])
    format_fn = compiler.compile(spec["format"]) if "format" in spec else None
    zone_fn = compiler.compile(spec["timezone"]) if "timezone" in spec else None
    on_null = compiler.compile(spec["onNull"]) if "onNull" in spec else None

    def date_to_string(doc: Any, variables: Mapping[str, Any]) -> Any:
        if format_fn is None:
            fmt = "%Y-%m-%dT%H:%M:%S.%LZ" if zone_fn is None else "%Y-%m-%dT%H:%M:%S.%L"
        else:
            fmt = format_fn(doc, variables)
            if is_nullish(fmt):
                return None
            if fmt.__class__ is not str:
                raise fail(
                    f"$dateToString requires that 'format' be a string, found: {type_name(fmt)} with value {show(fmt)}"
                )
        zone = _zone(zone_fn, doc, variables)
        value = date_fn(doc, variables)
        if is_nullish(value):
            return on_null(doc, variables) if on_null is not None else None
        if zone is None:
            return None
        return format_date(local(as_date(value), zone), fmt)

    return date_to_string


@operator("$dateFromString")
def _date_from_string(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    spec = _options(
        "$dateFromString",
        param,
        ("dateString", "format", "timezone", "onError", "onNull"),
        ("dateString",),
    )
    text_fn = compiler.compile(spec["dateString"])
    format_fn = compiler.compile(spec["format"]) if "format" in spec else None
    zone_fn = compiler.compile(spec["timezone"]) if "timezone" in spec else None
    on_error = compiler.compile(spec["onError"]) if "onError" in spec else None
    on_null = compiler.compile(spec["onNull"]) if "onNull" in spec else None

    def date_from_string(doc: Any, variables: Mapping[str, Any]) -> Any:
        fmt = None
        if format_fn is not None:
            fmt = format_fn(doc, variables)
            if is_nullish(fmt):
                return None
            if fmt.__class__ is not str:
                raise fail(
                    f"$dateFromString requires that 'format' be a string, found: {type_name(fmt)} with value {show(fmt)}"
                )
        zone = None
        if zone_fn is not None:
            zone = timezone_of(zone_fn(doc, variables))
            if zone is None:
                return None
        text = text_fn(doc, variables)
        if is_nullish(text):
            return on_null(doc, variables) if on_null is not None else None
        if text.__class__ is not str:
            if on_error is not None:
                return on_error(doc, variables)
            raise fail(
                f"$dateFromString requires that 'dateString' be a string, found: {type_name(text)} with value {show(text)}"
            )
        if on_error is None:
            return parse_date(text, fmt, zone)
        try:
            return parse_date(text, fmt, zone)
        except Exception as exc:  # only parse failures are caught; bad formats still raise
            if "Error parsing date string" not in str(exc) and "GMT offset" not in str(exc):
                raise
            return on_error(doc, variables)

    return date_from_string


_CALENDAR = ("year", "month", "day", "hour", "minute", "second", "millisecond")
_ISO_PARTS = ("isoWeekYear", "isoWeek", "isoDayOfWeek", "hour", "minute", "second", "millisecond")
_DEFAULTS = {"month": 1, "day": 1, "isoWeek": 1, "isoDayOfWeek": 1}


@operator("$dateFromParts")
def _date_from_parts(param: Any, compiler: ExpressionCompiler) -> Evaluator:
    if param.__class__ is not dict:
        raise fail("$dateFromParts only supports an object as its argument")
    iso = "isoWeekYear" in param
    names = _ISO_PARTS if iso else _CALENDAR
    for key in param:
        if key != "timezone" and key not in names:
            other = "isoWeekYear" if not iso and key in _ISO_PARTS else "year"
            if key in _CALENDAR or key in _ISO_PARTS:
                raise fail(
                    f"$dateFromParts does not allow mixing natural dates with ISO dates ('{key}' with '{other}')"
                )
            raise fail(f"Unrecognized argument to $dateFromParts: {key}")
    if not iso and "year" not in param:
        raise fail("$dateFromParts requires either 'year' or 'isoWeekYear' to be present")
    parts = [(n, compiler.compile(param[n])) for n in names if n in param]
    zone_fn = compiler.compile(param["timezone"]) if "timezone" in param else None

    def date_from_parts(doc: Any, variables: Mapping[str, Any]) -> Any:
        values: dict[str, int] = {}
        for name, fn in parts:
            value = fn(doc, variables)
            if is_nullish(value):
                return None
            values[name] = _part_int(name, value)
        zone = _zone(zone_fn, doc, variables)
        if zone is None:
            return None
        try:
            return _assemble(values, iso, zone)
        except (OverflowError, ValueError):
            raise fail(f"$dateFromParts: the date built from {values} is out of range") from None

    return date_from_parts


def _part_int(name: str, value: Any) -> int:
    integral = as_int(value) if is_number(value) else None
    if integral is None:
        raise fail(
            f"'{name}' must evaluate to an integer, found {type_name(value)} with value {show(value)}"
        )
    if name in ("year", "isoWeekYear"):
        if not 1 <= integral <= 9999:
            raise fail(
                f"'{name}' must evaluate to an integer in the range 1 to 9999, found {integral}"
            )
    elif not -32768 <= integral <= 32767:
        raise fail(
            f"'{name}' must evaluate to a value in the range [-32768, 32767]; value {integral} is not in range"
        )
    return integral


def _assemble(values: dict[str, int], iso: bool, zone: tzinfo) -> datetime:
    def get(name: str) -> int:
        return values.get(name, _DEFAULTS.get(name, 0))

    if iso:
        base = datetime.fromisocalendar(get("isoWeekYear"), 1, 1)
        base += timedelta(weeks=get("isoWeek") - 1, days=get("isoDayOfWeek") - 1)
    else:
        months = get("year") * 12 + get("month") - 1
        year, month = divmod(months, 12)
        if not 1 <= year <= 9999:
            raise fail(f"$dateFromParts: the date is out of range (year {year})")
        base = datetime(year, month + 1, 1) + timedelta(days=get("day") - 1)
    moment = base + timedelta(
        hours=get("hour"),
        minutes=get("minute"),
        seconds=get("second"),
        milliseconds=get("millisecond"),
    )
    return moment.replace(tzinfo=zone).astimezone(UTC)
