"""Contracts without a real cloud: a cassette recorded from a local provider (Node.js or
Python), replayed offline by a consumer, and verified against the provider."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.node.serving import release
from pytest_wxcloud.recording import local_upstream, use_cassette, verify

FUNCTIONS = Path(__file__).parent / "cloudfunctions"


@pytest.fixture
def provider() -> Iterator[WxCloud]:
    cloud = WxCloud(env="prod-1", seed=8)
    cloud.functions.load(FUNCTIONS / "quickstart")
    cloud.functions.load(FUNCTIONS / "misbehave")
    yield cloud
    release(cloud)


def _consume(consumer: WxCloud) -> tuple[Any, CloudSDKError]:
    result = consumer.call_function("quickstart", {"type": "getOpenId"})["result"]
    with pytest.raises(CloudSDKError) as caught:
        consumer.call_function("misbehave", {"how": "throw"})
    return result, caught.value


def test_record_from_a_node_provider_then_replay_offline(provider: WxCloud, tmp_path: Path) -> None:
    path = tmp_path / "contract.json"
    recorder = WxCloud(env="prod-1", appid=provider.appid, seed=9)  # the same mini program
    with (
        local_upstream(provider) as upstream,
        use_cassette(recorder, path, record_mode="all", upstream=upstream),
    ):
        recorded, recorded_error = _consume(recorder)
    assert recorded == {"appid": provider.appid, "env": "prod-1", "source": "wx_http"}
    assert [c.name for c in provider.functions.calls] == ["quickstart", "misbehave"]

    replayer = WxCloud(env="prod-1", appid=provider.appid, seed=10)  # no provider, no Node.js
    with use_cassette(replayer, path, record_mode="none"):
        replayed, replayed_error = _consume(replayer)
    assert replayed == recorded
    assert replayed_error.err_msg == recorded_error.err_msg
    assert "Error: kaput" in replayed_error.err_msg

    verify(path, provider).assert_passed()


def test_record_from_a_python_provider(tmp_path: Path) -> None:
    provider = WxCloud(env="prod-1", seed=8)

    @provider.function("add")
    def add(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"sum": event["a"] + event["b"]}

    path = tmp_path / "add.json"
    consumer = WxCloud(env="prod-1")
    with (
        local_upstream(provider) as upstream,
        use_cassette(consumer, path, record_mode="all", upstream=upstream),
    ):
        assert consumer.call_function("add", {"a": 1, "b": 2})["result"] == {"sum": 3}
    with use_cassette(WxCloud(env="prod-1"), path, record_mode="none") as tape:
        assert [i.response for i in tape.interactions] == [{"result": {"sum": 3}}]
    verify(path, provider).assert_passed()
