"""What the function sees: event, SCF context, getWXContext, env, and Date on the cloud clock."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from pytest_wxcloud import WxCloud

START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)  # the conftest's frozen clock


def _context_call(cloud: WxCloud, **kwargs: object) -> dict[str, object]:
    result = cloud.call_function("quickstart", {"type": "context"}, **kwargs)["result"]  # type: ignore[arg-type]
    assert isinstance(result, dict)
    return result


def test_event_carries_user_info_for_a_mini_program_caller(cloud: WxCloud) -> None:
    alice = cloud.user()
    event = _context_call(cloud, as_user=alice)["event"]
    assert event == {"type": "context", "userInfo": {"appId": alice.appid, "openId": alice.openid}}


def test_context_has_the_scf_shape(cloud: WxCloud) -> None:
    response = cloud.call_function("quickstart", {"type": "context"}, as_user=cloud.user())
    context = response["result"]["context"]
    assert set(context) == {
        "request_id",
        "function_name",
        "namespace",
        "memory_limit_in_mb",
        "time_limit_in_ms",
        "function_version",
        "environment",
    }
    assert context["request_id"] == response["requestID"]
    assert context["function_name"] == "quickstart"
    assert context["namespace"] == "test-env"
    assert context["time_limit_in_ms"] == 3000  # no config.json: the 3 s default
    environment = json.loads(context["environment"])
    assert environment["TCB_ENV"] == environment["SCF_NAMESPACE"] == "test-env"
    assert environment["TENCENTCLOUD_RUNENV"] == "SCF"  # no metadata probes (node-runtime.md §5.3)


def test_each_invocation_gets_its_own_token_revoked_afterwards(cloud: WxCloud) -> None:
    first = _context_call(cloud, as_user=cloud.user())["context"]
    second = _context_call(cloud, as_user=cloud.user())["context"]
    tokens = [json.loads(c["environment"])["WX_API_TOKEN"] for c in (first, second)]  # type: ignore[index]
    assert tokens[0] != tokens[1]
    assert all(cloud.cloudbase.tokens.resolve(t) is None for t in tokens)


def test_date_follows_the_frozen_cloud_clock_and_server_date_agrees(cloud: WxCloud) -> None:
    alice = cloud.user()
    assert _context_call(cloud, as_user=alice)["now"] == "2024-05-01T08:00:00.000Z"
    cloud.clock.advance(timedelta(days=1))
    assert _context_call(cloud, as_user=alice)["dateNow"] == int(
        (START + timedelta(days=1)).timestamp() * 1000
    )
    cloud.call_function("login", {"nickname": "A"}, as_user=alice)
    (user,) = cloud.dump("users")
    assert user["createdAt"] == user["seenAt"] == START + timedelta(days=1)


def test_http_api_caller_has_no_user(cloud: WxCloud) -> None:
    result = cloud.call_function("quickstart", {"type": "getOpenId"})["result"]
    assert result == {"appid": cloud.appid, "env": "test-env", "source": "wx_http"}


def test_timer_trigger_runs_with_the_trigger_event_and_no_user(cloud: WxCloud) -> None:
    result = cloud.trigger("cron")
    assert result["event"] == {
        "Type": "Timer",
        "TriggerName": "morning",
        "Time": "2024-05-01T08:00:00Z",
        "Message": "",
    }
    assert result["context"] == {"ENV": "test-env", "SOURCE": "wx_trigger"}
    assert [run["trigger"] for run in cloud.dump("runs")] == ["morning"]
