"""Big seeds shared by many tests: the marker's export cache and snapshot restore.

    python benchmarks/seed_bench.py
    WXCLOUD_BENCH_QUICK=1 python benchmarks/seed_bench.py   # fewer rounds, for CI

1. 60 tests sharing a 10,000-document export through ``@pytest.mark.wxcloud(data=...)``
   against 60 tests seeded with one document: pytest sessions in subprocesses (pytest's cache
   on, as users have it), summing the tests' own set-up, call and teardown durations
   (interpreter start-up and collection are the same for both and left out). Each test queries
   and writes once. The first session parses and validates the export (cold); later ones start
   from the validated seed kept in ``.pytest_cache`` (warm). For comparison, what one test paid
   before the cache: ``cloud.load`` of the export (read, parse, validate).
2. ``restore`` of a 100,000-document snapshot after one write, against a 1,000-document one;
   and the whole cycle in one long-lived cloud (restore, then a write): restoring puts the
   written keys back into the cloud's own copy, so neither step depends on the size.

Prints figures and ratios measured in this run; asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pytest_wxcloud import WxCloud

QUICK = bool(os.environ.get("WXCLOUD_BENCH_QUICK"))
SESSIONS = 1 if QUICK else 3  # warm sessions, after one cold one
RESTORES = 200 if QUICK else 2_000
TESTS = 60
BIG = 10_000

SUM_DURATIONS = """
    DURATIONS = {}

    def pytest_runtest_logreport(report):
        DURATIONS[report.nodeid] = DURATIONS.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(session):
        first = next(iter(DURATIONS.values()))
        print(f"TEST_SECONDS {sum(DURATIONS.values()):.6f} FIRST_SECONDS {first:.6f}")
"""

TESTS_TEMPLATE = """
    import pytest

    @pytest.mark.parametrize("n", range({tests}))
    @pytest.mark.wxcloud(data={data})
    def test_reads_and_writes(wx_db, n):
        books = wx_db.collection("books")
        assert books.doc("b0").get()["data"]["title"] == "Book 0"
        books.doc("b0").update(data={{"stock": n}})
"""


def book(n: int) -> dict[str, Any]:
    return {
        "_id": f"b{n}",
        "title": f"Book {n}",
        "price": n % 90 + 10.5,
        "tags": ["novel", f"shelf-{n % 40}"],
        "createdAt": {"$date": "2024-05-01T08:00:00.000Z"},
        "author": {"name": f"Author {n % 300}", "born": 1900 + n % 100},
    }


def write_export(path: Path, count: int) -> None:
    path.write_text("".join(json.dumps(book(n)) + "\n" for n in range(count)), encoding="utf-8")


def session_seconds(folder: Path, data: str) -> tuple[float, float, float]:
    """The summed durations of TESTS tests seeded with ``data`` in a first (cold) session, then
    the best of SESSIONS later (warm) ones, with that session's first test (which seeds from the
    file)."""
    (folder / "conftest.py").write_text(textwrap.dedent(SUM_DURATIONS), encoding="utf-8")
    source = textwrap.dedent(TESTS_TEMPLATE.format(tests=TESTS, data=data))
    (folder / "test_seeded.py").write_text(source, encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist"]
    runs = []
    for _ in range(SESSIONS + 1):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        figures = done.stdout.split("TEST_SECONDS ")[1].split()
        runs.append((float(figures[0]), float(figures[2])))
    warm, warm_first = min(runs[1:])
    return runs[0][0], warm, warm_first


def marker_figures() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        big, small = root / "big", root / "small"
        big.mkdir()
        small.mkdir()
        write_export(big / "books.json", BIG)
        write_export(small / "books.json", 1)
        cold, shared, shared_first = session_seconds(big, '"books.json"')
        _, one, one_first = session_seconds(small, '"books.json"')
        started = time.perf_counter()
        WxCloud().load(big / "books.json")
        load = time.perf_counter() - started
    later = TESTS - 1
    print(f"{TESTS} tests, 1-document seed:            {one * 1e3:8.1f} ms")
    print(
        f"{TESTS} tests sharing a {BIG:,}-document export: {shared * 1e3:8.1f} ms  "
        f"ratio {shared / one:.2f}x (target <= 1.5x)"
    )
    print(
        f"  of which the first test (seeds from the kept, validated file): "
        f"{shared_first * 1e3:.1f} ms, against {one_first * 1e3:.1f} ms"
    )
    print(
        f"  the very first session (parses and validates the export): {cold * 1e3:.1f} ms, "
        f"ratio {cold / one:.2f}x"
    )
    shared_later, one_later = (shared - shared_first) / later, (one - one_first) / later
    print(
        f"  each later test: {shared_later * 1e3:.2f} ms against {one_later * 1e3:.2f} ms, "
        f"ratio {shared_later / one_later:.2f}x"
    )
    print(f"cloud.load of that export (what each test paid without the cache): {load * 1e3:.1f} ms")


def restore_cycle(count: int) -> tuple[float, float]:
    """(restore after one write, restore + the next first write), seconds each."""
    cloud = WxCloud()
    cloud.seed({"books": [{"_id": f"b{n}", "n": n} for n in range(count)]})
    snapshot = cloud.snapshot()
    books = cloud.database().collection("books")

    def write() -> None:
        books.doc("b0").update(data={"n": -1})

    restore_only = 0.0
    for _ in range(RESTORES):
        write()
        started = time.perf_counter()
        cloud.restore(snapshot)
        restore_only += time.perf_counter() - started
    cycle = best_of(lambda: (cloud.restore(snapshot), write()), RESTORES)
    return restore_only / RESTORES, cycle


def best_of(fn: Callable[[], Any], number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=3)) / number


def restore_figures() -> None:
    small_restore, small_cycle = restore_cycle(1_000)
    big_restore, big_cycle = restore_cycle(100_000)
    print(f"restore after one write,   1,000 docs: {small_restore * 1e6:9.2f} µs")
    print(
        f"restore after one write, 100,000 docs: {big_restore * 1e6:9.2f} µs  "
        f"ratio {big_restore / small_restore:.2f}x (target <= 2x)"
    )
    print(
        f"restore + first write,     1,000 docs: {small_cycle * 1e6:9.2f} µs; 100,000 docs: "
        f"{big_cycle * 1e6:9.2f} µs (one cloud reset again and again)"
    )


def main() -> None:
    marker_figures()
    restore_figures()


if __name__ == "__main__":
    main()
