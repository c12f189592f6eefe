"""Catastrophic regular expressions fail the query, as MongoDB's PCRE match limit makes them,
instead of holding the store lock for seconds (``/(a+)+$/`` doubles its time per character)."""

from __future__ import annotations

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.regex_limit import has_nested_quantifier


@pytest.fixture
def words() -> WxCloud:
    cloud = WxCloud()
    cloud.seed(
        {
            "words": [
                {"_id": "short", "s": "aaaaaaaaab"},
                {"_id": "long", "s": "a" * 26 + "b"},
            ]
        }
    )
    return cloud


def test_nested_quantifiers_on_long_strings_fail_like_pcre_match_limit(words: WxCloud) -> None:
    db = words.database()
    with pytest.raises(CloudSDKError) as info:
        db.collection("words").where({"s": db.RegExp("(a+)+$")}).get()
    assert info.value.err_code == -502001
    assert "Result code: -47" in info.value.err_msg
    assert "this one has 27" in info.value.err_msg
    with pytest.raises(CloudSDKError, match="match limit"):
        db.collection("words").aggregate().match({"s": db.RegExp("^(a+)*c$")}).end()


def test_nested_quantifiers_still_run_on_short_strings(words: WxCloud) -> None:
    db = words.database()
    found = db.collection("words").where({"_id": "short", "s": db.RegExp("^(a+)+b$")}).get()
    assert [d["_id"] for d in found["data"]] == ["short"]
    none = db.collection("words").where({"_id": "short", "s": db.RegExp("(a+)+$")}).get()
    assert none["data"] == []


def test_ordinary_patterns_are_never_limited(words: WxCloud) -> None:
    db = words.database()
    for pattern in ("^a+b$", "a{26}", "(ab|ba)+", r"(\d{1,3}\.){3}", "a*b"):
        db.collection("words").where({"s": db.RegExp(pattern)}).count()
    assert db.collection("words").where({"s": db.RegExp("^a+b$")}).count()["total"] == 2


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+$", True),
        (r"^(\w+\s?)*$", True),
        ("(.*,){5}", True),
        ("((ab)*c)+", True),
        ("(?:a*)*", True),
        ("(a{2,})+", True),
        ("(a|b)+", False),
        (r"(\d{1,3}\.){3}", False),
        ("[(a+)+]", False),
        (r"\(a+\)+", False),
        ("(a+)?", False),
        ("((a+))", False),
        ("(?i)a+b*", False),
    ],
)
def test_the_nested_quantifier_shape(pattern: str, nested: bool) -> None:
    assert has_nested_quantifier(pattern) is nested
