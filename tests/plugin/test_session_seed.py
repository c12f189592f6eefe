"""An export shared by many tests through the marker: read once, identical for every test.

The generated suite's tests each write to the seeded data (nested fields included) and check
they started from the file's documents; its conftest counts how often the file was parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

RunPytest = Callable[..., Any]  # the run_pytest fixture of conftest.py

BOOKS = [
    {"_id": f"b{n}", "title": f"Book {n}", "tags": ["t"], "stock": {"shelf": n, "log": [n]}}
    for n in range(50)
]

COUNT_PARSES = """
    from pytest_wxcloud import seed_cache

    PARSES = []
    _read_export = seed_cache.read_export

    def counting_read_export(path, *args):
        PARSES.append(str(path))
        return _read_export(path, *args)

    seed_cache.read_export = counting_read_export

    def pytest_sessionfinish(session):
        print(f"PARSES {len(PARSES)}")
"""

SHARING_TESTS = """
    import json
    from pathlib import Path

    import pytest

    EXPECTED = [json.loads(line) for line in Path(__file__).with_name("books.json").open()]

    @pytest.mark.parametrize("n", range(20))
    @pytest.mark.wxcloud(data={"books": "books.json", "copies": "books.json"})
    def test_each_test_starts_from_the_file(wxcloud, wx_db, n):
        assert wxcloud.dump("books") == EXPECTED
        assert wxcloud.dump("copies") == EXPECTED
        _ = wx_db.command
        books = wx_db.collection("books")
        books.doc("b1").update(data={"tags": _.push(n), "stock.shelf": _.inc(1),
                                     "stock.log": _.push(n)})
        books.where({"stock.shelf": _.lt(10)}).remove()
        books.add(data={"_id": f"new{n}"})
        wx_db.collection("copies").doc("b2").set(data={"title": "changed"})
        assert len(wxcloud.dump("books")) == 41
"""


def write_books(path: Any, books: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(b) + "\n" for b in books), encoding="utf-8")


def test_tests_sharing_an_export_start_identical_and_parse_it_once(
    run_pytest: RunPytest, tmp_path: Any
) -> None:
    write_books(tmp_path / "books.json", BOOKS)
    outcome = run_pytest(
        {"conftest.py": COUNT_PARSES, "test_shared.py": SHARING_TESTS}, "-p", "no:xdist", "-s"
    )
    assert "20 passed" in outcome.output, outcome.output
    assert "PARSES 2" in outcome.output, outcome.output  # once per collection name it seeds


EDITED_MID_RUN = """
    import os
    from pathlib import Path

    import pytest

    FILE = Path(__file__).with_name("books.json")

    @pytest.mark.wxcloud(data="books.json")
    def test_1_before_the_edit(wxcloud):
        assert wxcloud.dump("books")[0]["title"] == "Book 0"
        before = FILE.stat()
        FILE.write_text(FILE.read_text().replace("Book 0", "Edit 0"))
        os.utime(FILE, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime

    @pytest.mark.wxcloud(data="books.json")
    def test_2_after_the_edit(wxcloud):
        assert wxcloud.dump("books")[0]["title"] == "Edit 0"
"""


def test_an_export_edited_during_the_run_is_read_again(
    run_pytest: RunPytest, tmp_path: Any
) -> None:
    write_books(tmp_path / "books.json", BOOKS[:3])
    outcome = run_pytest({"test_edit.py": EDITED_MID_RUN}, "-p", "no:xdist", "-p", "no:randomly")
    assert "2 passed" in outcome.output, outcome.output
