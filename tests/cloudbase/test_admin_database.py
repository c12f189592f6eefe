"""The database actions with the bodies wx-server-sdk 4.0.2 sends (node-runtime.md §2.2, sdk.md §4.2)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from adminkit import post

from pytest_wxcloud import WxCloud

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="test-env", seed=3, now=NOW)
    cloud.seed({"users": [{"_id": "u1", "openid": "o-user-2", "n": 1}]})
    return cloud


def test_where_get_with_limit_answers_an_empty_list_when_nothing_matches(cloud: WxCloud) -> None:
    reply = post(
        cloud,
        {
            "collectionName": "users",
            "queryType": "WHERE",
            "query": '{"openid":"o-user-1"}',
            "limit": 1,
            "action": "database.getDocument",
        },
    )
    assert reply["data"] == {"list": []}
    assert isinstance(reply["requestId"], str) and reply["requestId"]


def test_found_documents_come_back_as_canonical_ejson_strings(cloud: WxCloud) -> None:
    cloud.seed({"events": [{"_id": "e1", "at": NOW, "price": 1.5, "big": 2**40}]})
    reply = post(
        cloud,
        {
            "collectionName": "events",
            "queryType": "WHERE",
            "limit": 100,
            "action": "database.getDocument",
        },
    )
    assert reply["data"]["list"] == [
        '{"_id":"e1","at":{"$date":{"$numberLong":"1714521600000"}},'
        '"price":{"$numberDouble":"1.5"},"big":{"$numberLong":"1099511627776"}}'
    ]


def test_add_with_server_date_resolves_on_the_cloud_clock(cloud: WxCloud) -> None:
    body = {
        "collectionName": "users",
        "data": [
            '{"openid":"o-user-1","createdAt":{"$tcb_server_date":{"offset":{"$numberInt":"0"}}},'
            '"n":{"$numberInt":"1"}}'
        ],
        "action": "database.insertDocument",
    }
    reply = post(cloud, body)
    (new_id,) = reply["data"]["insertedIds"]
    stored = cloud.database().collection("users").doc(new_id).get()["data"]
    assert stored == {"_id": new_id, "openid": "o-user-1", "createdAt": NOW, "n": 1}


def test_doc_update_with_inc_reports_updated(cloud: WxCloud) -> None:
    body = {
        "collectionName": "users",
        "data": '{"$inc":{"n":{"$numberInt":"1"}}}',
        "query": '{"_id":"u1"}',
        "queryType": "DOC",
        "multi": False,
        "merge": True,
        "upsert": False,
        "action": "database.modifyDocument",
    }
    assert post(cloud, body)["data"] == {"updated": 1}
    assert cloud.dump("users")[0]["n"] == 2


def test_doc_set_creates_with_an_upsert_id_and_replaces_without(cloud: WxCloud) -> None:
    def set_doc(doc_id: str, data: str) -> dict[str, object]:
        body = {
            "collectionName": "users",
            "data": data,
            "query": f'{{"_id":"{doc_id}"}}',
            "queryType": "DOC",
            "multi": False,
            "merge": False,
            "upsert": True,
            "action": "database.modifyDocument",
        }
        return post(cloud, body)["data"]  # type: ignore[no-any-return]

    assert set_doc("u9", '{"name":"new"}') == {"updated": 0, "upsert_id": "u9"}
    assert set_doc("u1", '{"name":"replaced"}') == {"updated": 1}
    assert cloud.dump("users") == [{"_id": "u1", "name": "replaced"}, {"_id": "u9", "name": "new"}]


def test_where_update_and_remove_count_every_match(cloud: WxCloud) -> None:
    cloud.seed({"todos": [{"_id": str(i), "done": i % 2 == 0} for i in range(6)]})
    update = {
        "collectionName": "todos",
        "queryType": "WHERE",
        "query": '{"done":true}',
        "data": '{"$set":{"archived":true}}',
        "multi": True,
        "merge": True,
        "upsert": False,
        "action": "database.modifyDocument",
    }
    assert post(cloud, update)["data"] == {"updated": 3}
    remove = {
        "collectionName": "todos",
        "queryType": "WHERE",
        "query": '{"archived":true}',
        "multi": True,
        "action": "database.removeDocument",
    }
    assert post(cloud, remove)["data"] == {"deleted": 3}
    count = {
        "collectionName": "todos",
        "queryType": "WHERE",
        "action": "database.calculateDocument",
    }
    assert post(cloud, count)["data"] == {"total": 3}


def test_the_lab_query_with_order_offset_limit_and_projection(cloud: WxCloud) -> None:
    cloud.seed(
        {
            "col": [
                {"_id": f"d{i}", "n": i, "a": {"b": 1}, "b": 2, "tags": ["x", "y"]}
                for i in range(10)
            ]
        }
    )
    body = {
        "collectionName": "col",
        "queryType": "WHERE",
        "query": '{"tags":["x","y"],"a.b":{"$numberInt":"1"},"$and":[{"n":{"$gt":{"$numberInt":"1"}}},{"n":{"$lt":{"$numberInt":"5"}}}]}',
        "order": '{"n":{"$numberInt":"-1"},"_id":{"$numberInt":"1"}}',
        "offset": 1,
        "limit": 1000,
        "projection": '{"a":{"$numberInt":"1"},"b":{"$numberInt":"0"}}',
        "action": "database.getDocument",
    }
    mixed = post(cloud, body)  # the lab's own projection mixes inclusion and exclusion
    assert mixed["code"] == "DATABASE_REQUEST_FAILED"  # MongoDB refuses the mix
    assert mixed["message"] == "Cannot do exclusion on field b in inclusion projection"
    body["projection"] = '{"a":{"$numberInt":"1"}}'
    listed = post(cloud, body)["data"]["list"]
    assert listed == [
        '{"_id":"d3","a":{"b":{"$numberInt":"1"}}}',
        '{"_id":"d2","a":{"b":{"$numberInt":"1"}}}',
    ]


def test_aggregate_stages_arrive_as_ejson_strings(cloud: WxCloud) -> None:
    cloud.seed({"orders": [{"_id": str(i), "day": i % 2, "amount": i} for i in range(5)]})
    body = {
        "collectionName": "orders",
        "stages": [
            {"stageKey": "$group", "stageValue": '{"_id":"$day","total":{"$sum":"$amount"}}'},
            {"stageKey": "$sort", "stageValue": '{"_id":{"$numberInt":"1"}}'},
        ],
        "action": "database.aggregateDocuments",
    }
    assert post(cloud, body)["data"]["list"] == [
        '{"_id":{"$numberInt":"0"},"total":{"$numberInt":"6"}}',
        '{"_id":{"$numberInt":"1"},"total":{"$numberInt":"4"}}',
    ]


def test_aggregate_without_limit_returns_twenty(cloud: WxCloud) -> None:
    cloud.seed({"many": [{"_id": i} for i in range(30)]})
    body = {
        "collectionName": "many",
        "stages": [{"stageKey": "$match", "stageValue": "{}"}],
        "action": "database.aggregateDocuments",
    }
    assert len(post(cloud, body)["data"]["list"]) == 20


def test_run_transaction_round_trip(cloud: WxCloud) -> None:
    started = post(cloud, {"action": "database.startTransaction"})
    tx = started["transactionId"]
    assert isinstance(tx, str) and "data" not in started  # top level, not in data
    get = {
        "collectionName": "users",
        "query": '{"_id":"u1"}',
        "transactionId": tx,
        "queryType": "DOC",
        "multi": False,
        "action": "database.getDocument",
    }
    assert post(cloud, get)["data"]["list"] == [
        '{"_id":"u1","openid":"o-user-2","n":{"$numberInt":"1"}}'
    ]
    update = {
        "collectionName": "users",
        "data": '{"$inc":{"n":{"$numberInt":"5"}}}',
        "query": '{"_id":"u1"}',
        "queryType": "DOC",
        "multi": False,
        "merge": True,
        "upsert": False,
        "transactionId": tx,
        "action": "database.modifyDocument",
    }
    assert post(cloud, update)["data"] == {"updated": 1}
    assert cloud.dump("users")[0]["n"] == 1  # not visible before commit
    committed = post(cloud, {"transactionId": tx, "action": "database.commitTransaction"})
    assert set(committed) == {"requestId"}
    assert cloud.dump("users")[0]["n"] == 6


def test_abort_discards_and_an_ended_transaction_is_refused(cloud: WxCloud) -> None:
    tx = post(cloud, {"action": "database.startTransaction"})["transactionId"]
    insert = {
        "collectionName": "users",
        "data": ['{"_id":"t1"}'],
        "transactionId": tx,
        "action": "database.insertDocument",
    }
    assert post(cloud, insert)["data"] == {"insertedIds": ["t1"]}
    post(cloud, {"transactionId": tx, "action": "database.abortTransaction"})
    assert [d["_id"] for d in cloud.dump("users")] == ["u1"]
    again = post(cloud, {"transactionId": tx, "action": "database.commitTransaction"})
    assert again["code"] == "INVALID_PARAM" and tx in again["message"]


def test_commit_conflict_carries_the_code_run_transaction_retries_on(cloud: WxCloud) -> None:
    tx = post(cloud, {"action": "database.startTransaction"})["transactionId"]
    cloud.force_transaction_conflict()
    reply = post(cloud, {"transactionId": tx, "action": "database.commitTransaction"})
    assert reply["code"] == "DATABASE_TRANSACTION_CONFLICT"
    assert "TransactionConflict" in reply["message"]


def test_create_collection_then_again(cloud: WxCloud) -> None:
    body = {"collectionName": "fresh", "action": "database.addCollection"}
    assert set(post(cloud, body)) == {"requestId"}
    assert "fresh" in cloud.collections()
    again = post(cloud, body)
    assert again["code"] == "DATABASE_COLLECTION_ALREADY_EXIST"


def test_missing_collection_is_the_code_the_sdk_maps_to_502005(cloud: WxCloud) -> None:
    reply = post(
        cloud, {"collectionName": "nope", "queryType": "WHERE", "action": "database.getDocument"}
    )
    assert reply["code"] == "DATABASE_COLLECTION_NOT_EXIST"
    assert reply["message"].startswith("[ResourceNotFound] Db or Table not exist.")


def test_duplicate_id_is_a_database_request_failure(cloud: WxCloud) -> None:
    body = {
        "collectionName": "users",
        "data": ['{"_id":"u1"}'],
        "action": "database.insertDocument",
    }
    reply = post(cloud, body)
    assert reply["code"] == "DATABASE_REQUEST_FAILED" and "E11000" in reply["message"]
    assert len(cloud.dump("users")) == 1
