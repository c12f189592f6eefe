"""One scenario through every face and transport: the same stored state at the end.

Python SDK, the HTTP API over httpx and over requests (both in-process), the HTTP API over the
loopback server, and the CloudBase /admin protocol over the loopback server: five twin clouds
(same seed, same frozen clock) run the same steps, each written in that face's own language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import httpx
import requests

from pytest_wxcloud import WxCloud

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)
API = "https://api.weixin.qq.com"
SEED = {"books": [{"_id": "b1", "title": "Dune", "price": 12, "tags": ["sf"]}]}

#: (HTTP endpoint, query string) per step, and the /admin body that the SDK sends for it
STEPS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "databaseadd",
        "db.collection('books').add({data: [{_id: 'b2', title: 'Emma', price: 8}]})",
        {
            "action": "database.insertDocument",
            "collectionName": "books",
            "data": ['{"_id":"b2","title":"Emma","price":{"$numberInt":"8"}}'],
        },
    ),
    (
        "databaseupdate",
        "db.collection('books').where({price: _.gt(10)}).update({data: {price: _.inc(1), tags: _.push('sale')}})",
        {
            "action": "database.modifyDocument",
            "collectionName": "books",
            "queryType": "WHERE",
            "query": '{"price":{"$gt":{"$numberInt":"10"}}}',
            "data": '{"$inc":{"price":{"$numberInt":"1"}},"$push":{"tags":{"$each":["sale"]}}}',
            "multi": True,
            "merge": True,
            "upsert": False,
        },
    ),
    (
        "databaseupdate",
        "db.collection('books').doc('b9').set({data: {title: 'Ubik'}})",
        {
            "action": "database.modifyDocument",
            "collectionName": "books",
            "queryType": "DOC",
            "query": '{"_id":"b9"}',
            "data": '{"title":"Ubik"}',
            "multi": False,
            "merge": False,
            "upsert": True,
        },
    ),
    (
        "databasedelete",
        "db.collection('books').doc('b2').remove()",
        {
            "action": "database.removeDocument",
            "collectionName": "books",
            "queryType": "DOC",
            "query": '{"_id":"b2"}',
            "multi": False,
        },
    ),
]


def _python(cloud: WxCloud) -> None:
    db = cloud.database()
    _ = db.command
    books = db.collection("books")
    books.add(data=[{"_id": "b2", "title": "Emma", "price": 8}])
    books.where({"price": _.gt(10)}).update(data={"price": _.inc(1), "tags": _.push("sale")})
    books.doc("b9").set(data={"title": "Ubik"})
    books.doc("b2").remove()


def _over_http(cloud: WxCloud, post: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
    token = post(
        "/cgi-bin/stable_token",
        {"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret},
    )["access_token"]
    for endpoint, query, _ in STEPS:
        reply = post(f"/tcb/{endpoint}?access_token={token}", {"env": cloud.env, "query": query})
        assert reply["errcode"] == 0, reply


def _httpx(cloud: WxCloud) -> None:
    with cloud.mock_http(), httpx.Client(base_url=API) as client:
        _over_http(cloud, lambda path, body: client.post(path, json=body).json())


def _requests(cloud: WxCloud) -> None:
    with cloud.mock_http(), requests.Session() as session:
        _over_http(cloud, lambda path, body: session.post(API + path, json=body).json())


def _server(cloud: WxCloud) -> None:
    with cloud.serve() as server, httpx.Client(base_url=server.url) as client:
        _over_http(cloud, lambda path, body: client.post(path, json=body).json())


def _admin(cloud: WxCloud) -> None:
    with cloud.serve() as server, httpx.Client() as client:
        for _, _, body in STEPS:
            reply = client.post(f"{server.admin_url}?env={cloud.env}&seqId=1", json=body).json()
            assert "code" not in reply, reply


def test_every_face_leaves_the_same_stored_state() -> None:
    states = {}
    for name, run in {
        "python": _python,
        "httpx": _httpx,
        "requests": _requests,
        "server": _server,
        "admin": _admin,
    }.items():
        cloud = WxCloud(seed=11, now=NOW)
        cloud.seed(SEED)
        run(cloud)
        states[name] = json.dumps(cloud.dump("books"), sort_keys=True, default=str)
    assert len(set(states.values())) == 1, states
    assert json.loads(states["python"]) == [
        {"_id": "b1", "price": 13, "tags": ["sf", "sale"], "title": "Dune"},
        {"_id": "b9", "title": "Ubik"},
    ]
