"""$lookup: equality join and let + pipeline join."""

from __future__ import annotations

import pytest
from agg_helpers import fails, run

from pytest_wxcloud.errors import DatabaseError

ORDERS = [
    {"_id": "o1", "product": "p1", "qty": 2},
    {"_id": "o2", "product": "p2", "qty": 1},
    {"_id": "o3", "qty": 4},
    {"_id": "o4", "product": ["p1", "p3"], "qty": 1},
]
PRODUCTS = [
    {"_id": "p1", "name": "pen", "stock": 3},
    {"_id": "p2", "name": "ink", "stock": 0},
    {"_id": "p3", "name": "pad", "stock": 9},
    {"_id": "px", "name": "ghost"},
]


def test_equality_join_matches_scalars_arrays_and_missing_to_null() -> None:
    stage = {
        "$lookup": {"from": "products", "localField": "product", "foreignField": "_id", "as": "p"}
    }
    out = run([stage], ORDERS, {"products": PRODUCTS})
    assert [[p["name"] for p in d["p"]] for d in out] == [["pen"], ["ink"], [], ["pen", "pad"]]
    nulls = run(
        [
            {
                "$lookup": {
                    "from": "products",
                    "localField": "product",
                    "foreignField": "missingField",
                    "as": "p",
                }
            }
        ],
        ORDERS[2:3],
        {"products": PRODUCTS},
    )
    assert (
        len(nulls[0]["p"]) == 4
    )  # missing local joins every foreign doc whose field is missing/null


def test_foreign_array_field_matches_any_element() -> None:
    tags = [{"_id": 1, "tags": ["a", "b"]}, {"_id": 2, "tags": ["c"]}]
    out = run(
        [{"$lookup": {"from": "tags", "localField": "t", "foreignField": "tags", "as": "hits"}}],
        [{"t": "b"}],
        {"tags": tags},
    )
    assert out == [{"t": "b", "hits": [{"_id": 1, "tags": ["a", "b"]}]}]


def test_lookup_into_a_dotted_as_path() -> None:
    stage = {
        "$lookup": {
            "from": "products",
            "localField": "product",
            "foreignField": "_id",
            "as": "info.products",
        }
    }
    out = run([stage], ORDERS[:1], {"products": PRODUCTS})
    assert out[0]["info"] == {"products": [PRODUCTS[0]]}


def test_let_pipeline_join_with_expr_on_let_variables() -> None:
    stage = {
        "$lookup": {
            "from": "products",
            "let": {"pid": "$product", "need": "$qty"},
            "pipeline": [
                {
                    "$match": {
                        "$expr": {
                            "$and": [{"$eq": ["$_id", "$$pid"]}, {"$gte": ["$stock", "$$need"]}]
                        }
                    }
                },
                {"$project": {"_id": 0, "name": 1, "left": {"$subtract": ["$stock", "$$need"]}}},
            ],
            "as": "available",
        }
    }
    out = run([stage], ORDERS[:2], {"products": PRODUCTS})
    assert out[0]["available"] == [{"name": "pen", "left": 1}]
    assert out[1]["available"] == []


def test_pipeline_without_let_and_nested_lookup() -> None:
    stage = {
        "$lookup": {
            "from": "products",
            "pipeline": [{"$match": {"stock": {"$gt": 0}}}, {"$count": "n"}],
            "as": "inStock",
        }
    }
    assert run([stage], [{"_id": 1}], {"products": PRODUCTS})[0]["inStock"] == [{"n": 2}]


def test_lookup_validation() -> None:
    fails(
        lambda: run([{"$lookup": {"localField": "a", "foreignField": "b", "as": "c"}}], ORDERS),
        "must specify 'from'",
    )
    fails(
        lambda: run([{"$lookup": {"from": "p", "localField": "a", "foreignField": "b"}}], ORDERS),
        "must specify 'as'",
    )
    fails(
        lambda: run([{"$lookup": {"from": "p", "localField": "a", "as": "c"}}], ORDERS),
        "missing 'foreignField'",
    )
    both = {"from": "p", "localField": "a", "foreignField": "b", "pipeline": [], "as": "c"}
    fails(
        lambda: run([{"$lookup": both}], ORDERS), "may not specify 'localField' or 'foreignField'"
    )
    fails(
        lambda: run(
            [{"$lookup": {"from": "p", "as": "c", "let": {"Bad": 1}, "pipeline": []}}], ORDERS
        ),
        "invalid character",
    )
    fails(
        lambda: run([{"$lookup": {"from": "p", "as": "c", "unknown": 1}}], ORDERS),
        "unknown argument to \\$lookup: unknown",
    )


def test_lookup_from_a_missing_collection_reports_it() -> None:
    stage = {"$lookup": {"from": "nope", "localField": "a", "foreignField": "b", "as": "c"}}
    with pytest.raises(DatabaseError) as info:
        run([stage], ORDERS)
    assert info.value.err_code == -502005


def test_nested_lookup_sees_outer_let_variables() -> None:
    reviews = [
        {"_id": "r1", "product": "p1", "stars": 5},
        {"_id": "r2", "product": "p1", "stars": 2},
        {"_id": "r3", "product": "p2", "stars": 4},
    ]
    stage = {
        "$lookup": {
            "from": "products",
            "let": {"pid": "$product", "minStars": 3},
            "pipeline": [
                {"$match": {"$expr": {"$eq": ["$_id", "$$pid"]}}},
                {
                    "$lookup": {
                        "from": "reviews",
                        "let": {"inner": "$_id"},
                        "pipeline": [
                            {
                                "$match": {
                                    "$expr": {
                                        "$and": [
                                            {"$eq": ["$product", "$$inner"]},
                                            {"$gte": ["$stars", "$$minStars"]},
                                        ]
                                    }
                                }
                            },
                            {"$project": {"_id": 1}},
                        ],
                        "as": "goodReviews",
                    }
                },
                {"$project": {"_id": 0, "name": 1, "goodReviews": 1}},
            ],
            "as": "p",
        }
    }
    out = run([stage], ORDERS[:2], {"products": PRODUCTS, "reviews": reviews})
    assert out[0]["p"] == [{"name": "pen", "goodReviews": [{"_id": "r1"}]}]
    assert out[1]["p"] == [{"name": "ink", "goodReviews": [{"_id": "r3"}]}]


def test_let_variables_do_not_leak_into_later_queries() -> None:
    stage = {
        "$lookup": {
            "from": "products",
            "let": {"pid": "$product"},
            "pipeline": [{"$match": {"$expr": {"$eq": ["$_id", "$$pid"]}}}],
            "as": "p",
        }
    }
    run([stage], ORDERS[:1], {"products": PRODUCTS})
    fails(
        lambda: run([{"$match": {"$expr": {"$eq": ["$_id", "$$pid"]}}}], PRODUCTS),
        "Use of undefined variable: pid",
    )
