"""The parser raises only its own errors; evaluation and the subset check only deny."""

from __future__ import annotations

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.client import PermissionDenied, RulesError
from pytest_wxcloud.client.rules_compile import compile_expression

ATOMS = st.sampled_from(
    [
        "doc.a",
        "doc.b.c",
        "auth.openid",
        "auth",
        "now",
        "request.data.x",
        "1",
        "-2.5",
        "'s'",
        "true",
        "null",
        "undefined",
        "[1, 'x']",
        "get('database.g.k').m",
        "get(`database.g.${doc.a}`).m",
        "doc._id",
    ]
)
OPS = st.sampled_from(["==", "!=", ">", ">=", "<", "<=", "in", "&&", "||"])


@st.composite
def expressions(draw, depth=3):
    if depth == 0 or draw(st.booleans()):
        return draw(ATOMS)
    left, right = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    form = draw(st.sampled_from(["bin", "not", "paren"]))
    if form == "not":
        return f"!({left})"
    if form == "paren":
        return f"({left} {draw(OPS)} {right})"
    return f"{left} {draw(OPS)} {right}"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_parser_never_crashes_on_arbitrary_text(text):
    with contextlib.suppress(RulesError):
        compile_expression(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="doc.auth=!&|()[]`${}'\"0123456789 <>in/\\+-", max_size=80))
def test_parser_never_crashes_on_rule_shaped_text(text):
    with contextlib.suppress(RulesError):
        compile_expression(text)


@settings(max_examples=200, deadline=None)
@given(
    expressions(),
    st.sampled_from([{}, {"a": 1}, {"a": {"$gt": 2}}, {"$or": [{"a": 1}, {"b.c": "s"}]}]),
    st.booleans(),
)
def test_evaluation_only_allows_or_denies(rule, where, logged_in):
    cloud = WxCloud()
    cloud.seed({"g": [{"_id": "k", "m": [1]}, {"_id": 1, "m": []}], "c": [{"a": 1}]})
    try:
        cloud.permissions.set("c", {"read": rule})
    except RulesError:
        return
    cloud.permissions.configure(allow_unauthenticated=True)
    client = cloud.client(Identity(openid="oA") if logged_in else None)
    with contextlib.suppress(PermissionDenied):
        client.database().collection("c").where(where).get()
