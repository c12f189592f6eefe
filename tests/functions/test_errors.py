"""callFunction failures carry production's errCode / errMsg / code (reference sdk.md §2.1, §2.3)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from pytest_wxcloud import CloudSDKError, Identity, WxCloud


def failing(cloud: WxCloud) -> None:
    @cloud.function("boom")
    def boom(event: dict[str, Any]) -> Any:
        raise ValueError("bad input")


def test_handler_exception_for_a_server_side_caller(cloud: WxCloud) -> None:
    failing(cloud)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("boom")
    error = caught.value
    assert error.errCode == -1
    assert error.errMsg == "callFunction:fail ValueError: bad input"
    assert error.code == "FUNCTIONS_EXECUTE_FAIL"
    assert error.request_id == cloud.functions.calls[0].request_id
    assert isinstance(error.__cause__, ValueError)  # the handler's traceback is kept
    assert cloud.functions.calls[0].error is error


def test_handler_exception_for_a_mini_program_caller(cloud: WxCloud, alice: Identity) -> None:
    failing(cloud)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("boom", as_user=alice)
    rid = cloud.functions.calls[0].request_id
    assert caught.value.errCode == -404011
    assert caught.value.errMsg == (
        f"cloud.callFunction:fail requestID {rid}, cloud function service error code -504002, "
        "error message ValueError: bad input"
    )


def test_a_callee_failure_reaches_the_calling_function_as_an_exception(cloud: WxCloud) -> None:
    failing(cloud)

    @cloud.function("caller")
    def caller(event: dict[str, Any]) -> Any:
        try:
            cloud.call_function("boom")
        except CloudSDKError as exc:
            return {"errCode": exc.errCode, "errMsg": exc.errMsg}
        return "not reached"

    assert cloud.call_function("caller")["result"] == {
        "errCode": -1,
        "errMsg": "callFunction:fail ValueError: bad input",
    }


def test_unknown_function_lists_the_closest_names(cloud: WxCloud) -> None:
    for name in ("login", "logout", "checkIn"):
        cloud.functions.register(name, lambda event: None)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("lgoin")
    error = caught.value
    assert error.errMsg == "callFunction:fail FunctionName parameter could not be found."
    assert error.errCode == -1 and error.code == "ResourceNotFound.FunctionName"
    assert "closest registered: login, logout" in str(error)
    assert cloud.functions.calls[0].error is error


def test_unknown_function_from_the_mini_program(cloud: WxCloud, alice: Identity) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("missing", as_user=alice)
    assert caught.value.errCode == -501000
    assert (
        caught.value.errMsg == "cloud.callFunction:fail FunctionName parameter could not be found."
    )
    assert "none are registered" in str(caught.value)


@pytest.mark.parametrize(("name", "kind"), [(1, "number"), (None, "null"), (["a"], "array")])
def test_name_must_be_a_string(cloud: WxCloud, name: object, kind: str) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function(name)  # type: ignore[arg-type]
    assert caught.value.errCode == -1
    assert caught.value.errMsg == f"parameter.name should be string instead of {kind};"
    assert (
        str(caught.value)
        == f"errCode: -1 unknown error | errMsg: parameter.name should be string instead of {kind};"
    )


@pytest.mark.parametrize(("data", "kind"), [([1, 2], "array"), ("x", "string"), (3, "number")])
def test_data_must_be_an_object(cloud: WxCloud, data: object, kind: str) -> None:
    cloud.functions.register("f", lambda event: None)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("f", data)  # type: ignore[arg-type]
    assert caught.value.errMsg == f"parameter.data should be object instead of {kind};"
    assert cloud.functions.calls == []


def test_data_json_cannot_carry_is_rejected_before_sending(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: None)
    with pytest.raises(
        CloudSDKError, match=r"cannot send \{1\} \(set\) at data\.ids as JSON \(use a list\)"
    ):
        cloud.call_function("f", {"ids": {1}})
    loop: dict[str, Any] = {}
    loop["me"] = loop
    with pytest.raises(CloudSDKError, match="callFunction:fail 对象出现了循环引用"):
        cloud.call_function("f", loop)
    assert cloud.functions.calls == []


def test_result_json_cannot_carry_is_a_callee_failure(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: {"handle": object()})
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("f")
    assert caught.value.code == "FUNCTIONS_EXECUTE_FAIL"
    assert (
        "the return value is not JSON" in caught.value.errMsg
        and "result.handle" in caught.value.errMsg
    )


def test_sync_handler_past_its_timeout(cloud: WxCloud) -> None:
    @cloud.function("slow")  # default timeout: 3 s
    def slow(event: dict[str, Any]) -> Any:
        cloud.clock.advance(3.5)  # simulated work
        return "done"

    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("slow")
    assert caught.value.errMsg == "callFunction:fail Invoking task timed out after 3 seconds"
    assert cloud.functions.calls[0].duration >= 3.5


def test_config_timeout_is_honoured(cloud: WxCloud, alice: Identity) -> None:
    cloud.functions.register(
        "job", lambda event: cloud.clock.advance(10) and "ok", config={"timeout": 20}
    )
    assert cloud.call_function("job", as_user=alice)["result"] == "ok"
    cloud.functions.register("quick", lambda event: cloud.clock.advance(2) and "ok", timeout=1)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("quick", as_user=alice)
    assert caught.value.errCode == -504003
    assert caught.value.errMsg.endswith("error message Invoking task timed out after 1 seconds")


def test_async_handler_is_cancelled_at_its_timeout(cloud: WxCloud) -> None:
    finished: list[bool] = []

    @cloud.function("hang", timeout=0.05)
    async def hang(event: dict[str, Any]) -> Any:
        await asyncio.sleep(5)
        finished.append(True)

    with pytest.raises(CloudSDKError, match="timed out after 0.05 seconds"):
        cloud.call_function("hang")
    assert finished == []


def test_the_callers_own_timeout_gives_request_timeout(cloud: WxCloud) -> None:
    cloud.functions.register("job", lambda event: cloud.clock.advance(20) and "ok", timeout=60)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("job")  # HTTP-API caller: waits 5 s
    assert caught.value.errMsg == "callFunction:fail request timeout"
    assert caught.value.code == "ESOCKETTIMEDOUT"
    assert cloud.call_function("job", timeout=30)["result"] == "ok"


def test_mini_program_request_data_over_100_kb(cloud: WxCloud, alice: Identity) -> None:
    cloud.functions.register("upload", lambda event: len(event["blob"]))
    blob = "x" * (100 * 1024)
    with pytest.raises(CloudSDKError, match="exceeds the limit of 102400 bytes") as caught:
        cloud.call_function("upload", {"blob": blob}, as_user=alice)
    assert caught.value.errMsg.startswith("cloud.callFunction:fail request data size")
    assert cloud.call_function("upload", {"blob": blob})["result"] == len(blob)  # server side: 6 MB


def test_result_over_the_platform_limit(cloud: WxCloud) -> None:
    cloud.functions.register("dump", lambda event: "x" * (1024 * 1024))
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("dump")
    assert caught.value.errCode == -604001
    assert caught.value.errMsg.startswith(
        "callFunction:fail -604001 cloudfunction result size exceed limit (1MB)."
    )


def test_as_user_must_be_an_identity(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: None)
    with pytest.raises(TypeError, match="as_user must be an Identity"):
        cloud.call_function("f", as_user="o_alice")  # type: ignore[arg-type]
