"""Fixtures for the HTTP face: a seeded cloud with interception on, and a small API client.

Every test here runs twice: in process, and through a real loopback server (``cloud.serve()``),
as moto runs its whole suite in server mode. :data:`IN_PROCESS_ONLY` lists the tests that have
nothing to send over a socket, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from httpkit import START, TRANSPORTS, WxApi, served_mock_http

from pytest_wxcloud import WxCloud

#: test file, or file::test name -> why it runs in process only
IN_PROCESS_ONLY = {
    "test_ejson.py": "EJSON codec unit tests: no HTTP request",
    "test_switchboard.py": "tests the in-process respx router itself",
    "query_language/test_parser.py": "parser unit tests: no HTTP request",
    "query_language/test_interpreter.py": "interpreter unit tests: no HTTP request",
    "query_language/test_fuzz.py": "query-language fuzzing of the interpreter: no HTTP request",
    "query_language/test_against_cloud.py": "interpreter against the SDK: no HTTP request",
}

_HERE = Path(__file__).parent


def _in_process_reason(definition: pytest.Function) -> str | None:
    relative = definition.path.relative_to(_HERE).as_posix()
    return IN_PROCESS_ONLY.get(f"{relative}::{definition.originalname}") or IN_PROCESS_ONLY.get(
        relative
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "wx_transport" not in metafunc.fixturenames:
        return
    only_here = _in_process_reason(metafunc.definition) is not None
    metafunc.parametrize("wx_transport", TRANSPORTS[:1] if only_here else TRANSPORTS, indirect=True)


@pytest.fixture(autouse=True)
def wx_transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """``"server"``: every ``mock_http()`` block of the test answers through a loopback server."""
    transport: str = getattr(request, "param", TRANSPORTS[0])
    if transport == "server":
        monkeypatch.setattr("pytest_wxcloud.http.router.mock_http", served_mock_http)
    return transport


@pytest.fixture
def http_cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(env="test2-4a89da", seed=11, now=START)
    with cloud.mock_http():
        yield cloud


@pytest.fixture
def wx_api(http_cloud: WxCloud) -> Iterator[WxApi]:
    with httpx.Client() as client:
        yield WxApi(http_cloud, client)
