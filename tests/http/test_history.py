"""The HTTP face keeps no log of exchanges: memory stays flat however many requests it answers."""

from __future__ import annotations

import gc

import httpx
from httpkit import WxApi

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.router import SWITCHBOARD, Switchboard


def live(kind: type) -> int:
    gc.collect()
    return sum(1 for obj in gc.get_objects() if type(obj) is kind)


def test_answered_requests_are_not_retained() -> None:
    cloud = WxCloud(seed=3)
    cloud.seed({"big": [{"text": "x" * 1000}]})
    with cloud.mock_http() as router, httpx.Client() as client:
        api = WxApi(cloud, client)
        api.token  # noqa: B018 - fetch once, outside the count
        before = live(httpx.Response), live(httpx.Request)
        for _ in range(50):
            assert api.query("databasequery", "db.collection('big').get()")["errcode"] == 0
        assert len(router.calls) == 0
        assert all(len(route.calls) == 0 for route in router.routes)
        assert (live(httpx.Response), live(httpx.Request)) == before


def test_many_blocks_leave_no_snapshots_behind() -> None:
    board = Switchboard()
    cloud = WxCloud(seed=4)
    from pytest_wxcloud.http.options import HttpOptions
    from pytest_wxcloud.http.router import HttpFace

    face = HttpFace(cloud, cloud.http_state(), HttpOptions())
    for _ in range(30):
        with board.answering(face) as router, httpx.Client() as client:
            client.get("https://api.weixin.qq.com/cgi-bin/token")
    assert router._snapshots == []
    assert len(router.calls) == 0


def test_held_router_keeps_nothing_across_tests() -> None:
    SWITCHBOARD.hold()
    try:
        for seed in range(20):
            cloud = WxCloud(seed=seed)
            with cloud.mock_http() as router:
                WxApi(cloud, httpx.Client()).token  # noqa: B018
        assert len(router.calls) == 0
        assert router._snapshots == []
    finally:
        SWITCHBOARD.release()
