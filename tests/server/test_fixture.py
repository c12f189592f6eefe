"""The ``wxcloud_server`` fixture: the test's own cloud, reachable over a real socket."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from serverkit import fetch_token

from pytest_wxcloud import WxCloud


@pytest.mark.wxcloud(env="fixture-env", data={"books": [{"_id": "b1", "title": "Dune"}]})
def test_serves_the_wxcloud_fixtures_cloud(wxcloud: WxCloud, wxcloud_server: Any) -> None:
    assert wxcloud_server.cloud is wxcloud
    assert wxcloud_server.url.startswith("http://127.0.0.1:")
    with httpx.Client(base_url=wxcloud_server.url, timeout=10) as client:
        token = fetch_token(client, wxcloud)
        body = {"env": "fixture-env", "query": "db.collection('books').get()"}
        reply = client.post("/tcb/databasequery", params={"access_token": token}, json=body)
    assert [json.loads(d) for d in reply.json()["data"]] == [{"_id": "b1", "title": "Dune"}]
    assert wxcloud_server.node_env()["TCB_ENV"] == "fixture-env"


def test_in_process_interception_stays_on_beside_it(wxcloud: WxCloud, wxcloud_server: Any) -> None:
    with httpx.Client(base_url=wxcloud_server.url, timeout=10) as client:
        served = fetch_token(client, wxcloud)
        # one cloud, one token authority: a token fetched over the socket works in process
        in_process = client.post(
            "https://api.weixin.qq.com/tcb/databasecollectionget",
            params={"access_token": served},
            json={"env": wxcloud.env},
        ).json()
    assert in_process["errcode"] == 0
