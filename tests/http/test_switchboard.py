"""The one respx router behind every ``mock_http()`` block (a push and a pop per block)."""

from __future__ import annotations

import httpx
import respx
from respx.mocks import Mocker

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.options import HttpOptions
from pytest_wxcloud.http.router import SWITCHBOARD, HttpFace, Switchboard


def _registered_routers() -> list[object]:
    return list(Mocker.registry["httpcore"].routers)


def token(client: httpx.Client, cloud: WxCloud) -> dict[str, object]:
    response = client.get(
        "https://api.weixin.qq.com/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret},
    )
    return dict(response.json())


def test_innermost_block_answers_and_outer_resumes():
    outer, inner = WxCloud(seed=1), WxCloud(seed=2)
    with httpx.Client() as client, outer.mock_http():
        assert "access_token" in token(client, outer)
        with inner.mock_http():
            assert "access_token" in token(client, inner)
            assert (
                token(client, outer)["errcode"] == 40013
            )  # the inner cloud does not know that appid
        assert "access_token" in token(client, outer)


def test_router_unregisters_when_the_last_block_ends_unless_held():
    board = Switchboard()
    cloud = WxCloud()
    before = _registered_routers()
    face = HttpFace(cloud, cloud.http_state(), HttpOptions())
    with board.answering(face) as router:
        assert router in _registered_routers()
    assert _registered_routers() == before
    board.hold()
    try:
        with board.answering(face):
            pass
        assert len(_registered_routers()) == len(before) + 1  # still patched between blocks
    finally:
        board.release()
    assert _registered_routers() == before


def test_held_router_without_a_block_leaves_the_users_respx_routes_in_charge():
    SWITCHBOARD.hold()
    try:
        with respx.mock() as user_mock, httpx.Client() as client:
            user_mock.get("https://api.weixin.qq.com/cgi-bin/token").respond(json={"mine": True})
            user_mock.get("https://example.com/").respond(text="hello")
            assert client.get("https://api.weixin.qq.com/cgi-bin/token").json() == {"mine": True}
            assert client.get("https://example.com/").text == "hello"
    finally:
        SWITCHBOARD.release()
