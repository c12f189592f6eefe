"""Differential test: random documents, the same pipeline through run_pipeline and mongomock.

Only the operators both implement the same way are generated. Deviations of mongomock from
MongoDB found while writing this (we keep MongoDB's behaviour, so they are excluded here):

* ``$min``/``$max``/``$sort`` over mixed types (string vs number) raise ``TypeError`` in
  mongomock; MongoDB orders them by BSON type. → field ``n`` only holds numbers, null or nothing.
* ``$add``/``$multiply`` with a non-number operand other than null raise ``AssertionError`` in
  mongomock instead of MongoDB's error. → never generated.
* ``$unwind`` with ``includeArrayIndex`` + ``preserveNullAndEmptyArrays`` omits the index field
  on preserved documents; MongoDB sets it to null. → only the string form of ``$unwind``.
* ``$toUpper``/``$toLower``/``$substr`` of a missing field leave the field out in mongomock;
  MongoDB coerces missing to ``""``. → their operand is wrapped in ``$ifNull``.
* ``$group`` with a constant ``_id`` (and so ``$count``) over no documents yields one document
  in mongomock; MongoDB yields none. → such cases are skipped with ``assume``.
* ``$first``/``$last`` skip documents where the field is missing in mongomock; MongoDB takes
  the first/last document's value and reports missing as null. → operand wrapped in ``$ifNull``.
* ``$addToSet`` turns falsy values (``0``, ``""``, ``false``) into null in mongomock. → it is
  only generated over the field ``g`` (non-empty strings, null or missing).
"""

from __future__ import annotations

import random
from typing import Any

import mongomock
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pytest_wxcloud.database.aggregate import run_pipeline
from pytest_wxcloud.database.values import MISSING

numbers = st.one_of(
    st.integers(-1000, 1000), st.floats(-1000, 1000, allow_nan=False).map(lambda f: round(f, 2))
)
groups = st.sampled_from(["a", "b", "c", None, MISSING])
words = st.text(alphabet="abcXYZ", max_size=4)


@st.composite
def documents(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(0, 25))
    docs = []
    for i in range(count):
        doc: dict[str, Any] = {"_id": i}
        for key, strategy in (
            ("g", groups),
            ("n", st.one_of(numbers, st.none(), st.just(MISSING))),
            ("m", st.one_of(numbers, st.just(MISSING))),
            ("s", st.one_of(words, st.just(MISSING))),
            ("t", st.one_of(st.lists(words, max_size=3), st.just(MISSING))),
        ):
            value = draw(strategy)
            if value is not MISSING:
                doc[key] = value
        docs.append(doc)
    return docs


accumulator = st.sampled_from(
    ["$sum", "$avg", "$min", "$max", "$first", "$last", "$push", "$addToSet"]
)
arithmetic = st.sampled_from(
    [
        {"$add": ["$n", "$m", 1]},
        {"$subtract": ["$n", "$m"]},
        {"$multiply": ["$n", 2]},
        {"$divide": ["$n", 4]},
        {"$concat": ["$s", "-", "$g"]},
        {"$toUpper": {"$ifNull": ["$s", "none"]}},
        {"$toLower": {"$ifNull": ["$s", "NONE"]}},
        {"$substr": [{"$ifNull": ["$s", "none"]}, 1, 2]},
    ]
)


@st.composite
def pipelines(draw: st.DrawFn) -> list[dict[str, Any]]:
    stages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        stages.append(
            draw(
                st.sampled_from(
                    [
                        {"$match": {"n": {"$gte": 0}}},
                        {"$match": {"g": "a"}},
                        {"$match": {"m": {"$lt": 10}}},
                    ]
                )
            )
        )
    kind = draw(st.sampled_from(["group", "project", "addFields", "unwind", "count"]))
    if kind == "group":
        fields = {}
        for i in range(draw(st.integers(1, 3))):
            op = draw(accumulator)
            arg: Any = draw(st.sampled_from(["$n", "$m", "$s", 1]))
            if op == "$addToSet":
                arg = "$g"
            elif op in ("$first", "$last"):
                arg = {"$ifNull": [arg, None]}
            fields[f"f{i}"] = {op: arg}
        stages.append(
            {"$group": {"_id": draw(st.sampled_from(["$g", None, {"g": "$g"}])), **fields}}
        )
        stages.append({"$sort": {"_id": 1}})
    elif kind == "project":
        stages.append({"$project": {"_id": 1, "g": 1, "x": draw(arithmetic)}})
        stages.append({"$sort": {"_id": -1}})
    elif kind == "addFields":
        stages.append({"$addFields": {"x": draw(arithmetic)}})
        stages.append({"$sort": {"g": 1, "_id": 1}})
    elif kind == "unwind":
        stages.append({"$unwind": "$t"})
        stages.append({"$sort": {"t": 1, "_id": 1}})
    else:
        stages.append({"$count": "total"})
    if kind != "count" and draw(st.booleans()):
        stages.append({"$skip": draw(st.integers(0, 3))})
    if kind != "count" and draw(st.booleans()):
        stages.append({"$limit": draw(st.integers(1, 10))})
    return stages


_CLIENT = mongomock.MongoClient()


def _no_source(name: str) -> list[dict[str, Any]]:
    raise AssertionError("no $lookup in these pipelines")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(docs=documents(), pipeline=pipelines())
def test_same_answer_as_mongomock(
    docs: list[dict[str, Any]], pipeline: list[dict[str, Any]]
) -> None:
    folding = next((i for i, s in enumerate(pipeline) if "$count" in s or "$group" in s), None)
    if folding is not None and pipeline[folding].get("$group", {}).get("_id", None) is None:
        assume(run_pipeline(pipeline[:folding], docs, source=_no_source, rng=random.Random(0)))
    collection = _CLIENT.db.c
    collection.drop()
    if docs:
        collection.insert_many([dict(d) for d in docs])
    expected = list(collection.aggregate(pipeline))
    actual = run_pipeline(pipeline, docs, source=_no_source, rng=random.Random(0))
    assert actual == expected
