"""Corrupt, hand-edited and future cassettes fail with the file and the entry named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording import CassetteFormatError, use_cassette
from pytest_wxcloud.recording.format import Interaction, dumps, loads, read


def open_cassette(consumer: WxCloud, path: Path) -> None:
    with use_cassette(consumer, path):
        pass


def test_truncated_json_names_file_line_and_column(consumer: WxCloud, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "version": 1,\n  "interactions": [\n    {"function": "a"', "utf-8")
    with pytest.raises(CassetteFormatError) as caught:
        open_cassette(consumer, path)
    assert str(caught.value).startswith(f"{path}: not valid JSON at line 4 column")


def test_unknown_version_is_refused(consumer: WxCloud, tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "future.json", [], version=2)
    with pytest.raises(CassetteFormatError) as caught:
        open_cassette(consumer, path)
    assert str(caught.value) == (
        f"{path}: cassette format version 2 is not supported; this pytest-wxcloud reads version 1 "
        "(upgrade pytest-wxcloud, or re-record the cassette with --wxcloud-record-mode=all)"
    )


def test_missing_version_is_refused(consumer: WxCloud, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"interactions": []}', "utf-8")
    with pytest.raises(CassetteFormatError, match="format version None is not supported"):
        open_cassette(consumer, path)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"function": "add", "request": {"data": {}}, "response": {"result": 1}, "respnse": 1},
            "interactions[1] (add): unknown key(s) 'respnse'; accepted: function, request, response, env",
        ),
        ({"function": "add", "request": {"data": {}}}, "interactions[1] (add): missing 'response'"),
        (
            {"function": "", "request": {"data": {}}, "response": {"result": 1}},
            "interactions[1]: 'function' must be a non-empty string; got ''",
        ),
        (
            {"function": "add", "request": {"data": [1]}, "response": {"result": 1}},
            "interactions[1] (add): request.data must be an object (the event); got [1]",
        ),
        (
            {"function": "add", "request": {"event": {}}, "response": {"result": 1}},
            "interactions[1] (add): 'request' must be {\"data\": {...}}",
        ),
        (
            {"function": "add", "request": {"data": {}}, "response": {"result": 1, "error": {}}},
            "interactions[1] (add): 'response' must be {\"result\": ...} or",
        ),
        (
            {
                "function": "add",
                "request": {"data": {}},
                "response": {"error": {"errCode": "x", "errMsg": "m"}},
            },
            'interactions[1] (add): response.error must be {"errCode": <int>, "errMsg": <str>}',
        ),
        (
            {
                "function": "add",
                "request": {"data": {}},
                "response": {"result": 1},
                "identity": {"openID": "o"},
            },
            "interactions[1] (add): identity has unknown field(s) 'openID'; accepted: openid, appid",
        ),
        (
            {
                "function": "add",
                "request": {"data": {}},
                "response": {"result": 1},
                "provider_state": 3,
            },
            "interactions[1] (add): 'provider_state' must be a state name or a list of names; got 3",
        ),
        (
            {
                "function": "add",
                "request": {"data": {}},
                "response": {"result": 1},
                "recorded_at": 17,
            },
            "interactions[1] (add): 'recorded_at' must be a string; got 17",
        ),
        ("add", "interactions[1]: must be an object; got 'add'"),
    ],
)
def test_hand_edited_entry_errors_name_the_entry(
    consumer: WxCloud, tmp_path: Path, bad: Any, message: str
) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("ok", {}, 1), bad])
    with pytest.raises(CassetteFormatError) as caught:
        open_cassette(consumer, path)
    assert str(caught.value).startswith(f"{path}: {message}")


def test_duplicate_keys_are_refused(consumer: WxCloud, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text('{"version": 1, "version": 1, "interactions": []}', "utf-8")
    with pytest.raises(CassetteFormatError, match="duplicate key 'version'"):
        open_cassette(consumer, path)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("[]", "a cassette is a JSON object with 'version' and 'interactions'; found a JSON list"),
        (
            '{"version": 1, "interactions": {}}',
            "'interactions' must be a list of interaction objects",
        ),
        ('{"version": 1, "interactions": [], "extra": 1}', "unknown top-level key(s) 'extra'"),
        (
            '{"version": 1, "interactions": [], "created_in_run": 7}',
            "'created_in_run' must be a non-empty string (a test run's id); got 7",
        ),
    ],
)
def test_wrong_top_level_shape(
    consumer: WxCloud, tmp_path: Path, document: str, message: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(document, "utf-8")
    with pytest.raises(CassetteFormatError) as caught:
        open_cassette(consumer, path)
    assert message in str(caught.value)


def test_not_utf8(consumer: WxCloud, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_bytes(b'{"version": 1, "interactions": ["\xff"]}')
    with pytest.raises(CassetteFormatError, match="not UTF-8"):
        open_cassette(consumer, path)


def test_round_trip_is_stable() -> None:
    interaction = Interaction(
        function="getUserProfile",
        data={"z": 1, "a": {"y": [3, 1], "b": "中文"}},
        response={"error": {"errCode": -504002, "errMsg": "functions execute fail. x"}},
        env="prod",
        identity={"openid": "oP", "source": "wx_client"},
        provider_state=("a", "b"),
        recorded_at="2024-05-01T00:00:00.000Z",
    )
    text = dumps([interaction])
    assert loads(text, "t.json") == [interaction]
    assert dumps(loads(text, "t.json")) == text
    assert "中文" in text  # readable, not \\u escapes
    assert list(json.loads(text)) == ["interactions", "version"]


def test_the_creating_run_is_an_optional_top_level_field(tmp_path: Path) -> None:
    interaction = Interaction(function="f", data={}, response={"result": 1})
    text = dumps([interaction], created_in_run="run-1")
    assert json.loads(text)["created_in_run"] == "run-1"
    path = tmp_path / "c.json"
    path.write_text(text, "utf-8")
    assert read(path) == ([interaction], text, "run-1")
    # a version-1 cassette written before the field existed reads as created by no known run
    path.write_text('{"interactions": [], "version": 1}\n', "utf-8")
    loaded = read(path)
    assert loaded is not None and loaded.created_in_run is None
