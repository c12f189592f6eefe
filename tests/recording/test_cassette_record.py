"""Record modes against a stand-in upstream, redaction and pseudonyms in what is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.recording import (
    REDACTED,
    CassetteMiss,
    RecordingError,
    Redactor,
    storage,
    use_cassette,
)
from pytest_wxcloud.recording.redact import restore
from pytest_wxcloud.recording.upstream import Credentials, Upstream

pytestmark = pytest.mark.filterwarnings("ignore:recording .* invokecloudfunction carries no user")

Connect = Callable[[], Upstream]


def stored(path: Path) -> list[dict[str, Any]]:
    document = json.loads(path.read_text("utf-8"))
    assert document["version"] == 1
    interactions: list[dict[str, Any]] = document["interactions"]
    return interactions


def test_once_records_a_missing_cassette_then_replays_it(
    consumer: WxCloud,
    real_cloud: WxCloud,
    connect: Connect,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "cassettes" / "add.json"
    with use_cassette(consumer, path, record_mode="once", upstream=connect):
        assert consumer.call_function("add", {"a": 2, "b": 3})["result"] == 5
    assert [c.name for c in real_cloud.functions.calls] == ["add"]
    assert stored(path) == [
        {
            "env": "prod-4g7x",
            "function": "add",
            "identity": {"appid": consumer.appid, "source": "wx_http"},
            "recorded_at": "2024-05-01T08:00:00.000Z",
            "request": {"data": {"a": 2, "b": 3}},
            "response": {"result": 5},
        }
    ]
    # in this run the new cassette still records (tests sharing it all get to record) ...
    with use_cassette(consumer, path, record_mode="once", upstream=connect):
        assert consumer.call_function("add", {"a": 1, "b": 1})["result"] == 2
    assert len(stored(path)) == 2
    # ... in the next run it exists: once replays it and records nothing more
    monkeypatch.setattr(storage, "RUN_ID", "the next run")
    with use_cassette(consumer, path, record_mode="once", upstream=connect):
        assert consumer.call_function("add", {"a": 2, "b": 3})["result"] == 5
        with pytest.raises(CassetteMiss):
            consumer.call_function("add", {"a": 5, "b": 5})
    assert len(real_cloud.functions.calls) == 2


def test_file_is_sorted_indented_and_ends_with_a_newline(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    with use_cassette(consumer, path, record_mode="all", upstream=connect):
        consumer.call_function("add", {"b": 1, "a": 1})
    text = path.read_text("utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_none_mode_never_connects(consumer: WxCloud, tmp_path: Path) -> None:
    connected: list[str] = []

    def connect() -> Upstream:
        connected.append("yes")
        raise AssertionError("none mode must not connect")

    path = write_cassette(tmp_path / "c.json", [entry("add", {"a": 1}, 1)])
    with use_cassette(consumer, path, upstream=connect):
        consumer.call_function("add", {"a": 1})
        with pytest.raises(CassetteMiss):
            consumer.call_function("add", {"a": 2})
    assert connected == []
    assert stored(path) == [entry("add", {"a": 1}, 1)]


def test_new_episodes_replays_known_and_appends_new(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("add", {"a": 1, "b": 1}, 99)])
    with use_cassette(consumer, path, record_mode="new_episodes", upstream=connect):
        assert consumer.call_function("add", {"a": 1, "b": 1})["result"] == 99  # replayed
        assert consumer.call_function("add", {"a": 2, "b": 2})["result"] == 4  # recorded
    assert [c.data for c in real_cloud.functions.calls] == [
        {"a": 2, "b": 2, "userInfo": {"appId": real_cloud.appid}}
    ]
    assert [(e["request"]["data"], e["response"]) for e in stored(path)] == [
        ({"a": 1, "b": 1}, {"result": 99}),
        ({"a": 2, "b": 2}, {"result": 4}),
    ]


def test_new_episodes_records_repeats_beyond_the_recorded_ones(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("next", {}, 100)])
    with use_cassette(consumer, path, record_mode="new_episodes", upstream=connect):
        got = [consumer.call_function("next")["result"] for _ in range(3)]
    assert got == [100, 1, 2]
    assert [e["response"]["result"] for e in stored(path)] == [100, 1, 2]


def test_all_rerecords_everything(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = write_cassette(
        tmp_path / "c.json", [entry("add", {"a": 1, "b": 1}, 99), entry("gone", {}, 1)]
    )
    with use_cassette(consumer, path, record_mode="all", upstream=connect):
        assert consumer.call_function("add", {"a": 1, "b": 1})["result"] == 2
    assert [(e["function"], e["response"]) for e in stored(path)] == [("add", {"result": 2})]


def test_all_without_calls_leaves_the_file_alone(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("add", {}, 1)])
    before = path.read_text("utf-8")
    with use_cassette(consumer, path, record_mode="all"):
        pass
    assert path.read_text("utf-8") == before


@pytest.mark.parametrize("mode", ["once", "new_episodes", "all"])
def test_missing_credentials_is_a_clear_error(
    consumer: WxCloud, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("WXCLOUD_APPID", "wx0123456789abcdef")
    monkeypatch.delenv("WXCLOUD_SECRET", raising=False)
    monkeypatch.delenv("WXCLOUD_ENV", raising=False)
    with (
        use_cassette(consumer, tmp_path / "c.json", record_mode=mode),
        pytest.raises(RecordingError) as caught,
    ):
        consumer.call_function("add", {"a": 1, "b": 1})
    message = str(caught.value)
    assert f"record mode {mode!r}" in message
    assert "WXCLOUD_SECRET, WXCLOUD_ENV are not set" in message
    assert not (tmp_path / "c.json").exists()


def test_function_errors_are_recorded_and_replayed(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    with (
        use_cassette(consumer, path, record_mode="once", upstream=connect),
        pytest.raises(CloudSDKError) as recorded,
    ):
        consumer.call_function("boom")
    assert stored(path)[0]["response"] == {
        "error": {
            "errCode": -504002,
            "errMsg": "functions execute fail. ValueError: profile store unavailable",
        }
    }
    with use_cassette(consumer, path), pytest.raises(CloudSDKError) as replayed:
        consumer.call_function("boom")
    assert (
        replayed.value.err_msg
        == recorded.value.err_msg
        == ("callFunction:fail ValueError: profile store unavailable")
    )


def test_bad_credentials_abort_recording(
    consumer: WxCloud, real_cloud: WxCloud, tmp_path: Path, upstream: WxCloud
) -> None:
    wrong = Credentials(upstream.appid, "0" * 32, upstream.env)
    path = tmp_path / "c.json"
    with (
        use_cassette(
            consumer,
            path,
            record_mode="once",
            upstream=lambda: Upstream(wrong, httpx.HTTPTransport()),
        ),
        pytest.raises(RecordingError) as caught,
    ):
        consumer.call_function("add", {"a": 1, "b": 1})
    assert "stable_token" in str(caught.value)
    assert "0" * 32 not in str(caught.value)
    assert not path.exists()


def test_transport_failure_aborts_recording(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route to host", request=request)

    def connect() -> Upstream:
        return Upstream(credentials, httpx.MockTransport(refuse))

    with (
        use_cassette(consumer, tmp_path / "c.json", record_mode="once", upstream=connect),
        pytest.raises(RecordingError, match="stable_token failed: ConnectError: no route to host"),
    ):
        consumer.call_function("add", {"a": 1, "b": 1})


def test_stale_token_is_refreshed_once(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    sent: list[tuple[str, Any]] = []

    def cloud(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        sent.append(
            (
                request.url.path,
                body.get("force_refresh")
                if "stable" in request.url.path
                else request.url.params["access_token"],
            )
        )
        if request.url.path == "/cgi-bin/stable_token":
            token = "fresh-token" if body["force_refresh"] else "stale-token"
            return httpx.Response(200, json={"access_token": token, "expires_in": 7200})
        if request.url.params["access_token"] == "stale-token":
            return httpx.Response(200, json={"errcode": 40001, "errmsg": "invalid credential"})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "resp_data": '{"ok":true}'})

    path = tmp_path / "c.json"
    with use_cassette(
        consumer,
        path,
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(cloud)),
    ):
        assert consumer.call_function("ping")["result"] == {"ok": True}
    assert sent == [
        ("/cgi-bin/stable_token", False),
        ("/tcb/invokecloudfunction", "stale-token"),
        ("/cgi-bin/stable_token", True),
        ("/tcb/invokecloudfunction", "fresh-token"),
    ]


def test_plain_text_resp_data_is_kept_as_a_string(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    def cloud(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
        return httpx.Response(200, json={"errcode": 0, "errmsg": "ok", "resp_data": "plain text"})

    with use_cassette(
        consumer,
        tmp_path / "c.json",
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(cloud)),
    ):
        assert consumer.call_function("hello")["result"] == "plain text"


# --------------------------------------------------------------------------- secrets


def test_tokens_and_secrets_never_reach_the_file(
    consumer: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    token = "81_" + "T0kEn" * 30

    def cloud(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": token, "expires_in": 7200})
        echo = {
            "got": json.loads(request.content),
            "url": str(request.url),
            "session_key": "tiHHDYdhpwhYU6JdnW8uzQ==",
            "nested": {"AppSecret": credentials.secret, "note": f"secret is {credentials.secret}"},
        }
        return httpx.Response(
            200, json={"errcode": 0, "errmsg": "ok", "resp_data": json.dumps(echo)}
        )

    path = tmp_path / "c.json"
    with use_cassette(
        consumer,
        path,
        record_mode="once",
        upstream=lambda: Upstream(credentials, httpx.MockTransport(cloud)),
    ):
        answer = consumer.call_function("echo", {"cloudbase_access_token": "abc", "keep": "me"})[
            "result"
        ]
    text = path.read_text("utf-8")
    assert (
        token not in text
        and credentials.secret not in text
        and "tiHHDYdhpwhYU6JdnW8uzQ==" not in text
    )
    result = stored(path)[0]["response"]["result"]
    assert result["got"] == {"cloudbase_access_token": REDACTED, "keep": "me"}
    assert f"access_token={REDACTED}" in result["url"]
    assert result["session_key"] == REDACTED
    assert result["nested"] == {"AppSecret": REDACTED, "note": f"secret is {REDACTED}"}
    assert stored(path)[0]["request"]["data"] == {"cloudbase_access_token": REDACTED, "keep": "me"}
    # the first run sees what replays will see
    assert answer == result


def test_user_redact_keys_and_before_record_hook(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    def drop_pings(interaction: dict[str, Any]) -> dict[str, Any] | None:
        if interaction["request"]["data"].get("a") == 0:
            return None
        interaction["response"]["result"] = "scrubbed by hook"
        return interaction

    path = tmp_path / "c.json"
    with use_cassette(
        consumer,
        path,
        record_mode="once",
        upstream=connect,
        redact_keys=["phone"],
        before_record=drop_pings,
    ):
        assert (
            consumer.call_function("add", {"a": 1, "b": 1, "phone": "13800138000"})["result"]
            == "scrubbed by hook"
        )
        assert consumer.call_function("add", {"a": 0, "b": 1})["result"] == 1
    assert [e["request"]["data"] for e in stored(path)] == [{"a": 1, "b": 1, "phone": REDACTED}]


def test_before_record_returning_garbage_is_reported(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    with (
        use_cassette(
            consumer,
            tmp_path / "c.json",
            record_mode="once",
            upstream=connect,
            before_record=lambda i: {"function": "x"},
        ),
        pytest.raises(
            RecordingError,
            match=r"the entry before_record returned \(x\): missing 'request', 'response'",
        ),
    ):
        consumer.call_function("add", {"a": 1, "b": 1})


def test_user_ids_become_stable_pseudonyms_that_keep_relations(
    consumer: WxCloud, alice: Identity, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    with (
        pytest.warns(UserWarning, match="invokecloudfunction carries no user"),
        use_cassette(consumer, path, record_mode="once", upstream=connect),
    ):
        live = consumer.call_function("getUserProfile", {"openid": alice.openid}, as_user=alice)[
            "result"
        ]
    assert live == {"profile": {"openid": alice.openid, "nickName": "Alice"}}
    text = path.read_text("utf-8")
    assert alice.openid is not None and alice.openid not in text
    assert alice.unionid is not None and alice.unionid not in text
    recorded = stored(path)[0]
    pseudonym = Redactor().pseudonym(alice.openid)
    assert pseudonym != alice.openid and len(pseudonym) == len(alice.openid) and pseudonym[0] == "o"
    # same real id, same pseudonym: caller, request and result still refer to one user
    assert recorded["identity"]["openid"] == pseudonym
    assert recorded["request"]["data"] == {"openid": pseudonym}
    assert recorded["response"]["result"]["profile"]["openid"] == pseudonym
    assert recorded["identity"]["unionid"] == Redactor().pseudonym(alice.unionid)
    assert "client_ip" not in recorded["identity"]
    # replaying as the same user matches (the live id is pseudonymised the same way) and gives
    # the caller's own id back
    with use_cassette(consumer, path, match_on=["function", "data", "identity"]):
        again = consumer.call_function("getUserProfile", {"openid": alice.openid}, as_user=alice)
    assert again["result"] == live


def test_ids_of_other_users_stay_pseudonymised_on_replay(
    consumer: WxCloud, alice: Identity, tmp_path: Path
) -> None:
    redactor = Redactor()
    path = write_cassette(
        tmp_path / "c.json",
        [
            entry(
                "friends",
                {},
                {
                    "me": redactor.pseudonym(alice.openid or ""),
                    "friends": [{"OPENID": "oPSEUDO_bob_000000000000000"}],
                },
            )
        ],
    )
    with use_cassette(consumer, path):
        result = consumer.call_function("friends", as_user=alice)["result"]
    assert result == {"me": alice.openid, "friends": [{"OPENID": "oPSEUDO_bob_000000000000000"}]}


def test_pseudonyms_depend_on_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    default = Redactor().pseudonym("oREAL_alice_0000000000000000")
    assert Redactor().pseudonym("oREAL_alice_0000000000000000") == default
    monkeypatch.setenv("WXCLOUD_PSEUDONYM_KEY", "team secret")
    assert Redactor().pseudonym("oREAL_alice_0000000000000000") != default
    assert Redactor().pseudonym("oREAL_bob_00000000000000000") != Redactor().pseudonym(
        "oREAL_alice_0000000000000000"
    )


def test_id_keys_in_any_spelling_are_pseudonymised() -> None:
    redactor = Redactor()
    scrubbed = redactor.scrub(
        {
            "OPENID": "oA1",
            "openId": "oA1",
            "_openid": "oA1",
            "FROM_OPENID": "oB2",
            "unionId": "uC3",
            "name": "oA1 says hi",
        },
        {},
    )
    p = redactor.pseudonym
    assert scrubbed == {
        "OPENID": p("oA1"),
        "openId": p("oA1"),
        "_openid": p("oA1"),
        "FROM_OPENID": p("oB2"),
        "unionId": p("uC3"),
        "name": f"{p('oA1')} says hi",
    }


def test_ids_used_as_object_keys_are_pseudonymised_and_restored() -> None:
    redactor = Redactor()
    alice, bob = "oREAL_alice_0000000000000000", "oREAL_bob_00000000000000000"
    ids = redactor.identity_ids({"openid": alice})
    scrubbed = redactor.scrub({"scores": {alice: 3, bob: 1}, "friends": [{"openid": bob}]}, ids)
    p = redactor.pseudonym
    # bob is known from his "openid" field, alice from the identity: both vanish from the keys
    assert scrubbed == {"scores": {p(alice): 3, p(bob): 1}, "friends": [{"openid": p(bob)}]}
    # the caller gets their own id back on replay; other users stay pseudonyms
    assert restore(scrubbed, {p(alice): alice}) == {
        "scores": {alice: 3, p(bob): 1},
        "friends": [{"openid": p(bob)}],
    }


def test_recorded_at_uses_the_cloud_clock(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    from datetime import timedelta

    consumer.clock.advance(timedelta(days=2, milliseconds=5))
    path = tmp_path / "c.json"
    with use_cassette(consumer, path, record_mode="once", upstream=connect):
        consumer.call_function("add", {"a": 1, "b": 1})
    assert stored(path)[0]["recorded_at"] == "2024-05-03T08:00:00.005Z"


def test_provider_state_is_written_into_recorded_interactions(
    consumer: WxCloud, real_cloud: WxCloud, connect: Connect, tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    with use_cassette(
        consumer, path, record_mode="once", upstream=connect, provider_state="numbers exist"
    ) as c:
        consumer.call_function("add", {"a": 1, "b": 1})
        c.provider_state = ["numbers exist", "adder deployed"]
        consumer.call_function("add", {"a": 2, "b": 2})
    assert [e["provider_state"] for e in stored(path)] == [
        "numbers exist",
        ["numbers exist", "adder deployed"],
    ]


def test_recording_from_a_stand_in_answering_the_real_host_over_respx(
    consumer: WxCloud, upstream: WxCloud, credentials: Credentials, tmp_path: Path
) -> None:
    # the wxcloud fixture's situation: the consumer's mock_http is active; the stand-in's
    # mock_http, entered inside it, answers api.weixin.qq.com for the recorder's httpx client
    path = tmp_path / "c.json"
    with (
        consumer.mock_http(),
        upstream.mock_http(),
        use_cassette(
            consumer,
            path,
            record_mode="once",
            upstream=lambda: Upstream(credentials, httpx.HTTPTransport()),
        ),
    ):
        assert consumer.call_function("add", {"a": 20, "b": 22})["result"] == 42
    assert [c.name for c in upstream.functions.calls] == ["add"]
    assert stored(path)[0]["response"] == {"result": 42}
