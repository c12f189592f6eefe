"""$match, $sort, $skip, $limit, $sample, $unwind; pipeline-level errors and the output bound."""

from __future__ import annotations

import pytest
from agg_helpers import fails, run

from pytest_wxcloud.database.aggregate import MAX_STAGE_DOCUMENTS
from pytest_wxcloud.errors import DatabaseError, UnknownOperatorError

DOCS = [{"_id": i, "n": i % 3, "tags": ["a", "b"][: i % 3]} for i in range(6)]


def test_match_uses_query_semantics_and_expr() -> None:
    assert [d["_id"] for d in run([{"$match": {"n": {"$gt": 0}}}], DOCS)] == [1, 2, 4, 5]
    assert [d["_id"] for d in run([{"$match": {"tags": "b"}}], DOCS)] == [2, 5]
    expr = {"$expr": {"$eq": [{"$size": "$tags"}, "$n"]}}
    assert len(run([{"$match": expr}], DOCS)) == 6


def test_sort_skip_limit() -> None:
    out = run([{"$sort": {"n": -1, "_id": 1}}, {"$skip": 1}, {"$limit": 3}], DOCS)
    assert [d["_id"] for d in out] == [5, 1, 4]


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        ({"$limit": 0}, "the limit must be positive"),
        ({"$limit": 1.5}, "Cannot represent as a 64-bit integer"),
        ({"$limit": "3"}, "must be specified as a number"),
        ({"$skip": -1}, "Cannot skip a negative number of documents"),
        ({"$sort": {}}, "at least one sort key"),
        ({"$sort": {"n": 2}}, "must be 1 \\(for ascending\\) or -1"),
        ({"$sample": {"size": -1}}, "must not be negative"),
        ({"$sample": {}}, "must specify a size"),
        ({"$sample": {"size": 1, "seed": 2}}, "unrecognized option to \\$sample"),
        ({"$match": [1]}, "must be an expression in an object"),
    ],
)
def test_stage_argument_errors(stage: dict, message: str) -> None:  # type: ignore[type-arg]
    fails(lambda: run([stage], DOCS), message)


def test_sample_is_deterministic_from_the_rng_and_without_replacement() -> None:
    first = run([{"$sample": {"size": 3}}], DOCS, seed=7)
    assert first == run([{"$sample": {"size": 3}}], DOCS, seed=7)
    assert len({d["_id"] for d in first}) == 3
    assert sorted(d["_id"] for d in run([{"$sample": {"size": 50}}], DOCS)) == list(range(6))


def test_unwind_string_form_drops_empty_null_and_missing() -> None:
    docs = [
        {"_id": 1, "s": ["a", "b"]},
        {"_id": 2, "s": []},
        {"_id": 3, "s": None},
        {"_id": 4},
        {"_id": 5, "s": "x"},
    ]
    assert run([{"$unwind": "$s"}], docs) == [
        {"_id": 1, "s": "a"},
        {"_id": 1, "s": "b"},
        {"_id": 5, "s": "x"},
    ]


def test_unwind_with_index_and_preserve() -> None:
    docs = [
        {"_id": 1, "s": ["a", "b"]},
        {"_id": 2, "s": []},
        {"_id": 3, "s": None},
        {"_id": 4},
        {"_id": 5, "s": "x"},
    ]
    stage = {
        "$unwind": {"path": "$s", "includeArrayIndex": "i", "preserveNullAndEmptyArrays": True}
    }
    assert run([stage], docs) == [
        {"_id": 1, "s": "a", "i": 0},
        {"_id": 1, "s": "b", "i": 1},
        {"_id": 2, "i": None},
        {"_id": 3, "s": None, "i": None},
        {"_id": 4, "i": None},
        {"_id": 5, "s": "x", "i": None},
    ]


def test_unwind_nested_path() -> None:
    docs = [{"_id": 1, "o": {"items": [1, 2], "k": "v"}}]
    assert run([{"$unwind": "$o.items"}], docs) == [
        {"_id": 1, "o": {"items": 1, "k": "v"}},
        {"_id": 1, "o": {"items": 2, "k": "v"}},
    ]


def test_unwind_errors() -> None:
    fails(lambda: run([{"$unwind": "s"}], DOCS), "should be prefixed with a '\\$'")
    fails(
        lambda: run([{"$unwind": {"path": "$s", "includeArrayIndex": "$i"}}], DOCS),
        "should not be prefixed",
    )
    fails(
        lambda: run([{"$unwind": {"path": "$s", "foo": 1}}], DOCS),
        "unrecognized option to \\$unwind stage: foo",
    )


def test_unknown_and_unavailable_stages_name_themselves() -> None:
    with pytest.raises(UnknownOperatorError, match="\\$frobnicate") as info:
        run([{"$frobnicate": {}}], DOCS)
    assert info.value.operator == "$frobnicate"
    with pytest.raises(UnknownOperatorError, match="\\$facet.*missing at run time"):
        run([{"$facet": {}}], DOCS)
    fails(lambda: run([{"$match": {}, "$limit": 1}], DOCS), "exactly one field")


def test_a_runaway_unwind_cross_product_fails_cleanly(monkeypatch: pytest.MonkeyPatch) -> None:
    import pytest_wxcloud.database.aggregate.stages as stages

    monkeypatch.setattr(stages, "MAX_STAGE_DOCUMENTS", 1000)
    docs = [{"_id": 1, "a": list(range(40)), "b": list(range(40))}]
    with pytest.raises(DatabaseError, match="\\$unwind produced more than 1000 documents"):
        run([{"$unwind": "$a"}, {"$unwind": "$b"}], docs)
    assert (
        len(run([{"$unwind": "$a"}, {"$unwind": "$b"}], [{"_id": 1, "a": [1] * 20, "b": [2] * 20}]))
        == 400
    )


def test_default_bound_is_a_documented_million() -> None:
    assert MAX_STAGE_DOCUMENTS == 1_000_000
