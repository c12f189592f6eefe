"""Each thread or asyncio task is answered by the cloud of its own ``mock_http()`` block."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable

import httpx
import pytest
from httpkit import API

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.router import AmbiguousCloudError


def collections_seen(cloud: WxCloud) -> list[str]:
    body = httpx.post(
        "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": cloud.env}
    ).json()
    return [entry["name"] for entry in body["collections"]]


def two_clouds() -> tuple[WxCloud, WxCloud]:
    first, second = WxCloud(env="env-one", seed=1), WxCloud(env="env-two", seed=2)
    first.seed({"only_in_one": [{"n": 1}]})
    second.seed({"only_in_two": [{"n": 2}]})
    return first, second


def run_in_lockstep(*jobs: Callable[[threading.Barrier], object]) -> list[object]:
    """Every job enters its block, waits for all the others to be inside theirs, then calls."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            results[index] = jobs[index](barrier)
        except BaseException as error:  # surfaced below, in the test's thread
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    if errors:
        raise errors[0]
    return results


def open_meanwhile(cloud: WxCloud) -> Callable[[threading.Barrier], object]:
    """A job that keeps ``cloud``'s block open while the other job runs."""

    def run(barrier: threading.Barrier) -> object:
        with cloud.mock_http():
            barrier.wait()
            barrier.wait()
        return None

    return run


def test_two_threads_each_get_their_own_cloud() -> None:
    first, second = two_clouds()

    def job(cloud: WxCloud) -> Callable[[threading.Barrier], object]:
        def run(barrier: threading.Barrier) -> object:
            with cloud.mock_http():
                barrier.wait()  # both blocks are open now
                seen = collections_seen(cloud)
                barrier.wait()  # neither block closes before both have asked
                return seen

        return run

    assert run_in_lockstep(job(first), job(second)) == [["only_in_one"], ["only_in_two"]]


def test_two_asyncio_tasks_each_get_their_own_cloud() -> None:
    first, second = two_clouds()

    async def task(cloud: WxCloud, both_inside: asyncio.Barrier) -> list[str]:
        with cloud.mock_http():
            await both_inside.wait()
            async with httpx.AsyncClient() as client:
                response = await client.post(
                    "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": cloud.env}
                )
            await both_inside.wait()
        return [entry["name"] for entry in response.json()["collections"]]

    async def main() -> list[list[str]]:
        barrier = asyncio.Barrier(2)
        return list(await asyncio.gather(task(first, barrier), task(second, barrier)))

    assert asyncio.run(main()) == [["only_in_one"], ["only_in_two"]]


def test_worker_thread_without_a_block_is_answered_by_the_one_open_cloud() -> None:
    first, _ = two_clouds()
    seen: list[list[str]] = []
    with first.mock_http():
        worker = threading.Thread(target=lambda: seen.append(collections_seen(first)))
        worker.start()
        worker.join()
    assert seen == [["only_in_one"]]


def test_worker_thread_of_a_nested_block_gets_the_innermost_cloud() -> None:
    first, second = two_clouds()
    seen: list[list[str]] = []
    with first.mock_http(), second.mock_http():
        worker = threading.Thread(target=lambda: seen.append(collections_seen(second)))
        worker.start()
        worker.join()
    assert seen == [["only_in_two"]]


def test_worker_thread_is_refused_when_open_clouds_are_unrelated() -> None:
    first, second = two_clouds()

    def outsider(barrier: threading.Barrier) -> object:
        barrier.wait()
        try:
            with pytest.raises(AmbiguousCloudError, match="env-one, env-two"):
                httpx.get(f"{API}/cgi-bin/token")
        finally:
            barrier.wait()
        return None

    with first.mock_http():
        run_in_lockstep(open_meanwhile(second), outsider)


def test_copied_context_carries_the_block_into_a_thread() -> None:
    first, second = two_clouds()
    seen: list[list[str]] = []

    def copied(barrier: threading.Barrier) -> object:
        barrier.wait()
        try:
            seen.append(context.run(collections_seen, first))
        finally:
            barrier.wait()
        return None

    with first.mock_http():
        context = contextvars.copy_context()
        run_in_lockstep(open_meanwhile(second), copied)
    assert seen == [["only_in_one"]]


def test_block_ended_in_another_context_still_closes() -> None:
    cloud = WxCloud(seed=5)
    block = cloud.mock_http()
    contextvars.copy_context().run(block.__enter__)
    block.__exit__(None, None, None)
    # nothing answers any more: the user's respx route does
    import respx

    with respx.mock() as user:
        user.get(f"{API}/cgi-bin/token").respond(json={"mine": True})
        assert httpx.get(f"{API}/cgi-bin/token").json() == {"mine": True}
