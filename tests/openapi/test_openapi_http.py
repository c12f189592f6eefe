"""The same APIs over the HTTP API for back ends, into the same outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from qrkit import encodes

from pytest_wxcloud import WxCloud

API = "https://api.weixin.qq.com"


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(env="e", seed=9)
    with cloud.mock_http():
        yield cloud


@pytest.fixture
def token(cloud: WxCloud) -> str:
    params = {"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret}
    return str(httpx.get(f"{API}/cgi-bin/token", params=params).json()["access_token"])


def post(path: str, token: str, body: dict[str, object]) -> httpx.Response:
    return httpx.post(f"{API}{path}", params={"access_token": token}, content=json.dumps(body))


def test_subscribe_send(cloud: WxCloud, token: str) -> None:
    body = {"touser": "o1", "template_id": "TPL", "data": {"thing1": {"value": "x"}}}
    refused = post("/cgi-bin/message/subscribe/send", token, body).json()
    assert refused["errcode"] == 43101 and refused["errmsg"].startswith(
        "user refuse to accept the msg rid: "
    )
    cloud.openapi.subscriptions.grant("o1", "TPL")
    assert post("/cgi-bin/message/subscribe/send", token, body).json() == {
        "errcode": 0,
        "errmsg": "ok",
    }
    assert [(c.api, c.face, c.errcode) for c in cloud.openapi.calls] == [
        ("subscribeMessage.send", "http", 43101),
        ("subscribeMessage.send", "http", 0),
    ]
    assert cloud.openapi.calls[1].params == body


def test_msg_sec_check_v2(cloud: WxCloud, token: str) -> None:
    cloud.openapi.moderation.block("spam")
    body = {"content": "spam!", "version": 2, "scene": 2, "openid": "o1"}
    answer = post("/wxa/msg_sec_check", token, body).json()
    assert answer["errcode"] == 0 and answer["result"] == {"suggest": "risky", "label": 21000}
    assert "trace_id" in answer


def test_img_sec_check_multipart(cloud: WxCloud, token: str) -> None:
    cloud.openapi.moderation.judge_image = lambda data: "risky"
    answer = httpx.post(
        f"{API}/wxa/img_sec_check",
        params={"access_token": token},
        files={"media": ("a.png", b"\x89PNG", "image/png")},
    ).json()
    assert answer["errcode"] == 87014


def test_wxacode_unlimit_answers_the_image(cloud: WxCloud, token: str) -> None:
    response = post("/wxa/getwxacodeunlimit", token, {"scene": "id=1", "page": "pages/a/a"})
    assert response.headers["content-type"] == "image/png"
    assert encodes(response.content, f"wxacode://{cloud.appid}/pages/a/a?scene=id=1")
    bad = post("/wxa/getwxacodeunlimit", token, {"page": "pages/a/a"}).json()
    assert bad["errcode"] == 40169


def test_token_checks_apply(cloud: WxCloud) -> None:
    answer = httpx.post(f"{API}/wxa/msg_sec_check", content=b'{"content":"x"}').json()
    assert answer["errcode"] == 41001
    assert cloud.openapi.calls == []


def test_open_interface_service_needs_no_token(cloud: WxCloud) -> None:
    response = httpx.post("http://api.weixin.qq.com/wxa/msg_sec_check", json={"content": "hi"})
    assert response.json() == {"errcode": 0, "errmsg": "ok"}
    assert "x-openapi-seqid" in response.headers
