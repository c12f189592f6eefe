"""Random malformed stages and expressions: the engine answers with a DatabaseError (MongoDB's
message or a clear one), never an internal Python exception, and never touches its input."""

from __future__ import annotations

import copy
import random
from datetime import datetime, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_wxcloud.database.aggregate import run_pipeline
from pytest_wxcloud.database.aggregate.registry import OPERATORS
from pytest_wxcloud.database.aggregate.stages import STAGES
from pytest_wxcloud.errors import DatabaseError

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(-5, 5, allow_nan=False),
    st.sampled_from(
        [2**63 - 1, -(2**63), 1e308, float("inf"), float("-inf"), float("nan"), 32767, 10000]
    ),
    st.sampled_from(["", "a", "$a", "$b.c", "$$ROOT", "$$nope", "$", "x.y", "Asia/Shanghai", "%Y"]),
    st.just(datetime(2024, 5, 1, tzinfo=timezone.utc)),
)
operator_names = st.sampled_from([*sorted(OPERATORS), "$bogus", "$push"])
keys = st.sampled_from(
    [
        "a",
        "b",
        "_id",
        "input",
        "as",
        "in",
        "vars",
        "date",
        "timezone",
        "if",
        "then",
        "else",
        "branches",
        "format",
    ]
)


def expressions() -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(keys, inner, max_size=3),
            st.builds(lambda op, arg: {op: arg}, operator_names, inner),
        ),
        max_leaves=12,
    )


stage_names = st.sampled_from([*STAGES, "$bogus", "$facet"])

DOCS = [
    {
        "_id": 1,
        "a": 1,
        "b": {"c": "x"},
        "t": [1, {"c": 2}],
        "d": datetime(2024, 1, 1, tzinfo=timezone.utc),
    },
    {"_id": 2, "a": "s", "t": [], "b": None},
    {"_id": 3},
]


def _source(name: str) -> list[dict[str, Any]]:
    if name == "a":
        return DOCS
    raise DatabaseError(-502005, f"collection {name} does not exist")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stages=st.lists(
        st.builds(lambda name, spec: {name: spec}, stage_names, expressions()),
        min_size=1,
        max_size=3,
    )
)
def test_malformed_pipelines_fail_cleanly(stages: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(DOCS)
    try:
        result = run_pipeline(stages, DOCS, source=_source, rng=random.Random(0))
    except DatabaseError as exc:
        assert exc.detail
    else:
        assert all(isinstance(doc, dict) for doc in result)
    assert before == DOCS


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expr=expressions())
def test_malformed_expressions_fail_cleanly(expr: Any) -> None:
    before = copy.deepcopy(DOCS)
    try:
        run_pipeline([{"$project": {"out": expr}}], DOCS, source=_source, rng=random.Random(0))
        run_pipeline([{"$addFields": {"out": expr}}], DOCS, source=_source, rng=random.Random(0))
        run_pipeline(
            [{"$group": {"_id": expr, "n": {"$sum": expr}}}],
            DOCS,
            source=_source,
            rng=random.Random(0),
        )
    except DatabaseError as exc:
        assert exc.detail
    assert before == DOCS
