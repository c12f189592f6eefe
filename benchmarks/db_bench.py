"""Database engine speed, as ratios measured in one run on the same data.

    python benchmarks/db_bench.py            # full sizes (100k / 1M documents)
    WXCLOUD_BENCH_QUICK=1 python benchmarks/db_bench.py   # small sizes, for CI

Prints figures; asserts nothing (timings belong in reports, not in tests).
"""

from __future__ import annotations

import os
import random
import sys
import timeit
from collections.abc import Callable
from typing import Any

from pytest_wxcloud import WxCloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
N_WHERE = 10_000 if QUICK else 100_000
N_BIG = 50_000 if QUICK else 1_000_000
N_SMALL = 1_000


def best(fn: Callable[[], Any], number: int, repeat: int = 5) -> float:
    """Seconds per call, best of ``repeat`` (the least disturbed by the other core's load)."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def make_docs(n: int) -> list[dict[str, Any]]:
    rng = random.Random(42)
    return [
        {
            "_id": f"{i:032x}",
            "category": f"c{rng.randrange(50)}",
            "price": rng.randrange(100),
            "title": f"book {i}",
            "tags": ["a", "b"],
        }
        for i in range(n)
    ]


def where_query() -> dict[str, float]:
    docs = make_docs(N_WHERE)
    cloud = WxCloud()
    cloud.seed({"books": docs})
    db = cloud.database()
    _ = db.command
    query = db.collection("books").where({"category": "c7", "price": _.gt(90)}).limit(1000)

    def ours() -> list[dict[str, Any]]:
        return query.get()["data"]

    def loop() -> list[dict[str, Any]]:
        out = []
        for d in docs:
            if d.get("category") == "c7" and d.get("price", -1) > 90:
                out.append({**d, "tags": list(d["tags"])})
                if len(out) >= 1000:
                    break
        return out

    import mongomock

    collection = mongomock.MongoClient().db.books
    collection.insert_many([dict(d) for d in docs])

    def mongo() -> list[dict[str, Any]]:
        return list(collection.find({"category": "c7", "price": {"$gt": 90}}).limit(1000))

    assert len(ours()) == len(loop()) == len(mongo()), "the three must return the same documents"
    t_ours, t_loop = best(ours, 3), best(loop, 3)
    t_mongo = best(mongo, 1, repeat=2)
    return {"ours_ms": t_ours * 1e3, "loop_ms": t_loop * 1e3, "mongomock_ms": t_mongo * 1e3}


def doc_get() -> dict[str, float]:
    timings = {}
    for n in (N_SMALL, N_BIG):
        cloud = WxCloud()
        cloud.seed({"big": ({"_id": f"{i:032x}", "n": i} for i in range(n))})
        ref = cloud.database().collection("big").doc(f"{n // 2:032x}")
        timings[n] = best(ref.get, 2000)
    return {"small_us": timings[N_SMALL] * 1e6, "big_us": timings[N_BIG] * 1e6}


def fresh_environment() -> dict[str, float]:
    seed_docs = [{"_id": str(i), "n": i, "owner": "o" if i % 2 else "x"} for i in range(10)]

    def scenario() -> Any:
        cloud = WxCloud()
        cloud.seed({"todos": seed_docs})
        return cloud.database().collection("todos").where({"owner": "o"}).get()

    def floor() -> Any:  # the same work on plain dicts: copy in, filter, copy out
        store = {d["_id"]: dict(d) for d in seed_docs}
        return [dict(d) for d in store.values() if d["owner"] == "o"]

    return {"env_ms": best(scenario, 2000) * 1e3, "dicts_ms": best(floor, 2000) * 1e3}


def main() -> int:
    w = where_query()
    g = doc_get()
    f = fresh_environment()
    print(f"where (2 conditions) over {N_WHERE:,} docs")
    print(
        f"  ours {w['ours_ms']:.2f} ms | hand-written loop {w['loop_ms']:.2f} ms | mongomock {w['mongomock_ms']:.2f} ms"
    )
    print(f"  ours / loop = {w['ours_ms'] / w['loop_ms']:.2f}x (target <= 2x)")
    print(f"  mongomock / ours = {w['mongomock_ms'] / w['ours_ms']:.1f}x faster (target >= 5x)")
    print(
        f"doc(id).get(): {N_SMALL:,} docs {g['small_us']:.1f} us | {N_BIG:,} docs {g['big_us']:.1f} us"
    )
    print(f"  big / small = {g['big_us'] / g['small_us']:.2f}x (target ~1x: hash lookup)")
    print("fresh WxCloud + seed 10 docs + one where().get()")
    print(f"  {f['env_ms']:.3f} ms (target < 0.2 ms); plain-dict floor {f['dicts_ms']:.4f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
