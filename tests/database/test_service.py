"""The database service: the backend every face runs on (results, failures, transactions by id)."""

from __future__ import annotations

import gc

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.errors import DatabaseError


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(seed=2)
    cloud.seed({"todos": [{"_id": str(i), "done": i < 3, "n": i} for i in range(5)]})
    return cloud


def test_update_answers_matched_and_modified(cloud: WxCloud) -> None:
    service = cloud.database_service
    result = service.update("todos", {"n": {"$lt": 4}}, {"$set": {"done": True}}, multi=True)
    assert (result.matched, result.modified) == (4, 1)  # three were done already


def test_replace_reports_the_upserted_id_only_when_it_created(cloud: WxCloud) -> None:
    service = cloud.database_service
    assert service.replace("todos", "0", {"title": "x"}).upserted_id is None
    created = service.replace("todos", "new", {"title": "y"})
    assert (created.updated, created.upserted_id, created.created) == (0, "new", 1)


def test_failures_carry_the_backend_code(cloud: WxCloud) -> None:
    with pytest.raises(DatabaseError) as missing:
        cloud.database_service.find("nope", {})
    assert (missing.value.err_code, missing.value.code) == (
        -502005,
        "DATABASE_COLLECTION_NOT_EXIST",
    )
    with pytest.raises(DatabaseError) as exists:
        cloud.database_service.create_collection("todos")
    assert exists.value.code == "DATABASE_COLLECTION_ALREADY_EXIST"


def test_indexes_belong_to_the_backend_and_go_with_the_collection(cloud: WxCloud) -> None:
    service = cloud.database_service
    service.change_indexes(
        "todos", [{"name": "by_n", "keys": [{"name": "n", "direction": "1"}]}], []
    )
    assert list(service.indexes("todos")) == ["by_n"]
    service.drop_collection("todos")
    service.create_collection("todos")
    assert service.indexes("todos") == {}


def test_a_wire_transaction_is_held_until_it_ends(cloud: WxCloud) -> None:
    service = cloud.database_service
    tx = service.start_transaction().id
    gc.collect()
    service.update("todos", {"_id": "4"}, {"$inc": {"n": 1}}, multi=False, transaction=tx)
    service.commit_transaction(tx)
    assert cloud.dump("todos")[4]["n"] == 5
    with pytest.raises(DatabaseError, match="no transaction"):
        service.commit_transaction(tx)


def test_a_python_transaction_nobody_holds_leaves_the_table(cloud: WxCloud) -> None:
    db = cloud.database()
    tx = db.start_transaction()
    name = tx.id
    assert cloud.database_service.transaction(name) is tx
    del tx
    gc.collect()
    with pytest.raises(DatabaseError, match="no transaction"):
        cloud.database_service.transaction(name)


def test_a_wire_transaction_left_open_is_dropped_after_its_lifetime(cloud: WxCloud) -> None:
    from datetime import timedelta

    service = cloud.database_service
    cloud.clock.freeze(cloud.clock.now())
    abandoned = service.start_transaction().id
    cloud.clock.advance(timedelta(seconds=61))
    service.start_transaction()
    with pytest.raises(DatabaseError, match="no transaction"):
        service.transaction(abandoned)
