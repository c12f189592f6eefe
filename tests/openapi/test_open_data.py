"""CloudIDs and ``cloud.getOpenData``: minted by the test for a user, opened by functions in
Python and over /admin (a SVRKIT_API ``CommApiData`` nesting ``ApiGetOpenDataByCloudIdReq``, as
wx-server-sdk 4.0.2 sends it), refused with the platform's -601005/-601006/-601007."""

from __future__ import annotations

from typing import Any

import pytest
from multipartkit import post_parts

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.functions import current_cloud
from pytest_wxcloud.openapi.protobuf import (
    SVRKIT_API,
    CommApiData,
    decode_comm_open_api_resp,
    decode_open_data_reply,
    encode_open_data_request,
)

STEPS = {"stepInfoList": [{"timestamp": 1603641600, "step": 1234}]}


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="run-env", seed=5)

    @cloud.function("werun")
    def werun(event: dict[str, Any], context: Any) -> Any:
        try:
            return current_cloud().get_open_data(list=event["list"])
        except CloudSDKError as error:
            return {"errCode": error.err_code, "errMsg": error.err_msg, "text": str(error)}

    return cloud


def test_a_cloud_id_opens_the_users_data_with_a_watermark(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    cloud_id = cloud.openapi.open_data.cloud_id_for(alice, STEPS)
    result = cloud.call_function("werun", {"list": [cloud_id]}, as_user=alice)["result"]
    stamp = int(cloud.clock.now().timestamp())
    assert result == {
        "list": [
            {
                "cloudID": cloud_id,
                "data": {**STEPS, "watermark": {"appid": cloud.appid, "timestamp": stamp}},
            }
        ],
        "errMsg": "getOpenData:ok",
        "errCode": 0,
    }
    (call,) = cloud.openapi.calls
    assert (call.api, call.params, call.function, call.caller) == (
        "getOpenData",
        {"cloudid_list": [cloud_id]},
        "werun",
        alice,
    )


def test_test_code_may_open_any_cloud_id_and_a_given_watermark_stays(cloud: WxCloud) -> None:
    data = {"openGId": "G1", "watermark": {"appid": "wx-other", "timestamp": 1}}
    cloud_id = cloud.openapi.open_data.cloud_id_for(cloud.user(openid="o-a"), data)
    assert cloud.get_open_data(list=[cloud_id])["list"] == [{"cloudID": cloud_id, "data": data}]


@pytest.mark.parametrize(
    ("case", "code", "text"),
    [
        ("forged", -601005, "invalid cloudID"),
        ("expired", -601006, "cloudID expired"),
        ("someone else's", -601007, "cloudID and calling user does not match"),
    ],
)
def test_a_bad_cloud_id_fails_the_whole_call(
    cloud: WxCloud, case: str, code: int, text: str
) -> None:
    alice, bob = cloud.user(openid="o-alice"), cloud.user(openid="o-bob")
    good = cloud.openapi.open_data.cloud_id_for(bob, STEPS)
    bad = {
        "forged": "12_ffff",
        "expired": cloud.openapi.open_data.cloud_id_for(bob, STEPS),
        "someone else's": cloud.openapi.open_data.cloud_id_for(alice, STEPS),
    }[case]
    if case == "expired":
        cloud.openapi.open_data.expire(bad)
    failed = cloud.call_function("werun", {"list": [good, bad]}, as_user=bob)["result"]
    assert (failed["errCode"], failed["errMsg"]) == (code, f"system error: error code: {code}")
    assert text in failed["text"]
    assert cloud.openapi.calls[-1].errcode == code


@pytest.mark.parametrize(
    ("given", "needle"),
    [(None, "list must be provided"), ("12_x", "array of CloudID strings"), ([1], "[1]")],
)
def test_the_list_is_checked_before_anything_is_sent(
    cloud: WxCloud, given: Any, needle: str
) -> None:
    with pytest.raises(CloudSDKError, match=r"getOpenData:fail .*") as caught:
        cloud.get_open_data(list=given)
    assert needle in caught.value.err_msg and caught.value.err_code == -1
    assert cloud.openapi.calls == []


def test_minting_needs_json_data_and_expiring_needs_a_known_id(cloud: WxCloud) -> None:
    with pytest.raises(ValueError, match="JSON"):
        cloud.openapi.open_data.cloud_id_for(None, {"when": object()})
    with pytest.raises(KeyError, match="12_nope"):
        cloud.openapi.open_data.expire("12_nope")


def svrkit(api: str, cloud_ids: list[str]) -> dict[str, bytes]:
    data = CommApiData(SVRKIT_API, svrkit_api=api, svrkit_data=encode_open_data_request(cloud_ids))
    return {"action": b"wx.openApi", "apiName": api.encode(), "requestData": data.encode()}


def test_over_admin_the_reply_nests_the_items_in_resp_data(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    cloud_id = cloud.openapi.open_data.cloud_id_for(alice, STEPS)
    token = cloud.cloudbase.tokens.issue(alice, "werun")
    response = post_parts(cloud, svrkit("ApiGetOpenDataByCloudId", [cloud_id]), token)
    reply = decode_comm_open_api_resp(response.content)
    assert (reply.error_code, reply.http_code) == (0, 200)
    ((returned_id, text),) = decode_open_data_reply(reply.resp_data)
    assert returned_id == cloud_id and text.startswith(f'{{"cloudID":"{cloud_id}","data":')


def test_over_admin_refusals_are_error_codes(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    token = cloud.cloudbase.tokens.issue(alice, "werun")
    cases = [
        (svrkit("ApiGetOpenDataByCloudId", ["12_forged"]), token, -601005),
        (svrkit("ApiVoipSign", []), token, -604100),
        (svrkit("ApiGetOpenDataByCloudId", []), "", -604104),
    ]
    for parts, given, code in cases:
        reply = decode_comm_open_api_resp(post_parts(cloud, parts, given).content)
        assert reply.error_code == code
