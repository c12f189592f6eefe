"""Concurrent invocations in one worker keep their own identities (node-runtime.md §5.2), and
writes a function does not await land before the call returns."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from pytest_wxcloud import Identity, WxCloud


def test_concurrent_users_each_see_their_own_context(cloud: WxCloud) -> None:
    users = [cloud.user() for _ in range(24)]
    cloud.call_function("quickstart", {"type": "getOpenId"}, as_user=users[0])  # warm worker

    def ask(index: int) -> tuple[str, str]:
        relayed = {"target": "quickstart", "data": {"type": "getOpenId"}}
        user = users[index]
        result = cloud.call_function("relay", relayed, as_user=user)["result"]
        return user.openid or "", result["me"]["OPENID"]

    with ThreadPoolExecutor(max_workers=12) as pool:
        pairs = list(pool.map(ask, range(len(users))))
    assert all(expected == seen for expected, seen in pairs)
    assert len({seen for _, seen in pairs}) == len(users)


def test_invocations_overlap_in_one_worker_each_with_its_identity(cloud: WxCloud) -> None:
    users = [cloud.user() for _ in range(8)]
    gather = {"how": "gather", "key": "overlap", "n": len(users)}

    def call(user: Identity) -> dict[str, str]:
        result: dict[str, str] = cloud.call_function("misbehave", gather, as_user=user)["result"]
        return result

    # each call returns only when all eight are in flight: serialized calls would time out
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        results = list(pool.map(call, users))
    assert [r["openid"] for r in results] == [u.openid for u in users]
    assert len({r["token"] for r in results}) == len(users)


def test_a_login_that_does_not_await_its_add_still_lands(cloud: WxCloud) -> None:
    alice, bob = cloud.user(), cloud.user()
    assert cloud.call_function("login", {"nickname": "A"}, as_user=alice)["result"] == {
        "created": True
    }
    assert [u["openid"] for u in cloud.dump("users")] == [alice.openid]
    again = cloud.call_function("login", {"nickname": "A"}, as_user=alice)["result"]
    assert again["created"] is False
    assert again["user"]["nickname"] == "A"
    assert again["user"]["createdAt"] == "2024-05-01T08:00:00.000Z"  # a Date crossed JSON
    cloud.call_function("login", {"nickname": "B"}, as_user=bob)
    assert sorted(u["nickname"] for u in cloud.dump("users")) == ["A", "B"]


def test_a_transaction_moves_points_or_rolls_back(cloud: WxCloud) -> None:
    cloud.seed({"accounts": [{"_id": "a", "points": 10}, {"_id": "b", "points": 0}]})
    moved = cloud.call_function("transfer", {"from": "a", "to": "b", "amount": 7})["result"]
    assert moved == {"ok": True, "moved": 7}
    refused = cloud.call_function("transfer", {"from": "a", "to": "b", "amount": 7})["result"]
    assert refused == {"ok": False, "reason": "insufficient points: 3"}
    assert {d["_id"]: d["points"] for d in cloud.dump("accounts")} == {"a": 3, "b": 7}
