"""Hostile input shapes: deep or circular structures and lone UTF-16 surrogates.

Every entry point refuses them with the backend's invalid-parameter error naming the path, before
any recursive serializer runs, and nothing is stored: a ``RecursionError`` or a later
``UnicodeEncodeError`` (when a reply or cassette is written) must never reach the caller.
"""

from __future__ import annotations

from typing import Any

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.api import Database

DEPTH = 1000


def nested(levels: int, leaf: Any = 1) -> dict[str, Any]:
    value: Any = leaf
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[no-any-return]


def circular() -> dict[str, Any]:
    loop: dict[str, Any] = {"x": 1}
    loop["self"] = loop
    return loop


@pytest.fixture
def items(cloud: WxCloud, db: Database):  # type: ignore[no-untyped-def]
    cloud.seed({"items": [{"_id": "i1", "qty": 3, "tags": ["a"]}]})
    return db.collection("items")


def refused(call: Any, api: str, *fragments: str) -> CloudSDKError:
    with pytest.raises(CloudSDKError) as info:
        call()
    error = info.value
    assert error.err_code == -501007
    assert error.err_msg.startswith(f"{api}:fail -501007 invalid parameters. ")
    for fragment in fragments:
        assert fragment in error.err_msg
    error.err_msg.encode()  # the message itself is printable text
    return error


@pytest.mark.parametrize("shape", [nested(DEPTH), circular()], ids=["deep", "circular"])
def test_deep_or_circular_input_is_refused_at_every_entry_point(items, db, shape):  # type: ignore[no-untyped-def]
    _ = db.command
    refused(lambda: items.where(shape).get(), "collection.get", "where.")
    refused(lambda: items.where({"qty": _.in_([shape])}).count(), "collection.count", "where.")
    refused(lambda: items.where(_.or_([shape, {"qty": 1}])).remove(), "collection.remove")
    refused(lambda: items.where({"qty": 3}).update(data={"v": shape}), "collection.update", "data.")
    refused(lambda: items.doc("i1").update(data={"v": _.set(shape)}), "document.update", "data.")
    refused(lambda: items.doc("i1").set(data={"v": shape}), "document.set", "data.")
    refused(lambda: items.field(shape).get(), "collection.get", "field.")
    refused(lambda: items.where(_.expr(shape)).get(), "collection.get", "where.")
    refused(lambda: items.aggregate().project(shape), "collection.aggregate", "project.")
    refused(lambda: items.aggregate().match(shape), "collection.aggregate", "match.")
    refused(lambda: items.add(data={"v": shape}), "collection.add", "v.")
    assert items.doc("i1").get()["data"] == {"_id": "i1", "qty": 3, "tags": ["a"]}
    assert items.count()["total"] == 1


def test_deep_logic_command_chains_are_refused_too(items, db):  # type: ignore[no-untyped-def]
    _ = db.command
    condition: Any = _.eq(1)
    for _level in range(DEPTH):
        condition = _.and_([condition, _.eq(1)])
    refused(lambda: items.where({"qty": condition}).get(), "collection.get", "nested more than 100")


def test_the_limit_is_mongodbs_100_levels(items, db):  # type: ignore[no-untyped-def]
    items.doc("i1").update(data={"deep": nested(99)})  # a document holding it has 100 levels
    assert items.where({"qty": 3}).count()["total"] == 1
    error = refused(lambda: items.where(nested(150)).get(), "collection.get")
    assert "nested more than 100 levels deep (BSON limit)" in error.err_msg


def test_a_cycle_is_named_as_such(items):  # type: ignore[no-untyped-def]
    refused(
        lambda: items.where({"q": circular()}).get(),
        "collection.get",
        "value at where.q contains itself (circular reference at where.q.self)",
    )


LONE = "\ud800"


def test_lone_surrogates_are_refused_in_data_names_and_queries(cloud, items, db):  # type: ignore[no-untyped-def]
    refused(lambda: items.add(data={"name": f"a{LONE}"}), "collection.add", "name", "U+D800")
    refused(lambda: items.add(data={"sub": {f"k{LONE}": 1}}), "collection.add", "field name")
    refused(lambda: items.doc("i1").set(data={"v": [LONE]}), "document.set", "data.v.0")
    refused(lambda: items.doc("i1").update(data={"v": LONE}), "document.update", "data.v")
    refused(lambda: items.where({"v": LONE}).get(), "collection.get", "where.v")
    refused(lambda: items.where({LONE: 1}).get(), "collection.get", "key at where.\\ud800")
    refused(lambda: items.doc(f"id{LONE}").set(data={"v": 1}), "document.set", "_id")
    refused(lambda: items.order_by(f"a{LONE}", "asc").get(), "collection.get", "orderBy")
    with pytest.raises(ValueError, match="regular expression .*lone UTF-16 surrogate"):
        db.RegExp(f"^{LONE}")
    with pytest.raises(ValueError, match="lone UTF-16 surrogate"):
        cloud.seed({"more": [{"v": LONE}]})
    assert cloud.dump("items") == [{"_id": "i1", "qty": 3, "tags": ["a"]}]


def test_real_characters_outside_the_bmp_are_kept(items):  # type: ignore[no-untyped-def]
    items.add(data={"_id": "e", "emoji": "😀", "名": "值"})
    assert items.where({"emoji": "😀"}).get()["data"] == [{"_id": "e", "emoji": "😀", "名": "值"}]
