"""``pager`` of databasequery: Offset echoes skip, Limit is the effective limit, Total ignores both."""

from __future__ import annotations

import json

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_wxcloud import WxCloud


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(0, 25),
    skip=st.integers(0, 30),
    limit=st.integers(-12, 12),
    threshold=st.integers(0, 10),
)
def test_pager_total_counts_every_match(size: int, skip: int, limit: int, threshold: int) -> None:
    cloud = WxCloud(env="pager", seed=1)
    cloud.seed({"n": [{"_id": f"{i:02d}", "v": i % 10} for i in range(size)]})
    matching = sorted(f"{i:02d}" for i in range(size) if i % 10 >= threshold)
    chain = f"db.collection('n').where({{v: _.gte({threshold})}}).orderBy('_id', 'asc')"
    if skip:
        chain += f".skip({skip})"
    if limit:
        chain += f".limit({limit})"
    with cloud.mock_http():
        body = httpx.post(
            "http://api.weixin.qq.com/tcb/databasequery",
            json={"env": "pager", "query": chain + ".get()"},
        ).json()
    effective = abs(limit) or 10
    assert body["pager"] == {"Offset": skip, "Limit": effective, "Total": len(matching)}
    assert [json.loads(r)["_id"] for r in body["data"]] == matching[skip : skip + effective]
