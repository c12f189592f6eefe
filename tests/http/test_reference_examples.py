"""One test per request/response example in http-api.md, sent over httpx as a client would."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from httpkit import API, WxApi, assert_error

from pytest_wxcloud import WxCloud

GEO_DOC = {"_id": "b15498af-1a5a-40b4-a4e7-b3fc4a1df482", "done": True, "name": "test"}


def records(body: dict[str, Any]) -> list[dict[str, Any]]:
    assert body["errcode"] == 0, body
    assert all(isinstance(item, str) for item in body["data"])  # JSON strings, not objects
    return [json.loads(item) for item in body["data"]]


# --------------------------------------------------------------------- §2 tokens


def test_get_access_token_example(wx_api: WxApi) -> None:
    """§2.1: ``{"access_token": "ACCESS_TOKEN", "expires_in": 7200}`` / 40013 invalid appid."""
    params = {
        "grant_type": "client_credential",
        "appid": wx_api.cloud.appid,
        "secret": wx_api.cloud.secret,
    }
    body = wx_api.client.get(f"{API}/cgi-bin/token", params=params).json()
    assert sorted(body) == ["access_token", "expires_in"] and body["expires_in"] == 7200
    assert len(body["access_token"]) <= 512
    params["appid"] = "APPID"
    assert_error(
        wx_api.client.get(f"{API}/cgi-bin/token", params=params).json(), 40013, "invalid appid"
    )


def test_get_stable_access_token_example(wx_api: WxApi) -> None:
    """§2.2: the documented body, ``force_refresh: false``."""
    body = {
        "grant_type": "client_credential",
        "appid": wx_api.cloud.appid,
        "secret": wx_api.cloud.secret,
        "force_refresh": False,
    }
    answer = wx_api.client.post(f"{API}/cgi-bin/stable_token", json=body).json()
    assert sorted(answer) == ["access_token", "expires_in"]
    assert 300 <= answer["expires_in"] <= 7200


# --------------------------------------------------------------------- §3.1 invokecloudfunction


@pytest.fixture
def sample_app() -> Any:
    cloud = WxCloud(env="test2-4a89da", appid="SAMPLE_APPID", seed=1)

    @cloud.function("echo")
    def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
        context_now = cloud.get_wx_context()
        assert context_now["SOURCE"] == "wx_http"
        assert "OPENID" not in context_now or not context_now["OPENID"]
        return {"event": event, "appid": context_now["APPID"]}

    with cloud.mock_http(), httpx.Client() as client:
        yield WxApi(cloud, client)


def test_invoke_cloud_function_classic_example(sample_app: WxApi) -> None:
    response = sample_app.client.post(
        f"{API}/tcb/invokecloudfunction",
        params={"access_token": sample_app.token, "env": "test2-4a89da", "name": "echo"},
        content=b"{}",
    )
    assert response.json() == {
        "errcode": 0,
        "errmsg": "ok",
        "resp_data": '{"event":{"userInfo":{"appId":"SAMPLE_APPID"}},"appid":"SAMPLE_APPID"}',
    }


def test_invoke_cloud_function_new_form_example(sample_app: WxApi) -> None:
    body = sample_app.call("invokecloudfunction", {"name": "echo", "req_data": '{"a":1}'})
    assert body["errcode"] == 0
    assert json.loads(body["resp_data"]) == {
        "event": {"a": 1, "userInfo": {"appId": "SAMPLE_APPID"}},
        "appid": "SAMPLE_APPID",
    }


# --------------------------------------------------------------------- §3.2 databaseadd


def test_database_add_example(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"geo": []})
    query = (
        'db.collection("geo").add({data: [{description: "item1", due: new Date("2019-09-09"), '
        'tags: ["cloud", "database"], location: new db.Geo.Point(113, 23), done: false}, '
        '{description: "item2", due: new Date("2019-09-09"), tags: ["cloud", "database"], '
        "location: db.Geo.Point(113, 23), done: false}]})"
    )
    body = wx_api.query("databaseadd", query)
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    assert len(body["id_list"]) == 2
    assert all(len(i) == 32 for i in body["id_list"])
    stored = wx_api.cloud.dump("geo")
    assert [doc["_id"] for doc in stored] == body["id_list"]
    assert stored[0]["due"] == datetime(2019, 9, 9, tzinfo=timezone.utc)
    assert stored[0]["location"] == {"type": "Point", "coordinates": [113, 23]}


def test_database_add_single_object_still_returns_a_list(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"geo": []})
    body = wx_api.query("databaseadd", "db.collection('geo').add({data: {_id: 'mine', n: 1}})")
    assert body["id_list"] == ["mine"]


# --------------------------------------------------------------------- §3.3 databasequery


def test_database_query_example(wx_api: WxApi) -> None:
    wx_api.cloud.seed(
        {"geo": [{"_id": "first", "done": True, "name": "a"}, GEO_DOC, {"_id": "c", "done": False}]}
    )
    body = wx_api.query(
        "databasequery", 'db.collection("geo").where({done:true}).limit(10).skip(1).get()'
    )
    assert body == {
        "errcode": 0,
        "errmsg": "ok",
        "pager": {"Offset": 1, "Limit": 10, "Total": 2},
        "data": ['{"_id":"b15498af-1a5a-40b4-a4e7-b3fc4a1df482","done":true,"name":"test"}'],
    }


def test_query_default_limit_is_ten(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"n": [{"_id": f"{i:02d}", "i": i} for i in range(25)]})
    body = wx_api.query("databasequery", "db.collection('n').get()")
    assert body["pager"] == {"Offset": 0, "Limit": 10, "Total": 25}
    assert [r["i"] for r in records(body)] == list(range(10))


def test_query_limit_maximum_is_an_option(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"n": [{"i": i} for i in range(150)]})
    assert_error(
        wx_api.query("databasequery", "db.collection('n').limit(101).get()"), -501007, "MgoLimit"
    )
    assert len(records(wx_api.query("databasequery", "db.collection('n').limit(100).get()"))) == 100
    with wx_api.cloud.mock_http(max_limit=1000):
        body = wx_api.query("databasequery", "db.collection('n').limit(1000).get()")
    assert body["pager"] == {"Offset": 0, "Limit": 1000, "Total": 150}
    assert len(records(body)) == 150


def test_query_numbers_are_plain_json_and_dates_are_switchable(wx_api: WxApi) -> None:
    due = datetime(2019, 9, 9, tzinfo=timezone.utc)
    wx_api.cloud.seed({"orders": [{"_id": "o", "price": 12.5, "num": 3, "due": due}]})
    (order,) = records(wx_api.query("databasequery", "db.collection('orders').get()"))
    assert order["price"] * order["num"] == 37.5  # xmu multiplies them directly
    assert order["due"] == {"$date": 1567987200000}
    with wx_api.cloud.mock_http(query_date_format="iso"):
        (order,) = records(wx_api.query("databasequery", "db.collection('orders').get()"))
    assert order["due"] == {"$date": "2019-09-09T00:00:00.000Z"}


def test_doc_get_through_databasequery(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"geo": [GEO_DOC]})
    body = wx_api.query("databasequery", f"db.collection('geo').doc('{GEO_DOC['_id']}').get()")
    assert records(body) == [GEO_DOC]
    missing = wx_api.query("databasequery", "db.collection('geo').doc('nope').get()")
    assert missing["errcode"] == 0 and missing["data"] == []


def test_export_example_query_runs_through_databasequery(wx_api: WxApi) -> None:
    """§3.9's official query (const binding, chained commands, repeated orderBy, field)."""
    from pytest_wxcloud.database.values import Point

    wx_api.cloud.seed(
        {
            "geo": [
                {"_id": "1", "name": "x", "age": 15, "loc": Point(113, 23), "array": [1, 2]},
                {"_id": "2", "name": "x", "age": 12, "loc": Point(113, 23), "array": [1, 2]},
                {"_id": "3", "name": "x", "age": 25, "loc": Point(113, 23), "array": [1, 2]},
                {"_id": "4", "name": "y", "age": 15, "loc": Point(113, 23), "array": [1, 2]},
            ]
        }
    )
    query = (
        "const Point = db.Geo.Point;db.collection('geo').where({name: 'x',age: _.gt(10).and(_.lt(20)),"
        "loc: new Point(113,23),array: [1,2]}).limit(10).skip(1).orderBy('age','asc')"
        ".orderBy('name', 'desc').field({ name: true }).get()"
    )
    body = wx_api.query("databasequery", query)
    assert body["pager"] == {"Offset": 1, "Limit": 10, "Total": 2}
    assert records(body) == [{"_id": "1", "name": "x"}]


# --------------------------------------------------------------------- §3.4 databaseupdate


def test_database_update_examples(wx_api: WxApi) -> None:
    wx_api.cloud.seed(
        {
            "geo": [
                {"_id": "56abd6d5", "age": 14},
                {"_id": "be62d9c4", "description": "old", "extra": 1},
            ]
        }
    )
    ok = {"errcode": 0, "errmsg": "ok"}
    body = wx_api.query(
        "databaseupdate", 'db.collection("geo").where({age:14}).update({data:{age: _.inc(1)}})'
    )
    assert body == {**ok, "matched": 1, "modified": 1, "id": ""}
    body = wx_api.query(
        "databaseupdate", 'db.collection("geo").doc("56abd6d5").update({data:{age: 10}})'
    )
    assert body == {**ok, "matched": 1, "modified": 1, "id": ""}
    body = wx_api.query(
        "databaseupdate",
        'db.collection("geo").doc("be62d9c4").set({data: {description: "set", done: true}})',
    )
    assert body == {**ok, "matched": 1, "modified": 1, "id": ""}
    assert wx_api.cloud.dump("geo")[1] == {"_id": "be62d9c4", "description": "set", "done": True}


def test_update_counts_matched_apart_from_modified(wx_api: WxApi) -> None:
    wx_api.cloud.seed(
        {"geo": [{"_id": "a", "age": 10}, {"_id": "b", "age": 10}, {"_id": "c", "age": 11}]}
    )
    body = wx_api.query(
        "databaseupdate", "db.collection('geo').where({age: _.gte(10)}).update({data: {age: 11}})"
    )
    assert (body["matched"], body["modified"]) == (3, 2)


def test_set_creating_a_record_reports_its_id(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"geo": []})
    body = wx_api.query("databaseupdate", "db.collection('geo').doc('fresh').set({data: {n: 1}})")
    assert (body["matched"], body["modified"], body["id"]) == (0, 0, "fresh")
    assert wx_api.cloud.dump("geo") == [{"_id": "fresh", "n": 1}]


# --------------------------------------------------------------------- §3.5 / §3.6


def test_database_delete_examples(wx_api: WxApi) -> None:
    wx_api.cloud.seed(
        {
            "geo": [
                {"_id": "be62", "done": True},
                {"_id": "f1", "done": False},
                {"_id": "f2", "done": False},
            ]
        }
    )
    body = wx_api.query("databasedelete", 'db.collection("geo").where({done:false}).remove()')
    assert body == {"errcode": 0, "errmsg": "ok", "deleted": 2}
    body = wx_api.query("databasedelete", 'db.collection("geo").doc("be62").remove()')
    assert body == {"errcode": 0, "errmsg": "ok", "deleted": 1}
    assert wx_api.cloud.dump("geo") == []


def test_database_count_example(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"geo": [{"done": True}] * 3 + [{"done": False}]})
    body = wx_api.query("databasecount", 'db.collection("geo").where({done:true}).count()')
    assert body == {"errcode": 0, "errmsg": "ok", "count": 3}
    assert wx_api.query("databasecount", "db.collection('geo').count()")["count"] == 4


# --------------------------------------------------------------------- §3.7 databaseaggregate


def test_database_aggregate_example(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"test_collection": []})
    wx_api.query(
        "databaseadd",
        "db.collection('test_collection').add({data: {_id: 'f77e', location: db.Geo.Point(113, 23), "
        "done: false, tags: ['cloud'], num: 3, price: 12.5}})",
    )
    body = wx_api.query(
        "databaseaggregate",
        'db.collection("test_collection").aggregate().match({tags:"cloud"}).limit(10).end()',
    )
    assert sorted(body) == ["data", "errcode", "errmsg"]  # no pager
    (record,) = [json.loads(item) for item in body["data"]]
    assert record["location"] == {
        "type": "Point",
        "coordinates": [{"$numberDouble": "113.0"}, {"$numberDouble": "23.0"}],
    }
    assert record["num"] == {"$numberInt": "3"}
    assert record["price"] == {"$numberDouble": "12.5"}
    assert record["done"] is False and record["_id"] == "f77e"


def test_aggregate_accepts_the_documented_query_capital_q(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"c": [{"_id": "1", "n": 1}]})
    body = wx_api.call(
        "databaseaggregate", {"Query": "db.collection('c').aggregate().match({n: 1}).end()"}
    )
    assert json.loads(body["data"][0]) == {"_id": "1", "n": {"$numberInt": "1"}}


# --------------------------------------------------------------------- §3.8 collections


def test_collection_add_delete_get_examples(wx_api: WxApi) -> None:
    ok = {"errcode": 0, "errmsg": "ok"}
    assert wx_api.call("databasecollectionadd", {"collection_name": "geo"}) == ok
    assert wx_api.call("databasecollectionadd", {"collection_name": "test_collection"}) == ok
    wx_api.query("databaseadd", "db.collection('test_collection').add({data: {a: 1}})")
    body = wx_api.call("databasecollectionget", {"limit": 10, "offset": 0})
    assert body["errcode"] == 0 and body["pager"] == {"Offset": 0, "Limit": 10, "Total": 2}
    geo, test = body["collections"]
    assert sorted(geo) == ["count", "index_count", "index_size", "name", "size"]
    assert (geo["name"], geo["count"], geo["index_count"]) == ("geo", 0, 1)
    assert (test["name"], test["count"]) == ("test_collection", 1)
    assert test["size"] > geo["size"]
    assert wx_api.call("databasecollectiondelete", {"collection_name": "geo"}) == ok
    assert wx_api.cloud.collections() == ["test_collection"]


def test_collection_get_defaults_and_paging(wx_api: WxApi) -> None:
    wx_api.cloud.seed({f"c{i:02d}": [] for i in range(12)})
    body = wx_api.call("databasecollectionget")  # Go clients omit zero limit/offset
    assert body["pager"] == {"Offset": 0, "Limit": 10, "Total": 12}
    assert len(body["collections"]) == 10
    body = wx_api.call("databasecollectionget", {"limit": 0, "offset": 10})
    assert [c["name"] for c in body["collections"]] == ["c10", "c11"]
    assert_error(wx_api.call("databasecollectionget", {"limit": "10"}), 40097, "limit")


def test_collection_errors(wx_api: WxApi) -> None:
    wx_api.call("databasecollectionadd", {"collection_name": "geo"})
    assert_error(
        wx_api.call("databasecollectionadd", {"collection_name": "geo"}), -502013, "already exists"
    )
    assert_error(wx_api.call("databasecollectiondelete", {"collection_name": "nope"}), -502005)
    assert_error(wx_api.call("databasecollectionadd", {}), 40101, "collection_name")


# --------------------------------------------------------------------- §3.10 updateindex


def test_update_index_example(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"counters": []})
    body = wx_api.call(
        "updateindex",
        {
            "collection_name": "counters",
            "create_indexes": [
                {
                    "name": "add_index",
                    "unique": True,
                    "keys": [{"name": "test", "direction": "2dsphere"}],
                }
            ],
            "drop_indexes": [],
        },
    )
    assert body == {"errcode": 0, "errmsg": "ok"}
    listed = wx_api.call("databasecollectionget")["collections"][0]
    assert listed["index_count"] == 2
    wx_api.call(
        "updateindex", {"collection_name": "counters", "drop_indexes": [{"name": "add_index"}]}
    )
    assert wx_api.call("databasecollectionget")["collections"][0]["index_count"] == 1


def test_update_index_tolerates_wechatpys_drop_list(wx_api: WxApi) -> None:
    wx_api.cloud.seed({"counters": []})
    index = {"name": "by_n", "unique": False, "keys": [{"name": "n", "direction": "1"}]}
    body = wx_api.call(
        "updateindex",
        {"collection_name": "counters", "create_indexes": [index], "drop_indexes": [index]},
    )
    assert body["errcode"] == 0
    assert wx_api.call("databasecollectionget")["collections"][0]["index_count"] == 2


@pytest.mark.parametrize(
    "index",
    [
        {"name": "x", "keys": [{"name": "n", "direction": 1}]},  # directions are strings
        {"name": "x", "keys": []},
        {"keys": [{"name": "n", "direction": "1"}]},
        {"name": "x", "unique": "yes", "keys": [{"name": "n", "direction": "1"}]},
    ],
)
def test_update_index_rejects_malformed_specs(wx_api: WxApi, index: dict[str, Any]) -> None:
    wx_api.cloud.seed({"counters": []})
    body = wx_api.call("updateindex", {"collection_name": "counters", "create_indexes": [index]})
    assert_error(body, 40097)
    assert wx_api.call("databasecollectionget")["collections"][0]["index_count"] == 1


def test_modified_stays_modified_when_the_sdk_counts_matched() -> None:
    cloud = WxCloud(env="e", seed=2, updated_counts="matched")
    cloud.seed({"geo": [{"_id": "a", "age": 10}, {"_id": "b", "age": 11}]})
    with cloud.mock_http(), httpx.Client() as client:
        body = WxApi(cloud, client).call(
            "databaseupdate", {"query": "db.collection('geo').update({data: {age: 11}})"}
        )
    assert (body["matched"], body["modified"]) == (2, 1)
    assert cloud.database().collection("geo").update(data={"age": 11})["stats"]["updated"] == 2
