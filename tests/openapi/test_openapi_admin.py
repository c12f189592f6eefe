"""wx.openApi through the CloudBase face: the multipart body and protobuf CommApiData exactly as
wx-server-sdk 4.0.2 sends them (node-runtime.md §2.3), CommOpenApiResp back (§2.4)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.cloudbase import AdminFace
from pytest_wxcloud.openapi import Media
from pytest_wxcloud.openapi.protobuf import (
    CommApiData,
    CommOpenApiResp,
    Pair,
    decode_comm_api_data,
    decode_comm_open_api_resp,
)

BOUNDARY = "--------------------------db92b5d51e57007ece465770"
#: the start of the captured requestData of subscribeMessage.send (node-runtime.md §2.3)
CAPTURED = "080012bc010a140a06746f75736572120a226f2d757365722d3122"


def send_request(cloud: WxCloud, api: str, request_data: bytes, token: str = "") -> httpx.Response:
    parts = [("action", b"wx.openApi", None), ("apiName", api.encode(), None)]
    parts.append(("requestData", request_data, "application/octet-stream"))
    for name, value in [
        ("envName", cloud.env),
        ("wxCloudApiToken", token),
        ("tcb_sessionToken", ""),
        ("sessionToken", ""),
        ("crossAuthorizationToken", ""),
    ]:
        parts.append((name, value.encode(), None))
    body = b""
    for name, value, content_type in parts:
        body += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n'.encode()
        if content_type:
            body += f"Content-Type: {content_type}\r\n".encode()
        body += b"\r\n" + value + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    request = httpx.Request(
        "POST",
        f"http://127.0.0.1:9/admin?env={cloud.env}&seqId=seq-1-18f31737000_1",
        content=iter([body]),  # chunked, as the SDK sends multipart
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    request.read()
    response = AdminFace(cloud).answer(request)
    assert response is not None and response.status_code == 200
    return response


def pairs(**params: Any) -> bytes:
    """requestData as the SDK builds it: each top-level value as JSON text."""
    encoded = tuple(
        Pair(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
        for key, value in params.items()
    )
    return CommApiData(pairs=encoded).encode()


SUBSCRIBE = {
    "touser": "o-user-1",
    "page": "index",
    "lang": "zh_CN",
    "data": {"thing1": {"value": "hello"}},
    "template_id": "TPL1",
    "miniprogram_state": "developer",
}


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="test-env-1a2b", seed=8)
    cloud.functions.register(
        "notify",
        lambda event, context: None,
        config={"permissions": {"openapi": ["subscribeMessage.send", "wxacode.get"]}},
    )
    return cloud


def token_for(cloud: WxCloud, function: str) -> str:
    return cloud.cloudbase.tokens.issue(cloud.user(openid="o-user-1"), function)


def test_request_data_matches_the_capture() -> None:
    assert pairs(**SUBSCRIBE).hex().startswith(CAPTURED[:4] + "12")
    after_length = CAPTURED[CAPTURED.index("0a140a06") :]
    assert after_length in pairs(**SUBSCRIBE).hex()
    decoded = decode_comm_api_data(pairs(**SUBSCRIBE))
    assert decoded.api_type == 0 and decoded.appid == ""
    assert {pair.key: json.loads(pair.value) for pair in decoded.pairs} == SUBSCRIBE


def test_reply_encoding_matches_the_cross_check() -> None:
    assert CommOpenApiResp(error_code=-604101).encode().hex() == "18bb90dbffffffffffff01"
    ok = CommOpenApiResp(b'{"errcode":0}', "application/json; charset=utf-8", http_code=200)
    assert (
        ok.encode()
        .hex()
        .endswith("121f6170706c69636174696f6e2f6a736f6e3b20636861727365743d7574662d3820c801")
    )


def test_subscribe_send_from_a_node_function(cloud: WxCloud) -> None:
    cloud.openapi.subscriptions.grant("o-user-1", "TPL1")
    response = send_request(
        cloud, "subscribeMessage.send", pairs(**SUBSCRIBE), token_for(cloud, "notify")
    )
    assert response.headers["content-type"] == "application/octet-stream"
    reply = decode_comm_open_api_resp(response.content)
    assert (reply.error_code, reply.http_code) == (0, 200)
    assert reply.content_type == "application/json; charset=utf-8"
    assert json.loads(reply.resp_data) == {"errcode": 0, "errmsg": "ok"}
    (call,) = cloud.openapi.calls
    assert call.api == "subscribeMessage.send" and call.face == "admin"
    assert call.params == SUBSCRIBE
    assert call.function == "notify" and call.caller is not None
    assert call.caller.openid == "o-user-1"


def test_api_errors_travel_in_the_body(cloud: WxCloud) -> None:
    response = send_request(
        cloud, "subscribeMessage.send", pairs(**SUBSCRIBE), token_for(cloud, "notify")
    )
    body = json.loads(decode_comm_open_api_resp(response.content).resp_data)
    assert body["errcode"] == 43101
    assert body["errmsg"].startswith("user refuse to accept the msg rid: ")


def test_platform_refusals_are_error_codes(cloud: WxCloud) -> None:
    token = token_for(cloud, "notify")
    denied = send_request(cloud, "security.msgSecCheck", pairs(content="x"), token)
    assert decode_comm_open_api_resp(denied.content).error_code == -604101
    missing = send_request(cloud, "ocr.idcard", pairs(img_url="x"), token)
    assert decode_comm_open_api_resp(missing.content) == CommOpenApiResp(error_code=-604101)
    tokenless = send_request(cloud, "subscribeMessage.send", pairs(**SUBSCRIBE))
    assert decode_comm_open_api_resp(tokenless.content).error_code == -604104
    assert cloud.openapi.calls == []


def test_unknown_api_in_an_allowed_list_is_not_found() -> None:
    cloud = WxCloud(env="e", seed=1)
    cloud.functions.register(
        "ocr", lambda e, c: None, config={"permissions": {"openapi": ["ocr.idcard"]}}
    )
    token = cloud.cloudbase.tokens.issue(cloud.user(), "ocr")
    reply = send_request(cloud, "ocr.idcard", pairs(img_url="x"), token)
    assert decode_comm_open_api_resp(reply.content).error_code == -604100


def test_images_come_back_as_media(cloud: WxCloud) -> None:
    response = send_request(
        cloud, "wxacode.get", pairs(path="pages/index/index"), token_for(cloud, "notify")
    )
    reply = decode_comm_open_api_resp(response.content)
    assert reply.content_type == "image/png" and reply.resp_data.startswith(b"\x89PNG")


def test_media_parameters_arrive_as_media() -> None:
    cloud = WxCloud(env="e", seed=1)
    cloud.functions.register(
        "img", lambda e, c: None, config={"permissions": {"openapi": ["security.imgSecCheck"]}}
    )
    token = cloud.cloudbase.tokens.issue(cloud.user(), "img")
    data = CommApiData(pairs=(Pair("media", b"\x89PNG", "image/png", "media.png"),)).encode()
    reply = send_request(cloud, "security.imgSecCheck", data, token)
    assert json.loads(decode_comm_open_api_resp(reply.content).resp_data)["errcode"] == 0
    assert cloud.openapi.calls[0].params == {"media": Media("image/png", b"\x89PNG", "media.png")}


def test_garbage_request_data_is_invalid_param(cloud: WxCloud) -> None:
    response = send_request(
        cloud, "subscribeMessage.send", b"\xff\xff\xff", token_for(cloud, "notify")
    )
    reply = response.json()
    assert reply["code"] == "INVALID_PARAM" and "CommApiData" in reply["message"]
