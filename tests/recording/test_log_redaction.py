"""While recording, the access token stays out of log records (pytest captures them)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording import REDACTED, use_cassette
from pytest_wxcloud.recording.upstream import Credentials, Upstream

pytestmark = pytest.mark.filterwarnings("ignore:recording .* invokecloudfunction carries no user")

TOKEN = "81_" + "T0kEn" * 30


def real_cloud(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/cgi-bin/stable_token":
        return httpx.Response(200, json={"access_token": TOKEN, "expires_in": 7200})
    return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "resp_data": json.dumps(3)})


def test_httpx_request_log_lines_carry_no_token(
    consumer: WxCloud,
    credentials: Credentials,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with use_cassette(
        consumer,
        tmp_path / "c.json",
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(real_cloud)),
    ):
        assert consumer.call_function("add", {"a": 1, "b": 2})["result"] == 3
    requests = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("/tcb/invokecloudfunction" in line for line in requests), requests
    assert TOKEN not in caplog.text
    assert credentials.secret not in caplog.text
    assert any(f"access_token={REDACTED}" in line for line in requests), requests


def test_the_filter_is_gone_after_the_request(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    with use_cassette(
        consumer,
        tmp_path / "c.json",
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(real_cloud)),
    ):
        consumer.call_function("add", {"a": 1, "b": 2})
    assert logging.getLogger("httpx").filters == []
    assert logging.getLogger("httpcore").filters == []
