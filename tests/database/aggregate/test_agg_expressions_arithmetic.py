"""Arithmetic operators: null propagation, int/double results, dates, MongoDB's error texts."""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import pytest
from agg_helpers import ev, fails

UTC = timezone.utc
D = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def test_add_keeps_ints_and_turns_double_when_any_operand_is() -> None:
    assert ev({"$add": [1, 2, 3]}) == 6 and isinstance(ev({"$add": [1, 2]}), int)
    result = ev({"$add": [1, 2.5]})
    assert result == 3.5 and isinstance(result, float)


def test_add_with_null_or_missing_is_null() -> None:
    assert ev({"$add": [1, None]}) is None
    assert ev({"$add": [1, "$nope"]}) is None


def test_add_a_number_of_ms_to_a_date() -> None:
    assert ev({"$add": ["$d", 3_600_000]}, {"d": D}) == D + timedelta(hours=1)


def test_add_rejects_strings_and_two_dates() -> None:
    fails(lambda: ev({"$add": [1, "a"]}), "\\$add only supports numeric or date types, not string")
    fails(
        lambda: ev({"$add": ["$d", "$d"]}, {"d": D}),
        "only one date allowed in an \\$add expression",
    )


def test_int64_overflow_becomes_double() -> None:
    big = 2**63 - 1
    assert isinstance(ev({"$add": [big, 1]}), float)
    assert isinstance(ev({"$multiply": [big, 2]}), float)


def test_subtract_numbers_dates_and_mixed() -> None:
    assert ev({"$subtract": [10, 4]}) == 6
    later = D + timedelta(minutes=1, milliseconds=5)
    assert ev({"$subtract": ["$b", "$a"]}, {"a": D, "b": later}) == 60_005
    assert ev({"$subtract": ["$a", 1000]}, {"a": D}) == D - timedelta(seconds=1)
    fails(lambda: ev({"$subtract": [5, "$a"]}, {"a": D}), "cant \\$subtract a date from a int")


def test_multiply_and_divide() -> None:
    assert ev({"$multiply": [2, 3, 4]}) == 24
    assert ev({"$divide": [7, 2]}) == 3.5
    assert isinstance(ev({"$divide": [6, 3]}), float)
    fails(lambda: ev({"$divide": [1, 0]}), "can't \\$divide by zero")
    fails(
        lambda: ev({"$multiply": [2, "x"]}), "\\$multiply only supports numeric types, not string"
    )


def test_mod_sign_follows_dividend() -> None:
    assert ev({"$mod": [-7, 3]}) == -1
    assert ev({"$mod": [7, -3]}) == 1
    assert ev({"$mod": [7.5, 2]}) == 1.5
    fails(lambda: ev({"$mod": [1, 0]}), "can't \\$mod by zero")


def test_rounding_operators_keep_type() -> None:
    assert ev({"$ceil": 1.2}) == 2.0 and isinstance(ev({"$ceil": 1.2}), float)
    assert ev({"$floor": -1.2}) == -2.0
    assert ev({"$floor": 5}) == 5 and isinstance(ev({"$floor": 5}), int)
    assert ev({"$trunc": -1.7}) == -1.0
    assert ev({"$trunc": [3.14159, 2]}) == 3.14
    assert ev({"$abs": -3}) == 3
    assert ev({"$abs": None}) is None
    fails(lambda: ev({"$abs": "x"}), "\\$abs only supports numeric types, not string")


def test_logs_powers_roots() -> None:
    assert ev({"$sqrt": 16}) == 4.0
    assert ev({"$pow": [2, 10]}) == 1024
    assert ev({"$pow": [2, -1]}) == 0.5
    assert ev({"$exp": 0}) == 1.0
    assert ev({"$ln": 1}) == 0.0
    assert ev({"$log10": 1000}) == pytest.approx(3.0)
    assert ev({"$log": [8, 2]}) == pytest.approx(3.0)
    fails(lambda: ev({"$sqrt": -1}), "greater than or equal to 0")
    fails(lambda: ev({"$ln": 0}), "\\$ln's argument must be a positive number, but is 0")
    fails(lambda: ev({"$log": [8, 1]}), "base must be a positive number not equal to 1")
    fails(lambda: ev({"$pow": [0, -1]}), "base of 0 and a negative exponent")


def test_nan_and_infinity_pass_through() -> None:
    assert math.isnan(ev({"$add": [math.nan, 1]}))
    assert ev({"$floor": math.inf}) == math.inf
