"""Writing a cassette by hand: ``pseudonym()`` gives the ids a recording would have written."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.recording import pseudonym, use_cassette
from pytest_wxcloud.recording.upstream import Credentials, Upstream


def test_a_hand_written_cassette_replays_the_callers_own_id(
    consumer: WxCloud, alice: Identity, tmp_path: Path
) -> None:
    me = pseudonym(alice.openid)
    path = write_cassette(
        tmp_path / "profile.json",
        [
            entry(
                "whoami",
                {},
                {"me": me, "friend": pseudonym("oREAL_bob_00000000000000000")},
                identity={"openid": me},
            )
        ],
    )
    with use_cassette(consumer, path):
        result = consumer.call_function("whoami", {}, as_user=alice)["result"]
    assert result == {"me": alice.openid, "friend": pseudonym("oREAL_bob_00000000000000000")}


@pytest.mark.filterwarnings("ignore:recording .* invokecloudfunction carries no user")
@pytest.mark.parametrize("key", [None, "team secret"])
def test_pseudonym_is_what_recording_writes(
    consumer: WxCloud,
    alice: Identity,
    credentials: Credentials,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: str | None,
) -> None:
    if key is not None:
        monkeypatch.setenv("WXCLOUD_PSEUDONYM_KEY", key)

    def real_cloud(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": "t" * 20, "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "resp_data": "1"})

    path = tmp_path / "c.json"
    with use_cassette(
        consumer,
        path,
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(real_cloud)),
    ):
        consumer.call_function("one", {"openid": alice.openid}, as_user=alice)
    recorded = json.loads(path.read_text("utf-8"))["interactions"][0]
    assert recorded["identity"]["openid"] == pseudonym(alice.openid)
    assert recorded["request"]["data"]["openid"] == pseudonym(alice.openid)
    assert pseudonym(alice.openid, key="another key") != pseudonym(alice.openid)


def test_pseudonym_refuses_what_is_not_an_id() -> None:
    with pytest.raises(TypeError, match="non-empty id string"):
        pseudonym("")
