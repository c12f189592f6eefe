"""The same scenario through the Python SDK face and the CloudBase /admin face: same stored state.

Twin clouds (same seed, same frozen clock) run one step each way; the /admin body is what
@cloudbase/database serializes for the Python call beside it (sdk.md §4.2), so generated ids,
server dates and counts must agree after every step.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from adminkit import post

from pytest_wxcloud import WxCloud

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)
SEED = {"books": [{"_id": "b1", "title": "Dune", "price": 12, "tags": ["sf"]}]}

Step = tuple[dict[str, Any], Callable[[Any], Any]]


def _steps() -> list[Step]:
    return [
        (
            {
                "action": "database.insertDocument",
                "collectionName": "books",
                "data": [
                    '{"title":"Emma","price":{"$numberInt":"8"},"at":{"$tcb_server_date":{"offset":{"$numberInt":"1000"}}}}'
                ],
            },
            lambda db: db.collection("books").add(
                data={"title": "Emma", "price": 8, "at": db.server_date(offset=1000)}
            ),
        ),
        (
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
            lambda db: (
                db.collection("books")
                .where({"price": db.command.gt(10)})
                .update(data={"price": db.command.inc(1), "tags": db.command.push("sale")})
            ),
        ),
        (
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
            lambda db: db.collection("books").doc("b9").set(data={"title": "Ubik"}),
        ),
        (
            {
                "action": "database.removeDocument",
                "collectionName": "books",
                "queryType": "DOC",
                "query": '{"_id":"b1"}',
                "multi": False,
            },
            lambda db: db.collection("books").doc("b1").remove(),
        ),
        (
            {"action": "database.addCollection", "collectionName": "logs"},
            lambda db: db.create_collection("logs"),
        ),
    ]


def test_every_step_leaves_both_clouds_identical() -> None:
    python_cloud = WxCloud(seed=11, now=NOW)
    admin_cloud = WxCloud(seed=11, now=NOW)
    for cloud in (python_cloud, admin_cloud):
        cloud.seed(SEED)
    db = python_cloud.database()
    for body, python in _steps():
        python(db)
        reply = post(admin_cloud, body)
        assert "code" not in reply, reply
        assert admin_cloud.snapshot() == python_cloud.snapshot(), body["action"]
