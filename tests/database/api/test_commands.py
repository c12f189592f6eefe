"""Every query and update command of sdk.md §3.7 through the SDK-shaped API, plus projections."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from pytest_wxcloud import CloudSDKError
from pytest_wxcloud.database.serialize import ProjectionCommandWarning, serialize_projection


def ids(result):  # type: ignore[no-untyped-def]
    return sorted(d["_id"] for d in result["data"])


@pytest.fixture
def items(cloud, db):  # type: ignore[no-untyped-def]
    cloud.seed(
        {
            "items": [
                {
                    "_id": "a",
                    "n": 1,
                    "name": "Apple",
                    "tags": ["red", "fruit"],
                    "scores": [{"s": 90, "k": "x"}, {"s": 40, "k": "y"}],
                },
                {
                    "_id": "b",
                    "n": 5,
                    "name": "banana",
                    "tags": ["yellow", "fruit"],
                    "scores": [{"s": 70, "k": "x"}],
                },
                {
                    "_id": "c",
                    "n": 10,
                    "name": "Carrot",
                    "tags": ["orange", "vegetable"],
                    "extra": None,
                },
                {"_id": "d", "n": "10", "name": "durian"},
            ]
        }
    )
    return db.collection("items")


@pytest.mark.parametrize(
    ("command", "arg", "expected"),
    [
        ("eq", 10, ["c"]),
        ("neq", 10, ["a", "b", "d"]),
        ("lt", 5, ["a"]),
        ("lte", 5, ["a", "b"]),
        ("gt", 5, ["c"]),
        ("gte", 5, ["b", "c"]),
        ("in_", [1, 10], ["a", "c"]),
        ("nin", [1, 10], ["b", "d"]),
    ],
)
def test_comparison_commands(db, items, command, arg, expected):
    _ = db.command
    assert ids(items.where({"n": getattr(_, command)(arg)}).get()) == expected


def test_string_number_is_not_a_number(db, items):
    _ = db.command
    assert ids(items.where({"n": _.gte("0")}).get()) == ["d"]


def test_all_elem_match_exists_size_mod(db, items):
    _ = db.command
    assert ids(items.where({"tags": _.all(["fruit", "red"])}).get()) == ["a"]
    assert ids(items.where({"scores": _.elem_match({"s": _.gt(80), "k": "x"})}).get()) == ["a"]
    assert ids(items.where({"scores": _.elem_match({"s": _.lt(50), "k": "x"})}).get()) == []
    assert ids(items.where({"extra": _.exists(True)}).get()) == ["c"]
    assert ids(items.where({"tags": _.size(2)}).get()) == ["a", "b", "c"]
    assert ids(items.where({"n": _.mod(5, 0)}).get()) == ["b", "c"]
    assert ids(items.where({"n": _.mod([2, 1])}).get()) == ["a", "b"]


def test_elem_match_on_scalars(cloud, db):
    _ = db.command
    cloud.seed({"s": [{"_id": "1", "v": [1, 5]}, {"_id": "2", "v": [3]}]})
    assert ids(db.collection("s").where({"v": _.elem_match(_.gt(2).and_(_.lt(4)))}).get()) == ["2"]
    assert ids(db.collection("s").where({"v": _.elem_match(_.gt(4))}).get()) == ["1"]


def test_logic_commands(db, items):
    _ = db.command
    assert ids(items.where(_.or_([{"n": 1}, {"name": "banana"}])).get()) == ["a", "b"]
    assert ids(items.where(_.or_({"n": 1}, {"name": "banana"})).get()) == ["a", "b"]
    assert ids(items.where(_.and_([{"tags": "fruit"}, {"n": _.gt(1)}])).get()) == ["b"]
    assert ids(items.where(_.nor([{"tags": "fruit"}, {"n": "10"}])).get()) == ["c"]
    assert ids(items.where({"n": _.not_(_.gt(1))}).get()) == ["a", "d"]


def test_regex_via_db_regexp_and_python_pattern(db, items):
    _ = db.command
    assert ids(items.where({"name": db.RegExp(regexp="^b", options="i")}).get()) == ["b"]
    assert ids(items.where({"name": re.compile("^c", re.IGNORECASE)}).get()) == ["c"]
    assert ids(items.where({"name": _.not_(db.RegExp(regexp="an"))}).get()) == ["a", "c"]


def test_raw_mongodb_operators_pass_through_like_the_sdk(items):
    assert ids(items.where({"n": {"$gt": 4, "$lt": 6}}).get()) == ["b"]


def test_unknown_raw_operator_is_not_silently_ignored(items):
    with pytest.raises(NotImplementedError) as info:
        items.where({"n": {"$near_enough": 4}}).get()
    assert isinstance(info.value, CloudSDKError)
    assert "$near_enough" in str(info.value)


def test_expr_compares_fields_of_the_same_document(cloud, db):
    _ = db.command
    A = _.aggregate
    cloud.seed(
        {
            "budget": [
                {"_id": "over", "spent": 120, "limit": 100},
                {"_id": "under", "spent": 80, "limit": 100},
            ]
        }
    )
    assert ids(db.collection("budget").where(_.expr(A.gt(["$spent", "$limit"]))).get()) == ["over"]
    both = _.and_([{"limit": 100}, _.expr(A.lt(["$spent", "$limit"]))])
    assert ids(db.collection("budget").where(both).get()) == ["under"]


# --- update commands ---------------------------------------------------------------------


def test_update_commands_end_to_end(db, items):
    _ = db.command
    doc = items.doc("a")
    doc.update(data={"n": _.inc(2)})
    doc.update(data={"n": _.mul(10)})
    doc.update(data={"low": _.min(3), "high": _.max(3)})
    doc.update(data={"low": _.min(1), "high": _.max(2)})
    doc.update(data={"name": _.rename("title")})
    doc.update(data={"flags": _.set(6)})
    doc.update(data={"flags": _.bit({"and": 3})})
    doc.update(data={"tags": _.pull("red")})
    doc.update(data={"scores": _.pull({"s": _.lt(50)})})
    doc.update(data={"extra_tags": _.set(["x", "y", "z", "x"])})
    doc.update(data={"extra_tags": _.pull_all(["x", "z"])})
    doc.update(data={"gone": _.set(1)})
    doc.update(data={"gone": _.remove()})
    assert doc.get()["data"] == {
        "_id": "a",
        "n": 30,
        "tags": ["fruit"],
        "scores": [{"s": 90, "k": "x"}],
        "title": "Apple",
        "low": 1,
        "high": 3,
        "flags": 2,
        "extra_tags": ["y"],
    }


def test_inc_on_missing_field_creates_it(db, items):
    _ = db.command
    items.doc("b").update(data={"views": _.inc(1)})
    assert items.doc("b").get()["data"]["views"] == 1


def test_inc_on_a_string_fails_and_changes_nothing(db, items):
    _ = db.command
    before = items.get()["data"]
    with pytest.raises(CloudSDKError) as info:
        items.where({"name": _.exists(True)}).update(data={"name": _.inc(1)})
    assert info.value.err_msg.startswith("collection.update:fail")
    assert items.get()["data"] == before


def test_pull_with_a_command(db, cloud):
    _ = db.command
    cloud.seed({"p": [{"_id": "1", "v": [1, 5, 2, 8]}]})
    db.collection("p").doc("1").update(data={"v": _.pull(_.gt(3))})
    assert db.collection("p").doc("1").get()["data"]["v"] == [1, 2]


# --- projections -------------------------------------------------------------------------


def test_field_inclusion_keeps_id(items):
    assert items.doc("a").field({"name": True}).get()["data"] == {"_id": "a", "name": "Apple"}
    assert items.where({"n": 5}).field({"name": 1, "_id": 0}).get()["data"] == [{"name": "banana"}]


def test_field_exclusion(items):
    data = items.doc("c").field({"tags": False, "extra": 0}).get()["data"]
    assert data == {"_id": "c", "n": 10, "name": "Carrot"}


def test_project_slice_and_elem_match(db, items):
    _ = db.command
    assert items.doc("a").field({"tags": _.project.slice(1)}).get()["data"]["tags"] == ["red"]
    assert items.doc("a").field({"tags": _.project.slice([1, 1])}).get()["data"]["tags"] == [
        "fruit"
    ]
    matched = items.doc("a").field({"scores": _.project.elem_match({"k": "y"})}).get()["data"]
    assert matched == {"_id": "a", "scores": [{"s": 40, "k": "y"}]}


def test_commands_inside_project_elem_match_go_out_literally_as_the_sdk_sends_them(db, items):
    """@cloudbase/database 1.4.3 does not encode commands inside a projection's elemMatch: it
    sends {"s": {"operator": "lt", "operands": [50], "fieldName": {}}} (checked with node), an
    object no element equals, so production omits the field."""
    _ = db.command
    for condition in ({"s": _.lt(50)}, _.lt(50), {"s": _.gt(1).and_(_.lt(50))}):
        with pytest.warns(ProjectionCommandWarning, match="sent as a plain object"):
            got = items.doc("a").field({"scores": _.project.elem_match(condition)}).get()
        assert got["data"] == {"_id": "a"}
    with pytest.warns(ProjectionCommandWarning):
        sent = serialize_projection(
            {"q": _.project.elem_match({"s": _.in_([1, 2])})},
            lambda: datetime(2024, 1, 1, tzinfo=timezone.utc),
        )
    assert sent == {
        "q": {"$elemMatch": {"s": {"operator": "in", "operands": [1, 2], "fieldName": {}}}}
    }


def test_field_string_values_are_dropped_with_a_warning(items):
    with pytest.warns(UserWarning, match="dropped"):
        data = items.doc("a").field({"name": "yes"}).get()["data"]
    assert "tags" in data
