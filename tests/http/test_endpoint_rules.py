"""Rules every query endpoint applies before and around the operation (http-api.md §3.14, §4.4,
§7.7, §7.9): a chain must end in the endpoint's own operation, a query that cannot run gets
-502002 with its position, a missing collection -502005, and nothing is written on failure."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from httpkit import WxApi, assert_error

from pytest_wxcloud import WxCloud

BOOKS = [
    {"_id": "b1", "title": "Dune", "price": 12},
    {"_id": "b2", "title": "Emma", "price": 8},
    {"_id": "b3", "title": "Ubik", "price": 12},
]


@pytest.fixture
def books(wx_api: WxApi) -> WxApi:
    wx_api.cloud.seed({"books": BOOKS})
    return wx_api


@pytest.mark.parametrize(
    ("endpoint", "query", "expected"),
    [
        ("databasequery", "db.collection('books').where({price: 12}).remove()", ".get()"),
        ("databasequery", "db.collection('books').count()", ".get()"),
        ("databasecount", "db.collection('books').doc('b1').remove()", ".count()"),
        ("databasedelete", "db.collection('books').get()", ".remove()"),
        ("databaseadd", "db.collection('books').doc('b1').set({data: {x: 1}})", ".add()"),
        (
            "databaseupdate",
            "db.collection('books').add({data: {title: 'New'}})",
            ".update() or .set()",
        ),
        ("databaseaggregate", "db.collection('books').where({price: 8}).remove()", ".end()"),
    ],
)
def test_chain_ending_must_match_the_endpoint_and_nothing_is_written(
    books: WxApi, endpoint: str, query: str, expected: str
) -> None:
    before = books.cloud.snapshot()
    body = books.query(endpoint, query)
    assert_error(body, -501007, f"{endpoint} runs a query ending in {expected}")
    assert books.cloud.snapshot() == before


def test_unparsable_query_is_502002_with_line_column_and_expectation(books: WxApi) -> None:
    body = books.query("databasequery", "db.collection('books')\n  .where({price:}).get()")
    assert_error(body, -502002, "database invalid command. query: unexpected token '}'")
    assert re.search(r"at line 2 column 17, expected an expression rid: ", body["errmsg"]), body


@pytest.mark.parametrize(
    "query",
    [
        "db.collection('books').constructor.name",
        "db.__class__",
        "db.collection('books').doc('b1').__dict__",
        "require('os').system('true')",
        "db.collection('books').where({price: _.gt(1)}).remove().then()",
    ],
)
def test_query_cannot_reach_anything_outside_the_api(books: WxApi, query: str) -> None:
    before = books.cloud.snapshot()
    for endpoint in ("databasequery", "databasedelete"):
        assert_error(books.query(endpoint, query), -502002, "query: ")
    assert books.cloud.snapshot() == before


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("databasequery", "db.collection('nope').get()"),
        ("databasecount", "db.collection('nope').count()"),
        ("databaseupdate", "db.collection('nope').where({a: 1}).update({data: {a: 2}})"),
        ("databasedelete", "db.collection('nope').doc('x').remove()"),
    ],
)
def test_missing_collection_is_502005(books: WxApi, endpoint: str, query: str) -> None:
    assert_error(books.query(endpoint, query), -502005, "collection not exist")
    assert books.cloud.collections() == ["books"]


def test_order_by_needs_a_direction_as_in_the_sdk(books: WxApi) -> None:
    body = books.query("databasequery", "db.collection('books').orderBy('price').get()")
    assert_error(body, -501007, "排序字符不合法")


def test_negative_limit_is_capped_like_a_positive_one(books: WxApi) -> None:
    # the database reads limit(-n) as limit(n): the HTTP maximum must not be bypassed that way
    assert_error(
        books.query("databasequery", "db.collection('books').limit(-101).get()"),
        -501007,
        "MgoLimit",
    )
    body = books.query("databasequery", "db.collection('books').limit(-2).get()")
    assert body["pager"] == {"Offset": 0, "Limit": 2, "Total": 3}


def test_update_with_multi_false_matches_and_changes_one_record(books: WxApi) -> None:
    body = books.query(
        "databaseupdate",
        "db.collection('books').where({price: 12}).update({data: {sale: true}, multi: false})",
    )
    assert (body["matched"], body["modified"], body["id"]) == (1, 1, "")
    assert [doc.get("sale") for doc in books.cloud.dump("books")] == [True, None, None]


# --------------------------------------------------------------------- invokecloudfunction timeout


@pytest.fixture
def slow_cloud() -> Any:
    cloud = WxCloud(env="prod-1", seed=3)
    cloud.clock.freeze()

    @cloud.function("slow", timeout=20)
    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        cloud.clock.advance(event["seconds"])  # work that takes this long on the cloud's clock
        return {"done": True}

    with cloud.mock_http(), httpx.Client() as client:
        yield WxApi(cloud, client)


def test_http_callers_give_up_after_five_seconds(slow_cloud: WxApi) -> None:
    """§3.1: the HTTP API waits 5 s for a function, even when the function may run for 20."""
    quick = slow_cloud.call("invokecloudfunction", {"name": "slow", "req_data": '{"seconds": 4}'})
    assert quick["errcode"] == 0 and quick["resp_data"] == '{"done":true}'
    late = slow_cloud.call("invokecloudfunction", {"name": "slow", "req_data": '{"seconds": 6}'})
    assert_error(late, -501002, "timeout")
