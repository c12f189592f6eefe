"""The same database scenarios through the Python API and through HTTP: same data, same answers.

Each scenario is a list of steps; a step is one operation written twice (a JS ``query`` for an
endpoint, and the Python call it stands for). Both runs start from twin clouds (same seed, same
frozen clock), so generated ids agree and the stored state must be identical after every step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from httpkit import WxApi

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database import ejson

NOW = datetime(2024, 5, 1, tzinfo=timezone.utc)

BOOKS = [
    {
        "_id": "b1",
        "title": "Dune",
        "price": 12.5,
        "tags": ["sf", "classic"],
        "stock": {"n": 3, "shelf": "A"},
    },
    {
        "_id": "b2",
        "title": "Emma",
        "price": 8,
        "tags": ["classic"],
        "stock": {"n": 0, "shelf": "B"},
    },
    {"_id": "b3", "title": "Ubik", "price": 9.5, "tags": ["sf"], "stock": {"n": 7, "shelf": "A"}},
    {
        "_id": "b4",
        "title": "Solaris",
        "price": 11,
        "tags": [],
        "published": datetime(1961, 1, 1, tzinfo=timezone.utc),
    },
]


@dataclass(frozen=True)
class Step:
    endpoint: str
    query: str
    python: Callable[[Any], dict[str, Any]]
    rejected: bool = False


def _get(python: dict[str, Any], http: dict[str, Any]) -> None:
    expected = [ejson.encode(doc) for doc in python["data"]]
    assert [json.loads(item) for item in http["data"]] == expected


def _count(python: dict[str, Any], http: dict[str, Any]) -> None:
    assert http["count"] == python["total"]


def _add(python: dict[str, Any], http: dict[str, Any]) -> None:
    assert http["id_list"] == python.get("_ids", [python.get("_id")])


def _update(python: dict[str, Any], http: dict[str, Any]) -> None:
    assert http["modified"] == python["stats"]["updated"]


def _remove(python: dict[str, Any], http: dict[str, Any]) -> None:
    assert http["deleted"] == python["stats"]["removed"]


def _aggregate(python: dict[str, Any], http: dict[str, Any]) -> None:
    assert [ejson.loads(item) for item in http["data"]] == python["list"]


COMPARE: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "databaseaggregate": _aggregate,
    "databasequery": _get,
    "databasecount": _count,
    "databaseadd": _add,
    "databaseupdate": _update,
    "databasedelete": _remove,
}


def books(db: Any) -> Any:
    return db.collection("books")


SCENARIOS: dict[str, list[Step]] = {
    "aggregation": [
        Step(
            "databaseaggregate",
            "db.collection('books').aggregate().unwind('$tags')"
            ".group({_id: '$tags', n: $.sum(1), avg: $.avg('$price')}).sort({_id: 1}).end()",
            lambda db: (
                books(db)
                .aggregate()
                .unwind("$tags")
                .group(
                    {
                        "_id": "$tags",
                        "n": db.command.aggregate.sum(1),
                        "avg": db.command.aggregate.avg("$price"),
                    }
                )
                .sort({"_id": 1})
                .end()
            ),
        ),
        Step(
            "databaseaggregate",
            "db.collection('books').aggregate().match({price: _.gte(9)})"
            ".project({title: 1, cheap: $.lt(['$price', 12])}).end()",
            lambda db: (
                books(db)
                .aggregate()
                .match({"price": db.command.gte(9)})
                .project({"title": 1, "cheap": db.command.aggregate.lt(["$price", 12])})
                .end()
            ),
        ),
        Step(
            "databaseaggregate",
            "db.collection('missing').aggregate().match({}).end()",
            lambda db: db.collection("missing").aggregate().match({}).end(),
            rejected=True,
        ),
    ],
    "filters and paging": [
        Step(
            "databasequery",
            "db.collection('books').where({price: _.gt(9)}).orderBy('price', 'desc').skip(1).limit(2).get()",
            lambda db: (
                books(db)
                .where({"price": db.command.gt(9)})
                .order_by("price", "desc")
                .skip(1)
                .limit(2)
                .get()
            ),
        ),
        Step(
            "databasequery",
            "db.collection('books').where({stock: {shelf: 'A'}}).field({title: true}).get()",
            lambda db: books(db).where({"stock": {"shelf": "A"}}).field({"title": True}).get(),
        ),
        Step(
            "databasequery",
            "db.collection('books').where(_.or([{tags: 'sf'}, {price: _.lt(9)}])).orderBy('title', 'asc').get()",
            lambda db: (
                books(db)
                .where(db.command.or_([{"tags": "sf"}, {"price": db.command.lt(9)}]))
                .order_by("title", "asc")
                .get()
            ),
        ),
        Step(
            "databasequery",
            "db.collection('books').where({title: db.RegExp({regexp: '^[de]', options: 'i'})}).get()",
            lambda db: books(db).where({"title": db.RegExp(regexp="^[de]", options="i")}).get(),
        ),
        Step(
            "databasecount",
            "db.collection('books').where({tags: _.size(0).or(_.all(['sf', 'classic']))}).count()",
            lambda db: (
                books(db)
                .where({"tags": db.command.size(0).or_(db.command.all(["sf", "classic"]))})
                .count()
            ),
        ),
        Step(
            "databasequery",
            "db.collection('books').where({published: _.lt(new Date('1970-01-01'))}).get()",
            lambda db: (
                books(db)
                .where({"published": db.command.lt(datetime(1970, 1, 1, tzinfo=timezone.utc))})
                .get()
            ),
        ),
    ],
    "writes": [
        Step(
            "databaseadd",
            "db.collection('books').add({data: {title: 'Kindred', price: 10, added: db.serverDate()}})",
            lambda db: books(db).add(
                data={"title": "Kindred", "price": 10, "added": db.server_date()}
            ),
        ),
        Step(
            "databaseadd",
            "db.collection('books').add({data: [{title: 'A'}, {title: 'B', at: new Date(86400000)}]})",
            lambda db: books(db).add(
                data=[
                    {"title": "A"},
                    {"title": "B", "at": datetime(1970, 1, 2, tzinfo=timezone.utc)},
                ]
            ),
        ),
        Step(
            "databaseupdate",
            "db.collection('books').where({tags: 'sf'}).update({data: {price: _.inc(1), stock: {n: _.mul(2)}, tags: _.push('read')}})",
            lambda db: (
                books(db)
                .where({"tags": "sf"})
                .update(
                    data={
                        "price": db.command.inc(1),
                        "stock": {"n": db.command.mul(2)},
                        "tags": db.command.push("read"),
                    }
                )
            ),
        ),
        Step(
            "databaseupdate",
            "db.collection('books').doc('b2').update({data: {stock: _.set({n: 5}), tags: _.pull('classic'), title: _.remove()}})",
            lambda db: (
                books(db)
                .doc("b2")
                .update(
                    data={
                        "stock": db.command.set({"n": 5}),
                        "tags": db.command.pull("classic"),
                        "title": db.command.remove(),
                    }
                )
            ),
        ),
        Step(
            "databaseupdate",
            "db.collection('books').doc('b9').set({data: {title: 'New', price: 1}})",
            lambda db: books(db).doc("b9").set(data={"title": "New", "price": 1}),
        ),
        Step(
            "databaseupdate",
            "db.collection('books').doc('b1').set({data: {title: 'Dune (2nd ed.)'}})",
            lambda db: books(db).doc("b1").set(data={"title": "Dune (2nd ed.)"}),
        ),
        Step(
            "databasedelete",
            "db.collection('books').where({price: _.lte(10)}).remove()",
            lambda db: books(db).where({"price": db.command.lte(10)}).remove(),
        ),
        Step(
            "databasedelete",
            "db.collection('books').doc('b4').remove()",
            lambda db: books(db).doc("b4").remove(),
        ),
        Step(
            "databasequery",
            "db.collection('books').orderBy('_id', 'asc').limit(20).get()",
            lambda db: books(db).order_by("_id", "asc").limit(20).get(),
        ),
    ],
    "rejected writes change nothing": [
        Step(
            "databaseupdate",
            "db.collection('books').doc('b1').update({data: {_id: 'other'}})",
            lambda db: books(db).doc("b1").update(data={"_id": "other"}),
            rejected=True,
        ),
        Step(
            "databaseupdate",
            "db.collection('books').doc('b1').set({data: {n: _.inc(1)}})",
            lambda db: books(db).doc("b1").set(data={"n": db.command.inc(1)}),
            rejected=True,
        ),
        Step(
            "databaseadd",
            "db.collection('missing').add({data: {a: 1}})",
            lambda db: db.collection("missing").add(data={"a": 1}),
            rejected=True,
        ),
        Step(
            "databaseupdate",
            "db.collection('books').where({price: _.gt(1)}).update({data: {title: _.inc(1)}})",
            lambda db: (
                books(db)
                .where({"price": db.command.gt(1)})
                .update(data={"title": db.command.inc(1)})
            ),
            rejected=True,
        ),
    ],
}


def twin() -> WxCloud:
    cloud = WxCloud(env="parity", seed=99, now=NOW)
    cloud.seed({"books": BOOKS})
    return cloud


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_python_and_http_agree(name: str) -> None:
    from pytest_wxcloud.errors import ERR_CODE_TEXT, TCB_ERR_CODE, CloudSDKError

    python_cloud, http_cloud = twin(), twin()
    db = python_cloud.database()
    with http_cloud.mock_http(max_limit=1000), httpx.Client() as client:
        api = WxApi(http_cloud, client)
        for step in SCENARIOS[name]:
            try:
                python_result: dict[str, Any] | CloudSDKError = step.python(db)
            except CloudSDKError as error:
                python_result = error
            http_result = api.query(step.endpoint, step.query)
            assert isinstance(python_result, CloudSDKError) == step.rejected, step.query
            if isinstance(python_result, CloudSDKError):
                # the SDK reports aggregate failures as errCode -1 plus the backend's code string;
                # the HTTP API answers with that code's number (sdk.md §3.4, http-api.md §3.14)
                expected = python_result.err_code
                if expected == -1 and python_result.code in TCB_ERR_CODE:
                    expected = TCB_ERR_CODE[python_result.code]
                assert http_result["errcode"] == expected, (step.query, http_result)
                detail = http_result["errmsg"].split(" rid: ")[0]
                assert (
                    detail.removeprefix(f"{ERR_CODE_TEXT.get(expected, '')}. ")
                    in python_result.err_msg
                )
            else:
                assert http_result["errcode"] == 0, (step.query, http_result)
                COMPARE[step.endpoint](python_result, http_result)
            assert http_cloud.snapshot() == python_cloud.snapshot(), step.query
