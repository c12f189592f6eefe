"""Snapshots: the pattern behind a session-wide seed restored before every test.

A snapshot must stay exactly as taken whatever any cloud does afterwards, restore into the
cloud that took it or into any other, and keep the clouds that restored it apart.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pytest_wxcloud import WxCloud

BOOKS = [
    {"_id": "b1", "title": "Dream", "tags": ["classic"], "stock": {"shelf": 3, "log": [1, 2]}},
    {"_id": "b2", "title": "Border Town", "tags": [], "stock": {"shelf": 0, "log": []}},
]


def seeded() -> WxCloud:
    cloud = WxCloud(seed=5)
    cloud.seed({"books": BOOKS, "users": [{"_id": "u1", "name": "Ann"}]})
    return cloud


def write_everything(cloud: WxCloud) -> None:
    """Every kind of write, nested ones included (they must not reach a shared document)."""
    db = cloud.database()
    _ = db.command
    books = db.collection("books")
    books.doc("b1").update(
        data={"tags": _.push("new"), "stock.shelf": _.inc(1), "stock.log": _.push(3)}
    )
    books.where({"_id": "b2"}).update(data={"stock": {"shelf": 9}, "title": _.remove()})
    books.doc("b3").set(data={"title": "New"})
    books.add(data={"title": "Generated id"})
    db.collection("users").doc("u1").remove()
    db.create_collection("extra")
    db.collection("extra").add(data={"x": 1})


def test_a_snapshot_never_changes_after_it_is_taken() -> None:
    cloud = seeded()
    snapshot = cloud.snapshot()
    expected = copy.deepcopy({name: dict(docs) for name, docs in snapshot.items()})
    write_everything(cloud)
    assert {name: dict(docs) for name, docs in snapshot.items()} == expected
    cloud.restore(snapshot)
    assert cloud.dump("books") == BOOKS
    assert cloud.collections() == ["books", "users"]


def test_a_restored_snapshot_can_be_restored_again_after_more_writes() -> None:
    cloud = seeded()
    snapshot = cloud.snapshot()
    for _ in range(3):
        write_everything(cloud)
        cloud.restore(snapshot)
        assert cloud.dump("books") == BOOKS
        assert cloud.dump("users") == [{"_id": "u1", "name": "Ann"}]


def test_clouds_restoring_one_snapshot_never_see_each_others_writes() -> None:
    snapshot = seeded().snapshot()
    first, second = WxCloud(seed=1), WxCloud(seed=2)
    first.restore(snapshot)
    second.restore(snapshot)
    write_everything(first)
    assert second.dump("books") == BOOKS
    assert "extra" not in second.collections()
    write_everything(second)
    third = WxCloud()
    third.restore(snapshot)
    assert third.dump("books") == BOOKS


def test_a_cloud_with_the_same_seed_adds_after_restoring_another_clouds_snapshot() -> None:
    # the ids the restoring cloud would generate next are those the snapshot's cloud generated
    source = WxCloud(seed=3)
    added = source.database().collection("books")
    source.database().create_collection("books")
    first_id = added.add(data={"n": 1})["_id"]
    target = WxCloud(seed=3)
    target.restore(source.snapshot())
    second_id = target.database().collection("books").add(data={"n": 2})["_id"]
    assert second_id != first_id
    assert [doc["n"] for doc in target.dump("books")] == [1, 2]


def test_seeding_a_snapshot_adds_its_collections_to_what_the_cloud_has() -> None:
    snapshot = seeded().snapshot()
    cloud = WxCloud()
    cloud.seed({"users": [{"_id": "u2", "name": "Ben"}]})
    cloud.seed(snapshot)
    assert cloud.dump("books") == BOOKS
    assert [doc["_id"] for doc in cloud.dump("users")] == ["u2", "u1"]
    with pytest.raises(ValueError, match=r"seed\('books'\).*duplicate key"):
        cloud.seed(snapshot)


def test_a_snapshot_is_read_only() -> None:
    snapshot = seeded().snapshot()
    books: Any = snapshot["books"]
    with pytest.raises(TypeError):
        books["b9"] = {"_id": "b9"}


def test_a_plain_mapping_still_restores() -> None:
    cloud = seeded()
    cloud.restore({"books": {"b1": dict(BOOKS[0])}})
    assert cloud.dump("books") == [BOOKS[0]]
    assert cloud.collections() == ["books"]


def test_repeated_restores_keep_document_order_and_content() -> None:
    cloud = WxCloud()
    docs = [{"_id": f"d{n}", "n": n} for n in range(10)]
    cloud.seed({"docs": docs})
    snapshot = cloud.snapshot()
    collection = cloud.database().collection("docs")
    for round_ in range(3):
        collection.doc("d3").update(data={"n": -round_})
        collection.add(data={"_id": f"new{round_}", "n": 100})
        collection.doc(f"new{round_}").update(data={"n": 101})
        cloud.restore(snapshot)
        assert cloud.dump("docs") == docs
    collection.doc("d0").remove()  # a deleted document comes back in its place too
    cloud.restore(snapshot)
    assert cloud.dump("docs") == docs
    assert [doc["_id"] for doc in snapshot["docs"].values()] == [doc["_id"] for doc in docs]


def test_snapshots_taken_between_restores_stay_intact() -> None:
    cloud = WxCloud()
    cloud.seed({"docs": [{"_id": f"d{n}", "n": n} for n in range(10)]})
    first = cloud.snapshot()
    collection = cloud.database().collection("docs")
    collection.doc("d1").update(data={"n": "second"})
    second = cloud.snapshot()
    collection.doc("d1").update(data={"n": "third"})
    cloud.restore(first)
    assert cloud.dump("docs")[1] == {"_id": "d1", "n": 1}
    collection.doc("d1").update(data={"n": "fourth"})
    cloud.restore(second)
    assert cloud.dump("docs")[1] == {"_id": "d1", "n": "second"}
    cloud.restore(first)
    assert cloud.dump("docs")[1] == {"_id": "d1", "n": 1}
