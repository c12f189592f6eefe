"""Every JavaScript example in docs/query-language.md runs against a seeded cloud."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.jsparse import Call, Member, parse
from pytest_wxcloud.http.query_language import run

DOC = Path(__file__).parents[3] / "docs" / "query-language.md"


def js_examples() -> list[str]:
    """Each ```js block; a block without declarations holds one query per line."""
    examples = []
    for block in re.findall(r"```js\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL):
        if "const " in block:
            examples.append(block)
        else:
            examples.extend(line for line in block.splitlines() if line.strip())
    return examples


def seeded_cloud() -> WxCloud:
    cloud = WxCloud(seed=3, now=datetime(2024, 5, 1, tzinfo=timezone.utc))
    cloud.seed(
        {
            "books": [
                {
                    "_id": "b1",
                    "title": "A",
                    "price": 12,
                    "done": True,
                    "a": {"b": "xx"},
                    "stock": 3,
                    "tags": [],
                },
                {
                    "_id": "b2",
                    "title": "B",
                    "price": 3,
                    "done": False,
                    "a": {"b": "y"},
                    "stock": 1,
                    "tags": [],
                },
            ],
            "orders": [{"_id": "o1", "book": "b1", "qty": 2, "paid": True}],
            "shops": [{"_id": "s1", "location": {"type": "Point", "coordinates": [113.3, 23.1]}}],
        }
    )
    return cloud


def test_the_document_has_examples() -> None:
    assert len(js_examples()) >= 10


#: the endpoint that serves each chain ending (http-api.md §4.4)
ENDPOINT_OF = {
    "get": "databasequery",
    "count": "databasecount",
    "add": "databaseadd",
    "update": "databaseupdate",
    "set": "databaseupdate",
    "remove": "databasedelete",
    "end": "databaseaggregate",
}


def endpoint_for(query: str) -> str:
    body = parse(query).body
    assert isinstance(body, Call) and isinstance(body.callee, Member), query
    return ENDPOINT_OF[body.callee.name]


@pytest.mark.parametrize("query", js_examples())
def test_documented_query_runs_directly_and_over_http(query: str) -> None:
    direct, over_http = seeded_cloud(), seeded_cloud()
    run(query, direct.database(), now=direct.clock.now)
    endpoint = endpoint_for(query)
    with over_http.mock_http():
        body = httpx.post(
            f"http://api.weixin.qq.com/tcb/{endpoint}",
            json={"env": over_http.env, "query": query},
        ).json()
    assert body["errcode"] == 0, body
    # the same operation, so the same stored state whichever way it ran
    assert over_http.snapshot() == direct.snapshot()


def test_the_python_block_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 1
    exec(compile(blocks[0], str(DOC), "exec"), {})  # our own documentation, not input
