"""A handler that calls the loopback server must not deadlock on the os.environ turn.

Synchronous handlers take turns at os.environ, one call chain at a time. A request answered by
the server runs on a server thread with a fresh context; when its caller is a handler holding
the turn and waiting for the answer, waiting for the turn would wait forever. Each call below
has a client timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from serverkit import fetch_token

from pytest_wxcloud import WxCloud
from pytest_wxcloud.identity import TURN_HEADER, answering_remote_request, environ_turn
from pytest_wxcloud.server import LoopbackServer


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(env="turn-env", seed=8)


@pytest.fixture
def server(cloud: WxCloud) -> Iterator[LoopbackServer]:
    with cloud.serve() as server:
        yield server


def register(cloud: WxCloud, server: LoopbackServer) -> None:
    @cloud.function("inner")
    def inner(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"context": cloud.get_wx_context(), "environ_openid": os.environ.get("WX_OPENID")}

    @cloud.function("outer", timeout=20)
    def outer(event: dict[str, Any], context: Any) -> dict[str, Any]:
        headers = {TURN_HEADER: environ_turn() or ""} if event.get("join") else {}
        with httpx.Client(base_url=server.url, timeout=10) as http:
            token = fetch_token(http, cloud)
            reply = http.post(
                "/tcb/invokecloudfunction",
                params={"access_token": token, "env": cloud.env, "name": "inner"},
                json={},
                headers=headers,
            ).json()
        return {"inner": json.loads(reply["resp_data"]), "after": os.environ.get("WX_OPENID")}


def test_handler_calling_the_server_does_not_deadlock(
    cloud: WxCloud, server: LoopbackServer
) -> None:
    register(cloud, server)
    alice = cloud.user(openid="o_alice")
    result = cloud.call_function("outer", {}, as_user=alice)["result"]
    inner_context = result["inner"]["context"]
    assert "OPENID" not in inner_context  # called over the HTTP API: no user
    assert inner_context["ENV"] == "turn-env"
    assert result["after"] == "o_alice"  # the caller's environment is intact afterwards


def test_joining_the_callers_turn_patches_os_environ_as_a_nested_call(
    cloud: WxCloud, server: LoopbackServer
) -> None:
    register(cloud, server)
    alice = cloud.user(openid="o_alice")
    result = cloud.call_function("outer", {"join": True}, as_user=alice)["result"]
    assert result["inner"]["environ_openid"] is None  # inner's own (userless) environment
    assert result["after"] == "o_alice"


def test_no_turn_outside_patched_handlers(cloud: WxCloud) -> None:
    assert environ_turn() is None
    seen: list[str | None] = []

    @cloud.function("probe")
    def probe(event: dict[str, Any], context: Any) -> None:
        seen.append(environ_turn())

    cloud.call_function("probe", {})
    assert seen[0] is not None and seen[0].startswith("turn-")
    assert environ_turn() is None


def test_a_stale_turn_does_not_join(cloud: WxCloud) -> None:
    seen: list[str | None] = []

    @cloud.function("probe")
    def probe(event: dict[str, Any], context: Any) -> None:
        seen.append(os.environ.get("WX_OPENID"))

    alice = cloud.user(openid="o_alice")
    with answering_remote_request("turn-0"):  # no chain holds it: os.environ stays untouched
        cloud.call_function("probe", {}, as_user=alice)
    cloud.call_function("probe", {}, as_user=alice)
    assert seen == [os.environ.get("WX_OPENID"), "o_alice"]
