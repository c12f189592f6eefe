"""functions.invokeFunction, identities from wxCloudApiToken, and every kind of bad request."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from adminkit import post
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_wxcloud import WxCloud
from pytest_wxcloud.cloudbase import AdminFace
from pytest_wxcloud.cloudbase.face import ACTIONS


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="test-env", seed=5)
    cloud.seed({"users": [{"_id": "u1", "n": 1}]})

    @cloud.function("whoami")
    def whoami(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"event": event, "context": cloud.get_wx_context()}

    @cloud.function("boom")
    def boom(event: dict[str, Any], context: Any) -> None:
        raise RuntimeError("kaput")

    return cloud


def invoke(cloud: WxCloud, name: str, data: str, token: str = "") -> dict[str, Any]:
    body = {
        "action": "functions.invokeFunction",
        "function_name": name,
        "request_data": data,
        "wxCloudApiToken": token,
    }
    return post(cloud, body)  # type: ignore[no-any-return]


def test_invoke_returns_the_result_as_json_text(cloud: WxCloud) -> None:
    reply = invoke(cloud, "whoami", '{"a":1,"d":"1970-01-01T00:00:00.000Z"}')
    result = json.loads(reply["data"]["response_data"])
    assert result["event"] == {"a": 1, "d": "1970-01-01T00:00:00.000Z"}


def test_the_token_names_the_calling_invocation(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    token = cloud.cloudbase.tokens.issue(alice, "outer")
    cloud.functions.propagate_openid = True
    reply = invoke(cloud, "whoami", "{}", token)
    context = json.loads(reply["data"]["response_data"])["context"]
    assert context["OPENID"] == "o-alice"
    assert context["SOURCE"] == "wx_client,scf"  # one hop from the mini program
    (call,) = cloud.functions.calls
    assert call.caller.value == "server"


def test_without_propagation_the_callee_has_no_openid(cloud: WxCloud) -> None:
    token = cloud.cloudbase.tokens.issue(cloud.user(openid="o-alice"), "outer")
    context = json.loads(invoke(cloud, "whoami", "{}", token)["data"]["response_data"])["context"]
    assert "OPENID" not in context and context["SOURCE"] == "wx_client,scf"


def test_a_callee_that_raises_is_functions_execute_fail_with_its_message(cloud: WxCloud) -> None:
    reply = invoke(cloud, "boom", "{}")
    assert reply["code"] == "FUNCTIONS_EXECUTE_FAIL"
    assert "kaput" in reply["message"]
    assert not reply["message"].startswith("callFunction:fail")


def test_a_missing_function_is_resource_not_found(cloud: WxCloud) -> None:
    reply = invoke(cloud, "nope", "{}")
    assert reply["code"] == "ResourceNotFound.FunctionName"
    assert reply["message"] == "FunctionName parameter could not be found."


def test_an_unknown_token_is_refused_before_anything_runs(cloud: WxCloud) -> None:
    reply = invoke(cloud, "whoami", "{}", token="wxtok-forged")
    assert reply["code"] == "INVALID_PARAM" and "wxtok-forged" in reply["message"]
    assert cloud.functions.calls == []


@pytest.mark.parametrize(
    ("body", "code", "needle"),
    [
        (b"{not json", "INVALID_PARAM", "not JSON"),
        (b"[1,2]", "INVALID_PARAM", "JSON object"),
        (b'{"collectionName":"users"}', "INVALID_PARAM", "no action"),
        (b'{"action":"database.dropEverything"}', "INVALID_PARAM", "database.getDocument"),
        (b'{"action":"wx.api"}', "NOT_EMULATED", "cloud.callOpenAPI"),
        (b'{"action":"database.getDocument"}', "INVALID_PARAM", "collectionName"),
        (
            b'{"action":"database.getDocument","collectionName":"users","query":"{\\"n\\":{\\"$numberInt\\":\\"x\\"}}"}',
            "INVALID_PARAM",
            "query",
        ),
        (
            b'{"action":"database.insertDocument","collectionName":"users","data":["null"]}',
            "INVALID_PARAM",
            "data[0]",
        ),
        (
            b'{"action":"database.modifyDocument","collectionName":"users","queryType":"WHERE","data":"{\\"n\\":2}","multi":true,"merge":true}',
            "INVALID_PARAM",
            "update operators",
        ),
        (
            b'{"action":"database.getDocument","collectionName":"users","query":"{\\"n\\":{\\"$where\\":1}}"}',
            "DATABASE_INVALID_OPERRATOR",
            "$where",
        ),
    ],
)
def test_bad_requests_get_a_code_and_a_message_naming_the_problem(
    cloud: WxCloud, body: bytes, code: str, needle: str
) -> None:
    before = cloud.snapshot()
    reply = post(cloud, body)
    assert reply["code"] == code
    assert needle in reply["message"]
    assert cloud.snapshot() == before


def test_another_env_is_refused_in_the_query_or_the_body(cloud: WxCloud) -> None:
    get = {"collectionName": "users", "queryType": "WHERE", "action": "database.getDocument"}
    refused = post(cloud, get, env="prod-env")
    assert refused["code"] == "INVALIID_ENV"  # sic: the SDK's own spelling, mapped to -501005
    assert "prod-env" in refused["message"] and "test-env" in refused["message"]
    assert post(cloud, {**get, "envName": "prod-env"}, env="")["code"] == "INVALIID_ENV"
    # an unresolved DYNAMIC_CURRENT_ENV sends "": the function's own env
    assert "data" in post(cloud, {**get, "envName": ""}, env="")


def test_other_paths_and_methods(cloud: WxCloud) -> None:
    face = AdminFace(cloud)
    assert face.answer(httpx.Request("POST", "http://127.0.0.1:9/tcb/databasequery")) is None
    got = face.answer(httpx.Request("GET", "http://127.0.0.1:9/admin"))
    assert got is not None and got.json()["code"] == "INVALID_PARAM"


def test_replies_with_lone_surrogates_are_escaped_not_crashed(cloud: WxCloud) -> None:
    reply = post(cloud, {"action": "database.getDocument", "collectionName": "\ud800"})
    assert reply["code"] in {"DATABASE_COLLECTION_NOT_EXIST", "INVALID_PARAM"}


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_fields = st.sampled_from(
    [
        "collectionName",
        "query",
        "data",
        "queryType",
        "multi",
        "merge",
        "upsert",
        "order",
        "offset",
        "limit",
        "projection",
        "stages",
        "transactionId",
        "function_name",
        "request_data",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    action=st.sampled_from(sorted(ACTIONS)),
    fields=st.dictionaries(_fields, _json_values | _json_values.map(json.dumps), max_size=6),
)
def test_fuzzed_bodies_always_get_an_answer_and_failures_store_nothing(
    action: str, fields: dict[str, Any]
) -> None:
    cloud = WxCloud(seed=1)
    cloud.seed({"users": [{"_id": "u1", "n": 1}]})
    before = cloud.snapshot()
    reply = post(cloud, {**fields, "action": action})
    assert "requestId" in reply
    if "code" in reply:
        assert isinstance(reply["message"], str) and reply["code"] != "SYS_ERR", reply
        assert cloud.snapshot() == before
