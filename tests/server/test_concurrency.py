"""Many clients at once lose no update (the issue's proof: 8 clients x 25 ``_.inc``)."""

from __future__ import annotations

import threading

import httpx
from serverkit import fetch_token

from pytest_wxcloud import WxCloud

CLIENTS, UPDATES = 8, 25


def test_concurrent_inc_updates_lose_nothing() -> None:
    cloud = WxCloud(seed=4)
    cloud.seed({"counters": [{"_id": "c", "n": 0}]})
    body = {
        "env": cloud.env,
        "query": "db.collection('counters').doc('c').update({data: {n: _.inc(1)}})",
    }
    failures: list[object] = []
    with cloud.serve() as server:
        with httpx.Client(base_url=server.url) as http:
            token = fetch_token(http, cloud)
        start = threading.Barrier(CLIENTS)

        def client() -> None:
            with httpx.Client(base_url=server.url, timeout=30) as http:
                start.wait()
                for _ in range(UPDATES):
                    reply = http.post(
                        "/tcb/databaseupdate", params={"access_token": token}, json=body
                    ).json()
                    if (reply["errcode"], reply["modified"]) != (0, 1):
                        failures.append(reply)

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert failures == []
    assert cloud.dump("counters") == [{"_id": "c", "n": CLIENTS * UPDATES}]
