"""wechatpy's ``WeChatClient(appid, secret).cloud`` runs unmodified against the cloud."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from pytest_wxcloud import WxCloud


@pytest.fixture
def client(wxcloud: WxCloud) -> WeChatClient:
    wxcloud.seed({"books": [{"_id": "b1", "title": "三体", "stock": 2}]})
    return WeChatClient(wxcloud.appid, wxcloud.secret)


def test_database_calls(wxcloud: WxCloud, client: WeChatClient) -> None:
    cloud = client.cloud
    env = wxcloud.env
    ids = cloud.db_add(env, "db.collection('books').add({data: [{title: 'Dune', stock: 5}]})")
    assert len(ids) == 1
    assert cloud.db_count(env, "db.collection('books').count()") == 2
    updated = cloud.db_update(
        env, "db.collection('books').where({title: '三体'}).update({data: {stock: _.inc(-1)}})"
    )
    assert (updated["matched"], updated["modified"]) == (1, 1)
    found = cloud.db_query(env, "db.collection('books').where({stock: _.gte(1)}).get()")
    assert found["pager"]["Total"] == 2
    assert cloud.db_delete(env, f"db.collection('books').doc('{ids[0]}').remove()") == 1
    totals = cloud.db_aggregate(
        env, "db.collection('books').aggregate().group({_id: null, n: $.sum('$stock')}).end()"
    )
    # wechatpy returns the data list; group results are EJSON-typed (http-api.md)
    assert totals == ['{"_id":null,"n":{"$numberInt":"1"}}']
    assert wxcloud.dump("books") == [{"_id": "b1", "title": "三体", "stock": 1}]


def test_collections(wxcloud: WxCloud, client: WeChatClient) -> None:
    client.cloud.db_add_collection(wxcloud.env, "orders")
    names = [c["name"] for c in client.cloud.db_get_collection(wxcloud.env)["collections"]]
    assert names == ["books", "orders"]
    client.cloud.db_delete_collection(wxcloud.env, "orders")
    assert wxcloud.collections() == ["books"]


def test_invoke_cloud_function(wxcloud: WxCloud, client: WeChatClient) -> None:
    @wxcloud.function("echo")
    def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"got": event.get("q")}

    assert client.cloud.invoke_cloud_function(wxcloud.env, "echo", {"q": [1, "二"]}) == {
        "got": [1, "二"]
    }


def test_errors_raise_wechatpy_exceptions(wxcloud: WxCloud, client: WeChatClient) -> None:
    with pytest.raises(WeChatClientException) as failed:
        client.cloud.db_query(wxcloud.env, "db.collection('nope').get()")
    assert failed.value.errcode == -502005


def test_expired_token_is_fetched_again(wxcloud: WxCloud, client: WeChatClient) -> None:
    first = client.access_token
    wxcloud.clock.advance(7200)  # the cloud says 42001; wechatpy refetches and retries once
    assert client.cloud.db_count(wxcloud.env, "db.collection('books').count()") == 1
    assert client.access_token != first


def test_wrong_secret_is_refused(wxcloud: WxCloud) -> None:
    with pytest.raises(WeChatClientException) as failed:
        WeChatClient(wxcloud.appid, "not-the-secret").fetch_access_token()
    assert failed.value.errcode == 40125
