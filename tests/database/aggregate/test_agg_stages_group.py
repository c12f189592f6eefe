"""$group, $bucket, $bucketAuto, $sortByCount and $count."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from agg_helpers import fails, run

UTC = timezone.utc
SALES = [
    {"_id": 1, "item": "pen", "price": 10, "qty": 2, "at": datetime(2024, 5, 1, 9, tzinfo=UTC)},
    {"_id": 2, "item": "ink", "price": 20, "qty": 1, "at": datetime(2024, 5, 1, 23, tzinfo=UTC)},
    {"_id": 3, "item": "pen", "price": 10, "qty": 10, "at": datetime(2024, 5, 2, 1, tzinfo=UTC)},
    {"_id": 4, "item": "pad", "price": 5, "qty": 5, "at": datetime(2024, 5, 2, 17, tzinfo=UTC)},
]


def test_group_by_field_with_sum_and_avg() -> None:
    out = run(
        [
            {"$group": {"_id": "$item", "qty": {"$sum": "$qty"}, "avgPrice": {"$avg": "$price"}}},
            {"$sort": {"_id": 1}},
        ],
        SALES,
    )
    assert out == [
        {"_id": "ink", "qty": 1, "avgPrice": 20.0},
        {"_id": "pad", "qty": 5, "avgPrice": 5.0},
        {"_id": "pen", "qty": 12, "avgPrice": 10.0},
    ]


def test_group_by_compound_key_day_in_a_timezone() -> None:
    day = {"$dateToString": {"date": "$at", "format": "%Y-%m-%d", "timezone": "+08:00"}}
    revenue = {"$sum": {"$multiply": ["$price", "$qty"]}}
    out = run(
        [
            {"$group": {"_id": {"day": day, "item": "$item"}, "revenue": revenue}},
            {"$sort": {"_id.day": 1, "_id.item": 1}},
        ],
        SALES,
    )
    assert out == [
        {"_id": {"day": "2024-05-01", "item": "pen"}, "revenue": 20},
        {"_id": {"day": "2024-05-02", "item": "ink"}, "revenue": 20},
        {"_id": {"day": "2024-05-02", "item": "pen"}, "revenue": 100},
        {"_id": {"day": "2024-05-03", "item": "pad"}, "revenue": 25},
    ]


def test_group_null_id_is_one_group_and_null_missing_share_a_group() -> None:
    assert run([{"$group": {"_id": None, "n": {"$sum": 1}}}], SALES) == [{"_id": None, "n": 4}]
    docs = [{"k": None}, {}, {"k": 1}, {"k": 1.0}, {"k": True}]
    out = run([{"$group": {"_id": "$k", "n": {"$sum": 1}}}], docs)
    assert out == [{"_id": None, "n": 2}, {"_id": 1, "n": 2}, {"_id": True, "n": 1}]


def test_group_errors() -> None:
    fails(lambda: run([{"$group": {"n": {"$sum": 1}}}], SALES), "must include an _id")
    fails(
        lambda: run([{"$group": {"_id": 1, "n": 1}}], SALES),
        "The field 'n' must be an accumulator object",
    )
    fails(lambda: run([{"$group": {"_id": 1, "a.b": {"$sum": 1}}}], SALES), "cannot contain '.'")
    fails(
        lambda: run([{"$group": {"_id": 1, "n": {"$sum": 1, "$avg": 1}}}], SALES),
        "must specify one accumulator",
    )


def test_count_stage() -> None:
    assert run([{"$match": {"item": "pen"}}, {"$count": "pens"}], SALES) == [{"pens": 2}]
    assert run([{"$match": {"item": "nope"}}, {"$count": "n"}], SALES) == []
    fails(lambda: run([{"$count": "$n"}], SALES), "cannot be a \\$-prefixed path")
    fails(lambda: run([{"$count": "a.b"}], SALES), "cannot contain '.'")
    fails(lambda: run([{"$count": ""}], SALES), "non-empty string")


def test_sort_by_count_orders_by_count_descending() -> None:
    assert run([{"$sortByCount": "$item"}], SALES) == [
        {"_id": "pen", "count": 2},
        {"_id": "ink", "count": 1},
        {"_id": "pad", "count": 1},
    ]
    fails(lambda: run([{"$sortByCount": "item"}], SALES), "\\$-prefixed path or an expression")


def test_bucket_with_default_and_output() -> None:
    stage = {
        "$bucket": {
            "groupBy": "$price",
            "boundaries": [0, 10, 20],
            "default": "other",
            "output": {"n": {"$sum": 1}, "items": {"$push": "$item"}},
        }
    }
    assert run([stage], SALES) == [
        {"_id": 0, "n": 1, "items": ["pad"]},
        {"_id": 10, "n": 2, "items": ["pen", "pen"]},
        {"_id": "other", "n": 1, "items": ["ink"]},
    ]
    assert run([{"$bucket": {"groupBy": "$price", "boundaries": [0, 100]}}], SALES) == [
        {"_id": 0, "count": 4}
    ]


def test_bucket_validation_and_out_of_range() -> None:
    fails(
        lambda: run([{"$bucket": {"groupBy": "$price", "boundaries": [0, 10]}}], SALES),
        "could not find a matching branch",
    )
    fails(
        lambda: run([{"$bucket": {"groupBy": "$price", "boundaries": [10, 0]}}], SALES),
        "ascending order",
    )
    fails(
        lambda: run([{"$bucket": {"groupBy": "$price", "boundaries": [0]}}], SALES),
        "at least 2 values",
    )
    bad_default = {"groupBy": "$price", "boundaries": [0, 10], "default": 5}
    fails(
        lambda: run([{"$bucket": bad_default}], SALES),
        "'default' field must be less than the lowest boundary",
    )
    fails(
        lambda: run([{"$bucket": {"groupBy": "price", "boundaries": [0, 10]}}], SALES),
        "\\$-prefixed path",
    )


def test_bucket_auto_spreads_evenly_without_splitting_equal_values() -> None:
    docs = [{"v": v} for v in (1, 2, 2, 2, 3, 4, 5, 6)]
    out = run([{"$bucketAuto": {"groupBy": "$v", "buckets": 3}}], docs)
    # round(8 / 3) = 3 per bucket; the first takes the third 2 as well; max = next bucket's min
    assert out == [
        {"_id": {"min": 1, "max": 3}, "count": 4},
        {"_id": {"min": 3, "max": 6}, "count": 3},
        {"_id": {"min": 6, "max": 6}, "count": 1},
    ]


def test_bucket_auto_more_buckets_than_documents() -> None:
    docs = [{"v": 3}, {"v": 1}]
    out = run(
        [{"$bucketAuto": {"groupBy": "$v", "buckets": 5, "output": {"vs": {"$push": "$v"}}}}], docs
    )
    assert out == [
        {"_id": {"min": 1, "max": 3}, "vs": [1]},
        {"_id": {"min": 3, "max": 3}, "vs": [3]},
    ]


def test_bucket_auto_granularity_powers_of_two() -> None:
    docs = [{"v": v} for v in (1, 3, 5, 9, 17, 33)]
    out = run([{"$bucketAuto": {"groupBy": "$v", "buckets": 3, "granularity": "POWERSOF2"}}], docs)
    assert [b["_id"] for b in out] == [
        {"min": 0.5, "max": 4},
        {"min": 4, "max": 16},
        {"min": 16, "max": 64},
    ]
    assert [b["count"] for b in out] == [2, 2, 2]


@pytest.mark.parametrize(
    ("buckets", "message"),
    [
        (0, "must be greater than 0, but found: 0"),
        (-1, "must be greater than 0"),
        (1.5, "must be representable as a 32-bit integer"),
        ("3", "must be a numeric value, but found type: string"),
    ],
)
def test_bucket_auto_needs_a_positive_bucket_count(buckets: object, message: str) -> None:
    fails(
        lambda: run([{"$bucketAuto": {"groupBy": "$v", "buckets": buckets}}], [{"v": 1}]), message
    )


def test_bucket_auto_halves_round_up_like_c() -> None:
    # 5 documents / 2 buckets = 2.5 -> 3 per bucket (C's round), not 2 (Python's banker's round)
    out = run([{"$bucketAuto": {"groupBy": "$v", "buckets": 2}}], [{"v": v} for v in range(5)])
    assert [b["count"] for b in out] == [3, 2]


def test_bucket_auto_series_granularity_is_strict() -> None:
    docs = [{"v": v} for v in range(1, 11)]
    out = run([{"$bucketAuto": {"groupBy": "$v", "buckets": 2, "granularity": "R5"}}], docs)
    # 5 is rounded up to 6.3, which absorbs 6; the ends round outward (1 -> 0.63, 10 -> 16)
    assert out == [
        {"_id": {"min": 0.63, "max": 6.3}, "count": 6},
        {"_id": {"min": 6.3, "max": 16.0}, "count": 4},
    ]


def test_bucket_auto_granularity_with_a_zero_first_bucket() -> None:
    docs = [{"v": v} for v in (0, 0, 0, 5, 7)]
    out = run([{"$bucketAuto": {"groupBy": "$v", "buckets": 2, "granularity": "R5"}}], docs)
    assert out == [
        {"_id": {"min": 0, "max": 4.0}, "count": 3},
        {"_id": {"min": 4.0, "max": 10.0}, "count": 2},
    ]


def test_bucket_auto_granularity_needs_non_negative_numbers() -> None:
    stage = {"$bucketAuto": {"groupBy": "$v", "buckets": 2, "granularity": "E12"}}
    fails(lambda: run([stage], [{"v": -1}]), "non-negative numbers only")
    fails(
        lambda: run([stage], [{"v": "x"}]),
        "numeric boundaries only, but found a value with type: string",
    )
    fails(
        lambda: run([{"$bucketAuto": {"groupBy": {"v": "$v"}, "buckets": 2}}], [{"v": 1}]),
        r"\$-prefixed path or an expression object",
    )


def test_bucket_auto_rejects_unknown_granularity() -> None:
    fails(
        lambda: run(
            [{"$bucketAuto": {"groupBy": "$v", "buckets": 2, "granularity": "R3"}}], [{"v": 1}]
        ),
        "granularity 'R3'",
    )
