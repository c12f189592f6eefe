"""What the security-rule check costs a client query, as ratios measured in one run.

    python benchmarks/rules_bench.py
    WXCLOUD_BENCH_QUICK=1 python benchmarks/rules_bench.py   # fewer repetitions, for CI

A client ``where({_openid: '{openid}', done: False}).get()`` on 1,000 documents under a custom
rule, against the same client query under the permissive rule ``{"read": true}`` and against the
server API. Target: the rule check adds <= 20 %. Prints figures; asserts nothing.
"""

from __future__ import annotations

import itertools
import os
import sys
import timeit
from collections.abc import Callable
from typing import Any

from pytest_wxcloud import Identity, WxCloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
NUMBER = 20 if QUICK else 200
N_DOCS = 1_000
RULE = {
    "read": "doc._openid == auth.openid && (doc.done == false || doc.shared == true)",
    "write": "doc._openid == auth.openid",
}


def best(fn: Callable[[], Any], number: int, repeat: int = 5) -> float:
    """Seconds per call, best of ``repeat`` (the least disturbed by other load)."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main() -> int:
    cloud = WxCloud(seed=1)
    cloud.seed(
        {
            "todos": [
                {"_openid": f"o{i % 50}", "done": i % 3 == 0, "title": f"todo {i}"}
                for i in range(N_DOCS)
            ]
        }
    )
    alice = cloud.client(Identity(openid="o7")).database().collection("todos")
    where = {"_openid": "{openid}", "done": False}
    server = cloud.database().collection("todos").where({"_openid": "o7", "done": False}).limit(20)

    _ = cloud.database().command
    counter = itertools.count()

    def first_time() -> Any:
        """A query shape never seen before: the rule is decided, not replayed."""
        return alice.where({**where, "title": _.neq(f"x{next(counter)}")}).get()

    cloud.permissions.set("todos", RULE)
    ruled = best(lambda: alice.where(where).get(), NUMBER)
    ruled_first = best(first_time, NUMBER)
    cloud.permissions.set("todos", {"read": True})
    permissive = best(lambda: alice.where(where).get(), NUMBER)
    permissive_first = best(first_time, NUMBER)
    admin = best(server.get, NUMBER)
    decisions = len(cloud.permissions.decisions)

    print(f"client where().get() on {N_DOCS:,} documents ({decisions} checked requests)")
    print(
        f"  with rules {ruled * 1e3:.3f} ms, permissive {permissive * 1e3:.3f} ms, server {admin * 1e3:.3f} ms"
    )
    print(f"  rules / permissive = {ruled / permissive:.2f}x (target <= 1.20x)")
    print(f"  rules / server     = {ruled / admin:.2f}x")
    print(
        f"  a query shape decided for the first time: with rules {ruled_first * 1e3:.3f} ms, "
        f"permissive {permissive_first * 1e3:.3f} ms, "
        f"ratio {ruled_first / permissive_first:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
