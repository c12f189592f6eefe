"""Validated export seeds kept in pytest's cache folder: the next session skips the parse."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_wxcloud import WxCloud, seed_cache
from pytest_wxcloud.seed_cache import SeedCache

RunPytest = Callable[..., Any]  # the run_pytest fixture of conftest.py


def _export(path: Path, titles: list[str]) -> Path:
    path.write_text("".join(json.dumps({"_id": t, "title": t}) + "\n" for t in titles), "utf-8")
    return path


def _never_read(path: Path, file_format: str | None = None) -> list[dict[str, object]]:
    raise AssertionError(f"the export {path} was parsed again")


def test_a_later_session_seeds_from_the_kept_validated_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = _export(tmp_path / "books.json", ["Dune", "Emma"])
    first = WxCloud()
    SeedCache(tmp_path / "kept").load(first, export)
    monkeypatch.setattr(seed_cache, "read_export", _never_read)
    later = WxCloud()
    SeedCache(tmp_path / "kept").load(later, export)  # a new session: a new in-memory cache
    assert later.dump("books") == first.dump("books")
    later.database().collection("books").doc("Dune").remove()
    again = WxCloud()
    SeedCache(tmp_path / "kept").load(again, export)
    assert [d["_id"] for d in again.dump("books")] == ["Dune", "Emma"]  # nobody's writes kept


def test_new_content_is_parsed_and_validated_again(tmp_path: Path) -> None:
    export = _export(tmp_path / "books.json", ["Dune"])
    SeedCache(tmp_path / "kept").load(WxCloud(), export)
    _export(export, ["Ubik", "Ubik"])  # a duplicate _id: validation must run and refuse it
    with pytest.raises(ValueError, match="duplicate key"):
        SeedCache(tmp_path / "kept").load(WxCloud(), export)


def test_an_unreadable_kept_file_falls_back_to_parsing(tmp_path: Path) -> None:
    export = _export(tmp_path / "books.json", ["Dune"])
    SeedCache(tmp_path / "kept").load(WxCloud(), export)
    for kept in (tmp_path / "kept").iterdir():
        kept.write_bytes(b"not a pickle")
    cloud = WxCloud()
    SeedCache(tmp_path / "kept").load(cloud, export)
    assert cloud.dump("books") == [{"_id": "Dune", "title": "Dune"}]


def test_the_plugin_keeps_seeds_in_pytests_cache(run_pytest: RunPytest, tmp_path: Path) -> None:
    _export(tmp_path / "books.json", ["Dune"])
    test = """
        import pytest

        @pytest.mark.wxcloud(data="books.json")
        def test_seeded(wx_db):
            assert wx_db.collection("books").doc("Dune").get()["data"]["title"] == "Dune"
    """
    for _ in range(2):
        outcome = run_pytest({"test_seeded.py": test}, cache=True)
        assert outcome.returncode == 0, outcome.output
    kept = list((tmp_path / ".pytest_cache" / "d" / "wxcloud-seeds").glob("*.pickle"))
    assert len(kept) == 1
