"""Random documents, conditions and updates thrown at the SDK-shaped API.

The property a user relies on: whatever the input, a call either succeeds or raises one of the
documented error types, and stored data changes only through a call that succeeded.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.values import Point
from pytest_wxcloud.errors import SDKTypeError, SDKUsageError

EXPECTED = (CloudSDKError, SDKUsageError, SDKTypeError)

keys = st.one_of(
    st.sampled_from(
        ["a", "b", "n", "tags", "a.b", "$set", "$gt", "_id", "", "x.0", "$inc", "each"]
    ),
    st.text(max_size=5),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.datetimes(timezones=st.just(timezone.utc)),
    st.sets(st.integers(), max_size=2),
    st.binary(max_size=3),
    st.builds(Point, st.floats(-180, 180), st.floats(-90, 90)),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
documents = st.dictionaries(keys, values, max_size=4)

COMMANDS = ["eq", "neq", "gt", "lt", "in_", "nin", "all", "exists", "size", "mod", "elem_match"]
UPDATES = [
    "inc",
    "mul",
    "min",
    "max",
    "set",
    "push",
    "pull",
    "add_to_set",
    "pop",
    "shift",
    "rename",
    "bit",
    "remove",
]


@st.composite
def conditions(draw: Any) -> Any:
    db = WxCloud().database()
    _ = db.command
    cond: dict[str, Any] = {}
    for key in draw(st.lists(keys, max_size=3)):
        if draw(st.booleans()):
            name = draw(st.sampled_from(COMMANDS))
            arg = draw(values)
            try:
                cond[key] = getattr(_, name)(arg) if name != "mod" else _.mod(arg, draw(values))
            except EXPECTED:
                cond[key] = arg
        else:
            cond[key] = draw(values)
    return cond


@st.composite
def updates(draw: Any) -> Any:
    db = WxCloud().database()
    _ = db.command
    data: dict[str, Any] = {}
    for key in draw(st.lists(keys, min_size=0, max_size=3)):
        name = draw(st.sampled_from([*UPDATES, "plain"]))
        arg = draw(values)
        try:
            if name == "plain":
                data[key] = arg
            elif name in ("pop", "shift", "remove"):
                data[key] = getattr(_, name)()
            else:
                data[key] = getattr(_, name)(arg)
        except EXPECTED:
            data[key] = arg
    return data


def fresh() -> WxCloud:
    cloud = WxCloud(seed=5, now=datetime(2024, 1, 1, tzinfo=timezone.utc))
    cloud.seed(
        {
            "c": [
                {"_id": "1", "a": {"b": 1}, "n": 5, "tags": ["x", "y"]},
                {"_id": "2", "a": [1, {"b": 2}], "n": "5", "tags": []},
                {"_id": "3", "n": 2.5, "when": datetime(2023, 1, 1, tzinfo=timezone.utc)},
            ]
        }
    )
    return cloud


def same(a: Any, b: Any) -> bool:
    """Deep equality that treats NaN as equal to itself and tells 1 from True."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(doc=documents)
def test_add_succeeds_or_fails_cleanly_and_never_half_writes(doc):
    cloud = fresh()
    before = cloud.dump("c")
    try:
        doc_id = cloud.database().collection("c").add(data=doc)["_id"]
    except EXPECTED:
        assert same(cloud.dump("c"), before)
        return
    after = cloud.dump("c")
    assert same(after[:3], before)
    assert len(after) == 4 and after[3]["_id"] == doc_id


@FUZZ
@given(cond=conditions())
def test_queries_answer_or_fail_cleanly_and_never_write(cond):
    cloud = fresh()
    before = cloud.dump("c")
    db = cloud.database()
    try:
        found = db.collection("c").where(cond).get()["data"]
        counted = db.collection("c").where(cond).count()["total"]
    except EXPECTED:
        pass
    else:
        assert len(found) == counted
        assert {d["_id"] for d in found} <= {"1", "2", "3"}
    assert same(cloud.dump("c"), before)


@FUZZ
@given(cond=conditions(), data=updates())
def test_updates_apply_fully_or_not_at_all(cond, data):
    cloud = fresh()
    before = cloud.dump("c")
    db = cloud.database()
    try:
        matched = {d["_id"] for d in db.collection("c").where(cond).get()["data"]}
    except EXPECTED:
        matched = None
    try:
        result = db.collection("c").where(cond).update(data=data)
    except EXPECTED:
        assert same(cloud.dump("c"), before)
        return
    assert matched is not None, "a condition get() rejects must not be accepted by update()"
    after = cloud.dump("c")
    assert [d["_id"] for d in after] == ["1", "2", "3"]  # never adds, drops or re-ids documents
    changed = {b["_id"] for b, a in zip(before, after) if not same(a, b)}
    assert changed <= matched  # only documents the condition selects are touched
    assert result["stats"]["updated"] == len(changed)


@FUZZ
@given(doc=documents)
def test_set_replaces_fully_or_not_at_all(doc):
    cloud = fresh()
    before = cloud.dump("c")
    try:
        cloud.database().collection("c").doc("1").set(data=doc)
    except EXPECTED:
        assert same(cloud.dump("c"), before)
        return
    after = cloud.dump("c")
    assert same(after[1:], before[1:])
    assert after[0]["_id"] == "1"
