"""The table of expression operators: each one compiles its operand once into an evaluator.

Operator modules register themselves with :func:`operator`; :mod:`.expressions` owns the
compiler they receive. Keeping the table here avoids an import cycle between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .support import Evaluator


class ExpressionCompiler(Protocol):
    """What an operator sees of the compiler: sub-expressions and scoped variables."""

    def compile(self, expr: Any) -> Evaluator: ...

    def with_variables(self, names: Iterable[str]) -> ExpressionCompiler: ...


OperatorCompiler = Callable[[Any, ExpressionCompiler], Evaluator]

OPERATORS: dict[str, OperatorCompiler] = {}


def operator(*names: str) -> Callable[[OperatorCompiler], OperatorCompiler]:
    """Register a compiler under one or more ``$names`` (``$substr`` is ``$substrBytes``)."""

    def register(fn: OperatorCompiler) -> OperatorCompiler:
        for name in names:
            OPERATORS[name] = fn
        return fn

    return register
