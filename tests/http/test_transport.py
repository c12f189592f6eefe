"""The envelope shared by every endpoint, the token-less host, and living next to other mocks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
import respx
from httpkit import API, WxApi, assert_error
from respx.models import AllMockedAssertionError

from pytest_wxcloud import WxCloud

RID = re.compile(r" rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")
TCB = [
    "databasequery",
    "databasecollectionget",
    "databasecollectionadd",
    "updateindex",
    "invokecloudfunction",
]


@pytest.mark.parametrize("endpoint", TCB)
def test_get_instead_of_post(wx_api: WxApi, endpoint: str) -> None:
    response = wx_api.client.get(f"{API}/tcb/{endpoint}", params={"access_token": wx_api.token})
    assert response.status_code == 200
    assert_error(response.json(), 43002, "require POST method")


@pytest.mark.parametrize("endpoint", TCB)
@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_body(wx_api: WxApi, endpoint: str, content: bytes) -> None:
    response = wx_api.client.post(
        f"{API}/tcb/{endpoint}", params={"access_token": wx_api.token}, content=content
    )
    assert_error(response.json(), 44002, "empty post data")


@pytest.mark.parametrize("endpoint", [e for e in TCB if e != "invokecloudfunction"])
@pytest.mark.parametrize("content", [b"{env:", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe"])
def test_body_that_is_not_a_json_object(wx_api: WxApi, endpoint: str, content: bytes) -> None:
    response = wx_api.client.post(
        f"{API}/tcb/{endpoint}", params={"access_token": wx_api.token}, content=content
    )
    assert_error(response.json(), 47001, "data format error")


def test_errors_are_http_200_json_with_rid(wx_api: WxApi) -> None:
    response = wx_api.client.get(f"{API}/tcb/databasequery", params={"access_token": wx_api.token})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; encoding=utf-8"
    assert RID.search(response.json()["errmsg"])


def test_body_is_json_whatever_the_content_type(wx_api: WxApi) -> None:
    # wechatpy sends the JSON bytes with no Content-Type at all
    response = wx_api.client.post(
        f"{API}/tcb/databasecollectionget",
        params={"access_token": wx_api.token},
        content=b'{"env": "test2-4a89da"}',
        headers={"Content-Type": "text/plain"},
    )
    assert response.json()["errcode"] == 0


def test_unknown_env_and_missing_env(wx_api: WxApi) -> None:
    assert_error(
        wx_api.call("databasecollectionget", {"env": "other-env"}), -501000, "env not exists"
    )
    response = wx_api.client.post(
        f"{API}/tcb/databasecollectionget", params={"access_token": wx_api.token}, json={}
    )
    assert_error(response.json(), 40101, "missing parameter env")
    assert_error(wx_api.call("databasecollectionget", {"env": 5}), 40097)


# --------------------------------------------------------------------- token-less open interface


def test_token_less_http_host_is_the_open_interface_service(http_cloud: WxCloud) -> None:
    response = httpx.post(
        "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": http_cloud.env}
    )
    assert response.json()["errcode"] == 0
    assert response.headers["x-openapi-seqid"]
    # https still needs a token
    response = httpx.post(f"{API}/tcb/databasecollectionget", json={"env": http_cloud.env})
    assert_error(response.json(), 41001)


def test_open_interface_can_be_switched_off() -> None:
    cloud = WxCloud(seed=2)
    with cloud.mock_http(open_interface=False):
        response = httpx.post(
            "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": cloud.env}
        )
    assert_error(response.json(), 41001)
    assert "x-openapi-seqid" not in response.headers


def test_token_less_errors_carry_no_seqid(http_cloud: WxCloud) -> None:
    response = httpx.get("http://api.weixin.qq.com/tcb/databasecollectionget")
    assert_error(response.json(), 43002)
    assert "x-openapi-seqid" not in response.headers


async def _async_round_trip(cloud: WxCloud) -> dict[str, object]:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            "http://api.weixin.qq.com/tcb/databasecollectionadd",
            json={"env": cloud.env, "collection_name": "from_async"},
        )
        result: dict[str, object] = response.json()
        return result


def test_async_client(http_cloud: WxCloud) -> None:
    import anyio

    assert anyio.run(_async_round_trip, http_cloud) == {"errcode": 0, "errmsg": "ok"}
    assert "from_async" in http_cloud.collections()


# --------------------------------------------------------------------- other hosts and mocks


def test_other_hosts_pass_through_untouched(http_cloud: WxCloud) -> None:
    seen: list[httpx.Request] = []

    def app(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, text="from the real transport")

    # a client with its own transport never touches httpcore: the emulator cannot hijack it
    with httpx.Client(transport=httpx.MockTransport(app)) as client:
        assert client.get("https://example.com/x").status_code == 201
    # with the default transport, an unrelated host is passed through to the network stack
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=2)
    assert [r.url.host for r in seen] == ["example.com"]


def test_users_respx_routes_keep_working(http_cloud: WxCloud) -> None:
    with respx.mock(assert_all_called=True) as user:
        route = user.get("https://example.com/weather").respond(200, json={"sunny": True})
        paid_unionid = user.post("https://api.weixin.qq.com/wxa/getpaidunionid").respond(
            200, json={"errcode": 0, "errmsg": "ok"}
        )
        assert httpx.get("https://example.com/weather").json() == {"sunny": True}
        # a path the emulator does not serve reaches the user's route on the same host
        assert httpx.post(f"{API}/wxa/getpaidunionid", json={}).json()["errcode"] == 0
        # and the emulated paths are still answered by the cloud
        token = WxApi(http_cloud, httpx.Client()).token
        assert token.startswith("84_")
        # the user's strictness applies to hosts nobody mocks
        with pytest.raises(AllMockedAssertionError):
            httpx.get("https://example.org/unmocked")
    assert route.call_count == 1
    assert paid_unionid.call_count == 1


def test_user_router_started_first_also_works() -> None:
    cloud = WxCloud(seed=8)
    with respx.mock() as user:
        user.get("https://example.com/").respond(204)
        with cloud.mock_http():
            assert httpx.get("https://example.com/").status_code == 204
            api = WxApi(cloud, httpx.Client())
            assert api.call("databasecollectionget")["errcode"] == 0


def test_path_not_emulated_without_other_mocks(http_cloud: WxCloud) -> None:
    body = httpx.post(f"{API}/tcb/getqcloudtoken", json={"env": http_cloud.env}).json()
    assert_error(body, -1, "does not emulate POST /tcb/getqcloudtoken")


def test_interception_ends_with_the_block() -> None:
    cloud = WxCloud(seed=9)
    with cloud.mock_http():
        pass
    with respx.mock() as user:
        user.get(f"{API}/cgi-bin/token").respond(200, json={"access_token": "from-user"})
        assert httpx.get(f"{API}/cgi-bin/token").json() == {"access_token": "from-user"}


# --------------------------------------------------------------------- pytest-httpx


@pytest.fixture
def cloud_beside_pytest_httpx() -> Iterator[WxCloud]:
    cloud = WxCloud(seed=10)
    with cloud.mock_http():
        yield cloud


@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "api.weixin.qq.com")
def test_pytest_httpx_alongside(cloud_beside_pytest_httpx: WxCloud, httpx_mock: object) -> None:
    from pytest_httpx import HTTPXMock

    assert isinstance(httpx_mock, HTTPXMock)
    httpx_mock.add_response(url="https://example.com/hook", json={"delivered": True})
    cloud = cloud_beside_pytest_httpx
    with httpx.Client() as client:
        assert client.get("https://example.com/hook").json() == {"delivered": True}
        api = WxApi(cloud, client)
        assert api.call("databasecollectionadd", {"collection_name": "jobs"})["errcode"] == 0
    assert cloud.collections() == ["jobs"]
    assert [str(r.url) for r in httpx_mock.get_requests()] == ["https://example.com/hook"]
