"""Text a UTF-8 cassette cannot hold (UTF-16 surrogates) is a clear error, never a crash or a
half-written file; what the cassette held stays."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording import Cassette, RecordingError, storage, use_cassette
from pytest_wxcloud.recording.format import Interaction
from pytest_wxcloud.recording.upstream import Credentials, Upstream

pytestmark = pytest.mark.filterwarnings("ignore:recording .* invokecloudfunction carries no user")

RECORDED_AT = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def answering(result_json: str) -> Any:
    def real_cloud(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": "t" * 20, "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "resp_data": result_json})

    return real_cloud


def existing(path: Path) -> Path:
    return write_cassette(path, [entry("old", {}, 1)])


def test_a_result_with_a_lone_surrogate_names_the_cassette_and_the_path(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    path = existing(tmp_path / "c.json")
    before = path.read_text("utf-8")
    with (
        pytest.raises(RecordingError) as failure,
        use_cassette(
            consumer,
            path,
            record_mode="new_episodes",
            upstream=lambda: Upstream(
                credentials, httpx.MockTransport(answering('{"items": [{"name": "\\ud800"}]}'))
            ),
        ),
    ):
        consumer.call_function("list", {})
    message = str(failure.value)
    assert str(path) in message and "response.result.items[0].name" in message
    assert "surrogate" in message
    assert path.read_text("utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_call_data_with_a_surrogate_key_is_refused_before_calling_the_real_cloud(
    credentials: Credentials, tmp_path: Path
) -> None:
    # call_function's JSON boundary refuses such data first; the cassette guards on its own
    calls: list[str] = []

    def real_cloud(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(500)

    path = tmp_path / "c.json"
    cassette = Cassette(
        path,
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(real_cloud)),
    )
    with pytest.raises(RecordingError, match=r"request\.data\.'\\ud83d' \(the key\)"):
        cassette.play("save", {"\ud83d": 1}, None, "test-env", RECORDED_AT)
    assert calls == []
    assert cassette.save() is False
    assert not path.exists()


def test_saving_an_interaction_with_a_surrogate_writes_nothing(tmp_path: Path) -> None:
    path = existing(tmp_path / "c.json")
    before = path.read_text("utf-8")
    bad = Interaction(function="f", data={"ok": "x"}, response={"result": ["fine", "\udfff"]})
    with pytest.raises(RecordingError) as failure:
        storage.save(path, [bad], loaded_text=None, rewrite=False)
    message = str(failure.value)
    assert f"{path}: interactions[1] (f): response.result[1]" in message
    assert path.read_text("utf-8") == before
    assert json.loads(before)["interactions"][0]["function"] == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]
