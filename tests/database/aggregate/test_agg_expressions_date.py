"""Date operators: UTC by default (cloud functions run in UTC), timezone option, formats."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from agg_helpers import ev, fails

UTC = timezone.utc
# 2024-01-07 is a Sunday; 23:30 UTC is already Monday 07:30 in Shanghai.
D = datetime(2024, 1, 7, 23, 30, 15, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("op", "utc", "shanghai"),
    [
        ("$year", 2024, 2024),
        ("$month", 1, 1),
        ("$dayOfMonth", 7, 8),
        ("$hour", 23, 7),
        ("$minute", 30, 30),
        ("$second", 15, 15),
        ("$millisecond", 123, 123),
        ("$dayOfYear", 7, 8),
        ("$dayOfWeek", 1, 2),  # 1 = Sunday
        ("$isoDayOfWeek", 7, 1),  # 7 = Sunday
        ("$week", 1, 1),
        ("$isoWeek", 1, 2),
        ("$isoWeekYear", 2024, 2024),
    ],
)
def test_date_parts_in_utc_and_in_a_timezone(op: str, utc: int, shanghai: int) -> None:
    doc = {"d": D}
    assert ev({op: "$d"}, doc) == utc
    assert ev({op: ["$d"]}, doc) == utc
    assert ev({op: {"date": "$d", "timezone": "Asia/Shanghai"}}, doc) == shanghai
    assert ev({op: {"date": "$d", "timezone": "+08:00"}}, doc) == shanghai


def test_week_zero_before_first_sunday() -> None:
    assert ev({"$week": datetime(2023, 1, 1, tzinfo=UTC)}) == 1  # a Sunday
    assert ev({"$week": datetime(2022, 1, 1, tzinfo=UTC)}) == 0  # a Saturday


def test_null_dates_and_bad_values() -> None:
    assert ev({"$year": "$nope"}) is None
    fails(lambda: ev({"$year": "2024-01-01"}), "can't convert from BSON type string to Date")
    fails(
        lambda: ev({"$year": {"date": D, "timezone": "Mars/Base"}}),
        'unrecognized time zone identifier: "Mars/Base"',
    )


def test_date_to_string_default_and_formats() -> None:
    doc = {"d": D}
    assert ev({"$dateToString": {"date": "$d"}}, doc) == "2024-01-07T23:30:15.123Z"
    assert ev({"$dateToString": {"date": "$d", "format": "%Y-%m-%d"}}, doc) == "2024-01-07"
    fmt = {"date": "$d", "format": "%Y-%m-%d %H:%M %z %Z", "timezone": "Asia/Shanghai"}
    assert ev({"$dateToString": fmt}, doc) == "2024-01-08 07:30 +0800 +480"
    assert (
        ev({"$dateToString": {"date": "$d", "format": "%j %w %u %U %V %G %%"}}, doc)
        == "007 1 7 01 01 2024 %"
    )
    assert ev({"$dateToString": {"date": "$nope", "onNull": "none"}}, doc) == "none"
    fails(
        lambda: ev({"$dateToString": {"date": "$d", "format": "%Q"}}, doc),
        "Invalid format character '%Q'",
    )


def test_date_from_string() -> None:
    assert ev({"$dateFromString": {"dateString": "2024-05-01T08:00:00Z"}}) == datetime(
        2024, 5, 1, 8, tzinfo=UTC
    )
    assert ev({"$dateFromString": {"dateString": "2024-05-01"}}) == datetime(2024, 5, 1, tzinfo=UTC)
    assert ev({"$dateFromString": {"dateString": "2024-05-01 08:00:00.5+08:00"}}) == datetime(
        2024, 5, 1, 0, 0, 0, 500000, tzinfo=UTC
    )
    local = {"dateString": "2024-05-01 08:00", "timezone": "Asia/Shanghai"}
    assert ev({"$dateFromString": local}) == datetime(2024, 5, 1, tzinfo=UTC)
    custom = {"dateString": "01/05/2024", "format": "%d/%m/%Y"}
    assert ev({"$dateFromString": custom}) == datetime(2024, 5, 1, tzinfo=UTC)
    assert ev({"$dateFromString": {"dateString": None}}) is None
    assert ev({"$dateFromString": {"dateString": "nonsense", "onError": "bad"}}) == "bad"
    fails(
        lambda: ev({"$dateFromString": {"dateString": "nonsense"}}),
        "Error parsing date string 'nonsense'",
    )
    both = {"dateString": "2024-05-01T00:00:00Z", "timezone": "Asia/Shanghai"}
    fails(lambda: ev({"$dateFromString": both}), "GMT offset together with a timezone")


def test_date_from_parts_carries_overflow_and_uses_timezone() -> None:
    assert ev({"$dateFromParts": {"year": 2024, "month": 14, "day": 1}}) == datetime(
        2025, 2, 1, tzinfo=UTC
    )
    assert ev({"$dateFromParts": {"year": 2024, "month": 3, "day": 0}}) == datetime(
        2024, 2, 29, tzinfo=UTC
    )
    parts = {"year": 2024, "month": 5, "day": 1, "hour": 8, "timezone": "Asia/Shanghai"}
    assert ev({"$dateFromParts": parts}) == datetime(2024, 5, 1, tzinfo=UTC)
    iso = {"isoWeekYear": 2024, "isoWeek": 1, "isoDayOfWeek": 1}
    assert ev({"$dateFromParts": iso}) == datetime(2024, 1, 1, tzinfo=UTC)
    assert ev({"$dateFromParts": {"year": "$nope"}}) is None
    fails(lambda: ev({"$dateFromParts": {"year": 10000}}), "range 1 to 9999")
    fails(
        lambda: ev({"$dateFromParts": {"year": 2024, "isoWeek": 1}}),
        "mixing natural dates with ISO dates",
    )
