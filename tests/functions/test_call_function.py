"""cloud.call_function as production's callFunction: shapes, identities, JSON boundary, log."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.functions import Caller, InvocationContext, current_cloud


def echo_context(cloud: WxCloud) -> None:
    @cloud.function("whoami")
    def whoami(event: dict[str, Any], context: InvocationContext) -> dict[str, Any]:
        return {"context": cloud.get_wx_context(), "event": event}


# --- callers: mini program, another function, the HTTP API ---------------------------------


def test_mini_program_call(cloud: WxCloud, alice: Identity) -> None:
    echo_context(cloud)
    reply = cloud.call_function("whoami", {"x": 1}, as_user=alice)
    assert list(reply) == ["result", "errMsg", "requestID"]
    assert reply["errMsg"] == "cloud.callFunction:ok"
    assert reply["result"]["context"] == alice.wx_context()
    assert reply["result"]["event"] == {
        "x": 1,
        "userInfo": {"appId": alice.appid, "openId": alice.openid},
    }


def test_inside_as_user_calls_come_from_that_user(cloud: WxCloud, alice: Identity) -> None:
    echo_context(cloud)
    with cloud.as_user(alice):
        reply = cloud.call_function("whoami")
    assert reply["errMsg"] == "cloud.callFunction:ok"
    assert reply["result"]["context"]["OPENID"] == alice.openid


def test_user_info_cannot_be_forged_by_the_client(cloud: WxCloud, alice: Identity) -> None:
    echo_context(cloud)
    forged = {"userInfo": {"openId": "o_someone_else", "appId": "wx_other"}}
    event = cloud.call_function("whoami", forged, as_user=alice)["result"]["event"]
    assert event["userInfo"] == {"appId": alice.appid, "openId": alice.openid}


def test_user_info_injection_can_be_switched_off(cloud: WxCloud, alice: Identity) -> None:
    echo_context(cloud)
    cloud.functions.inject_user_info = False
    assert cloud.call_function("whoami", {"x": 1}, as_user=alice)["result"]["event"] == {"x": 1}


def test_call_without_a_user_is_like_the_http_api(cloud: WxCloud) -> None:
    echo_context(cloud)
    reply = cloud.call_function("whoami", {"x": 1})
    assert reply["errMsg"] == "callFunction:ok"
    assert reply["result"]["context"] == {
        "APPID": cloud.appid,
        "ENV": "test-env",
        "SOURCE": "wx_http",
    }
    assert reply["result"]["event"] == {"x": 1, "userInfo": {"appId": cloud.appid}}


def chain(cloud: WxCloud) -> None:
    echo_context(cloud)

    @cloud.function("outer")
    def outer(event: dict[str, Any], context: InvocationContext) -> Any:
        return cloud.call_function("whoami", {"from": "outer"})


def test_function_to_function_call_by_default_does_not_carry_the_openid(
    cloud: WxCloud, alice: Identity
) -> None:
    chain(cloud)
    inner = cloud.call_function("outer", as_user=alice)["result"]
    assert inner["errMsg"] == "callFunction:ok"
    assert inner["result"]["context"] == {
        "APPID": alice.appid,
        "ENV": "test-env",
        "SOURCE": "wx_client,scf",
    }
    assert inner["result"]["event"] == {"from": "outer"}  # exactly the data, no userInfo


def test_openid_propagation_is_an_option(cloud: WxCloud, alice: Identity) -> None:
    chain(cloud)
    cloud.functions.propagate_openid = True
    context = cloud.call_function("outer", as_user=alice)["result"]["result"]["context"]
    assert context["OPENID"] == alice.openid and context["UNIONID"] == alice.unionid
    assert context["SOURCE"] == "wx_client,scf"


def test_source_keeps_chaining(cloud: WxCloud) -> None:
    chain(cloud)

    @cloud.function("outermost")
    def outermost(event: dict[str, Any], context: InvocationContext) -> Any:
        return cloud.call_function("outer")

    reply = cloud.call_function("outermost", as_user=cloud.user(source="wx_devtools"))
    assert reply["result"]["result"]["result"]["context"]["SOURCE"] == "wx_devtools,scf,scf"


def test_get_wx_context_is_restored_after_a_nested_call(cloud: WxCloud, alice: Identity) -> None:
    echo_context(cloud)

    @cloud.function("outer")
    def outer(event: dict[str, Any], context: InvocationContext) -> Any:
        before = cloud.get_wx_context()["SOURCE"]
        cloud.call_function("whoami")
        return [before, cloud.get_wx_context()["SOURCE"]]

    assert cloud.call_function("outer", as_user=alice)["result"] == ["wx_client", "wx_client"]
    assert cloud.get_wx_context() == {}


# --- os.environ for synchronous handlers -------------------------------------------------


def test_sync_handlers_see_the_caller_in_os_environ_which_is_restored(
    cloud: WxCloud, alice: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WX_OPENID", "o_before")
    monkeypatch.delenv("WX_UNIONID", raising=False)
    bob = cloud.user(unionid=None)

    @cloud.function("env")
    def env(event: dict[str, Any], context: InvocationContext) -> Any:
        seen = {k: os.environ.get(k) for k in ("WX_OPENID", "WX_UNIONID", "TCB_SOURCE")}
        if event.get("nested"):
            seen["inner"] = cloud.call_function("env", as_user=bob)["result"]
            seen["after_inner"] = os.environ.get("WX_OPENID")
        return seen

    result = cloud.call_function("env", {"nested": True}, as_user=alice)["result"]
    assert result["WX_OPENID"] == alice.openid and result["WX_UNIONID"] == alice.unionid
    assert result["inner"] == {
        "WX_OPENID": bob.openid,
        "WX_UNIONID": None,
        "TCB_SOURCE": "wx_client",
    }
    assert result["after_inner"] == alice.openid
    assert os.environ["WX_OPENID"] == "o_before" and "WX_UNIONID" not in os.environ


def test_config_env_variables_are_set_for_the_handler(
    cloud: WxCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MODE", raising=False)
    cloud.functions.register(
        "f", lambda event: os.environ.get("MODE"), config={"envVariables": {"MODE": "test"}}
    )
    assert cloud.call_function("f")["result"] == "test"
    assert "MODE" not in os.environ


def test_environ_patching_can_be_switched_off(
    cloud: WxCloud, alice: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WX_OPENID", raising=False)
    cloud.functions.patch_environ = False
    cloud.functions.register(
        "f", lambda event: [os.environ.get("WX_OPENID"), cloud.get_wx_context()["OPENID"]]
    )
    assert cloud.call_function("f", as_user=alice)["result"] == [None, alice.openid]


def test_threads_calling_sync_handlers_each_see_their_own_caller_in_os_environ(
    cloud: WxCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WX_OPENID", raising=False)
    users = [cloud.user() for _ in range(4)]

    @cloud.function("whoAmI")
    def who_am_i(event: dict[str, Any]) -> Any:
        first = os.environ.get("WX_OPENID")
        time.sleep(0.001)  # give another thread the chance to overwrite os.environ
        return [first, os.environ.get("WX_OPENID")]

    seen: dict[int, Any] = {}

    def work(index: int) -> None:
        for _ in range(5):
            seen.setdefault(index, []).append(
                cloud.call_function("whoAmI", as_user=users[index])["result"]
            )

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {i: [[u.openid, u.openid]] * 5 for i, u in enumerate(users)}
    assert "WX_OPENID" not in os.environ


def test_sync_async_sync_chain_under_a_running_loop_does_not_deadlock(
    cloud: WxCloud, alice: Identity, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The async handler runs on a helper thread (the test's loop cannot be re-entered) while
    # the outer synchronous handler holds os.environ; its synchronous callee must still run.
    monkeypatch.delenv("WX_OPENID", raising=False)
    cloud.functions.propagate_openid = True
    cloud.functions.register("inner", lambda event: os.environ.get("WX_OPENID"))

    @cloud.function("middle")
    async def middle(event: dict[str, Any]) -> Any:
        return cloud.call_function("inner")["result"]

    cloud.functions.register("outer", lambda event: cloud.call_function("middle")["result"])

    async def test_body() -> Any:
        return cloud.call_function("outer", as_user=alice)["result"]

    outcome: list[Any] = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(test_body())), daemon=True)
    runner.start()
    runner.join(timeout=60)  # a guard against hanging the suite, not a speed assertion
    assert outcome == [alice.openid], "the call chain deadlocked" if runner.is_alive() else ""
    assert "WX_OPENID" not in os.environ


# --- async handlers ---------------------------------------------------------------------


def test_async_handlers_run_and_see_their_caller(cloud: WxCloud, alice: Identity) -> None:
    @cloud.function("slowEcho")
    async def slow_echo(event: dict[str, Any], context: InvocationContext) -> Any:
        await asyncio.sleep(0)
        return {"openid": cloud.get_wx_context().get("OPENID"), "n": event["n"]}

    assert cloud.call_function("slowEcho", {"n": 3}, as_user=alice)["result"] == {
        "openid": alice.openid,
        "n": 3,
    }


def test_async_handler_called_from_a_running_event_loop(cloud: WxCloud, alice: Identity) -> None:
    @cloud.function("a")
    async def handler(event: dict[str, Any]) -> Any:
        return cloud.get_wx_context()["OPENID"]

    async def test_body() -> Any:
        return cloud.call_function("a", as_user=alice)["result"]

    assert asyncio.run(test_body()) == alice.openid


# --- the JSON boundary ------------------------------------------------------------------


def test_data_and_result_cross_a_json_boundary(cloud: WxCloud, alice: Identity) -> None:
    received: list[Any] = []

    @cloud.function("f")
    def f(event: dict[str, Any]) -> Any:
        received.append(event)
        event["mutated"] = True
        return {"when": datetime(2024, 5, 1, tzinfo=timezone.utc), "pair": (1, 2), "ratio": 3.0}

    data = {"when": datetime(1970, 1, 1, tzinfo=timezone.utc), "tags": ("a", "b")}
    reply = cloud.call_function("f", data)
    assert received[0]["when"] == "1970-01-01T00:00:00.000Z" and received[0]["tags"] == ["a", "b"]
    assert reply["result"] == {"when": "2024-05-01T00:00:00.000Z", "pair": [1, 2], "ratio": 3}
    assert "mutated" not in data and "mutated" not in cloud.functions.calls[0].data


def test_strings_and_none_come_back_as_they_were_returned(cloud: WxCloud) -> None:
    cloud.functions.register("text", lambda event: "plain text")
    cloud.functions.register("nothing", lambda event: None)
    assert cloud.call_function("text")["result"] == "plain text"
    assert cloud.call_function("nothing")["result"] is None


# --- request ids, handler forms, the call log -------------------------------------------


def test_request_ids_are_deterministic_and_distinct() -> None:
    def ids(seed: int) -> list[str]:
        cloud = WxCloud(seed=seed)
        cloud.functions.register("f", lambda event: 1)
        return [cloud.call_function("f")["requestID"] for _ in range(3)]

    first = ids(1)
    assert first == ids(1) and len(set(first)) == 3 and first != ids(2)


def test_context_object_describes_the_invocation(cloud: WxCloud) -> None:
    seen: list[InvocationContext] = []
    cloud.functions.register("f", lambda event, context: seen.append(context), timeout=20)
    reply = cloud.call_function("f")
    context = seen[0]
    assert context.function_name == "f" and context.request_id == reply["requestID"]
    assert context.namespace == "test-env" and context.time_limit_in_ms == 20000
    assert 0 < context.get_remaining_time_in_millis() <= 20000
    assert "TCB_SOURCE=wx_http" in context.environ.split(";")


def test_handlers_taking_only_the_event_are_accepted(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: event["a"] * 2)
    assert cloud.call_function("f", {"a": 2})["result"] == 4


def test_handlers_must_accept_event_and_context(cloud: WxCloud) -> None:
    with pytest.raises(TypeError, match=r"must accept \(event, context\) or \(event\)"):
        cloud.functions.register("f", lambda a, b, c: None)
    with pytest.raises(TypeError, match="must be callable"):
        cloud.functions.register("g", "not a function")  # type: ignore[arg-type]


def test_registering_a_name_twice_needs_replace(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: 1)
    with pytest.raises(ValueError, match="already registered.*replace=True"):
        cloud.functions.register("f", lambda event: 2)
    cloud.functions.register("f", lambda event: 2, replace=True)
    assert cloud.call_function("f")["result"] == 2


def test_the_call_log_records_every_call_in_start_order(cloud: WxCloud, alice: Identity) -> None:
    chain(cloud)
    cloud.call_function("outer", {"k": "v"}, as_user=alice)
    outer, inner = cloud.functions.calls
    assert (outer.name, outer.caller, outer.source, outer.openid) == (
        "outer",
        Caller.MINI_PROGRAM,
        "wx_client",
        alice.openid,
    )
    assert outer.data == {"k": "v", "userInfo": {"appId": alice.appid, "openId": alice.openid}}
    assert (inner.name, inner.caller, inner.source) == ("whoami", Caller.SERVER, "wx_client,scf")
    assert inner.result["event"] == {"from": "outer"} and inner.ok and inner.duration >= 0
    assert outer.result["result"] == inner.result
    assert [c.number for c in cloud.functions.calls] == [1, 2]
    assert cloud.functions.calls_to("whoami") == [inner]


def test_handlers_reach_their_cloud_with_current_cloud(cloud: WxCloud) -> None:
    cloud.functions.register("f", lambda event: current_cloud().env)
    assert cloud.call_function("f")["result"] == "test-env"
    with pytest.raises(RuntimeError, match="only available while a cloud function runs"):
        current_cloud()
