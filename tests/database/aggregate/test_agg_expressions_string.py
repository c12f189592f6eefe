"""String operators: byte vs code point counting, ASCII-only case folding, coercion."""

from __future__ import annotations

from datetime import datetime, timezone

from agg_helpers import ev, fails


def test_concat_strings_only_and_null_propagates() -> None:
    assert ev({"$concat": ["a", "-", "$b"]}, {"b": "c"}) == "a-c"
    assert ev({"$concat": ["a", "$nope"]}) is None
    fails(lambda: ev({"$concat": ["a", 1]}), "\\$concat only supports strings, not int")


def test_index_of_bytes_vs_code_points() -> None:
    assert ev({"$indexOfBytes": ["云开发cloud", "cloud"]}) == 9
    assert ev({"$indexOfCP": ["云开发cloud", "cloud"]}) == 3
    assert ev({"$indexOfCP": ["abcabc", "b", 2]}) == 4
    assert ev({"$indexOfCP": ["abc", "z"]}) == -1
    assert ev({"$indexOfCP": [None, "z"]}) is None
    fails(lambda: ev({"$indexOfCP": ["abc", None]}), "requires a string as the second argument")


def test_lengths() -> None:
    assert ev({"$strLenBytes": "云a"}) == 4
    assert ev({"$strLenCP": "云a"}) == 2
    fails(
        lambda: ev({"$strLenCP": "$nope"}), "\\$strLenCP requires a string argument, found: missing"
    )


def test_split() -> None:
    assert ev({"$split": ["a,b,,c", ","]}) == ["a", "b", "", "c"]
    assert ev({"$split": [None, ","]}) is None
    fails(lambda: ev({"$split": ["abc", ""]}), "non-empty separator")


def test_case_conversion_is_ascii_only_and_coerces() -> None:
    assert ev({"$toUpper": "abcé"}) == "ABCé"
    assert ev({"$toLower": "ABC"}) == "abc"
    assert ev({"$toLower": None}) == ""
    assert ev({"$toUpper": 12}) == "12"
    fails(lambda: ev({"$toUpper": [[1]]}), "can't convert from BSON type array to String")


def test_strcasecmp() -> None:
    assert ev({"$strcasecmp": ["abc", "ABC"]}) == 0
    assert ev({"$strcasecmp": ["abc", "abd"]}) == -1
    assert ev({"$strcasecmp": ["b", "A"]}) == 1


def test_substrings() -> None:
    assert ev({"$substr": ["hello", 1, 3]}) == "ell"
    assert ev({"$substrBytes": ["hello", 2, -1]}) == "llo"
    assert ev({"$substrBytes": ["hello", 10, 2]}) == ""
    assert ev({"$substrCP": ["云开发", 1, 2]}) == "开发"
    assert ev({"$substrBytes": ["云开发", 3, 3]}) == "开"
    fails(lambda: ev({"$substrBytes": ["云开发", 1, 3]}), "continuation byte")
    fails(lambda: ev({"$substrCP": ["abc", -1, 2]}), "starting index must be non-negative")


def test_dates_and_numbers_coerce_to_strings() -> None:
    d = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)
    assert ev({"$substr": ["$d", 0, 10]}, {"d": d}) == "2024-05-01"
    assert ev({"$toLower": 1.5}) == "1.5"
