"""A test's cloud (and everything it made) is released at teardown, not at the session's end.

Suites seed thousands of documents per test and run hundreds of tests: a cloud kept alive per
test grows a run's memory without bound.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RunPytest = Callable[..., Any]  # the run_pytest fixture of conftest.py

COUNT_LIVE = """
    import gc

    from pytest_wxcloud import WxCloud
    from pytest_wxcloud.recording import Cassette

    def pytest_sessionfinish(session):
        gc.collect()
        live = [o for o in gc.get_objects() if isinstance(o, (WxCloud, Cassette))]
        print(f"LIVE clouds={sum(isinstance(o, WxCloud) for o in live)} "
              f"cassettes={sum(isinstance(o, Cassette) for o in live)}")
"""

MANY_TESTS = """
    import httpx
    import pytest

    # first: pytest keeps the last failure's traceback (sys.last_traceback) until the next test
    def test_failing_tests_release_their_cloud_too(wxcloud):
        wxcloud.seed({"c": [{"_id": 1}]})
        assert wxcloud.dump("c") == []

    @pytest.mark.parametrize("n", range(40))
    @pytest.mark.wxcloud(data={"books": [{"_id": "b1", "title": "Dream"}]})
    @pytest.mark.wxcloud_cassette
    def test_uses_everything(wxcloud, wx_db, wx_user, n):
        @wxcloud.function("count")
        def count(event, context):
            return wxcloud.database().collection("books").count()["total"]

        wx_db.collection("books").add(data={"n": n})
        assert wxcloud.call_function("count", as_user=wx_user)["result"] == 2
        token = httpx.get(
            "https://api.weixin.qq.com/cgi-bin/token",
            params={"grant_type": "client_credential", "appid": wxcloud.appid,
                    "secret": wxcloud.secret},
        ).json()["access_token"]
        answer = httpx.post(
            "https://api.weixin.qq.com/tcb/databasecount",
            params={"access_token": token},
            json={"env": wxcloud.env, "query": "db.collection('books').count()"},
        ).json()
        assert answer["count"] == 2
"""


def test_no_cloud_outlives_its_test(run_pytest: RunPytest) -> None:
    outcome = run_pytest(
        {"conftest.py": COUNT_LIVE, "test_many.py": MANY_TESTS},
        "-p",
        "no:xdist",
        "-p",
        "no:randomly",
        "-s",
    )
    assert "40 passed, 1 failed" in outcome.output or "1 failed, 40 passed" in outcome.output, (
        outcome.output
    )
    assert "LIVE clouds=0 cassettes=0" in outcome.output, outcome.output
