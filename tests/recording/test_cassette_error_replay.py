"""Recorded errors replay with their own codes, shaped for each kind of caller (sdk.md §2.3).

A recorded timeout (-504003) must not come back as "the function threw" (-504002), and a
recorded unknown function (-501000) must come back as "function not found", to a mini program,
to a function calling another, and over HTTP ``invokecloudfunction``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.functions import current_cloud
from pytest_wxcloud.recording import use_cassette
from pytest_wxcloud.recording.upstream import Upstream

TIMEOUT = {"errCode": -504003, "errMsg": "Invoking task timed out after 3 seconds"}
NOT_FOUND = {"errCode": -501000, "errMsg": "FunctionName parameter could not be found."}
RID = re.compile(r" rid: [0-9a-f-]+$")


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    return write_cassette(
        tmp_path / "errors.json",
        [
            entry("generateReport", {"month": "2024-05"}, response={"error": TIMEOUT}),
            entry("legacyExport", {}, response={"error": NOT_FOUND}),
        ],
    )


def _via_function(cloud: WxCloud, name: str, data: dict[str, Any], as_user: Identity) -> Any:
    """What a local handler sees when the function it calls fails."""

    @cloud.function("dashboard", replace=True)
    def dashboard(event: dict[str, Any], context: Any) -> Any:
        try:
            current_cloud().call_function(name, data)
        except CloudSDKError as error:
            return error.to_dict()
        return None

    return cloud.call_function("dashboard", as_user=as_user)["result"]


def _over_http(cloud: WxCloud, name: str, data: dict[str, Any]) -> dict[str, Any]:
    token = httpx.post(
        "https://api.weixin.qq.com/cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret},
    ).json()["access_token"]
    reply: dict[str, Any] = httpx.post(
        "https://api.weixin.qq.com/tcb/invokecloudfunction",
        params={"access_token": token, "env": cloud.env, "name": name},
        json=data,
    ).json()
    return reply


# ---------------------------------------------------------------------- mini program


def test_recorded_timeout_reaches_a_mini_program_as_504003(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette), pytest.raises(CloudSDKError) as caught:
        consumer.call_function("generateReport", {"month": "2024-05"}, as_user=alice)
    rid = consumer.functions.calls[0].request_id
    assert caught.value.err_code == -504003
    assert caught.value.err_msg == (
        f"cloud.callFunction:fail requestID {rid}, cloud function service error code -504003, "
        "error message Invoking task timed out after 3 seconds"
    )


def test_recorded_unknown_function_reaches_a_mini_program_as_501000(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette), pytest.raises(CloudSDKError) as caught:
        consumer.call_function("legacyExport", as_user=alice)
    assert caught.value.err_code == -501000
    assert caught.value.err_msg == (
        "cloud.callFunction:fail FunctionName parameter could not be found."
    )
    assert caught.value.code is None


# ---------------------------------------------------------------------- function -> function


def test_recorded_timeout_reaches_a_calling_function_with_the_time_limit_code(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette):
        seen = _via_function(consumer, "generateReport", {"month": "2024-05"}, alice)
    inner = consumer.functions.calls_to("generateReport")[0]
    assert seen == {
        "errCode": -1,
        "errMsg": "callFunction:fail Invoking task timed out after 3 seconds",
        "code": "FUNCTIONS_TIME_LIMIT_EXCEEDED",
        "requestId": inner.request_id,
    }


def test_recorded_unknown_function_reaches_a_calling_function_as_not_found(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette):
        seen = _via_function(consumer, "legacyExport", {}, alice)
    assert seen["errCode"] == -1
    assert seen["errMsg"] == "callFunction:fail FunctionName parameter could not be found."
    assert seen["code"] == "ResourceNotFound.FunctionName"


# ---------------------------------------------------------------------- HTTP API


def test_recorded_errors_reach_invokecloudfunction_with_their_errcodes(
    consumer: WxCloud, cassette: Path
) -> None:
    with consumer.mock_http(), use_cassette(consumer, cassette):
        timeout = _over_http(consumer, "generateReport", {"month": "2024-05"})
        missing = _over_http(consumer, "legacyExport", {})
    assert timeout["errcode"] == -504003
    assert RID.sub("", timeout["errmsg"]) == "Invoking task timed out after 3 seconds"
    assert missing["errcode"] == -501000
    assert RID.sub("", missing["errmsg"]) == "FunctionName parameter could not be found."


# ---------------------------------------------------------------------- recorded from a live cloud


Connect = Callable[[], Upstream]


def test_errors_recorded_from_the_real_cloud_replay_as_it_answered(
    consumer: WxCloud,
    upstream: WxCloud,
    real_cloud: WxCloud,
    connect: Connect,
    tmp_path: Path,
) -> None:
    @upstream.function("generateReport", timeout=3)
    def generate_report(event: dict[str, Any], context: Any) -> Any:
        upstream.clock.advance(4)  # the real function overruns its 3 s limit
        return "late"

    path = tmp_path / "recorded.json"
    with use_cassette(consumer, path, record_mode="once", upstream=connect):
        for name in ("generateReport", "legacyExport"):
            with pytest.raises(CloudSDKError):
                consumer.call_function(name, {"month": "2024-05"})
    recorded = [e["response"]["error"] for e in _stored(path)]
    assert recorded == [TIMEOUT, NOT_FOUND]

    # the consumer's own HTTP face (real_cloud keeps it on) replays what the real one answered
    with use_cassette(consumer, path):
        replies = [
            _over_http(consumer, name, {"month": "2024-05"})
            for name in ("generateReport", "legacyExport")
        ]
    assert [(r["errcode"], RID.sub("", r["errmsg"])) for r in replies] == [
        (e["errCode"], e["errMsg"]) for e in recorded
    ]


def _stored(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["interactions"]
    return entries


# ---------------------------------------------------------------------- the cloud's own bookkeeping


def test_replayed_calls_are_logged_as_the_cassettes_and_are_not_functions(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette):
        with pytest.raises(CloudSDKError) as caught:
            consumer.call_function("generateReport", {"month": "2024-05"}, as_user=alice)
        assert consumer.functions.names == []
        assert consumer.functions.unused() == []
        assert "generateReport" not in consumer.functions
    (call,) = consumer.functions.calls
    assert call.answered_by == f"cassette {cassette}"
    assert call.error is caught.value
    assert call.data == {"month": "2024-05", "userInfo": alice.user_info()}
    assert f"answered by cassette {cassette}" in str(caught.value)
    assert consumer.functions.sources == []  # detached when the block ends
