"""Replaying rule decisions that can only come out one way.

A rule that reads neither ``now``, ``get()`` nor ``request.data`` decides a query from the query,
the caller and the options alone (the subset check never looks at stored data). The same client
query repeated — a page polled, a list re-rendered — therefore gets the same decision, and the
check can replay it, with its coverage counts, instead of expanding the query and evaluating the
rule again. Only queries built from immutable scalars are keyed; anything else is decided afresh.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .options import RuleOptions
from .rules_compile import CompiledExpression
from .rules_eval import Outcome

#: decisions kept per cloud; the oldest goes first
MAX_ENTRIES = 1024
_SCALARS = (str, int, float, bool, type(None), datetime, bytes)


@dataclass(frozen=True, slots=True)
class StaticDecision:
    """What one evaluation decided: enough to rebuild the Decision and the coverage records."""

    rule: CompiledExpression
    allowed: bool
    reason: str
    branches: tuple[tuple[str, str], ...]
    outcomes: tuple[Outcome, ...]


class StaticDecisions:
    def __init__(self) -> None:
        self._entries: dict[Hashable, StaticDecision] = {}

    def key(
        self,
        rule: CompiledExpression,
        rule_key: str | None,
        kind: str,
        caller: str | None,
        options: RuleOptions,
        query: Mapping[str, Any],
    ) -> Hashable | None:
        """The cache key, or ``None`` when the decision may not be replayed."""
        if rule.dynamic:
            return None
        frozen = _freeze(query)
        if frozen is None:
            return None
        return (id(rule), rule_key, kind, caller, options, frozen)

    def get(self, key: Hashable, rule: CompiledExpression) -> StaticDecision | None:
        found = self._entries.get(key)
        # the id in the key is only this rule's while the entry keeps the rule alive
        return found if found is not None and found.rule is rule else None

    def put(self, key: Hashable, decision: StaticDecision) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = decision


def _freeze(value: Any) -> Hashable | None:
    """A hashable twin of ``value`` that keeps types apart (``1``, ``1.0`` and ``True`` are
    equal in Python but not in a query)."""
    if isinstance(value, Mapping):
        items = []
        for name, item in value.items():
            frozen = _freeze(item)
            if frozen is None:
                return None
            items.append((name, frozen))
        return ("{", tuple(items))
    if isinstance(value, (list, tuple)):
        elements = []
        for item in value:
            frozen = _freeze(item)
            if frozen is None:
                return None
            elements.append(frozen)
        return ("[", tuple(elements))
    if type(value) in _SCALARS:
        return (type(value), value)
    return None


__all__ = ["MAX_ENTRIES", "StaticDecision", "StaticDecisions"]
