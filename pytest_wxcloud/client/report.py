"""Rule coverage: which rule expressions (and which of their conditions) were evaluated, and how
often each came out true, false, undecided by the query, or failed.

Firebase's emulator prints the same kind of report; it is how a user sees that a test suite never
exercised the ``||`` branch that lets admins in. Each cloud keeps its own :class:`Coverage`
(``cloud.permissions.coverage``); every record also goes to :data:`SESSION`, which the pytest
plugin prints at the end of a run that used rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .rules_compile import CompiledExpression
from .rules_eval import Outcome
from .subset import UNKNOWN

OUTCOMES = ("true", "false", "unknown", "error")
_UNSEEN = object()


def outcome_name(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is UNKNOWN:
        return "unknown"
    return "error"


@dataclass
class ExpressionCoverage:
    scope: str
    key: str
    source: str
    totals: Counter[str] = field(default_factory=Counter)
    #: atom text (with its column) -> outcome counts, in the expression's order
    atoms: dict[str, Counter[str]] = field(default_factory=dict)
    #: the atoms' labels, in the expression's order
    labels: list[str] = field(default_factory=list)


class Coverage:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, str, str], ExpressionCoverage] = {}

    def declare(self, scope: str, key: str, expression: CompiledExpression) -> None:
        """Register a rule as set, so never-evaluated rules show up with zero counts."""
        self._entry(scope, key, expression)

    def record(
        self, scope: str, key: str, expression: CompiledExpression, outcome: Outcome
    ) -> None:
        entry = self._entry(scope, key, expression)
        entry.totals[outcome_name(outcome.value)] += 1
        for atom, label in zip(expression.atoms, entry.labels, strict=True):
            value = outcome.atoms.get(id(atom), _UNSEEN)
            if value is not _UNSEEN:
                entry.atoms[label][outcome_name(value)] += 1

    def _entry(self, scope: str, key: str, expression: CompiledExpression) -> ExpressionCoverage:
        index = (scope, key, expression.source)
        entry = self.entries.get(index)
        if entry is None:
            entry = self.entries[index] = ExpressionCoverage(scope, key, expression.source)
            entry.labels = [_label(expression, atom) for atom in expression.atoms]
            for label in entry.labels:
                entry.atoms[label] = Counter()
        return entry

    def merge(self, other: Coverage) -> None:
        for index, theirs in other.entries.items():
            mine = self.entries.setdefault(
                index, ExpressionCoverage(theirs.scope, theirs.key, theirs.source)
            )
            mine.totals.update(theirs.totals)
            for label, counts in theirs.atoms.items():
                mine.atoms.setdefault(label, Counter()).update(counts)

    def lines(self) -> list[str]:
        """The report as text lines (empty when no rule expression was ever set)."""
        out: list[str] = []
        for entry in sorted(self.entries.values(), key=lambda e: (e.scope, e.key, e.source)):
            out.append(f"{entry.scope} {entry.key}: {entry.source}")
            out.append(f"    whole rule  {_counts(entry.totals)}")
            if len(entry.atoms) > 1:
                for label, counts in entry.atoms.items():
                    flag = "  <- never true" if counts["true"] == 0 else ""
                    flag = "  <- never evaluated" if not counts else flag
                    out.append(f"    {label}  {_counts(counts)}{flag}")
        return out


def _label(expression: CompiledExpression, atom: Any) -> str:
    return f"col {atom.start + 1}: {expression.text(atom)}"


def _counts(counts: Counter[str]) -> str:
    return " ".join(f"{name}={counts[name]}" for name in OUTCOMES)


#: every cloud's records in this process (the plugin prints it at session end)
SESSION = Coverage()

__all__ = ["SESSION", "Coverage", "ExpressionCoverage", "outcome_name"]
