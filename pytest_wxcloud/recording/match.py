"""Value matchers for volatile fields in contract verification.

Generated ids, timestamps and request ids differ on every run, so :func:`verify` compares them
by type or pattern instead of equality::

    from pytest_wxcloud.recording import match
    verify(cassette, handler, matchers={
        "result.data._id": match.hex32(),
        "result.createdAt": match.iso_datetime(),
        "result.items.*.price": match.of_type(int, float),
    })

Each matcher answers ``mismatch(actual, recorded)``: ``None`` when the value is acceptable,
otherwise what was expected (the diff adds what came instead).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..jsjson import js_type
from .diffing import ABSENT, ValueMatcher

_HEX32 = re.compile(r"[0-9a-f]{32}")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True)
class Anything(ValueMatcher):
    """Any value, as long as the field is present."""

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        return None


@dataclass(frozen=True)
class Like(ValueMatcher):
    """The same JSON type as the recorded value (numbers are one type, as in JavaScript)."""

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        if recorded is ABSENT:
            return "like() needs a recorded value to take the type from; the cassette has none"
        if js_type(actual) != js_type(recorded):
            return f"expected a {js_type(recorded)} like the recorded {recorded!r}"
        return None


@dataclass(frozen=True)
class OfType(ValueMatcher):
    """One of the given Python types (``bool`` is never accepted as a number)."""

    types: tuple[type, ...]

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        if isinstance(actual, bool) and bool not in self.types:
            ok = False
        else:
            ok = isinstance(actual, self.types)
        if ok:
            return None
        names = " or ".join(t.__name__ for t in self.types)
        return f"expected a value of type {names}"


@dataclass(frozen=True)
class Regex(ValueMatcher):
    """A string the pattern matches in full."""

    pattern: re.Pattern[str]
    description: str

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        if isinstance(actual, str) and self.pattern.fullmatch(actual):
            return None
        return f"expected {self.description}"


@dataclass(frozen=True)
class IsoDatetime(ValueMatcher):
    """An ISO 8601 date-time string with a time zone, as ``Date.toJSON`` writes."""

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        if isinstance(actual, str) and _ISO.fullmatch(actual):
            try:
                datetime.fromisoformat(actual.replace("Z", "+00:00"))
            except ValueError:
                pass
            else:
                return None
        return "expected an ISO 8601 date-time string such as '2024-05-01T08:00:00.000Z'"


@dataclass(frozen=True)
class Satisfies(ValueMatcher):
    """Whatever the user's predicate accepts."""

    predicate: Callable[[Any], bool]
    description: str

    def mismatch(self, actual: Any, recorded: Any) -> str | None:
        return None if self.predicate(actual) else f"expected {self.description}"


def anything() -> Anything:
    return Anything()


def like() -> Like:
    return Like()


def of_type(*types: type) -> OfType:
    if not types or not all(isinstance(t, type) for t in types):
        raise TypeError(f"of_type() takes Python types such as str, int, dict; got {types!r}")
    return OfType(tuple(types))


def regex(pattern: str | re.Pattern[str]) -> Regex:
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern
    return Regex(compiled, f"a string matching /{compiled.pattern}/")


def hex32() -> Regex:
    """A database ``_id`` as the backend generates it today: 32 lowercase hex digits."""
    return Regex(_HEX32, "32 lowercase hex digits (a generated _id)")


def iso_datetime() -> IsoDatetime:
    return IsoDatetime()


def satisfies(predicate: Callable[[Any], bool], description: str) -> Satisfies:
    if not callable(predicate):
        raise TypeError(f"satisfies() takes a predicate function; got {predicate!r}")
    return Satisfies(predicate, description)


__all__ = [
    "ValueMatcher",
    "anything",
    "hex32",
    "iso_datetime",
    "like",
    "of_type",
    "regex",
    "satisfies",
]
