"""Answer sources: asked after routes and handlers, before "function not found".

A recorded failure must reach every kind of caller exactly as the live failure with the same
code does (sdk.md §2.3), and a source must never look like a function of the cloud.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.functions import NULL_RESULT, Caller, RecordedFailure

pytest_plugins = ["pytester"]


class Recorder:
    """A source answering from a dict and remembering what it was asked."""

    def __init__(self, answers: dict[str, Any], label: str = "recorder") -> None:
        self.answers = answers
        self.label = label
        self.asked: list[tuple[str, dict[str, Any], Identity, Caller, str]] = []

    def __call__(
        self, name: str, data: dict[str, Any], identity: Identity, caller: Caller, request_id: str
    ) -> Any:
        self.asked.append((name, data, identity, caller, request_id))
        return self.answers.get(name)


# ---------------------------------------------------------------------- order of consultation


def test_sources_are_asked_in_order_and_the_first_answer_wins(cloud: WxCloud) -> None:
    first = Recorder({"a": "from first"}, "first")
    second = Recorder({"a": "from second", "b": "b from second"}, "second")
    cloud.functions.sources.extend([first, second])
    assert cloud.call_function("a")["result"] == "from first"
    assert second.asked == []
    assert cloud.call_function("b")["result"] == "b from second"  # first had nothing: None
    assert [asked[0] for asked in first.asked] == ["a", "b"]
    assert [call.answered_by for call in cloud.functions.calls] == ["first", "second"]


def test_routes_and_handlers_answer_before_any_source(cloud: WxCloud) -> None:
    source = Recorder({"routed": "recorded", "handled": "recorded"})
    cloud.functions.sources.append(source)
    cloud.functions.route("routed", result="route")
    cloud.functions.register("handled", lambda event: "handler")
    assert cloud.call_function("routed")["result"] == "route"
    assert cloud.call_function("handled")["result"] == "handler"
    assert source.asked == []


def test_a_route_that_does_not_match_the_data_falls_through_to_the_sources(
    cloud: WxCloud,
) -> None:
    cloud.functions.route("pay", {"order": "A1"}, result="routed")
    cloud.functions.sources.append(Recorder({"pay": "recorded"}))
    assert cloud.call_function("pay", {"order": "B2"})["result"] == "recorded"
    assert cloud.call_function("pay", {"order": "A1"})["result"] == "routed"


def test_no_answer_from_any_source_is_function_not_found(cloud: WxCloud) -> None:
    source = Recorder({})
    cloud.functions.sources.append(source)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("missing")
    assert caught.value.err_code == -1
    assert caught.value.err_msg == "callFunction:fail FunctionName parameter could not be found."
    assert caught.value.code == "ResourceNotFound.FunctionName"
    assert len(source.asked) == 1
    assert cloud.functions.calls[0].answered_by == "nothing"


def test_a_plain_function_is_a_source_named_after_itself(cloud: WxCloud) -> None:
    def replay(
        name: str, data: dict[str, Any], identity: Identity, caller: Caller, request_id: str
    ) -> Any:
        return {"name": name}

    cloud.functions.sources.append(replay)
    assert cloud.call_function("anything")["result"] == {"name": "anything"}
    assert cloud.functions.calls[0].answered_by.endswith("replay")


# ---------------------------------------------------------------------- what a source is given


def test_source_gets_the_data_as_sent_the_callee_identity_the_caller_and_the_request_id(
    cloud: WxCloud, alice: Identity
) -> None:
    source = Recorder({"profile": {"ok": True}})
    cloud.functions.sources.append(source)
    reply = cloud.call_function("profile", {"fields": ["nickName"]}, as_user=alice)
    ((name, data, identity, caller, request_id),) = source.asked
    # the platform's userInfo is not something the caller sent: the log has it, the source not
    assert data == {"fields": ["nickName"]}
    assert cloud.functions.calls[0].data == {
        "fields": ["nickName"],
        "userInfo": alice.user_info(),
    }
    assert (name, identity, caller) == ("profile", alice, Caller.MINI_PROGRAM)
    assert request_id == reply["requestID"] == cloud.functions.calls[0].request_id


def test_a_user_info_the_caller_sent_reaches_the_source_as_sent(
    cloud: WxCloud, alice: Identity
) -> None:
    source = Recorder({"echo": 1})
    cloud.functions.sources.append(source)
    cloud.call_function("echo", {"userInfo": {"forged": True}}, as_user=alice)
    assert source.asked[0][1] == {"userInfo": {"forged": True}}
    assert cloud.functions.calls[0].data["userInfo"] == alice.user_info()


def test_function_to_function_caller_and_identity(cloud: WxCloud, alice: Identity) -> None:
    source = Recorder({"inner": "ok"})
    cloud.functions.sources.append(source)
    cloud.functions.register("outer", lambda event: cloud.call_function("inner", {"n": 1}))
    cloud.call_function("outer", as_user=alice)
    ((_, data, identity, caller, _),) = source.asked
    assert caller is Caller.SERVER
    assert data == {"n": 1}
    assert identity.source == f"{alice.source},scf"
    assert identity.openid is None  # propagate_openid is off by default


def test_mutating_the_data_given_to_a_source_changes_neither_the_log_nor_the_next_source(
    cloud: WxCloud,
) -> None:
    def vandal(name: str, data: dict[str, Any], *rest: Any) -> Any:
        data["items"].append("vandalised")
        return None

    second = Recorder({"list": "ok"})
    cloud.functions.sources.extend([vandal, second])
    cloud.call_function("list", {"items": [1]})
    assert second.asked[0][1] == {"items": [1]}
    assert cloud.functions.calls[0].data == {"items": [1], "userInfo": {"appId": cloud.appid}}


# ---------------------------------------------------------------------- results


def test_a_result_crosses_the_json_boundary(cloud: WxCloud) -> None:
    moment = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    cloud.functions.sources.append(Recorder({"when": {"at": moment, "pair": (1, 2.0)}}))
    assert cloud.call_function("when")["result"] == {
        "at": "2024-05-01T08:00:00.000Z",
        "pair": [1, 2],
    }
    assert cloud.functions.calls[0].result == {"at": "2024-05-01T08:00:00.000Z", "pair": [1, 2]}


def test_each_caller_gets_a_fresh_copy_of_a_result(cloud: WxCloud) -> None:
    kept = {"items": [1]}
    cloud.functions.sources.append(Recorder({"list": kept}))
    cloud.call_function("list")["result"]["items"].append(2)
    assert cloud.call_function("list")["result"] == {"items": [1]}
    assert kept == {"items": [1]}


def test_a_result_json_cannot_carry_fails_like_a_handler_returning_it(cloud: WxCloud) -> None:
    cloud.functions.sources.append(Recorder({"ids": {"ids": {1, 2}}}))
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("ids")
    assert caught.value.err_code == -1
    assert caught.value.code == "FUNCTIONS_EXECUTE_FAIL"
    assert caught.value.err_msg.startswith("callFunction:fail the return value is not JSON: ")
    assert "result.ids" in caught.value.err_msg
    assert cloud.functions.calls[0].error is caught.value


def test_a_result_over_the_size_limit_is_refused(cloud: WxCloud) -> None:
    cloud.functions.limits.result = 100
    cloud.functions.sources.append(Recorder({"big": "x" * 200}))
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("big")
    assert caught.value.err_code == -604001
    assert caught.value.err_msg == (
        "callFunction:fail -604001 cloudfunction result size exceed limit (1MB). "
        "result is 202 bytes, the limit is 100 bytes"
    )


def test_null_result_answers_null(cloud: WxCloud) -> None:
    later = Recorder({"nothing": "not asked"})
    cloud.functions.sources.extend([Recorder({"nothing": NULL_RESULT}), later])
    assert cloud.call_function("nothing")["result"] is None
    assert later.asked == []
    assert cloud.functions.calls[0].ok


# ---------------------------------------------------------------------- recorded failures

CallerKind = Callable[[WxCloud, str], CloudSDKError]


def _mini_program(cloud: WxCloud, name: str) -> CloudSDKError:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function(name, as_user=cloud.user())
    return caught.value


def _function(cloud: WxCloud, name: str) -> CloudSDKError:
    seen: list[CloudSDKError] = []

    @cloud.function("outer", timeout=20)  # outlives a callee that times out
    def outer(event: dict[str, Any]) -> Any:
        try:
            cloud.call_function(name)
        except CloudSDKError as error:
            seen.append(error)

    cloud.call_function("outer", as_user=cloud.user())
    return seen[0]


def _http(cloud: WxCloud, name: str) -> CloudSDKError:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function(name)  # no user, no invocation: the invokecloudfunction caller
    return caught.value


CALLERS = {"mini program": _mini_program, "function": _function, "HTTP API": _http}


def _timing_out(cloud: WxCloud) -> None:
    cloud.functions.register("job", lambda event: cloud.clock.advance(4) and "done", timeout=3)


def _throwing(cloud: WxCloud) -> None:
    def job(event: dict[str, Any]) -> Any:
        raise ValueError("profile store unavailable")

    cloud.functions.register("job", job)


def _absent(cloud: WxCloud) -> None:
    pass


LIVE_FAILURES = {
    "timeout": (_timing_out, RecordedFailure(-504003, "Invoking task timed out after 3 seconds")),
    "exception": (_throwing, RecordedFailure(-504002, "ValueError: profile store unavailable")),
    "not found": (_absent, RecordedFailure(-501000, "FunctionName parameter could not be found.")),
}


@pytest.mark.parametrize("caller", sorted(CALLERS))
@pytest.mark.parametrize("failure", sorted(LIVE_FAILURES))
def test_recorded_failure_reaches_each_caller_like_the_live_failure(
    caller: str, failure: str
) -> None:
    make_live, recorded = LIVE_FAILURES[failure]
    live_cloud = WxCloud(env="test-env", seed=7)
    make_live(live_cloud)
    replay_cloud = WxCloud(env="test-env", seed=7)  # same seed: same users and requestIDs
    replay_cloud.functions.sources.append(Recorder({"job": recorded}, "cassette x.json"))

    live = CALLERS[caller](live_cloud, "job")
    replayed = CALLERS[caller](replay_cloud, "job")

    assert (replayed.err_code, replayed.err_msg, replayed.code, replayed.request_id) == (
        live.err_code,
        live.err_msg,
        live.code,
        live.request_id,
    )
    assert "answered by cassette x.json" in str(replayed)


def test_recorded_timeout_keeps_its_code_for_a_mini_program(
    cloud: WxCloud, alice: Identity
) -> None:
    cloud.functions.sources.append(
        Recorder({"job": RecordedFailure(-504003, "Invoking task timed out after 3 seconds")})
    )
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("job", as_user=alice)
    rid = cloud.functions.calls[0].request_id
    assert caught.value.err_code == -504003
    assert caught.value.err_msg == (
        f"cloud.callFunction:fail requestID {rid}, cloud function service error code -504003, "
        "error message Invoking task timed out after 3 seconds"
    )


def test_recorded_failure_with_a_code_of_its_own(cloud: WxCloud) -> None:
    cloud.functions.sources.append(
        Recorder(
            {"job": RecordedFailure(-504001, "upstream refused", code="FUNCTIONS_REQUEST_FAIL")}
        )
    )
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("job")
    assert (caught.value.err_code, caught.value.err_msg, caught.value.code) == (
        -1,
        "callFunction:fail upstream refused",
        "FUNCTIONS_REQUEST_FAIL",
    )


def test_recorded_failure_is_in_the_call_log(cloud: WxCloud) -> None:
    cloud.functions.sources.append(Recorder({"job": RecordedFailure(-504002, "Error: x")}, "tape"))
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("job")
    (call,) = cloud.functions.calls
    assert call.error is caught.value
    assert not call.ok
    assert call.answered_by == "tape"


@pytest.mark.parametrize(
    "arguments",
    [
        {"err_code": "-504002", "err_msg": "x"},
        {"err_code": True, "err_msg": "x"},
        {"err_code": -504002, "err_msg": None},
        {"err_code": -504002, "err_msg": "x", "code": -1},
    ],
)
def test_recorded_failure_refuses_wrong_types(arguments: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="RecordedFailure"):
        RecordedFailure(**arguments)


# ---------------------------------------------------------------------- exceptions


class SourceBroke(BaseException):
    pass


@pytest.mark.parametrize("raised", [SourceBroke("cassette miss"), KeyError("no such tape")])
def test_exceptions_from_a_source_propagate_unwrapped(
    cloud: WxCloud, raised: BaseException
) -> None:
    def broken(*args: Any) -> Any:
        raise raised

    later = Recorder({"job": "never"})
    cloud.functions.sources.extend([broken, later])
    with pytest.raises(type(raised)) as caught:
        cloud.call_function("job")
    assert caught.value is raised
    assert later.asked == []
    assert cloud.functions.calls[0].error is raised


def test_a_cloud_sdk_error_from_a_source_is_the_callee_failing(cloud: WxCloud) -> None:
    def failing(*args: Any) -> Any:
        raise CloudSDKError(-502005, "collection.get:fail -502005 database collection not exists")

    cloud.functions.sources.append(failing)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("job")
    assert caught.value.err_msg == (
        "callFunction:fail collection.get:fail -502005 database collection not exists"
    )
    assert caught.value.code == "FUNCTIONS_EXECUTE_FAIL"
    assert isinstance(caught.value.__cause__, CloudSDKError)


# ---------------------------------------------------------------------- not functions of the cloud


def test_sources_are_not_names_nor_unused_nor_contained(cloud: WxCloud) -> None:
    cloud.functions.sources.append(Recorder({"replayed": 1, "idle": 2}))
    cloud.functions.register("local", lambda event: 0)
    cloud.call_function("replayed")
    assert cloud.functions.names == ["local"]
    assert cloud.functions.unused() == ["function 'local'"]
    assert "replayed" not in cloud.functions
    assert cloud.functions.functions.keys() == {"local"}


def test_not_found_hint_lists_only_local_names(cloud: WxCloud) -> None:
    cloud.functions.sources.append(Recorder({}))
    cloud.functions.register("login", lambda event: 0)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("logn")
    assert "closest registered: login." in str(caught.value)


def test_timer_triggers_fire_registered_functions_only(cloud: WxCloud) -> None:
    source = Recorder({"job": "recorded"})
    cloud.functions.sources.append(source)
    with pytest.raises(CloudSDKError, match="FunctionName parameter could not be found"):
        cloud.trigger("job")
    assert source.asked == []


STRICT_TESTS = """
from pytest_wxcloud.functions import RecordedFailure


def tape(name, data, identity, caller, request_id):
    return {"replayed": "ok"}.get(name)


def test_an_idle_source_is_not_an_unused_route(wxcloud):
    wxcloud.functions.sources.append(tape)


def test_a_source_answering_is_fine(wxcloud):
    wxcloud.functions.sources.append(tape)
    assert wxcloud.call_function("replayed")["result"] == "ok"


def test_an_unused_route_still_fails(wxcloud):
    wxcloud.functions.sources.append(tape)
    wxcloud.functions.route("sendMail", result=None)
"""


def test_sources_do_not_count_for_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_strict=STRICT_TESTS)
    result = pytester.runpytest("-p", "no:xdist", "--wxcloud-strict")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_an_unused_route_still_fails _*",
            "wxcloud strict mode: registered but never called: route 'sendMail'",
        ]
    )
