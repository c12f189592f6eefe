"""JSON values compared the way JavaScript sees them, and per-field differences for humans.

Cassettes hold JSON, so equality is JSON equality: object key order never matters, ``1`` equals
``1.0`` (one number type) but ``true`` is not ``1``. A difference is reported per field path
(``result.items.0.price``), so a failure message points at the one value that changed.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..jsjson import json_equal


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


#: A field one side has and the other lacks.
ABSENT: Any = _Absent()


class ValueMatcher(ABC):
    """Compares a volatile value by type or pattern instead of equality (see :mod:`.match`).

    A common base (rather than a protocol) lets ``{"a": match.hex32(), "b": match.like()}``
    type-check as a mapping of matchers.
    """

    @abstractmethod
    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        """None when ``actual`` is acceptable, else why not (e.g. "expected 32 hex digits")."""


def show(value: Any, width: int = 80) -> str:
    """A value as compact JSON, shortened for a one-line message."""
    if value is ABSENT:
        return "(absent)"
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclass(frozen=True)
class Difference:
    """One field that differs (or that a matcher rejected)."""

    path: str
    expected: Any
    actual: Any
    reason: str | None = None

    def render(self, expected_label: str = "recorded", actual_label: str = "got") -> str:
        where = self.path or "(whole value)"
        if self.reason is not None:
            return f"{where}: {self.reason}"
        return (
            f"{where}: {expected_label} {show(self.expected)}, {actual_label} {show(self.actual)}"
        )


@dataclass
class _Walk:
    matchers: list[tuple[tuple[str, ...], str, ValueMatcher]]
    allow_extra: bool = False
    used: set[str] = field(default_factory=set)
    out: list[Difference] = field(default_factory=list)


def split_path(pattern: str) -> tuple[str, ...]:
    """``"result.items.*.id"`` → ``("result", "items", "*", "id")``."""
    if not isinstance(pattern, str) or not pattern or any(not s for s in pattern.split(".")):
        raise ValueError(
            f"matcher path {pattern!r} must be dotted field names such as 'result.data._id' "
            "(array positions as numbers, '*' for any key or position)"
        )
    return tuple(pattern.split("."))


def diff(
    expected: Any,
    actual: Any,
    matchers: Mapping[str, ValueMatcher] | None = None,
    prefix: str = "",
    used: set[str] | None = None,
    allow_extra: bool = False,
) -> list[Difference]:
    """Every field where ``actual`` differs from ``expected``, in document order.

    ``matchers`` maps field paths (relative to ``prefix``-less roots, ``*`` as a wildcard
    segment) to value matchers that replace equality there. Patterns that matched a field are
    added to ``used``, so a caller can report patterns that matched nothing. ``allow_extra``
    ignores object keys only ``actual`` has (a provider may add fields no consumer reads).
    """
    compiled = [(split_path(p), p, m) for p, m in (matchers or {}).items()]
    walk = _Walk(compiled, allow_extra)
    start = tuple(prefix.split(".")) if prefix else ()
    _walk(walk, start, expected, actual)
    if used is not None:
        used.update(walk.used)
    return walk.out


def _matcher_for(walk: _Walk, path: tuple[str, ...]) -> tuple[str, ValueMatcher] | None:
    for segments, pattern, matcher in walk.matchers:
        if len(segments) == len(path) and all(
            s == "*" or s == p for s, p in zip(segments, path, strict=True)
        ):
            return pattern, matcher
    return None


def _walk(walk: _Walk, path: tuple[str, ...], expected: Any, actual: Any) -> None:
    found = _matcher_for(walk, path) if walk.matchers else None
    dotted = ".".join(path)
    if found is not None:
        pattern, matcher = found
        walk.used.add(pattern)
        if actual is ABSENT:
            walk.out.append(Difference(dotted, expected, actual))
            return
        problem = matcher.mismatch(actual, expected)
        if problem is not None:
            walk.out.append(Difference(dotted, expected, actual, f"{problem}, got {show(actual)}"))
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        extra = [] if walk.allow_extra else [k for k in actual if k not in expected]
        for key in [*expected, *extra]:
            _walk(walk, (*path, str(key)), expected.get(key, ABSENT), actual.get(key, ABSENT))
        return
    if isinstance(expected, list) and isinstance(actual, list):
        for index in range(max(len(expected), len(actual))):
            _walk(
                walk,
                (*path, str(index)),
                expected[index] if index < len(expected) else ABSENT,
                actual[index] if index < len(actual) else ABSENT,
            )
        return
    if expected is ABSENT or actual is ABSENT or not json_equal(expected, actual):
        walk.out.append(Difference(dotted, expected, actual))


__all__ = ["ABSENT", "Difference", "ValueMatcher", "diff", "show"]
