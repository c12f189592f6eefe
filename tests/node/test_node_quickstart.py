"""The official quickstart's shape, run unmodified on wx-server-sdk 4.0.2 against the cloud."""

from __future__ import annotations

from pytest_wxcloud import WxCloud


def test_get_open_id_is_the_callers_context(cloud: WxCloud) -> None:
    alice = cloud.user()
    result = cloud.call_function("quickstart", {"type": "getOpenId"}, as_user=alice)["result"]
    assert result == {
        "openid": alice.openid,
        "appid": alice.appid,
        "unionid": alice.unionid,
        "env": "test-env",
        "source": "wx_client",
    }


def test_create_collection_twice_swallows_already_exists(cloud: WxCloud) -> None:
    alice = cloud.user()
    first = cloud.call_function("quickstart", {"type": "createCollection"}, as_user=alice)
    again = cloud.call_function("quickstart", {"type": "createCollection"}, as_user=alice)
    assert first["result"] == {"success": True}
    assert again["result"] == {"success": True, "data": "create collection success"}
    assert len(cloud.dump("sales")) == 4  # the second run added nothing


def test_select_update_and_sum(cloud: WxCloud) -> None:
    alice = cloud.user()
    cloud.call_function("quickstart", {"type": "createCollection"}, as_user=alice)
    rows = cloud.call_function("quickstart", {"type": "selectRecord"}, as_user=alice)["result"]
    assert rows["errMsg"] == "collection.get:ok"
    shanghai = next(row for row in rows["data"] if row["city"] == "上海")
    update = {"type": "updateRecord", "data": [{"_id": shanghai["_id"], "add": 5}]}
    assert cloud.call_function("quickstart", update, as_user=alice)["result"]["success"] is True
    assert next(d for d in cloud.dump("sales") if d["city"] == "上海")["sales"] == 16
    summed = cloud.call_function("quickstart", {"type": "sumRecord"}, as_user=alice)["result"]
    assert summed == {
        "list": [{"_id": "华东", "total": 27}, {"_id": "华南", "total": 44}],
        "errMsg": "collection.aggregate:ok",
    }


def test_unknown_type_fails_with_the_functions_message(cloud: WxCloud) -> None:
    import pytest

    from pytest_wxcloud import CloudSDKError

    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("quickstart", {"type": "nope"}, as_user=cloud.user())
    assert caught.value.err_code == -404011  # wx.cloud.callFunction: callee execution error
    assert "Error: unknown type nope" in caught.value.err_msg
