"""python -m pytest_wxcloud.recording.check: fails on token-like strings in cassettes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud.recording.check import main

TOKEN = "78_" + "AbCdEfGh12" * 12


def test_clean_cassettes_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_cassette(
        tmp_path / "a" / "one.json", [entry("f", {"access_token": "<redacted>"}, {"_id": "0" * 32})]
    )
    write_cassette(tmp_path / "two.json", [entry("g", {}, "oAbCdEfGhIjKlMnOpQrStUvWxYz1")])
    assert main([str(tmp_path)]) == 0
    assert "checked 2 cassette(s): no secrets found" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("data", "result", "where", "reason"),
    [
        (
            {"access_token": "abc"},
            None,
            "request.data.access_token",
            "secret-named key 'access_token'",
        ),
        ({}, {"AppSecret": "x" * 32}, "response.result.AppSecret", "secret-named key 'AppSecret'"),
        ({}, {"sessionKey": "k"}, "response.result.sessionKey", "secret-named key 'sessionKey'"),
        (
            {},
            {"url": "https://x/?cloudbase_access_token=zz&env=e"},
            "response.result.url",
            "parameter",
        ),
        (
            {},
            {"log": f"token {TOKEN} used"},
            "response.result.log",
            "looks like a WeChat access token",
        ),
        ({}, ["tiHHDYdhpwhYU6JdnW8uzQ=="], "response.result.0", "looks like a session_key"),
    ],
)
def test_secret_like_content_is_reported(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: dict[str, Any],
    result: object,
    where: str,
    reason: str,
) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("ok", {}, 1), entry("f", data, result)])
    assert main([str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: interactions[1].{where}: " in out
    assert reason in out


def test_literal_secret_from_environment_and_forbid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_cassette(
        tmp_path / "c.json", [entry("f", {}, {"note": "the secret is hunter2hunter2"})]
    )
    assert main([str(path)]) == 0
    monkeypatch.setenv("WXCLOUD_SECRET", "hunter2hunter2")
    assert main([str(path)]) == 1
    monkeypatch.delenv("WXCLOUD_SECRET")
    assert main([str(path), "--forbid", "hunter2"]) == 1
    assert "contains a forbidden literal secret" in capsys.readouterr().out


def test_folders_skip_json_that_is_not_a_cassette(tmp_path: Path) -> None:
    (tmp_path / "data.json").write_text(json.dumps({"access_token": "real"}), "utf-8")
    assert main([str(tmp_path)]) == 0


def test_invalid_cassette_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_cassette(tmp_path / "c.json", [], version=9)
    assert main([str(path)]) == 2
    assert "format version 9 is not supported" in capsys.readouterr().err
    assert main([str(tmp_path / "missing")]) == 2


def test_runs_as_a_module(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("f", {"secret": "s3cr3t"}, 1)])
    done = subprocess.run(
        [sys.executable, "-m", "pytest_wxcloud.recording.check", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert f"{path}: interactions[0].request.data.secret" in done.stdout


def test_this_repositorys_own_cassettes_hold_no_secrets(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The CI gate on the cassettes committed here (examples/ and tests/)."""
    root = Path(__file__).resolve().parents[2]
    assert main([str(root / "examples"), str(root / "tests")]) == 0
    summary = capsys.readouterr().err
    checked = int(summary.split("checked ", 1)[1].split(" ", 1)[0])
    assert checked >= 1, summary  # the example cassette at least was found and scanned
