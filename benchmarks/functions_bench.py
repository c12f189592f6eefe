"""Per-test cost of the plugin: fixture set-up plus one ``call_function``, against a bare call.

    python benchmarks/functions_bench.py
    WXCLOUD_BENCH_QUICK=1 python benchmarks/functions_bench.py   # fewer rounds, for CI

"Fixture-equivalent" is what the ``wxcloud`` + ``wx_user`` fixtures do for a test (a fresh
cloud seeded from the node id, one user) plus registering a handler and calling it once as that
user. It is measured with and without HTTP interception (``cloud.mock_http()``), which the
``wxcloud`` fixture also turns on. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import timeit
import zlib
from collections.abc import Callable
from typing import Any

from pytest_wxcloud import WxCloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
ROUNDS = 300 if QUICK else 3_000
NODE_ID = "tests/test_app.py::test_login_stores_the_openid"


def best(fn: Callable[[], Any], number: int, repeat: int = 5) -> float:
    """Seconds per call, best of ``repeat`` (the least disturbed by other load)."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"ok": True, "n": event["n"] + 1}


def bare_call() -> Any:
    return handler({"n": 1}, None)


def per_test() -> Any:
    cloud = WxCloud(seed=zlib.crc32(NODE_ID.encode()))
    user = cloud.user()
    cloud.functions.register("add", handler)
    return cloud.call_function("add", {"n": 1}, as_user=user)


def per_test_with_http() -> Any:
    cloud = WxCloud(seed=zlib.crc32(NODE_ID.encode()))
    with cloud.mock_http():
        user = cloud.user()
        cloud.functions.register("add", handler)
        return cloud.call_function("add", {"n": 1}, as_user=user)


def held(fn: Callable[[], Any], rounds: int) -> float:
    """The plugin holds the one respx router for the session, so a block is a push and a pop."""
    from pytest_wxcloud.http.router import SWITCHBOARD

    SWITCHBOARD.hold()
    try:
        return best(fn, rounds)
    finally:
        SWITCHBOARD.release()


def call_only() -> Callable[[], Any]:
    cloud = WxCloud(seed=1)
    user = cloud.user()
    cloud.functions.register("add", handler)
    calls = cloud.functions.calls

    def run() -> Any:
        calls.clear()  # keep the log from growing over thousands of rounds
        return cloud.call_function("add", {"n": 1}, as_user=user)

    return run


def main() -> None:
    bare = best(bare_call, ROUNDS * 100)
    figures = {
        "fresh WxCloud()": best(lambda: WxCloud(seed=7), ROUNDS),
        "cloud.user()": best(WxCloud(seed=7).user, ROUNDS),
        "call_function (warm cloud)": best(call_only(), ROUNDS),
        "fixture set-up + 1 call_function": best(per_test, ROUNDS),
        "... with a cold mock_http() block": best(per_test_with_http, max(ROUNDS // 10, 30)),
        "... as the wxcloud fixture does it": held(per_test_with_http, ROUNDS),
    }
    print(f"bare Python call of the handler: {bare * 1e6:.2f} µs")
    for label, seconds in figures.items():
        print(f"{label:36s} {seconds * 1e3:8.4f} ms  ({seconds / bare:8.0f}x a bare call)")


if __name__ == "__main__":
    main()
