"""Function to function: JS→JS, JS→Python, Python→JS, and over the HTTP API, one pipeline."""

from __future__ import annotations

import json
from typing import Any

import httpx

from pytest_wxcloud import WxCloud


def test_js_calls_js_with_the_scf_source_chain(cloud: WxCloud) -> None:
    alice = cloud.user()
    relayed = {"target": "quickstart", "data": {"type": "getOpenId"}}
    result = cloud.call_function("relay", relayed, as_user=alice)["result"]
    assert result["errMsg"] == "callFunction:ok"
    assert result["result"] == {"appid": alice.appid, "env": "test-env", "source": "wx_client,scf"}
    assert result["me"]["OPENID"] == alice.openid
    assert result["after"] == result["me"]  # the caller's context survives its nested call
    assert [c.name for c in cloud.functions.calls] == ["relay", "quickstart"]
    assert cloud.functions.calls[1].caller.value == "server"


def test_the_openid_follows_when_propagation_is_on(cloud: WxCloud) -> None:
    cloud.functions.propagate_openid = True
    alice = cloud.user()
    relayed = {"target": "quickstart", "data": {"type": "getOpenId"}}
    result = cloud.call_function("relay", relayed, as_user=alice)["result"]
    assert result["result"]["openid"] == alice.openid


def test_js_calls_python_and_gets_its_result_and_its_failures(cloud: WxCloud) -> None:
    @cloud.function("double")
    def double(event: dict[str, Any], context: Any) -> dict[str, Any]:
        if event.get("n") is None:
            raise ValueError("n is required")
        return {"n": event["n"] * 2, "source": cloud.get_wx_context()["SOURCE"]}

    ok = cloud.call_function("relay", {"target": "double", "data": {"n": 21}})["result"]
    assert ok["result"] == {"n": 42, "source": "wx_http,scf"}
    failed = cloud.call_function("relay", {"target": "double"})["result"]
    assert failed["error"] == {
        "errCode": -1,
        "errMsg": "callFunction:fail ValueError: n is required",
        "code": "FUNCTIONS_EXECUTE_FAIL",
    }


def test_js_calling_a_missing_function_gets_not_found(cloud: WxCloud) -> None:
    failed = cloud.call_function("relay", {"target": "nowhere"})["result"]
    assert failed["error"] == {
        "errCode": -1,
        "errMsg": "callFunction:fail FunctionName parameter could not be found.",
        "code": "ResourceNotFound.FunctionName",
    }


def test_python_calls_js_as_a_server_caller(cloud: WxCloud) -> None:
    @cloud.function("outer")
    def outer(event: dict[str, Any], context: Any) -> Any:
        return cloud.call_function("quickstart", {"type": "getOpenId"})["result"]

    alice = cloud.user()
    assert cloud.call_function("outer", as_user=alice)["result"]["source"] == "wx_client,scf"


def test_js_calls_itself_through_another_function(cloud: WxCloud) -> None:
    nested = {"target": "relay", "data": {"target": "quickstart", "data": {"type": "getOpenId"}}}
    result = cloud.call_function("relay", nested, as_user=cloud.user())["result"]
    assert result["result"]["result"]["source"] == "wx_client,scf,scf"


def test_http_invokecloudfunction_reaches_a_node_function(cloud: WxCloud) -> None:
    with cloud.mock_http(), httpx.Client() as client:
        api = "https://api.weixin.qq.com"
        credentials = {
            "grant_type": "client_credential",
            "appid": cloud.appid,
            "secret": cloud.secret,
        }
        token = client.get(f"{api}/cgi-bin/token", params=credentials).json()["access_token"]
        params = {"access_token": token, "env": cloud.env, "name": "quickstart"}
        body = client.post(
            f"{api}/tcb/invokecloudfunction", params=params, content=b'{"type": "getOpenId"}'
        ).json()
    assert body["errcode"] == 0
    assert json.loads(body["resp_data"]) == {
        "appid": cloud.appid,
        "env": "test-env",
        "source": "wx_http",
    }
