"""Replay: recorded answers reach every caller, matched by name and JSON data, in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.recording import CassetteMiss, Request, register_matcher, use_cassette
from pytest_wxcloud.recording.matching import _registered


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    return write_cassette(
        tmp_path / "c.json",
        [
            entry("add", {"a": 1, "b": 2}, 3),
            entry("getUserProfile", {"fields": ["nickName"]}, {"nickName": "Alice"}),
            entry(
                "boom",
                {},
                response={
                    "error": {
                        "errCode": -504002,
                        "errMsg": "functions execute fail. Error: profile store unavailable",
                    }
                },
            ),
        ],
    )


def test_call_function_gets_the_recorded_result(consumer: WxCloud, cassette: Path) -> None:
    with use_cassette(consumer, cassette):
        answer = consumer.call_function("add", {"a": 1, "b": 2})
    assert answer["result"] == 3
    assert answer["errMsg"] == "callFunction:ok"
    assert isinstance(answer["requestID"], str)


def test_key_order_of_request_data_does_not_matter(consumer: WxCloud, cassette: Path) -> None:
    with use_cassette(consumer, cassette):
        assert consumer.call_function("add", {"b": 2, "a": 1})["result"] == 3


def test_true_is_not_one_when_matching(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("flag", {"on": True}, "yes")])
    with use_cassette(consumer, path), pytest.raises(CassetteMiss):
        consumer.call_function("flag", {"on": 1})


def test_mini_program_caller_gets_the_result_without_user_info_mattering(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    # the platform adds event.userInfo for mini-program callers; the recording never had it
    with use_cassette(consumer, cassette):
        answer = consumer.call_function("getUserProfile", {"fields": ["nickName"]}, as_user=alice)
    assert answer == {
        "result": {"nickName": "Alice"},
        "errMsg": "cloud.callFunction:ok",
        "requestID": answer["requestID"],
    }


def test_handler_calling_another_function_is_answered(consumer: WxCloud, cassette: Path) -> None:
    @consumer.function("sumTwice")
    def sum_twice(event: dict[str, Any], context: Any) -> Any:
        return 2 * consumer.call_function("add", {"a": 1, "b": 2})["result"]

    with use_cassette(consumer, cassette):
        assert consumer.call_function("sumTwice")["result"] == 6
    assert [c.name for c in consumer.functions.calls] == ["sumTwice", "add"]


def test_invokecloudfunction_over_http_is_answered(consumer: WxCloud, cassette: Path) -> None:
    with consumer.mock_http(), use_cassette(consumer, cassette):
        token = httpx.post(
            "https://api.weixin.qq.com/cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": consumer.appid,
                "secret": consumer.secret,
            },
        ).json()["access_token"]
        reply = httpx.post(
            "https://api.weixin.qq.com/tcb/invokecloudfunction",
            params={"access_token": token, "env": consumer.env, "name": "add"},
            json={"a": 1, "b": 2},
        ).json()
    assert reply["errcode"] == 0
    assert reply["resp_data"] == "3"


def test_recorded_error_is_raised_in_the_server_sdk_shape(
    consumer: WxCloud, cassette: Path
) -> None:
    with use_cassette(consumer, cassette), pytest.raises(CloudSDKError) as caught:
        consumer.call_function("boom")
    assert caught.value.err_code == -1
    assert caught.value.err_msg == "callFunction:fail Error: profile store unavailable"
    assert caught.value.code == "FUNCTIONS_EXECUTE_FAIL"


def test_recorded_error_is_raised_in_the_mini_program_shape(
    consumer: WxCloud, alice: Identity, cassette: Path
) -> None:
    with use_cassette(consumer, cassette), pytest.raises(CloudSDKError) as caught:
        consumer.call_function("boom", as_user=alice)
    assert caught.value.err_code == -404011
    assert caught.value.err_msg.startswith("cloud.callFunction:fail requestID ")
    assert caught.value.err_msg.endswith(
        "cloud function service error code -504002, error message Error: profile store unavailable"
    )


def test_identical_requests_replay_in_recorded_order(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(
        tmp_path / "c.json",
        [
            entry("next", {}, 1),
            entry("add", {"a": 0, "b": 0}, 0),
            entry("next", {}, 2),
            entry("next", {}, 3),
        ],
    )
    with use_cassette(consumer, path) as cassette:
        got = [consumer.call_function("next")["result"] for _ in range(3)]
        assert got == [1, 2, 3]
        with pytest.raises(CassetteMiss) as caught:
            consumer.call_function("next")
    assert "matches interaction(s) #0, #2, #3, already replayed" in str(caught.value)
    assert cassette.played == [0, 2, 3]


def test_allow_playback_repeats_replays_the_last_match(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("next", {}, 1), entry("next", {}, 2)])
    with use_cassette(consumer, path, allow_playback_repeats=True):
        got = [consumer.call_function("next")["result"] for _ in range(4)]
    assert got == [1, 2, 2, 2]


def test_allow_playback_repeats_must_be_a_bool(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("next", {}, 1)])
    with pytest.raises(TypeError, match="allow_playback_repeats must be True or False; got 'no'"):
        use_cassette(consumer, path, allow_playback_repeats="no").__enter__()
    assert consumer.functions.sources == []


def test_miss_lists_closest_interactions_with_a_per_field_diff(
    consumer: WxCloud, tmp_path: Path
) -> None:
    path = write_cassette(
        tmp_path / "c.json",
        [
            entry("search", {"q": "tea", "page": 1, "sort": "price"}, []),
            entry("search", {"q": "coffee", "page": 2}, []),
            entry("other", {"q": "tea", "page": 1}, []),
        ],
    )
    with use_cassette(consumer, path), pytest.raises(CassetteMiss) as caught:
        consumer.call_function("search", {"q": "tea", "page": 2})
    message = str(caught.value)
    assert 'no recorded interaction answers search(data={"page": 2, "q": "tea"})' in message
    assert "(record mode none)" in message
    closest = message.split("closest recorded interactions:")[1]
    # the first-listed is the nearest: same function, one differing field
    assert closest.index("#1 search") < closest.index("#0 search") < closest.index("#2 other")
    assert 'data.q: recorded "coffee", requested "tea"' in message
    assert "data.page: recorded 1, requested 2" in message
    assert 'data.sort: recorded "price", requested (absent)' in message
    assert "function: recorded 'other', requested 'search'" in message


def test_miss_cannot_be_swallowed_by_code_catching_exceptions(
    consumer: WxCloud, cassette: Path
) -> None:
    def code_under_test() -> Any:
        try:
            return consumer.call_function("missing")
        except Exception:
            return "fallback"

    with use_cassette(consumer, cassette) as used, pytest.raises(CassetteMiss):
        code_under_test()
    assert len(used.misses) == 1


def test_missing_cassette_in_none_mode_says_how_to_record(
    consumer: WxCloud, tmp_path: Path
) -> None:
    with use_cassette(consumer, tmp_path / "absent.json"), pytest.raises(CassetteMiss) as caught:
        consumer.call_function("add", {"a": 1, "b": 2})
    assert "does not exist; record it with --wxcloud-record-mode=once" in str(caught.value)
    assert not (tmp_path / "absent.json").exists()


def test_local_handlers_and_routes_take_precedence(consumer: WxCloud, cassette: Path) -> None:
    consumer.functions.register("add", lambda event, context: "local")
    consumer.functions.route("getUserProfile", result={"nickName": "Routed"})
    with use_cassette(consumer, cassette) as used:
        assert consumer.call_function("add", {"a": 1, "b": 2})["result"] == "local"
        assert consumer.call_function("getUserProfile", {"fields": ["nickName"]})["result"] == {
            "nickName": "Routed"
        }
    assert used.played == []


def test_leaving_the_block_detaches_the_cassette(consumer: WxCloud, cassette: Path) -> None:
    with use_cassette(consumer, cassette):
        consumer.call_function("add", {"a": 1, "b": 2})
    assert "add" not in consumer.functions.functions
    with pytest.raises(CloudSDKError) as caught:
        consumer.call_function("add", {"a": 1, "b": 2})
    assert "FunctionName parameter could not be found" in caught.value.err_msg


def test_identity_matching_is_opt_in(consumer: WxCloud, tmp_path: Path) -> None:
    alice = consumer.user(openid="oALICE00000000000000000000000")
    bob = consumer.user(openid="oBOB0000000000000000000000000")
    from pytest_wxcloud.recording import Redactor

    pseudonym = Redactor().pseudonym
    path = write_cassette(
        tmp_path / "c.json",
        [
            entry("whoami", {}, "alice", identity={"openid": pseudonym(alice.openid or "")}),
            entry("whoami", {}, "bob", identity={"openid": pseudonym(bob.openid or "")}),
        ],
    )
    with use_cassette(
        consumer, path, match_on=["function", "data", "identity"], allow_playback_repeats=True
    ):
        assert consumer.call_function("whoami", as_user=bob)["result"] == "bob"
        assert consumer.call_function("whoami", as_user=alice)["result"] == "alice"
        with pytest.raises(CassetteMiss) as caught:
            consumer.call_function("whoami")  # no user: the HTTP API
    assert "identity.openid: recorded" in str(caught.value)
    with use_cassette(consumer, path):  # default: identity ignored, recorded order
        assert consumer.call_function("whoami", as_user=bob)["result"] == "alice"


def test_env_matcher(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("add", {}, 1, env="prod-4g7x")])
    with (
        use_cassette(consumer, path, match_on=["function", "env"]),
        pytest.raises(CassetteMiss) as caught,
    ):
        consumer.call_function("add")
    assert "env: recorded 'prod-4g7x', requested 'test-env'" in str(caught.value)


def test_custom_matcher_registered_globally(consumer: WxCloud, tmp_path: Path) -> None:
    def same_query(live: Request, recorded: Request) -> bool:
        return live.data.get("q") == recorded.data.get("q")

    register_matcher("same_query", same_query)
    try:
        path = write_cassette(tmp_path / "c.json", [entry("search", {"q": "tea", "ts": 1}, ["t1"])])
        with use_cassette(consumer, path, match_on=["function", "same_query"]):
            assert consumer.call_function("search", {"q": "tea", "ts": 99})["result"] == ["t1"]
            with pytest.raises(CassetteMiss) as caught:
                consumer.call_function("search", {"q": "milk", "ts": 1})
        assert "matcher 'same_query' rejected it" in str(caught.value)
    finally:
        _registered.pop("same_query", None)


def test_custom_matcher_per_cassette(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("search", {"q": "TEA"}, ["t1"])])
    casefold = {
        "casefold": lambda live, rec: str(live.data["q"]).lower() == str(rec.data["q"]).lower()
    }
    with use_cassette(consumer, path, match_on=["function", "casefold"], matchers=casefold):
        assert consumer.call_function("search", {"q": "tea"})["result"] == ["t1"]


def test_unknown_matcher_name_is_an_error(consumer: WxCloud, tmp_path: Path) -> None:
    with (
        pytest.raises(
            ValueError, match=r"unknown matcher\(s\) 'dta'.*known: data, env, function, identity"
        ),
        use_cassette(consumer, tmp_path / "c.json", match_on=["function", "dta"]),
    ):
        pass


def test_register_matcher_refuses_builtin_names() -> None:
    with pytest.raises(ValueError, match="built-in"):
        register_matcher("data", lambda live, rec: True)


def test_unknown_record_mode_is_an_error(consumer: WxCloud, tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match=r"record mode 'sometimes' is not one of 'none', 'once'"),
        use_cassette(consumer, tmp_path / "c.json", record_mode="sometimes"),
    ):
        pass


def test_replayed_results_are_fresh_copies(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("list", {}, {"items": [1]})] * 2)
    with use_cassette(consumer, path):
        first = consumer.call_function("list")["result"]
        first["items"].append(2)
        assert consumer.call_function("list")["result"] == {"items": [1]}
