"""``python -m pytest_wxcloud serve`` in a subprocess, as a suite in another language runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_wxcloud", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    printed: dict[str, str] = {}
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Press Ctrl-C"):
            break
        name, _, value = line.strip().partition(" ")
        printed[name] = value.strip()
    else:
        process.wait(10)
        pytest.fail(f"the server did not start: {process.stderr.read() if process.stderr else ''}")
    return process, printed


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    (tmp_path / "books.json").write_text(
        '{"_id": "b1", "title": "Dune"}\n{"_id": "b2", "title": "Emma"}\n', encoding="utf-8"
    )
    (tmp_path / "tags.csv").write_text("_id,name\nt1,sf\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not an export", encoding="utf-8")
    return tmp_path


@pytest.fixture
def served(exports: Path) -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process, printed = start("--env", "cli-env", "--seed", "3", "--data", str(exports))
    try:
        yield process, printed
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


def test_serves_prints_credentials_and_stops_on_ctrl_c(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    process, printed = served
    assert printed["env"] == "cli-env"
    assert printed["data"] == "books, tags"
    url = printed["url"]
    with httpx.Client(base_url=url, timeout=10) as client:
        params = {
            "grant_type": "client_credential",
            "appid": printed["appid"],
            "secret": printed["secret"],
        }
        token = client.get("/cgi-bin/token", params=params).json()["access_token"]
        body = {"env": "cli-env", "query": "db.collection('books').count()"}
        count = client.post("/tcb/databasecount", params={"access_token": token}, json=body)
        assert count.json()["count"] == 2
        # isolate a test: snapshot, change, restore
        snapshot = client.post("/_wxcloud/snapshot").json()["id"]
        client.post("/_wxcloud/seed", json={"books": [{"_id": "b3"}]})
        assert len(client.get("/_wxcloud/dump?collection=books").json()["data"]) == 3
        client.post("/_wxcloud/restore", json={"id": snapshot})
        assert len(client.get("/_wxcloud/dump?collection=books").json()["data"]) == 2
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "pytest-wxcloud: stopped" in out


def test_sigterm_stops_cleanly(served: tuple[subprocess.Popen[str], dict[str, str]]) -> None:
    process, _ = served
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=20)
    assert (process.returncode, err) == (0, "")
    assert "pytest-wxcloud: stopped" in out


def test_open_interface_flag(exports: Path) -> None:
    process, printed = start("--open-interface", "--data", str(exports / "books.json"))
    try:
        body = {"env": "test-env", "query": "db.collection('books').count()"}
        reply = httpx.post(f"{printed['url']}/tcb/databasecount", json=body, timeout=10).json()
        assert reply["count"] == 2
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert process.returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--data", "no/such/dir"], "--data no/such/dir: no such file or directory"),
        (["--port", "70000"], "a port is a number from 0 (any free port) to 65535, got '70000'"),
        (["--host", "203.0.113.9"], "cannot listen on 203.0.113.9:0"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest_wxcloud", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2
    assert message in done.stderr
