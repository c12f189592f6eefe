"""Seeding from Python and export files (http-api.md §6), dump, snapshot/restore."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database.loading import ExportFormatError


def test_seed_keeps_ids_and_generates_missing_ones():
    cloud = WxCloud(seed=3)
    cloud.seed({"users": [{"_id": "u1", "name": "Ann"}, {"name": "Bo"}]})
    docs = cloud.dump("users")
    assert docs[0] == {"_id": "u1", "name": "Ann"}
    assert re.fullmatch("[0-9a-f]{32}", docs[1]["_id"]) and docs[1]["name"] == "Bo"


def test_seed_creates_empty_collections_and_rejects_duplicates():
    cloud = WxCloud()
    cloud.seed({"empty": []})
    assert cloud.dump("empty") == []
    with pytest.raises(ValueError, match="duplicate key"):
        cloud.seed({"empty": [{"_id": "x"}, {"_id": "x"}]})
    assert cloud.dump("empty") == []


def test_load_json_lines_with_extended_json_dates(tmp_path: Path):
    export = tmp_path / "books.json"
    export.write_text(
        '{"_id":"b1","title":"A","at":{"$date":"2018-08-31T17:30:00.882Z"}}\n'
        '{"_id":"b2","title":"B","at":{"$date":1535736600882},"n":{"$numberLong":"7"}}\n',
        encoding="utf-8",
    )
    cloud = WxCloud()
    assert cloud.load(export) == 2
    docs = cloud.dump("books")
    assert docs[0]["at"] == datetime(2018, 8, 31, 17, 30, 0, 882000, tzinfo=timezone.utc)
    assert docs[1]["at"] == datetime(2018, 8, 31, 17, 30, 0, 882000, tzinfo=timezone.utc)
    assert docs[1]["n"] == 7


def test_load_pretty_printed_concatenated_objects(tmp_path: Path):
    export = tmp_path / "export.json"
    export.write_text(
        '{\n  "_id": "1",\n  "v": 1\n}\n{\n  "_id": "2",\n  "v": 2\n}\n', encoding="utf-8"
    )
    cloud = WxCloud()
    cloud.load(export, collection="things")
    assert [d["v"] for d in cloud.dump("things")] == [1, 2]


def test_load_csv_with_header(tmp_path: Path):
    export = tmp_path / "people.csv"
    export.write_text("_id,age,name\nxxxxxx,45,Ann\nyyyyyy,3.5,007\n", encoding="utf-8")
    cloud = WxCloud()
    cloud.load(export)
    assert cloud.dump("people") == [
        {"_id": "xxxxxx", "age": 45, "name": "Ann"},
        {"_id": "yyyyyy", "age": 3.5, "name": "007"},
    ]


def test_corrupt_export_names_file_and_position(tmp_path: Path):
    export = tmp_path / "bad.json"
    export.write_text('{"_id": "1"}\n{"_id": \n', encoding="utf-8")
    with pytest.raises(ExportFormatError, match=r"bad\.json: record 2 \(starting on line 2\)"):
        WxCloud().load(export)


def test_snapshot_and_restore():
    cloud = WxCloud()
    cloud.seed({"c": [{"_id": "a", "n": 1}]})
    db = cloud.database()
    saved = cloud.snapshot()
    db.collection("c").doc("a").update(data={"n": 2})
    db.collection("c").add(data={"_id": "b"})
    db.create_collection("other")
    cloud.restore(saved)
    assert cloud.dump("c") == [{"_id": "a", "n": 1}]
    assert "other" not in cloud.collections()
    # the snapshot survives writes made after a restore: it can be restored again
    db.collection("c").doc("a").remove()
    cloud.restore(saved)
    assert cloud.dump("c") == [{"_id": "a", "n": 1}]
