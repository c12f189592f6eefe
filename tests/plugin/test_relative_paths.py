"""One rule for relative paths: configuration is relative to the file it is written in, Python
calls to the working directory (as ``open()``); a miss says where it looked and how to anchor."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import LoadError

RunPytest = Callable[..., Any]  # the run_pytest fixture of conftest.py


def make_project(root: Path) -> None:
    (root / "exports").mkdir()
    (root / "exports" / "books.json").write_text('{"_id": "b1"}\n', encoding="utf-8")
    function = root / "cloudfunctions" / "hello"
    function.mkdir(parents=True)
    (function / "index.py").write_text("def main(event, context):\n    return 'hi'\n")


def test_python_calls_read_relative_paths_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    cloud = WxCloud()
    assert cloud.load("exports/books.json") == 1
    assert cloud.functions.load("cloudfunctions") == ["hello"]


def test_a_missing_relative_path_names_the_working_directory_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    cloud = WxCloud()
    with pytest.raises(FileNotFoundError) as missing_file:
        cloud.load("exports/books.json")
    message = str(missing_file.value)
    assert f"working directory {elsewhere}" in message
    assert str(elsewhere / "exports" / "books.json") in message
    assert "Path(__file__).parent / 'exports/books.json'" in message
    with pytest.raises(LoadError, match=re.escape(f"working directory {elsewhere}")):
        cloud.functions.load("cloudfunctions")


NESTED_TEST = """
    from pathlib import Path

    import pytest

    @pytest.mark.wxcloud(data="books.json")           # next to this test file
    def test_marker_reads_next_to_the_test_file(wxcloud):
        assert [doc["_id"] for doc in wxcloud.dump("books")] == ["near"]

    def test_calls_read_from_the_working_directory(wxcloud):
        wxcloud.load("exports/books.json", collection="top")   # pytest runs from the root
        assert [doc["_id"] for doc in wxcloud.dump("top")] == ["b1"]
        wxcloud.load(Path(__file__).parent / "books.json", collection="anchored")
        assert [doc["_id"] for doc in wxcloud.dump("anchored")] == ["near"]
"""


def test_the_marker_reads_next_to_the_test_file_and_calls_from_the_working_directory(
    run_pytest: RunPytest, tmp_path: Path
) -> None:
    make_project(tmp_path)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "books.json").write_text('{"_id": "near"}\n', encoding="utf-8")
    outcome = run_pytest({"tests/test_nested.py": NESTED_TEST})
    assert "2 passed" in outcome.output, outcome.output
