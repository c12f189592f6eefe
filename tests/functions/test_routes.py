"""Canned routes: name + partial data match, result or error, once, first match wins."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.database.values import RegExp
from pytest_wxcloud.functions import RouteError


def test_a_route_answers_with_its_result(cloud: WxCloud, alice: Identity) -> None:
    cloud.functions.route("getConfig", result={"theme": "dark"})
    reply = cloud.call_function("getConfig", as_user=alice)
    assert reply["result"] == {"theme": "dark"} and reply["errMsg"] == "cloud.callFunction:ok"
    assert cloud.functions.calls[0].answered_by == "route 'getConfig'"


def test_nested_dicts_match_partially_and_first_match_wins(cloud: WxCloud) -> None:
    cloud.functions.route("shop", {"action": "buy", "item": {"sku": "A1"}}, result="bought A1")
    cloud.functions.route("shop", {"action": "buy"}, result="bought something")
    cloud.functions.route("shop", result="fallback")
    event = {"action": "buy", "item": {"sku": "A1", "qty": 2}, "extra": 1}
    assert cloud.call_function("shop", event)["result"] == "bought A1"
    assert (
        cloud.call_function("shop", {"action": "buy", "item": {"sku": "B"}})["result"]
        == "bought something"
    )
    assert cloud.call_function("shop", {"action": "list"})["result"] == "fallback"


def test_patterns_match_strings(cloud: WxCloud) -> None:
    cloud.functions.route("search", {"q": re.compile(r"^tea")}, result="tea results")
    cloud.functions.route("search", {"q": RegExp("coffee", "i")}, result="coffee results")
    assert cloud.call_function("search", {"q": "tea cups"})["result"] == "tea results"
    assert cloud.call_function("search", {"q": "Iced COFFEE"})["result"] == "coffee results"
    with pytest.raises(CloudSDKError, match="did not match the data"):
        cloud.call_function("search", {"q": 42})


def test_values_compare_as_json_with_javascript_equality(cloud: WxCloud) -> None:
    moment = datetime(2024, 5, 1, tzinfo=timezone.utc)
    cloud.functions.route("f", {"at": moment, "flag": True, "ids": [1, 2]}, result="matched")
    assert (
        cloud.call_function("f", {"at": moment, "flag": True, "ids": (1, 2)})["result"] == "matched"
    )
    with pytest.raises(CloudSDKError):
        cloud.call_function("f", {"at": moment, "flag": 1, "ids": [1, 2]})  # true !== 1
    with pytest.raises(CloudSDKError):
        cloud.call_function("f", {"at": moment, "flag": True, "ids": [1, 2, 3]})  # arrays are exact


def test_once_routes_answer_a_single_call(cloud: WxCloud) -> None:
    cloud.functions.route("pay", result={"status": "pending"}, once=True)
    cloud.functions.route("pay", result={"status": "paid"})
    assert [cloud.call_function("pay")["result"]["status"] for _ in range(3)] == [
        "pending",
        "paid",
        "paid",
    ]


def test_routes_take_precedence_over_a_handler_and_fall_back_to_it(cloud: WxCloud) -> None:
    cloud.functions.register("sendMessage", lambda event: "really sent")
    cloud.functions.route("sendMessage", {"to": "o_blocked"}, error="user refused messages")
    assert cloud.call_function("sendMessage", {"to": "o_ok"})["result"] == "really sent"
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("sendMessage", {"to": "o_blocked"})
    assert caught.value.errMsg == "callFunction:fail user refused messages"
    assert caught.value.code == "FUNCTIONS_EXECUTE_FAIL"


def test_an_exception_route_is_raised_as_given(cloud: WxCloud) -> None:
    error = CloudSDKError(-1, "callFunction:fail custom", code="SOMETHING")
    cloud.functions.route("f", error=error)
    with pytest.raises(CloudSDKError) as caught:
        cloud.call_function("f")
    assert caught.value is error


def test_route_results_are_copies(cloud: WxCloud) -> None:
    cloud.functions.route("list", result={"items": [1]})
    cloud.call_function("list")["result"]["items"].append(2)
    assert cloud.call_function("list")["result"] == {"items": [1]}


def test_minium_style_rule_dicts(cloud: WxCloud) -> None:
    cloud.functions.add_routes(
        [
            {"name": "login", "data": {"code": "bad"}, "error": "invalid code"},
            {"name": "login", "result": {"openid": "o_test"}, "once": True},
        ]
    )
    with pytest.raises(CloudSDKError, match="invalid code"):
        cloud.call_function("login", {"code": "bad"})
    assert cloud.call_function("login", {"code": "ok"})["result"] == {"openid": "o_test"}


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (["login"], "a route rule must be a dict like"),
        (
            [{"name": "x", "reply": 1}],
            "unknown key.*'reply'.*accepted: name, data, result, error, once",
        ),
        ([{"data": {}}], "has no 'name'"),
        ([{"name": "x", "data": [1]}], "data must be a dict"),
        ([{"name": "x", "result": 1, "error": "e"}], "either result or error"),
        ([{"name": "x", "once": "yes"}], "once must be True or False"),
        ([{"name": "x", "error": 42}], "error must be a message str or an exception"),
        ([{"name": "x", "result": {1, 2}}], "cannot send"),
    ],
)
def test_bad_rules_are_rejected_with_the_accepted_form(
    cloud: WxCloud, rules: list[object], message: str
) -> None:
    with pytest.raises((RouteError, TypeError), match=message):
        cloud.functions.add_routes(rules)  # type: ignore[arg-type]


def test_add_routes_wants_a_list(cloud: WxCloud) -> None:
    with pytest.raises(TypeError, match="list of rule dicts"):
        cloud.functions.add_routes({"name": "x"})  # type: ignore[arg-type]


def test_unused_lists_routes_and_handlers_never_called(cloud: WxCloud) -> None:
    cloud.functions.route("a", result=1)
    cloud.functions.route("b", {"k": 1}, result=2, once=True)
    cloud.functions.register("c", lambda event: 3)
    cloud.call_function("a")
    assert cloud.functions.unused() == ["route 'b' data={'k': 1} once", "function 'c'"]
