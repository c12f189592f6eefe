"""Node.js cloud functions: a warm invocation doing one database get, worker start-up, and the
same scenario as a Python handler (the baseline, measured in the same run).

    python benchmarks/node_bench.py
    WXCLOUD_BENCH_QUICK=1 python benchmarks/node_bench.py   # fewer rounds, for CI

A warm call goes pytest → worker (stdin) → wx-server-sdk → HTTP to the cloud's loopback server
→ database → back; the target is a median of 5 ms or less. Needs node and npm (the first run
installs wx-server-sdk 4.0.2 into the user cache); without them it prints a skip line. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import current_cloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
CALLS = 60 if QUICK else 600
STARTS = 2 if QUICK else 8

INDEX_JS = """\
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database();
exports.main = async (event) => (await db.collection('items').doc(event.id).get()).data;
"""
PACKAGE_JSON = '{"name": "getitem", "dependencies": {"wx-server-sdk": "4.0.2"}}'


def python_getitem(event: dict[str, Any], context: Any) -> Any:
    return current_cloud().database().collection("items").doc(event["id"]).get()["data"]


def median_ms(call: Callable[[], Any], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> int:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        print(f"node_bench: skipped ({' and '.join(missing)} not on PATH)")
        return 0
    from pytest_wxcloud.functions import LoadError
    from pytest_wxcloud.node.pool import POOL
    from pytest_wxcloud.node.serving import release

    with tempfile.TemporaryDirectory() as root:
        folder = Path(root) / "getitem"
        folder.mkdir()
        (folder / "index.js").write_text(INDEX_JS)
        (folder / "package.json").write_text(PACKAGE_JSON)
        cloud = WxCloud(seed=1)
        try:
            cloud.functions.load(folder)
        except LoadError as exc:  # no registry, say: a figure we cannot take is not a crash
            print(f"node_bench: skipped (cannot install wx-server-sdk: {exc})")
            return 0
        cloud.seed({"items": [{"_id": "i1", "title": "one"}]})
        cloud.functions.register("pygetitem", python_getitem)

        def node_call() -> Any:
            return cloud.call_function("getitem", {"id": "i1"})

        def python_call() -> Any:
            return cloud.call_function("pygetitem", {"id": "i1"})

        assert node_call()["result"] == python_call()["result"] == {"_id": "i1", "title": "one"}
        starts = []
        for _ in range(STARTS):
            for key, worker in POOL.workers().items():
                POOL.discard(key, worker)
            started = time.perf_counter()
            node_call()  # the first call of a fresh worker: spawn, require, one get
            starts.append(time.perf_counter() - started)
        for _ in range(20):
            node_call()
        node = median_ms(node_call, CALLS)
        python = median_ms(python_call, CALLS)
        release(cloud)
        POOL.stop_all()
    print(
        f"Node.js warm call, one db get:   median {node:.2f} ms over {CALLS} calls (target <= 5 ms)"
    )
    print(f"Python handler, same get:        median {python:.3f} ms")
    print(f"Node / Python:                   {node / python:.1f}x")
    print(
        f"worker start-up + first call:    median {statistics.median(starts) * 1000:.0f} ms "
        f"over {STARTS} starts"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
