"""The same scenarios written twice — as a JavaScript ``query`` string and as the Python chain a
user would write — must give the same result and leave the same stored state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.errors import CloudSDKError, SDKUsageError
from pytest_wxcloud.http.query_language import QueryEvaluationError, run

UTC = timezone.utc
START = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)

BOOKS = [
    {
        "_id": "b1",
        "title": "Cloud Basics",
        "price": 12.5,
        "tags": ["cloud"],
        "stock": {"n": 3},
        "at": datetime(2024, 1, 1, tzinfo=UTC),
    },
    {
        "_id": "b2",
        "title": "cloud patterns",
        "price": 30,
        "tags": ["cloud", "db"],
        "stock": {"n": 0},
        "at": datetime(2024, 3, 1, tzinfo=UTC),
    },
    {
        "_id": "b3",
        "title": "Python",
        "price": 8,
        "tags": [],
        "stock": {"n": 7},
        "at": datetime(2023, 6, 1, tzinfo=UTC),
    },
    {
        "_id": "b4",
        "title": "Mongo",
        "price": 30,
        "tags": ["db"],
        "stock": {"n": 1},
        "at": datetime(2024, 4, 1, tzinfo=UTC),
    },
]
ORDERS = [
    {"_id": "o1", "book": "b1", "qty": 2},
    {"_id": "o2", "book": "b2", "qty": 1},
    {"_id": "o3", "book": "b1", "qty": 5},
]

Chain = Callable[[Any, Any], Any]  # (db, _) -> result

SCENARIOS: list[tuple[str, str, Chain]] = [
    (
        "where with commands, regex literal, orderBy, limit",
        "db.collection('books').where({price: _.gt(10), title: /^cloud/i})"
        ".orderBy('price', 'desc').limit(10).get()",
        lambda db, _: (
            db.collection("books")
            .where({"price": _.gt(10), "title": db.RegExp(regexp="^cloud", options="i")})
            .order_by("price", "desc")
            .limit(10)
            .get()
        ),
    ),
    (
        "repeated orderBy, skip and field in free order",
        "db.collection('books').skip(1).orderBy('price', 'desc').orderBy('title', 'asc')"
        ".field({title: true, price: 1}).get()",
        lambda db, _: (
            db.collection("books")
            .skip(1)
            .order_by("price", "desc")
            .order_by("title", "asc")
            .field({"title": True, "price": 1})
            .get()
        ),
    ),
    (
        "dotted quoted key and chained and",
        "db.collection('books').where({'stock.n': _.gte(1).and(_.lte(3))}).get()",
        lambda db, _: db.collection("books").where({"stock.n": _.gte(1).and_(_.lte(3))}).get(),
    ),
    (
        "count with or and in",
        "const _ = db.command; db.collection('books').where(_.or([{price: _.in([8, 30])}, {tags: 'cloud'}])).count()",
        lambda db, _: (
            db.collection("books")
            .where(_.or_([{"price": _.in_([8, 30])}, {"tags": "cloud"}]))
            .count()
        ),
    ),
    (
        "dates compared with new Date(...)",
        "db.collection('books').where({at: _.gte(new Date('2024-02-01')).and(_.lt(new Date(2024, 3, 1)))}).get()",
        lambda db, _: (
            db.collection("books")
            .where(
                {
                    "at": _.gte(datetime(2024, 2, 1, tzinfo=UTC)).and_(
                        _.lt(datetime(2024, 4, 1, tzinfo=UTC))
                    )
                }
            )
            .get()
        ),
    ),
    (
        "doc get",
        "db.collection('books').doc('b2').field({title: true}).get()",
        lambda db, _: db.collection("books").doc("b2").field({"title": True}).get(),
    ),
    (
        "doc update with update commands",
        "db.collection('books').doc('b1').update({data: {price: _.inc(1.5), tags: _.push({each: ['new'], position: 0}),"
        " 'stock.n': _.mul(2), title: _.remove(), seen: new Date(), meta: {by: 'http'}}})",
        lambda db, _: (
            db.collection("books")
            .doc("b1")
            .update(
                data={
                    "price": _.inc(1.5),
                    "tags": _.push(each=["new"], position=0),
                    "stock.n": _.mul(2),
                    "title": _.remove(),
                    "seen": START,
                    "meta": {"by": "http"},
                }
            )
        ),
    ),
    (
        "where update, multi false",
        "db.collection('books').where({price: 30}).update({data: {sale: true}, multi: false})",
        lambda db, _: (
            db.collection("books").where({"price": 30}).update(data={"sale": True}, multi=False)
        ),
    ),
    (
        "where update, all matches, server date",
        "db.collection('books').where({tags: 'db'}).update({data: {checked: db.serverDate({offset: 60000})}})",
        lambda db, _: (
            db.collection("books")
            .where({"tags": "db"})
            .update(data={"checked": db.server_date(offset=60000)})
        ),
    ),
    (
        "doc set replaces the document",
        "db.collection('books').doc('b3').set({data: {title: 'Python 2', price: 9}})",
        lambda db, _: db.collection("books").doc("b3").set(data={"title": "Python 2", "price": 9}),
    ),
    (
        "doc set creates a missing document",
        "db.collection('books').doc('b9').set({data: {title: 'New'}})",
        lambda db, _: db.collection("books").doc("b9").set(data={"title": "New"}),
    ),
    (
        "add one document with Date, Geo, RegExp",
        "db.collection('books').add({data: {title: 'Geo', at: new Date('2019-09-09'), "
        "where: new db.Geo.Point(113, 23), pattern: db.RegExp({regexp: 'a+', options: 'i'})}})",
        lambda db, _: db.collection("books").add(
            data={
                "title": "Geo",
                "at": datetime(2019, 9, 9, tzinfo=UTC),
                "where": db.Geo.Point(113, 23),
                "pattern": db.RegExp(regexp="a+", options="i"),
            }
        ),
    ),
    (
        "add a batch",
        "const Point = db.Geo.Point; db.collection('books').add({data: [{title: 'A', p: Point(1, 2)}, {_id: 'mine', title: 'B'},]})",
        lambda db, _: db.collection("books").add(
            data=[{"title": "A", "p": db.Geo.Point(1, 2)}, {"_id": "mine", "title": "B"}]
        ),
    ),
    (
        "remove by condition",
        "db.collection('books').where({price: _.lt(10)}).remove()",
        lambda db, _: db.collection("books").where({"price": _.lt(10)}).remove(),
    ),
    (
        "doc remove",
        "db.collection('books').doc('b4').remove()",
        lambda db, _: db.collection("books").doc("b4").remove(),
    ),
    (
        "aggregate with $ operators",
        "db.collection('orders').aggregate().group({_id: '$book', total: $.sum('$qty')})"
        ".sort({total: -1}).end()",
        lambda db, _: (
            db.collection("orders")
            .aggregate()
            .group({"_id": "$book", "total": _.aggregate.sum("$qty")})
            .sort({"total": -1})
            .end()
        ),
    ),
    (
        "aggregate lookup with a sub-pipeline",
        "db.collection('orders').aggregate().match({qty: _.gt(1)}).lookup({from: 'books', let: {id: '$book'}, "
        "pipeline: $.pipeline().match(_.expr($.eq(['$_id', '$$id']))).project({_id: 0, title: 1}).done(), "
        "as: 'book'}).end()",
        lambda db, _: (
            db.collection("orders")
            .aggregate()
            .match({"qty": _.gt(1)})
            .lookup(
                {
                    "from": "books",
                    "let": {"id": "$book"},
                    "pipeline": _.aggregate.pipeline()
                    .match(_.expr(_.aggregate.eq(["$_id", "$$id"])))
                    .project({"_id": 0, "title": 1})
                    .done(),
                    "as": "book",
                }
            )
            .end()
        ),
    ),
    (
        "expr inside and",
        "db.collection('books').where(_.and([{tags: _.size(1)}, _.expr($.gt(['$price', 20]))])).get()",
        lambda db, _: (
            db.collection("books")
            .where(_.and_([{"tags": _.size(1)}, _.expr(_.aggregate.gt(["$price", 20]))]))
            .get()
        ),
    ),
    (
        "projection slice",
        "db.collection('books').where({_id: 'b2'}).field({tags: _.project.slice(1)}).get()",
        lambda db, _: (
            db.collection("books").where({"_id": "b2"}).field({"tags": _.project.slice(1)}).get()
        ),
    ),
]


def fresh_cloud() -> WxCloud:
    cloud = WxCloud(seed=5, now=START)
    cloud.seed({"books": BOOKS, "orders": ORDERS})
    return cloud


@pytest.mark.parametrize(
    ("query", "chain"), [pytest.param(q, c, id=name) for name, q, c in SCENARIOS]
)
def test_query_string_and_python_chain_agree(query: str, chain: Chain) -> None:
    via_query, via_python = fresh_cloud(), fresh_cloud()
    got = run(query, via_query.database(), now=via_query.clock.now)
    python_db = via_python.database()
    expected = chain(python_db, python_db.command)
    assert got == expected
    for name in ("books", "orders"):
        assert via_query.dump(name) == via_python.dump(name)


def test_new_date_without_arguments_is_the_frozen_cloud_clock() -> None:
    cloud = fresh_cloud()
    run(
        "db.collection('books').doc('b1').update({data: {seen: new Date()}})",
        cloud.database(),
        now=cloud.clock.now,
    )
    cloud.clock.advance(timedelta(hours=1))
    run(
        "db.collection('books').doc('b2').update({data: {seen: new Date()}})",
        cloud.database(),
        now=cloud.clock.now,
    )
    seen = {doc["_id"]: doc.get("seen") for doc in cloud.dump("books")}
    assert seen["b1"] == START
    assert seen["b2"] == START + timedelta(hours=1)


def test_api_validation_errors_propagate_unchanged_and_nothing_is_written() -> None:
    cloud = fresh_cloud()
    before = cloud.dump("books")
    with pytest.raises(SDKUsageError, match="limitmust be integer"):
        run("db.collection('books').limit(1.5).get()", cloud.database())
    with pytest.raises(SDKUsageError, match="Collection name is required"):
        run("db.collection('').add({data: {a: 1}})", cloud.database())
    with pytest.raises(CloudSDKError) as info:
        run("db.collection('books').doc('b1').update({data: {_id: 'x'}})", cloud.database())
    assert info.value.err_code == -501007
    assert cloud.dump("books") == before


def test_wrong_argument_count_is_a_query_error() -> None:
    cloud = fresh_cloud()
    with pytest.raises(QueryEvaluationError) as info:
        run("db.collection('books').where({price: _.gt()}).get()", cloud.database())
    assert info.value.detail.startswith("wrong arguments for db.command.gt(): ")
    assert (info.value.line, info.value.column) == (1, 42)


def test_an_operation_on_a_missing_collection_reports_the_backend_error() -> None:
    cloud = fresh_cloud()
    with pytest.raises(CloudSDKError) as info:
        run("db.collection('nope').get()", cloud.database())
    assert info.value.err_code == -502005


def test_every_whitelisted_name_exists_on_the_python_api() -> None:
    from pytest_wxcloud.http.query_language import ROLES, python_name

    db = fresh_cloud().database()
    _ = db.command
    samples = {
        "db": db,
        "collection": db.collection("books"),
        "query": db.collection("books").where({}),
        "document": db.collection("books").doc("b1"),
        "aggregate": db.collection("books").aggregate(),
        "command": _,
        "query_command": _.gt(1),
        "project": _.project,
        "aggregate_operators": _.aggregate,
        "pipeline": _.aggregate.pipeline(),
        "geo": db.Geo,
    }
    assert set(samples) == set(ROLES)
    missing = [
        f"{role}.{name} -> {python_name(name)}"
        for role, obj in samples.items()
        for name in ROLES[role].methods
        if not callable(getattr(obj, python_name(name), None))
    ]
    missing += [
        f"{role}.{name} -> {python_name(name)}"
        for role, obj in samples.items()
        for name in ROLES[role].properties
        if getattr(obj, python_name(name), None) is None
    ]
    assert missing == []
