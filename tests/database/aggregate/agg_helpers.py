"""Helpers for the aggregation tests: run a pipeline or an expression directly on the engine."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest

from pytest_wxcloud.database.aggregate import evaluate, run_pipeline
from pytest_wxcloud.errors import DatabaseError

Doc = dict[str, Any]


def run(
    stages: Sequence[Mapping[str, Any]],
    docs: Sequence[Doc],
    collections: Mapping[str, list[Doc]] | None = None,
    seed: int = 0,
) -> list[Doc]:
    """Run ``stages`` and check the input documents came out untouched."""
    before = copy.deepcopy(list(docs))
    others = dict(collections or {})
    others_before = copy.deepcopy(others)

    def source(name: str) -> list[Doc]:
        if name not in others:
            raise DatabaseError(-502005, f"collection {name} does not exist")
        return others[name]

    result = run_pipeline(stages, docs, source=source, rng=random.Random(seed))
    assert list(docs) == before, "a stage modified its input documents"
    assert others == others_before, "a $lookup modified the foreign collection"
    return result


def ev(expr: Any, doc: Doc | None = None) -> Any:
    return evaluate(expr, doc if doc is not None else {})


def fails(fn: Callable[[], Any], match: str) -> DatabaseError:
    with pytest.raises(DatabaseError, match=match) as info:
        fn()
    assert info.value.err_code == -502001
    return info.value
