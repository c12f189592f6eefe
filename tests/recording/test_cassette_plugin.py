"""The pytest face: marker, fixture, --wxcloud-record-mode, cassette paths, ini folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

STAND_IN = """
import httpx
import pytest
from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.options import HttpOptions
from pytest_wxcloud.http.router import HttpFace


@pytest.fixture(autouse=True)
def real_cloud(monkeypatch):
    upstream = WxCloud(env="prod-4g7x", seed=5)
    upstream.functions.register("add", lambda event, context: event["a"] + event["b"])
    monkeypatch.setenv("WXCLOUD_APPID", upstream.appid)
    monkeypatch.setenv("WXCLOUD_SECRET", upstream.secret)
    monkeypatch.setenv("WXCLOUD_ENV", upstream.env)
    return upstream


@pytest.fixture
def wxcloud_recording_transport(real_cloud):
    face = HttpFace(real_cloud, real_cloud.http_state(), HttpOptions())
    return httpx.MockTransport(face.answer)
"""

TESTS = """
import pytest


@pytest.mark.wxcloud_cassette
def test_add(wxcloud):
    assert wxcloud.call_function("add", {"a": 2, "b": 3})["result"] == 5


class TestGroup:
    @pytest.mark.wxcloud_cassette(name="shared")
    @pytest.mark.parametrize("n", [1, 2])
    def test_param(self, wxcloud, n):
        assert wxcloud.call_function("add", {"a": n, "b": n})["result"] == 2 * n


def test_fixture_only(wxcloud, wxcloud_cassette):
    assert wxcloud_cassette.path.name == "test_fixture_only.json"
    assert wxcloud.call_function("add", {"a": 0, "b": 1})["result"] == 1
"""


def cassette_entries(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))["interactions"]
    return entries


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(STAND_IN)
    pytester.makepyfile(test_calc=TESTS)
    return pytester


def test_record_then_replay_offline(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.runpytest("--wxcloud-record-mode=once").assert_outcomes(passed=4)
    folder = project.path / "cassettes" / "test_calc"
    assert sorted(p.name for p in folder.iterdir()) == [
        "shared.json",
        "test_add.json",
        "test_fixture_only.json",
    ]
    assert [e["request"]["data"] for e in cassette_entries(folder / "shared.json")] == [
        {"a": 1, "b": 1},
        {"a": 2, "b": 2},
    ]
    # replay needs neither credentials nor the stand-in
    (project.path / "conftest.py").write_text("")
    for name in ("WXCLOUD_APPID", "WXCLOUD_SECRET", "WXCLOUD_ENV"):
        monkeypatch.delenv(name, raising=False)
    project.runpytest().assert_outcomes(passed=4)


def test_default_mode_is_replay_only(project: pytest.Pytester) -> None:
    result = project.runpytest("-k", "test_add")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*CassetteMiss: wxcloud cassette */cassettes/test_calc/test_add.json (record mode none)*",
            "*the cassette file does not exist; record it with --wxcloud-record-mode=once*",
        ]
    )
    assert not (project.path / "cassettes").exists()


def test_marker_record_mode_and_command_line_precedence(project: pytest.Pytester) -> None:
    project.makepyfile(
        test_marked="""
import pytest

@pytest.mark.wxcloud_cassette(record_mode="once")
def test_marked(wxcloud):
    assert wxcloud.call_function("add", {"a": 4, "b": 4})["result"] == 8
"""
    )
    project.runpytest("test_marked.py").assert_outcomes(passed=1)
    path = project.path / "cassettes" / "test_marked" / "test_marked.json"
    assert len(cassette_entries(path)) == 1
    # the command line wins over the marker: 'all' rewrites the cassette
    path.write_text(path.read_text().replace('"result": 8', '"result": 80'))
    project.runpytest("test_marked.py", "--wxcloud-record-mode=all").assert_outcomes(passed=1)
    assert cassette_entries(path)[0]["response"] == {"result": 8}


def test_ini_cassette_dir(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nwxcloud_cassette_dir = recorded\n")
    project.runpytest("--wxcloud-record-mode=once", "-k", "test_add").assert_outcomes(passed=1)
    assert (project.path / "recorded" / "test_calc" / "test_add.json").is_file()


def test_swallowed_miss_still_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_swallow="""
import pytest

@pytest.mark.wxcloud_cassette
def test_swallow(wxcloud):
    try:
        wxcloud.call_function("add", {"a": 1, "b": 1})
    except BaseException:
        pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no recorded interaction answers add*"])


def test_missing_credentials_fail_the_recording_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("WXCLOUD_APPID", "WXCLOUD_SECRET", "WXCLOUD_ENV"):
        monkeypatch.delenv(name, raising=False)
    pytester.makepyfile(
        test_creds="""
import pytest

@pytest.mark.wxcloud_cassette
def test_creds(wxcloud):
    wxcloud.call_function("add", {"a": 1, "b": 1})
"""
    )
    result = pytester.runpytest("--wxcloud-record-mode=new_episodes")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*RecordingError: record mode 'new_episodes' for * needs the real cloud, but WXCLOUD_APPID, WXCLOUD_SECRET, WXCLOUD_ENV are not set*"
        ]
    )


def test_bad_marker_arguments(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
import pytest

@pytest.mark.wxcloud_cassette(nmae="x")
def test_typo(wxcloud):
    pass

@pytest.mark.wxcloud_cassette(record_mode="always")
def test_mode(wxcloud):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*unknown argument(s) nmae; accepted: name, record_mode, match_on*",
            "*record mode 'always' is not one of 'none', 'once', 'new_episodes', 'all'*",
        ]
    )


def test_bad_command_line_mode(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--wxcloud-record-mode=sometimes")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*invalid choice: 'sometimes'*"])


def test_xdist_workers_recording_one_cassette(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(STAND_IN)
    pytester.makepyfile(
        test_many="""
import pytest

@pytest.mark.wxcloud_cassette(name="shared")
@pytest.mark.parametrize("n", range(8))
def test_n(wxcloud, n):
    assert wxcloud.call_function("add", {"a": n, "b": 1})["result"] == n + 1
"""
    )
    result = pytester.runpytest_subprocess(
        "-n", "2", "-p", "xdist", "--wxcloud-record-mode=new_episodes"
    )
    result.assert_outcomes(passed=8)
    path = pytester.path / "cassettes" / "test_many" / "shared.json"
    assert sorted(e["request"]["data"]["a"] for e in cassette_entries(path)) == list(range(8))
    assert sorted(p.name for p in path.parent.iterdir()) == ["shared.json"]
    # and every worker replays from it
    pytester.runpytest_subprocess("-n", "2", "-p", "xdist").assert_outcomes(passed=8)
    # a later run re-records it: each worker keeps what the others re-recorded in this run
    result = pytester.runpytest_subprocess("-n", "2", "-p", "xdist", "--wxcloud-record-mode=all")
    result.assert_outcomes(passed=8)
    assert sorted(e["request"]["data"]["a"] for e in cassette_entries(path)) == list(range(8))


def test_xdist_workers_sharing_a_new_cassette_all_record_in_once_mode(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(STAND_IN)
    pytester.makepyfile(
        test_many="""
import os
import pytest

@pytest.mark.wxcloud_cassette(name="shared", record_mode="once")
@pytest.mark.parametrize("n", range(8))
def test_n(wxcloud, wxcloud_cassette, n):
    # not matched on: names the worker that recorded the interaction
    wxcloud_cassette.provider_state = os.environ["PYTEST_XDIST_WORKER"]
    assert wxcloud.call_function("add", {"a": n, "b": 1})["result"] == n + 1
"""
    )
    pytester.runpytest_subprocess("-n", "2", "-p", "xdist").assert_outcomes(passed=8)
    path = pytester.path / "cassettes" / "test_many" / "shared.json"
    entries = cassette_entries(path)
    assert sorted(e["request"]["data"]["a"] for e in entries) == list(range(8))
    # both workers recorded into the cassette, whichever of them created it
    assert {e["provider_state"] for e in entries} == {"gw0", "gw1"}
    # the next run finds a cassette an earlier run created: once replays and records nothing
    pytester.runpytest_subprocess("-n", "2", "-p", "xdist").assert_outcomes(passed=8)
    assert len(cassette_entries(path)) == 8
