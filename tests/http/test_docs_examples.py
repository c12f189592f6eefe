"""The examples of docs/http-api.md, run as written."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import respx

from pytest_wxcloud import WxCloud

DOC = Path(__file__).parents[2] / "docs" / "http-api.md"


def test_quick_start_block_runs() -> None:
    first_block = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert first_block is not None
    exec(compile(first_block.group(1), str(DOC), "exec"), {})  # our own documentation, not input


def test_mongodb_level_rejection_is_502001() -> None:
    cloud = WxCloud(env="e", seed=1)
    cloud.seed({"books": [{"_id": "b1", "title": "Dune"}]})
    with cloud.mock_http():
        body = httpx.post(
            "http://api.weixin.qq.com/tcb/databaseupdate",
            json={
                "env": "e",
                "query": "db.collection('books').doc('b1').update({data: {title: _.inc(1)}})",
            },
        ).json()
    assert body["errcode"] == -502001
    assert cloud.dump("books") == [{"_id": "b1", "title": "Dune"}]


def test_nested_blocks_innermost_answers() -> None:
    cloud = WxCloud(env="e", seed=1)
    cloud.seed({"n": [{"i": i} for i in range(200)]})
    query = {"env": "e", "query": "db.collection('n').limit(150).get()"}
    with cloud.mock_http():
        url = "http://api.weixin.qq.com/tcb/databasequery"
        assert httpx.post(url, json=query).json()["errcode"] == -501007
        with cloud.mock_http(max_limit=1000):
            assert len(httpx.post(url, json=query).json()["data"]) == 150
        assert httpx.post(url, json=query).json()["errcode"] == -501007


def test_user_respx_fixture_style() -> None:
    cloud = WxCloud(env="e", seed=1)
    with cloud.mock_http(), respx.mock() as respx_mock:
        respx_mock.post("https://api.weixin.qq.com/wxa/getpaidunionid").respond(
            200, json={"errcode": 0, "errmsg": "ok"}
        )
        assert (
            httpx.post("https://api.weixin.qq.com/wxa/getpaidunionid", json={}).json()["errcode"]
            == 0
        )
        assert (
            httpx.post(
                "http://api.weixin.qq.com/tcb/databasecollectionget", json={"env": "e"}
            ).json()["errcode"]
            == 0
        )
