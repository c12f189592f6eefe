"""Timer triggers: the trigger event, wx_trigger source, no user."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import Caller

CONFIG = {"triggers": [{"name": "morning", "type": "timer", "config": "0 0 7 * * * *"}]}


def test_trigger_fires_with_the_timer_event_and_no_user() -> None:
    cloud = WxCloud(env="prod-1", now=datetime(2024, 5, 1, 7, 0, 0, 250000, tzinfo=timezone.utc))
    seen: list[Any] = []

    @cloud.function("remind", config=CONFIG)
    def remind(event: dict[str, Any], context: Any) -> str:
        seen.append((event, cloud.get_wx_context()))
        return "sent"

    assert cloud.trigger("remind") == "sent"
    event, context = seen[0]
    assert event == {
        "Type": "Timer",
        "TriggerName": "morning",
        "Time": "2024-05-01T07:00:00Z",
        "Message": "",
    }
    assert context == {"ENV": "prod-1", "SOURCE": "wx_trigger"}
    call = cloud.functions.calls[0]
    assert (call.caller, call.trigger_name, call.source, call.openid) == (
        Caller.TIMER,
        "morning",
        "wx_trigger",
        None,
    )


def test_trigger_name_must_be_declared_when_the_config_has_triggers() -> None:
    cloud = WxCloud()
    cloud.functions.register("remind", lambda event: None, config=CONFIG)
    with pytest.raises(
        ValueError, match="declares the timer trigger\\(s\\) 'morning'.*got trigger_name='evening'"
    ):
        cloud.trigger("remind", trigger_name="evening")


def test_functions_without_declared_triggers_take_any_name() -> None:
    cloud = WxCloud()
    cloud.functions.register("job", lambda event: event["TriggerName"])
    assert cloud.trigger("job") == "timer"
    assert cloud.trigger("job", trigger_name="nightly") == "nightly"


def test_a_failing_timer_handler_raises_its_own_exception() -> None:
    cloud = WxCloud()

    @cloud.function("job")
    def job(event: dict[str, Any]) -> None:
        raise KeyError("missing")

    with pytest.raises(KeyError, match="missing"):
        cloud.trigger("job")
    assert isinstance(cloud.functions.calls[0].error.__cause__, KeyError)  # type: ignore[union-attr]


def test_timer_handlers_calling_functions_start_a_wx_trigger_chain() -> None:
    cloud = WxCloud()
    cloud.functions.register("child", lambda event: cloud.get_wx_context()["SOURCE"])
    cloud.functions.register("job", lambda event: cloud.call_function("child")["result"])
    assert cloud.trigger("job") == "wx_trigger,scf"


def test_triggering_an_unknown_function() -> None:
    with pytest.raises(Exception, match="FunctionName parameter could not be found"):
        WxCloud().trigger("nothing")
