"""The access-token lifecycle of http-api.md §2, on the cloud's clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from httpkit import API, WxApi, assert_error

from pytest_wxcloud import WxCloud


def stable(wx_api: WxApi, force: bool | None = None, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "grant_type": "client_credential",
        "appid": wx_api.cloud.appid,
        "secret": wx_api.cloud.secret,
    }
    if force is not None:
        body["force_refresh"] = force
    body.update(changes)
    result: dict[str, Any] = wx_api.client.post(f"{API}/cgi-bin/stable_token", json=body).json()
    return result


def classic(wx_api: WxApi, **changes: Any) -> dict[str, Any]:
    params = {
        "grant_type": "client_credential",
        "appid": wx_api.cloud.appid,
        "secret": wx_api.cloud.secret,
        **changes,
    }
    result: dict[str, Any] = wx_api.client.get(f"{API}/cgi-bin/token", params=params).json()
    return result


def usable(wx_api: WxApi, token: str, param: str = "access_token") -> dict[str, Any]:
    """errcode of a harmless call made with ``token``."""
    return wx_api.call("databasecollectionget", {}, **{param: token})


# --------------------------------------------------------------------- /cgi-bin/token


def test_token_response_shape(wx_api: WxApi) -> None:
    body = classic(wx_api)
    assert set(body) == {"access_token", "expires_in"}
    assert body["expires_in"] == 7200
    assert usable(wx_api, body["access_token"])["errcode"] == 0


def test_new_token_supersedes_previous_after_grace_period(wx_api: WxApi) -> None:
    first = classic(wx_api)["access_token"]
    second = classic(wx_api)["access_token"]
    assert first != second
    wx_api.cloud.clock.advance(299)
    assert usable(wx_api, first)["errcode"] == 0
    assert usable(wx_api, second)["errcode"] == 0
    wx_api.cloud.clock.advance(1)
    assert_error(usable(wx_api, first), 40001, "access_token is invalid or not latest")
    assert usable(wx_api, second)["errcode"] == 0


def test_token_expires_on_the_cloud_clock(wx_api: WxApi) -> None:
    token = classic(wx_api)["access_token"]
    wx_api.cloud.clock.advance(7199)
    assert usable(wx_api, token)["errcode"] == 0
    wx_api.cloud.clock.advance(1)
    assert_error(usable(wx_api, token), 42001, "access_token expired")


def test_grace_period_is_an_option() -> None:
    cloud = WxCloud(seed=3)
    cloud.clock.freeze()
    with cloud.mock_http(tokens=_policy(grace_seconds=0)), httpx.Client() as client:
        api = WxApi(cloud, client)
        first = classic(api)["access_token"]
        classic(api)
        assert_error(usable(api, first), 40001)


@pytest.mark.parametrize(
    ("changes", "errcode", "text"),
    [
        ({"grant_type": "authorization_code"}, 40002, "invalid grant_type"),
        ({"appid": "wx0000000000000000"}, 40013, "invalid appid"),
        ({"secret": "0" * 32}, 40125, "invalid appsecret"),
        ({"appid": ""}, 41002, "appid missing"),
        ({"secret": ""}, 41004, "appsecret missing"),
    ],
)
def test_wrong_credentials(wx_api: WxApi, changes: dict[str, str], errcode: int, text: str) -> None:
    assert_error(classic(wx_api, **changes), errcode, text)
    assert_error(stable(wx_api, **changes), errcode, text)


def test_wrong_secret_code_follows_the_documentation_when_asked() -> None:
    cloud = WxCloud(seed=4)
    with cloud.mock_http(tokens=_policy(bad_secret_errcode=40001)), httpx.Client() as client:
        assert_error(classic(WxApi(cloud, client), secret="nope"), 40001)


def test_token_endpoint_methods(wx_api: WxApi) -> None:
    assert_error(wx_api.client.post(f"{API}/cgi-bin/token", json={}).json(), 43001)
    assert_error(wx_api.client.get(f"{API}/cgi-bin/stable_token").json(), 43002)
    assert_error(wx_api.client.post(f"{API}/cgi-bin/stable_token").json(), 44002)
    assert_error(
        wx_api.client.post(f"{API}/cgi-bin/stable_token", content=b"grant_type=x").json(), 47001
    )


# --------------------------------------------------------------------- bad tokens


def test_missing_garbage_and_empty_tokens(wx_api: WxApi) -> None:
    response = wx_api.client.post(
        f"{API}/tcb/databasecollectionget", json={"env": wx_api.cloud.env}
    )
    assert_error(response.json(), 41001, "access_token missing")
    assert_error(usable(wx_api, "not-a-token"), 40014, "invalid access_token")
    assert_error(usable(wx_api, ""), 41001)


def test_token_in_body_is_not_a_token(wx_api: WxApi) -> None:
    body = {"env": wx_api.cloud.env, "access_token": wx_api.token}
    response = wx_api.client.post(f"{API}/tcb/databasecollectionget", json=body)
    assert_error(response.json(), 41001)


def test_cloudbase_access_token_parameter(wx_api: WxApi) -> None:
    token = classic(wx_api)["access_token"]
    assert usable(wx_api, token, "cloudbase_access_token")["errcode"] == 0
    container = wx_api.cloud.http_state().tokens.cloudbase_token()
    assert usable(wx_api, container, "cloudbase_access_token")["errcode"] == 0
    # a container's token passed as access_token is refused (http-api.md §5.2 (a))
    assert_error(usable(wx_api, container, "access_token"), 40001)
    wx_api.cloud.clock.advance(1800)
    assert_error(usable(wx_api, container, "cloudbase_access_token"), 42001)


# --------------------------------------------------------------------- /cgi-bin/stable_token


def test_stable_token_is_reused_until_near_expiry(wx_api: WxApi) -> None:
    first = stable(wx_api)
    assert first["expires_in"] == 7200
    wx_api.cloud.clock.advance(1000)
    again = stable(wx_api, force=False)
    assert again["access_token"] == first["access_token"]
    assert again["expires_in"] == 6200
    # inside the last 5 minutes a successor is issued; both work until the old one expires
    wx_api.cloud.clock.advance(6000)
    successor = stable(wx_api)
    assert successor["access_token"] != first["access_token"]
    assert successor["expires_in"] == 7200
    assert usable(wx_api, first["access_token"])["errcode"] == 0
    wx_api.cloud.clock.advance(200)
    assert_error(usable(wx_api, first["access_token"]), 42001)
    assert usable(wx_api, successor["access_token"])["errcode"] == 0


def test_stable_forced_refresh_invalidates_at_once(wx_api: WxApi) -> None:
    first = stable(wx_api)["access_token"]
    wx_api.cloud.clock.advance(30)
    forced = stable(wx_api, force=True)["access_token"]
    assert forced != first
    assert_error(usable(wx_api, first), 40001)
    assert usable(wx_api, forced)["errcode"] == 0


def test_stable_forced_refresh_is_rate_limited(wx_api: WxApi) -> None:
    token = stable(wx_api, force=True)["access_token"]
    wx_api.cloud.clock.advance(29)
    assert stable(wx_api, force=True)["access_token"] == token  # "otherwise it does not refresh"
    issued = {token}
    for _ in range(19):
        wx_api.cloud.clock.advance(30)
        issued.add(stable(wx_api, force=True)["access_token"])
    assert len(issued) == 20
    wx_api.cloud.clock.advance(30)
    assert stable(wx_api, force=True)["access_token"] in issued  # the 21st of the day


def test_force_refresh_must_be_boolean(wx_api: WxApi) -> None:
    assert_error(stable(wx_api, force_refresh="yes"), 40097)


def test_families_are_isolated(wx_api: WxApi) -> None:
    stable_token = stable(wx_api)["access_token"]
    classic_token = classic(wx_api)["access_token"]
    classic(wx_api)
    wx_api.cloud.clock.advance(300)
    assert usable(wx_api, stable_token)["errcode"] == 0
    assert_error(usable(wx_api, classic_token), 40001)
    wx_api.cloud.clock.advance(30)
    newest_classic = classic(wx_api)["access_token"]
    stable(wx_api, force=True)
    assert usable(wx_api, newest_classic)["errcode"] == 0


def test_tokens_survive_between_mock_blocks() -> None:
    cloud = WxCloud(seed=5)
    with cloud.mock_http(), httpx.Client() as client:
        token = WxApi(cloud, client).token
    with cloud.mock_http(), httpx.Client() as client:
        assert usable(WxApi(cloud, client), token)["errcode"] == 0


def _policy(**changes: Any) -> Any:
    from pytest_wxcloud.http.tokens import TokenPolicy

    return TokenPolicy(**changes)
