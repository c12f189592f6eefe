"""Aggregation: the pipeline engine behind ``collection.aggregate()`` and ``_.expr``.

Importing this package installs the aggregation-expression evaluator into the query engine, so
``$expr`` conditions work in ``where`` and in ``$match`` stages.
"""

from __future__ import annotations

from ..matching import set_expression_evaluator
from .builder import Aggregate, AggregateCommands, PipelineBuilder
from .expressions import compile_expression, evaluate
from .query_expr import evaluate_in_query
from .stages import STAGES, run_pipeline
from .support import MAX_STAGE_DOCUMENTS

set_expression_evaluator(evaluate_in_query)

__all__ = [
    "MAX_STAGE_DOCUMENTS",
    "STAGES",
    "Aggregate",
    "AggregateCommands",
    "PipelineBuilder",
    "compile_expression",
    "evaluate",
    "run_pipeline",
]
