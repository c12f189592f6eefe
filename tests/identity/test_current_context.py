"""cloud.get_wx_context(): the current invocation's identity, per thread and asyncio task."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from pytest_wxcloud import Identity, WxCloud


def test_outside_any_invocation_it_is_empty() -> None:
    assert WxCloud().get_wx_context() == {}


def test_as_user_makes_the_user_current_and_nesting_restores_the_outer() -> None:
    cloud = WxCloud(seed=1)
    alice, bob = cloud.user(), cloud.user()
    with cloud.as_user(alice):
        assert cloud.get_wx_context() == alice.wx_context()
        with cloud.as_user(bob):
            assert cloud.get_wx_context()["OPENID"] == bob.openid
        assert cloud.get_wx_context()["OPENID"] == alice.openid
    assert cloud.get_wx_context() == {}


def test_as_user_fills_in_the_clouds_env() -> None:
    cloud = WxCloud(env="env-x")
    with cloud.as_user(Identity(openid="oA")) as acting:
        assert acting.env == "env-x"
        assert cloud.get_wx_context()["ENV"] == "env-x"


def test_another_cloud_sees_no_invocation() -> None:
    one, two = WxCloud(seed=1), WxCloud(seed=2)
    with one.as_user(one.user()):
        assert two.get_wx_context() == {}


def test_as_user_rejects_what_is_not_an_identity() -> None:
    with pytest.raises(TypeError, match="as_user\\(\\) takes an Identity"), WxCloud().as_user("oA"):  # type: ignore[arg-type]
        pass


def test_as_user_does_not_touch_os_environ() -> None:
    cloud = WxCloud()
    before = os.environ.get("WX_OPENID")
    with cloud.as_user(cloud.user()):
        assert os.environ.get("WX_OPENID") == before


def test_threads_each_see_their_own_user() -> None:
    cloud = WxCloud(seed=9)
    users = [cloud.user() for _ in range(4)]
    barrier = threading.Barrier(len(users))
    seen: dict[int, object] = {}

    def work(index: int) -> None:
        with cloud.as_user(users[index]):
            barrier.wait()  # all four are inside as_user at the same time
            seen[index] = cloud.get_wx_context().get("OPENID")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(users))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == {i: u.openid for i, u in enumerate(users)}


def test_asyncio_tasks_each_see_their_own_user() -> None:
    cloud = WxCloud(seed=9)
    users = [cloud.user() for _ in range(3)]

    async def work(user: Identity) -> list[object]:
        observed = []
        with cloud.as_user(user):
            for _ in range(3):
                await asyncio.sleep(0)  # let the other tasks run inside their own as_user
                observed.append(cloud.get_wx_context()["OPENID"])
        return observed

    async def main() -> list[list[object]]:
        return list(await asyncio.gather(*(work(u) for u in users)))

    assert asyncio.run(main()) == [[u.openid] * 3 for u in users]
