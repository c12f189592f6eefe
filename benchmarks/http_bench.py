"""How much the HTTP face costs over a bare respx route, and over the Python API.

    python benchmarks/http_bench.py [--calls N]

Three ways to get the same five records:

* ``http``:   POST /tcb/databasequery through httpx, answered by ``cloud.mock_http()``;
* ``python``: the same query on ``cloud.database()`` directly;
* ``floor``:  the same httpx POST answered by a bare respx route returning a fixed JSON body,
  i.e. what any respx-based mock costs before doing any work.

The ratio http/floor is the price of emulation (parsing, running, encoding the query).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

import httpx
import respx

from pytest_wxcloud import WxCloud

QUERY = "db.collection('books').where({price: _.gt(10)}).orderBy('price', 'asc').limit(5).get()"
URL = "http://api.weixin.qq.com/tcb/databasequery"


def best_per_call(fn: Callable[[], object], calls: int, repeats: int = 5) -> float:
    fn()  # warm caches (parsed query, connection pool)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=300)
    calls = parser.parse_args().calls

    cloud = WxCloud(env="bench", seed=1)
    cloud.seed(
        {"books": [{"_id": f"b{i:03d}", "title": f"Book {i}", "price": i % 40} for i in range(50)]}
    )
    body = json.dumps({"env": cloud.env, "query": QUERY})
    db = cloud.database()
    _ = db.command

    with httpx.Client() as client:
        with cloud.mock_http():
            expected = client.post(URL, content=body).json()
            assert expected["errcode"] == 0 and len(expected["data"]) == 5
            http = best_per_call(lambda: client.post(URL, content=body).json(), calls)

        def python_query() -> object:
            return (
                db.collection("books")
                .where({"price": _.gt(10)})
                .order_by("price", "asc")
                .limit(5)
                .get()
            )

        python = best_per_call(python_query, calls)

        with respx.mock() as router:
            router.post(URL).respond(200, json=expected)
            floor = best_per_call(lambda: client.post(URL, content=body).json(), calls)

    print(f"{'way':<8}{'µs/call':>10}{'x floor':>10}")
    for name, seconds in (("floor", floor), ("python", python), ("http", http)):
        print(f"{name:<8}{seconds * 1e6:>10.1f}{seconds / floor:>10.2f}")
    print(f"http / python = {http / python:.2f}")


if __name__ == "__main__":
    main()
