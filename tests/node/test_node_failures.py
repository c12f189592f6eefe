"""Errors, rejections, timeouts, crashes: the same failures a Python handler's would give, and
the worker recovers for the next call."""

from __future__ import annotations

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.functions.failures import HandlerFailed


def _fail(cloud: WxCloud, how: str) -> CloudSDKError:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("misbehave", {"how": how})
    return caught.value


def _pid(cloud: WxCloud) -> int:
    pid = cloud.call_function("misbehave", {"how": "pid"})["result"]
    assert isinstance(pid, int)
    return pid


def test_a_thrown_error_is_the_callee_failing_with_its_message(cloud: WxCloud) -> None:
    error = _fail(cloud, "throw")
    assert error.err_code == -1  # an HTTP-API / server caller: wx-server-sdk's shape
    assert error.err_msg == "callFunction:fail Error: kaput"
    assert error.code == "FUNCTIONS_EXECUTE_FAIL"
    explained = error.__cause__
    assert isinstance(explained, HandlerFailed)
    assert "misbehave/index.js:" in str(explained)  # the stack names the file and line
    assert "about to fail" in str(explained)  # and the function's output comes along


def test_a_python_handler_failing_gives_the_same_shape(cloud: WxCloud) -> None:
    @cloud.function("pythonic")
    def pythonic(event: object, context: object) -> None:
        raise RuntimeError("kaput")

    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("pythonic")
    node = _fail(cloud, "throw")
    assert (caught.value.err_code, caught.value.code) == (node.err_code, node.code)
    assert caught.value.err_msg.rsplit(" ", 1)[-1] == node.err_msg.rsplit(" ", 1)[-1]


def test_an_unhandled_rejection_fails_the_invocation(cloud: WxCloud) -> None:
    assert _fail(cloud, "reject-later").err_msg == "callFunction:fail Error: nobody awaited me"


def test_an_uncaught_exception_fails_the_invocation_and_the_worker_lives(cloud: WxCloud) -> None:
    before = _pid(cloud)
    assert _fail(cloud, "uncaught").err_msg == "callFunction:fail TypeError: thrown from a timer"
    assert _pid(cloud) == before


def test_an_sdk_error_keeps_the_sdks_message(cloud: WxCloud) -> None:
    error = _fail(cloud, "missing-collection")
    assert error.err_msg.startswith("callFunction:fail collection.get:fail -502005")


def test_process_exit_fails_the_call_and_a_new_worker_serves_the_next(cloud: WxCloud) -> None:
    before = _pid(cloud)
    error = _fail(cloud, "exit")
    assert "exited with code 3" in error.err_msg
    assert _pid(cloud) != before


def test_timeout_kills_at_the_configured_limit_and_keeps_what_was_written(
    cloud: WxCloud,
) -> None:
    error = _fail(cloud, "sleep")  # config.json: "timeout": 1
    assert error.err_msg == "callFunction:fail Invoking task timed out after 1 seconds"
    assert error.code == "FUNCTIONS_TIME_LIMIT_EXCEEDED"
    assert [m["at"] for m in cloud.dump("marks")] == ["before-sleep"]
    (call,) = cloud.functions.calls_to("misbehave")
    assert not call.ok


def test_a_function_spinning_forever_is_killed_and_replaced(cloud: WxCloud) -> None:
    before = _pid(cloud)
    assert "timed out after 1 seconds" in _fail(cloud, "spin").err_msg
    assert _pid(cloud) != before


def test_a_result_json_cannot_carry_fails_like_a_python_one(cloud: WxCloud) -> None:
    error = _fail(cloud, "bigint")
    assert error.err_msg == (
        "callFunction:fail the return value is not JSON: Do not know how to serialize a BigInt"
    )


def test_returning_undefined_gives_null(cloud: WxCloud) -> None:
    assert cloud.call_function("misbehave", {"how": "nothing"})["result"] is None


def test_console_output_is_in_the_call_log_and_on_stdout(
    cloud: WxCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud.call_function("misbehave", {"how": "fine"})
    with pytest.raises(CloudSDKError):
        cloud.call_function("misbehave", {"how": "throw"})
    ok, failed = cloud.functions.calls_to("misbehave")
    assert ok.logs == "starting fine\n"
    assert failed.logs == "starting throw\nabout to fail\n"
    assert capsys.readouterr().out == (
        "[misbehave] starting fine\n[misbehave] starting throw\n[misbehave] about to fail\n"
    )
