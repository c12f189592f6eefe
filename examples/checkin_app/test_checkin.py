"""The check-in app, tested the way its mini program uses it: three users, two functions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_wxcloud import CloudSDKError, Identity, WxCloud


def check_in(app: WxCloud, user: Identity) -> dict:
    return app.call_function("checkIn", as_user=user)["result"]


def test_login_registers_the_caller_once(app: WxCloud, alice: Identity) -> None:
    first = app.call_function("login", as_user=alice)
    assert first["errMsg"] == "cloud.callFunction:ok"
    assert first["result"]["created"] is True
    assert first["result"]["user"]["_openid"] == alice.openid

    again = app.call_function("login", as_user=alice)["result"]
    assert again["created"] is False
    assert again["user"]["_id"] == first["result"]["user"]["_id"]
    assert len(app.dump("users")) == 1


def test_three_users_collect_points_independently(
    app: WxCloud, alice: Identity, bob: Identity, carol: Identity
) -> None:
    assert check_in(app, alice) == {"ok": True, "points": 10}
    assert check_in(app, bob) == {"ok": True, "points": 10}
    app.clock.advance(timedelta(days=1))
    assert check_in(app, alice) == {"ok": True, "points": 20}
    assert check_in(app, carol) == {"ok": True, "points": 10}

    points = {doc["_openid"]: doc["points"] for doc in app.dump("users")}
    assert points == {alice.openid: 20, bob.openid: 10, carol.openid: 10}


@pytest.mark.wxcloud(seed=2024)
def test_second_check_in_on_the_same_day_is_refused(app: WxCloud, alice: Identity) -> None:
    app.clock.freeze(datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc))
    assert check_in(app, alice)["ok"] is True
    app.clock.advance(timedelta(hours=15))  # 23:00 UTC, still May 1st
    assert check_in(app, alice) == {"ok": False, "error": "already checked in today", "points": 10}
    app.clock.advance(timedelta(hours=1))
    assert check_in(app, alice) == {"ok": True, "points": 20}


def test_check_in_calls_login_as_a_server_side_caller(app: WxCloud, bob: Identity) -> None:
    check_in(app, bob)
    outer, inner = app.functions.calls
    assert (outer.name, outer.source, outer.openid) == ("checkIn", "wx_client", bob.openid)
    # The callee runs in the function chain and, by default, without the user's OPENID: the
    # app has to pass it explicitly, which is what works whatever production does.
    assert (inner.name, inner.source, inner.openid) == ("login", "wx_client,scf", None)
    assert inner.data == {"openid": bob.openid}


def test_a_forged_openid_from_the_mini_program_is_ignored(
    app: WxCloud, alice: Identity, bob: Identity
) -> None:
    result = app.call_function("login", {"openid": bob.openid}, as_user=alice)["result"]
    assert result["user"]["_openid"] == alice.openid


def test_without_a_user_nothing_is_written(app: WxCloud) -> None:
    result = app.call_function("checkIn")  # like the HTTP API: no OPENID
    assert result["result"] == {"ok": False, "error": "not logged in"}
    assert app.dump("users") == []


def test_a_failing_login_surfaces_as_the_callers_error(app: WxCloud, alice: Identity) -> None:
    app.functions.route("login", error="database is down")
    with pytest.raises(CloudSDKError) as caught:
        check_in(app, alice)
    # checkIn (the server-side caller) got callFunction:fail …; the mini program sees checkIn fail.
    assert caught.value.errCode == -404011
    assert "callFunction:fail database is down" in caught.value.errMsg
    assert app.functions.calls[1].error is not None


def test_handlers_come_from_the_cloudfunctions_folder(app: WxCloud) -> None:
    check_in_function = app.functions.functions["checkIn"]
    assert check_in_function.origin.endswith("cloudfunctions/checkIn")
    assert check_in_function.timeout == 5.0
    assert check_in_function.config.openapi == ("subscribeMessage.send",)
