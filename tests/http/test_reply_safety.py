"""A reply never raises: odd stored strings are encoded as JavaScript would, bugs become -1."""

from __future__ import annotations

import json

import httpx
import pytest
from httpkit import API, WxApi, assert_error

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http import router
from pytest_wxcloud.http.wire import encode_json, json_response


def test_lone_surrogates_are_written_as_json_escapes() -> None:
    content = encode_json({"name": "a\ud800b", "pair": "\ud83d\ude00", "ok": "中文"})
    text = content.decode("utf-8")  # valid UTF-8
    assert text == '{"name":"a\\ud800b","pair":"\\ud83d\\ude00","ok":"中文"}'
    # every JSON parser reads back what was stored; a split pair comes back joined
    assert json.loads(content) == {"name": "a\ud800b", "pair": "😀", "ok": "中文"}


def test_json_response_with_a_surrogate_is_readable_by_any_client() -> None:
    response = json_response({"errcode": 0, "errmsg": "ok", "data": ["\udfff"]})
    assert response.json()["data"] == ["\udfff"]
    response.content.decode("utf-8")


def test_surrogate_collection_name_never_breaks_later_replies(wx_api: WxApi) -> None:
    # whether the add is accepted or refused, neither reply nor any later one may raise
    added = wx_api.client.post(
        f"{API}/tcb/databasecollectionadd",
        params={"access_token": wx_api.token},
        content=b'{"env": "test2-4a89da", "collection_name": "bad\\ud800"}',
    )
    listed = wx_api.call("databasecollectionget")
    added.content.decode("utf-8")
    assert listed["errcode"] == 0
    names = [entry["name"] for entry in listed["collections"]]
    assert names == (["bad\ud800"] if added.json()["errcode"] == 0 else [])


def test_unexpected_exception_becomes_a_system_error_envelope(
    wx_api: WxApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(face: object, request: httpx.Request) -> dict[str, object]:
        raise KeyError("pager")

    monkeypatch.setitem(router.TCB_ENDPOINTS, "/tcb/databasecollectionget", broken)
    body = wx_api.call("databasecollectionget")
    assert_error(
        body,
        -1,
        "system error: pytest-wxcloud failed answering POST /tcb/databasecollectionget: "
        "KeyError: 'pager'",
    )


def test_system_error_naming_a_surrogate_is_still_encoded(
    http_cloud: WxCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(face: object, request: httpx.Request) -> dict[str, object]:
        raise ValueError("odd \ud800 value")

    monkeypatch.setitem(router.TOKEN_ENDPOINTS, "/cgi-bin/token", broken)
    body = httpx.get(f"{API}/cgi-bin/token").json()
    assert_error(body, -1, "ValueError: odd \ud800 value")
