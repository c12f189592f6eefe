"""Extended JSON as the HTTP API writes it (§4.6) and as export files spell it (§6)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_wxcloud.database import ejson
from pytest_wxcloud.database.values import Point, RegExp

MAY_DAY = datetime(2024, 5, 1, 8, 30, 0, 123000, tzinfo=timezone.utc)
MAY_DAY_MS = 1714552200123


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (3, {"$numberInt": "3"}),
        (-(2**31), {"$numberInt": "-2147483648"}),
        (2**31 - 1, {"$numberInt": "2147483647"}),
        (2**31, {"$numberLong": "2147483648"}),
        (-(2**63), {"$numberLong": "-9223372036854775808"}),
        (12.5, {"$numberDouble": "12.5"}),
        (113.0, {"$numberDouble": "113.0"}),  # the databaseaggregate example's coordinates
        (-0.0, {"$numberDouble": "-0.0"}),
        (1.2345678921232e18, {"$numberDouble": "1.2345678921232E+18"}),
        (math.inf, {"$numberDouble": "Infinity"}),
        (-math.inf, {"$numberDouble": "-Infinity"}),
        (MAY_DAY, {"$date": {"$numberLong": str(MAY_DAY_MS)}}),
        (RegExp("^a", "i"), {"$regularExpression": {"pattern": "^a", "options": "i"}}),
        (True, True),
        (None, None),
        ("12", "12"),
    ],
)
def test_canonical(value: Any, wire: Any) -> None:
    assert ejson.encode(value, canonical=True) == wire
    assert ejson.decode(wire) == value


def test_canonical_nan() -> None:
    assert ejson.encode(math.nan, canonical=True) == {"$numberDouble": "NaN"}
    assert math.isnan(ejson.decode({"$numberDouble": "NaN"}))


def test_relaxed_numbers_are_plain_except_non_finite() -> None:
    record = {"n": 3, "big": 2**40, "x": 12.5, "inf": math.inf, "nan": math.nan}
    encoded = ejson.encode(record)
    assert encoded["n"] == 3 and encoded["big"] == 2**40 and encoded["x"] == 12.5
    assert encoded["inf"] == {"$numberDouble": "Infinity"}
    assert encoded["nan"] == {"$numberDouble": "NaN"}
    json.dumps(encoded, allow_nan=False)  # always valid JSON


def test_relaxed_dates_in_both_spellings() -> None:
    assert ejson.encode(MAY_DAY) == {"$date": MAY_DAY_MS}
    assert ejson.encode(MAY_DAY, date_format="iso") == {"$date": "2024-05-01T08:30:00.123Z"}
    before_1970 = datetime(1969, 7, 20, 20, 17, tzinfo=timezone.utc)
    assert ejson.encode(before_1970, date_format="iso") == {
        "$date": {"$numberLong": "-14182980000"}
    }
    assert ejson.encode(before_1970) == {"$date": -14182980000}


@pytest.mark.parametrize(
    "spelling",
    [
        {"$date": MAY_DAY_MS},
        {"$date": {"$numberLong": str(MAY_DAY_MS)}},
        {"$date": "2024-05-01T08:30:00.123Z"},
        {"$date": "2024-05-01T16:30:00.123+08:00"},
        {"$date": "2024-05-01T08:30:00.123456Z"},  # sub-millisecond digits are truncated
    ],
)
def test_every_date_spelling_decodes_to_the_same_instant(spelling: dict[str, Any]) -> None:
    assert ejson.decode(spelling) == MAY_DAY


def test_geo_objects_encode_as_geojson() -> None:
    # coordinates are doubles, as in the databaseaggregate example (http-api.md §3.7)
    assert ejson.encode({"loc": Point(113, 23)}, canonical=True) == {
        "loc": {
            "type": "Point",
            "coordinates": [{"$numberDouble": "113.0"}, {"$numberDouble": "23.0"}],
        }
    }


def test_dumps_is_compact_and_keeps_unicode() -> None:
    assert ejson.dumps({"name": "云开发", "n": 1}) == '{"name":"云开发","n":1}'


def test_decode_legacy_and_export_forms() -> None:
    assert ejson.decode({"$regex": "^a", "$options": "i"}) == RegExp("^a", "i")
    assert ejson.decode({"_id": {"$oid": "5f1d"}}) == {"_id": "5f1d"}
    # query operators and ordinary $-free objects are not wrappers
    assert ejson.decode({"$gt": {"$numberInt": "1"}}) == {"$gt": 1}
    assert ejson.decode({"$date": 1, "other": 2}) == {"$date": 1, "other": 2}


@pytest.mark.parametrize(
    "bad",
    [
        {"$numberInt": "2147483648"},
        {"$numberInt": 3},
        {"$numberLong": "1.5"},
        {"$numberDouble": "twelve"},
        {"$date": "yesterday"},
        {"$date": [1]},
        {"$regularExpression": {"pattern": 1, "options": ""}},
        {"$regularExpression": {"pattern": "a", "options": "q"}},
        {"$oid": 5},
    ],
)
def test_malformed_wrappers_are_rejected_by_name(bad: dict[str, Any]) -> None:
    with pytest.raises(ejson.EJSONError) as info:
        ejson.decode(bad)
    assert str(next(iter(bad))) in str(info.value)


def test_unencodable_value_names_itself() -> None:
    with pytest.raises(ejson.EJSONError, match="set"):
        ejson.encode({"tags": {"a", "b"}})


stored_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8)
    | st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.just(timezone.utc),
    ).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(alphabet="abc_", min_size=1, max_size=3), children, max_size=3)
    ),
    max_leaves=10,
)


@given(stored_values)
def test_round_trip_through_json_text(value: Any) -> None:
    for canonical in (True, False):
        for date_format in ("ms", "iso"):
            text = ejson.dumps(value, canonical=canonical, date_format=date_format)  # type: ignore[arg-type]
            back = ejson.loads(text)
            assert back == value
            if canonical:
                assert _same_types(back, value)


def _same_types(left: Any, right: Any) -> bool:
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return all(_same_types(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return all(_same_types(a, b) for a, b in zip(left, right, strict=True))
    return True
