"""The JS functions, unmodified, driven from pytest the way the mini program calls them."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pytest_wxcloud import CloudSDKError, Identity, WxCloud


def todos(app: WxCloud, user: Identity, action: str, **data: object) -> object:
    return app.call_function("todos", {"action": action, **data}, as_user=user)["result"]


def test_each_user_sees_only_their_own_items(app: WxCloud, alice: Identity, bob: Identity) -> None:
    todos(app, alice, "add", title="buy milk")
    todos(app, bob, "add", title="walk the dog")
    todos(app, alice, "add", title="call mum")
    assert [t["title"] for t in todos(app, alice, "list")] == ["buy milk", "call mum"]
    assert [t["title"] for t in todos(app, bob, "list")] == ["walk the dog"]


def test_nobody_finishes_someone_elses_item(app: WxCloud, alice: Identity, bob: Identity) -> None:
    item = todos(app, alice, "add", title="buy milk")
    assert todos(app, bob, "finish", id=item["_id"]) == {"finished": 0}
    assert todos(app, alice, "finish", id=item["_id"]) == {"finished": 1}
    assert todos(app, alice, "list")[0]["done"] is True


def test_a_thrown_error_reaches_the_mini_program(app: WxCloud, alice: Identity) -> None:
    with pytest.raises(CloudSDKError) as caught:
        todos(app, alice, "add")
    assert caught.value.err_code == -404011
    assert caught.value.err_msg.endswith("error message Error: title is required")
    (call,) = app.functions.calls
    assert call.logs == f"todos.add by {alice.openid}\n"  # the function's console output


def test_the_morning_digest_counts_open_items(app: WxCloud, alice: Identity, bob: Identity) -> None:
    app.clock.freeze(datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc))
    todos(app, alice, "add", title="a")
    todos(app, alice, "add", title="b")
    done = todos(app, bob, "add", title="c")
    todos(app, bob, "finish", id=done["_id"])
    assert app.trigger("digest") == {"day": "2024-05-01", "users": 1}
    (digest,) = app.dump("digests")
    assert digest["open"] == [{"_id": alice.openid, "open": 2}]
