"""The plugin as a user's suite meets it: options, ini settings, strict mode, xdist."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pytest_wxcloud import WxCloud

RunPytest = Callable[..., Any]  # the run_pytest fixture of conftest.py

RECORD_USERS = """
    import os
    from pathlib import Path

    import pytest

    @pytest.mark.parametrize("name", ["one", "two", "three", "four"])
    def test_record(wxcloud, wx_user, name):
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        folder = Path(__file__).parent / os.environ["RECORDS"]
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(f"{worker} {wxcloud.seed_value} {wx_user.openid}")
"""


def records(folder: Path) -> dict[str, tuple[str, str, str]]:
    """test parameter -> (worker, seed, openid) as written by RECORD_USERS."""
    out: dict[str, tuple[str, str, str]] = {}
    for path in folder.iterdir():
        worker, seed, openid = path.read_text().split()
        out[path.name] = (worker, seed, openid)
    return out


def test_xdist_workers_build_the_clouds_the_node_ids_promise(
    run_pytest: RunPytest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECORDS", "parallel")
    outcome = run_pytest({"test_users.py": RECORD_USERS}, "-n", "2")
    assert outcome.returncode == 0, outcome.output
    seen = records(tmp_path / "parallel")
    assert {worker for worker, _, _ in seen.values()} == {"gw0", "gw1"}
    for name, (_, seed, openid) in seen.items():
        expected = zlib.crc32(f"test_users.py::test_record[{name}]".encode())
        assert (int(seed), openid) == (expected, WxCloud(seed=expected).user().openid)


def test_wxcloud_seed_option_fixes_the_seed(
    run_pytest: RunPytest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECORDS", "seeded")
    outcome = run_pytest({"test_users.py": RECORD_USERS}, "-p", "no:xdist", "--wxcloud-seed", "99")
    assert outcome.returncode == 0, outcome.output
    seen = records(tmp_path / "seeded").values()
    assert {seed for _, seed, _ in seen} == {"99"}
    assert len({openid for _, _, openid in seen}) == 1  # same seed, same first user


STRICT_TESTS = """
    def test_uses_its_route(wxcloud):
        wxcloud.functions.route("login", result={"ok": True})
        assert wxcloud.call_function("login")["result"] == {"ok": True}

    def test_forgets_a_route(wxcloud):
        wxcloud.functions.route("login", result={"ok": True})
        wxcloud.functions.route("sendMail", {"to": "a"}, result=None)
        wxcloud.call_function("login")

    import pytest

    @pytest.mark.wxcloud(strict=False)
    def test_opted_out(wxcloud):
        wxcloud.functions.route("never", result=1)
"""


def test_strict_mode_fails_tests_with_uncalled_routes(run_pytest: RunPytest) -> None:
    outcome = run_pytest({"test_strict.py": STRICT_TESTS}, "-p", "no:xdist", "--wxcloud-strict")
    assert outcome.returncode == 1
    assert "FAILED test_strict.py::test_forgets_a_route" in outcome.output
    assert "registered but never called: route 'sendMail' data={'to': 'a'}" in outcome.output
    assert "2 passed" in outcome.output and "1 failed" in outcome.output


INI_TESTS = """
    def test_defaults_come_from_ini(wxcloud, wx_user):
        assert wxcloud.env == "prod-3g5k9a"
        assert wxcloud.appid == "wx00000000000000aa"
        assert wxcloud.functions.propagate_openid is True
        assert wxcloud.call_function("hello", as_user=wx_user)["result"] == "hello prod-3g5k9a"

    import pytest

    @pytest.mark.wxcloud(data={"books": "books.json"})
    def test_data_files_come_from_the_data_dir(wxcloud):
        assert [d["title"] for d in wxcloud.dump("books")] == ["Dream"]

    def test_strict_from_ini(wxcloud):
        wxcloud.functions.route("forgotten", result=1)
"""

INI = """
[pytest]
wxcloud_env = prod-3g5k9a
wxcloud_appid = wx00000000000000aa
wxcloud_data_dir = fixtures
wxcloud_functions_dir = cloudfunctions
wxcloud_propagate_openid = true
wxcloud_strict = true
"""


def test_ini_options(run_pytest: RunPytest) -> None:
    outcome = run_pytest(
        {
            "tests/test_ini.py": INI_TESTS,
            "pytest.ini": INI,
            "fixtures/books.json": '{"_id": "b1", "title": "Dream"}\n',
            "cloudfunctions/hello/index.py": """
                from pytest_wxcloud.functions import current_cloud

                def main(event, context):
                    return "hello " + current_cloud().get_wx_context()["ENV"]
            """,
        },
        "-p",
        "no:xdist",
    )
    assert "2 passed, 1 failed" in outcome.output or "1 failed, 2 passed" in outcome.output, (
        outcome.output
    )
    assert "FAILED tests/test_ini.py::test_strict_from_ini" in outcome.output


BAD_MARKERS = """
    import pytest

    @pytest.mark.wxcloud("prod")
    def test_positional(wxcloud):
        pass

    @pytest.mark.wxcloud(environment="prod")
    def test_unknown_key(wxcloud):
        pass

    @pytest.mark.wxcloud(data=42)
    def test_bad_data(wxcloud):
        pass

    @pytest.mark.wxcloud(seed="7")
    def test_bad_seed(wxcloud):
        pass

    @pytest.mark.wxcloud(strict="no")
    def test_bad_strict(wxcloud):
        wxcloud.functions.route("never", result=1)
"""


def test_bad_marker_arguments_are_reported_and_strict_is_off_by_default(
    run_pytest: RunPytest,
) -> None:
    outcome = run_pytest(
        {"test_bad.py": BAD_MARKERS, "test_strict.py": STRICT_TESTS}, "-p", "no:xdist"
    )
    assert "3 passed, 5 errors" in outcome.output, outcome.output
    assert "takes keyword arguments only" in outcome.output
    assert (
        "unknown argument(s) environment; accepted: env, appid, seed, data, strict"
        in outcome.output
    )
    assert "@pytest.mark.wxcloud(data=...) takes {collection: [documents]}" in outcome.output
    assert "seed=...) must be an int; got '7'" in outcome.output
    assert "strict=...) must be True or False; got 'no'" in outcome.output
