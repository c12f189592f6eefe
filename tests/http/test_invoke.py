"""invokecloudfunction: both request forms reach the cloud's functions as an HTTP-API call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from httpkit import API, WxApi, assert_error

from pytest_wxcloud import WxCloud


@pytest.fixture
def app() -> Iterator[WxApi]:
    cloud = WxCloud(env="prod-1", seed=21)
    seen: list[dict[str, Any]] = []

    @cloud.function("whoami")
    def whoami(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        return {"context": cloud.get_wx_context(), "event": event}

    @cloud.function("boom")
    def boom(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("disk on fire")

    @cloud.function("nothing")
    def nothing(event: dict[str, Any], context: Any) -> None:
        return None

    @cloud.function("when")
    def when(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"at": datetime(2024, 5, 1), "n": 1.0}

    with cloud.mock_http(), httpx.Client() as client:
        api = WxApi(cloud, client)
        api.seen = seen  # type: ignore[attr-defined]
        yield api


def classic(app: WxApi, name: str, content: bytes, env: str = "prod-1") -> dict[str, Any]:
    params = {"access_token": app.token, "env": env, "name": name}
    result: dict[str, Any] = app.client.post(
        f"{API}/tcb/invokecloudfunction", params=params, content=content
    ).json()
    return result


def test_function_runs_as_http_api_call_with_no_user(app: WxApi) -> None:
    body = classic(app, "whoami", b'{"a": 1, "userInfo": {"openId": "forged"}}')
    result = json.loads(body["resp_data"])
    assert result["context"]["SOURCE"] == "wx_http"
    assert not result["context"].get("OPENID")
    # the platform's userInfo replaces whatever the caller put there
    assert result["event"] == {"a": 1, "userInfo": {"appId": app.cloud.appid}}


def test_an_http_call_carries_no_user_even_inside_as_user_or_a_handler(app: WxApi) -> None:
    cloud = app.cloud
    alice = cloud.user(openid="o-alice")
    with cloud.as_user(alice):
        result = json.loads(classic(app, "whoami", b"{}")["resp_data"])
    assert result["context"]["SOURCE"] == "wx_http" and not result["context"].get("OPENID")

    @cloud.function("relay")
    def relay(event: dict[str, Any], context: Any) -> Any:
        return json.loads(classic(app, "whoami", b"{}")["resp_data"])

    relayed = cloud.call_function("relay", as_user=alice)["result"]
    assert relayed["context"]["SOURCE"] == "wx_http" and not relayed["context"].get("OPENID")
    assert relayed["event"] == {"userInfo": {"appId": cloud.appid}}


def test_new_form_takes_req_data_as_a_string(app: WxApi) -> None:
    body = app.call(
        "invokecloudfunction", {"name": "whoami", "req_data": json.dumps({"q": [1, 2]})}
    )
    assert json.loads(body["resp_data"])["event"]["q"] == [1, 2]
    bad = app.call("invokecloudfunction", {"name": "whoami", "req_data": {"q": 1}})
    assert_error(bad, -501007, "req_data must be a JSON string")
    bad = app.call("invokecloudfunction", {"name": "whoami", "req_data": "{nope"})
    assert_error(bad, -501007, "req_data is not valid JSON")
    assert app.seen == [{"q": [1, 2], "userInfo": {"appId": app.cloud.appid}}]  # type: ignore[attr-defined]


def test_resp_data_is_json_stringify_of_the_result(app: WxApi) -> None:
    assert classic(app, "when", b"{}")["resp_data"] == '{"at":"2024-05-01T00:00:00.000Z","n":1}'
    assert classic(app, "nothing", b"{}")["resp_data"] == "null"


def test_function_errors(app: WxApi) -> None:
    assert_error(classic(app, "boom", b"{}"), -504002, "disk on fire")
    assert_error(
        classic(app, "missing", b"{}"), -501000, "FunctionName parameter could not be found."
    )


def test_request_errors(app: WxApi) -> None:
    assert_error(classic(app, "whoami", b""), 44002)  # wechatpy with data=None sends no body
    assert_error(classic(app, "whoami", b"{}", env="other"), -501000, "env not exists")
    assert_error(classic(app, "whoami", b"[1]"), -501007, "must be a JSON object")
    assert_error(classic(app, "whoami", b"{oops"), 47001)
    assert_error(app.call("invokecloudfunction", {"req_data": "{}"}), 40101, "name")
    assert app.seen == []  # type: ignore[attr-defined]


def test_deeply_nested_events_are_refused_before_running(app: WxApi) -> None:
    too_deep = '{"a":' * 201 + "1" + "}" * 201
    assert_error(
        app.call("invokecloudfunction", {"name": "whoami", "req_data": too_deep}), -501007, "nested"
    )
    assert_error(
        app.call("invokecloudfunction", {"name": "whoami", "req_data": "[" * 5000}), -501007
    )
    assert_error(classic(app, "whoami", b"[" * 5000), 47001)
    fine = '{"a":' * 150 + "1" + "}" * 150
    assert app.call("invokecloudfunction", {"name": "whoami", "req_data": fine})["errcode"] == 0


def test_any_backend_failure_keeps_its_errcode_over_http(app: WxApi) -> None:
    from pytest_wxcloud.functions import RecordedFailure

    def upstream(name: str, *rest: Any) -> Any:
        if name == "flaky":
            return RecordedFailure(-504001, "functions request fail", code="FUNCTIONS_REQUEST_FAIL")
        return None

    app.cloud.functions.sources.append(upstream)
    body = classic(app, "flaky", b"{}")
    assert body["errcode"] == -504001
    assert body["errmsg"].startswith("functions request fail.")
