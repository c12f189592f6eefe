from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from cassette_kit import answered_by

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.recording.upstream import Credentials, Upstream

RECORDED_AT = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def upstream() -> WxCloud:
    """The 'real' cloud: a second WxCloud answering api.weixin.qq.com inside the test."""
    cloud = WxCloud(env="prod-4g7x", seed=99)
    cloud.seed(
        {"profiles": [{"_id": "p1", "openid": "oREAL_alice_0000000000000000", "nickName": "Alice"}]}
    )
    served = {"count": 0}

    @cloud.function("getUserProfile")
    def get_user_profile(event: dict[str, Any], context: Any) -> Any:
        from pytest_wxcloud.functions import current_cloud

        found = (
            current_cloud()
            .database()
            .collection("profiles")
            .where({"openid": event.get("openid")})
            .get()["data"]
        )
        if not found:
            return {"profile": None}
        return {"profile": {"openid": found[0]["openid"], "nickName": found[0]["nickName"]}}

    @cloud.function("add")
    def add(event: dict[str, Any], context: Any) -> Any:
        return event["a"] + event["b"]

    @cloud.function("next")
    def next_number(event: dict[str, Any], context: Any) -> Any:
        served["count"] += 1
        return served["count"]

    @cloud.function("boom")
    def boom(event: dict[str, Any], context: Any) -> Any:
        raise ValueError("profile store unavailable")

    return cloud


@pytest.fixture
def credentials(upstream: WxCloud, monkeypatch: pytest.MonkeyPatch) -> Credentials:
    monkeypatch.setenv("WXCLOUD_APPID", upstream.appid)
    monkeypatch.setenv("WXCLOUD_SECRET", upstream.secret)
    monkeypatch.setenv("WXCLOUD_ENV", upstream.env)
    return Credentials(upstream.appid, upstream.secret, upstream.env)


@pytest.fixture
def consumer() -> WxCloud:
    return WxCloud(env="test-env", seed=1, now=RECORDED_AT)


@pytest.fixture
def alice(consumer: WxCloud) -> Identity:
    return consumer.user(openid="oREAL_alice_0000000000000000")


@pytest.fixture
def real_cloud(upstream: WxCloud, consumer: WxCloud) -> Iterator[WxCloud]:
    """The consumer's own cloud answers api.weixin.qq.com through respx (as under the wxcloud
    fixture) while recordings reach ``upstream`` through :func:`connect`."""
    with consumer.mock_http():
        yield upstream


@pytest.fixture
def connect(credentials: Credentials, upstream: WxCloud) -> Callable[[], Upstream]:
    """An upstream factory whose requests the stand-in's HTTP face answers."""
    return lambda: Upstream(credentials, answered_by(upstream))
