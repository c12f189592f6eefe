"""``$expr`` inside queries (``_.expr(...)`` in ``where``, ``$match`` stages) evaluated with the
aggregation evaluator.

The query engine calls ``evaluate_in_query(expr, doc)`` per document; each distinct expression
object is compiled once and cached by identity. Inside a ``$lookup`` sub-pipeline the ``let``
variables are in scope: :func:`variables_bound` makes them visible to ``$expr`` for the duration
of that ``$match``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .expressions import compile_expression
from .support import NO_VARIABLES, Evaluator

_variables: ContextVar[Mapping[str, Any]] = ContextVar("aggregate_variables", default=NO_VARIABLES)
_compiled: dict[tuple[int, tuple[str, ...]], tuple[Any, Evaluator]] = {}
_CACHE_LIMIT = 512


@contextmanager
def variables_bound(variables: Mapping[str, Any]) -> Iterator[None]:
    token = _variables.set(variables)
    try:
        yield
    finally:
        _variables.reset(token)


def evaluate_in_query(expr: Any, doc: dict[str, Any]) -> Any:
    variables = _variables.get()
    key = (id(expr), tuple(variables) if variables else ())
    entry = _compiled.get(key)
    if entry is None or entry[0] is not expr:
        if len(_compiled) >= _CACHE_LIMIT:
            _compiled.clear()
        entry = (expr, compile_expression(expr, variables.keys()))
        _compiled[key] = entry
    return entry[1](doc, variables)
