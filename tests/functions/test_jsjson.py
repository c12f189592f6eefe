"""The JSON boundary of callFunction behaves like JSON.stringify then JSON.parse."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.values import MISSING, Point, RegExp
from pytest_wxcloud.jsjson import (
    CIRCULAR_MESSAGE,
    MAX_JSON_NESTING,
    JSONBoundaryError,
    parse,
    round_trip,
    stringify,
    to_json_value,
)


def test_dates_become_iso_strings_with_milliseconds_in_utc() -> None:
    china = timezone(timedelta(hours=8))
    assert (
        to_json_value(datetime(2024, 5, 1, 8, 0, 0, 123456, tzinfo=china))
        == "2024-05-01T00:00:00.123Z"
    )
    assert to_json_value(datetime(1970, 1, 1)) == "1970-01-01T00:00:00.000Z"  # naive = UTC


def test_js_specific_conversions() -> None:
    value = {
        "a": 1,
        "gone": MISSING,
        "arr": [1, MISSING, (2, 3)],
        "nan": math.nan,
        "inf": -math.inf,
        "float": 2.0,
        "big": 1e21,
        "point": Point(113.3, 23.1),
        "regexp": RegExp("^a", "i"),
        "pattern": re.compile("x"),
        1: "int key",
    }
    assert to_json_value(value) == {
        "a": 1,
        "arr": [1, None, [2, 3]],
        "nan": None,
        "inf": None,
        "float": 2,
        "big": 1e21,
        "point": {"type": "Point", "coordinates": [113.3, 23.1]},
        "regexp": {},
        "pattern": {},
        "1": "int key",
    }
    assert isinstance(to_json_value(2.0), int) and isinstance(to_json_value(1e21), float)


def test_a_bare_undefined_becomes_null() -> None:
    assert to_json_value(MISSING) is None


def test_results_are_fresh_copies() -> None:
    inner = {"x": [1]}
    copied = to_json_value({"inner": inner})
    copied["inner"]["x"].append(2)
    assert inner == {"x": [1]}


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ({1, 2}, "use a list"),
        (b"bytes", "cloud storage"),
        (date(2024, 5, 1), "convert it"),
        (object(), "accepted values are"),
    ],
)
def test_values_javascript_has_no_counterpart_for_are_rejected(value: object, hint: str) -> None:
    with pytest.raises(JSONBoundaryError, match=hint) as caught:
        to_json_value({"payload": {"field": value}}, "data")
    assert caught.value.path == "data.payload.field"
    assert "data.payload.field" in str(caught.value)


def test_object_keys_must_be_strings_or_ints() -> None:
    with pytest.raises(JSONBoundaryError, match=r"key \(1, 2\)"):
        to_json_value({(1, 2): "x"})


def test_circular_references_fail_like_node_sdk() -> None:
    loop: dict[str, object] = {}
    loop["self"] = loop
    with pytest.raises(JSONBoundaryError, match=CIRCULAR_MESSAGE):
        to_json_value(loop)
    shared = [1]
    assert to_json_value({"a": shared, "b": shared}) == {"a": [1], "b": [1]}  # not a cycle


def test_stringify_and_sizes_are_compact_utf8() -> None:
    assert stringify({"名": "值", "n": [1, 2]}) == '{"名":"值","n":[1,2]}'
    assert round_trip({"名": "值"}) == ({"名": "值"}, len('{"名":"值"}'.encode()))


def test_parse_rejects_what_json_parse_rejects() -> None:
    assert parse('{"a": [1, null]}') == {"a": [1, None]}
    with pytest.raises(ValueError, match="NaN"):
        parse('{"a": NaN}')


def test_lone_surrogates_are_refused_with_their_path() -> None:
    with pytest.raises(JSONBoundaryError, match=r"data\.name contains a lone UTF-16 surrogate"):
        round_trip({"name": "a\ud800"}, "data")
    with pytest.raises(JSONBoundaryError, match=r"key at result\.\\udc00 contains a lone"):
        round_trip({"\udc00": 1}, "result")
    assert round_trip({"e": "😀"}, "data")[0] == {"e": "😀"}


def test_deep_payloads_get_a_boundary_error_not_a_recursion_error() -> None:
    deep: object = 1
    for _ in range(1000):
        deep = [deep]
    with pytest.raises(JSONBoundaryError, match="nested more than 200 levels deep"):
        to_json_value({"d": deep}, "data")
    fine: object = 1
    for _ in range(MAX_JSON_NESTING):
        fine = {"a": fine}
    assert to_json_value(fine) is not fine


def test_dates_beyond_year_9999_in_utc_are_refused() -> None:
    east = timezone(timedelta(hours=8))
    with pytest.raises(JSONBoundaryError, match=r"data\.d .*outside the years 1-9999"):
        to_json_value({"d": datetime(1, 1, 1, tzinfo=east)}, "data")


def test_call_function_reports_surrogates_as_sdk_errors_both_ways() -> None:
    cloud = WxCloud()
    cloud.functions.register("echo", lambda event: {"back": event.get("text")})
    cloud.functions.register("bad", lambda event: {"text": "x\udfff"})
    with pytest.raises(CloudSDKError, match="callFunction:fail .*data.text contains a lone"):
        cloud.call_function("echo", {"text": "\ud83d"})
    with pytest.raises(CloudSDKError, match="result.text contains a lone UTF-16 surrogate"):
        cloud.call_function("bad", {})
    assert cloud.call_function("echo", {"text": "😀"})["result"] == {"back": "😀"}
