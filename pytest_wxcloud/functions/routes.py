"""Canned routes: answer a call by name and a partial match on its data, without a handler.

The rule shape is the one WeChat testers know from minium's ``mock_call_function``: a name, an
optional ``data`` pattern (nested dicts match partially, ``re.Pattern`` / ``db.RegExp`` values
match strings by search), a ``result`` or an ``error``, optionally ``once``. Rules are tried in
registration order and the first match wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..database.values import RegExp
from ..jsjson import json_equal, to_json_value

RULE_KEYS = ("name", "data", "result", "error", "once")
RULE_SHAPE = '{"name": "login", "data": {"action": "get"}, "result": {...}, "once": False}'


class RouteError(ValueError):
    """A route rule that cannot be used, with what is accepted."""


@dataclass(eq=False)
class Route:
    """One canned answer. ``calls`` counts the calls it answered."""

    name: str
    data: Mapping[str, Any] | None = None
    result: Any = None
    error: str | BaseException | None = None
    once: bool = False
    calls: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise RouteError(f"route name must be a non-empty str; got {self.name!r}")
        if self.data is not None:
            if not isinstance(self.data, Mapping):
                raise RouteError(
                    f"route {self.name!r}: data must be a dict matched partially against the event; got {self.data!r}"
                )
            self.data = _compile(self.data, "data")
        if self.error is not None and not isinstance(self.error, str | BaseException):
            raise RouteError(
                f"route {self.name!r}: error must be a message str or an exception (e.g. CloudSDKError); "
                f"got {self.error!r}"
            )
        if self.error is not None and self.result is not None:
            raise RouteError(f"route {self.name!r}: give either result or error, not both")
        if not isinstance(self.once, bool):
            raise RouteError(f"route {self.name!r}: once must be True or False; got {self.once!r}")
        # Validate now, so a datetime or an unsupported value fails at registration.
        self.result = to_json_value(self.result, f"route {self.name!r} result")

    @property
    def spent(self) -> bool:
        return self.once and self.calls > 0

    def matches(self, name: str, event: Mapping[str, Any]) -> bool:
        if self.spent or name != self.name:
            return False
        return self.data is None or _match_object(self.data, event)

    def describe(self) -> str:
        pattern = "" if self.data is None else f" data={self.data!r}"
        return f"route {self.name!r}{pattern}{' once' if self.once else ''}"


def route_from_rule(rule: Any) -> Route:
    """A :class:`Route` from a minium-style rule dict."""
    if not isinstance(rule, Mapping):
        raise RouteError(f"a route rule must be a dict like {RULE_SHAPE}; got {rule!r}")
    unknown = sorted(set(rule) - set(RULE_KEYS))
    if unknown:
        raise RouteError(
            f"route rule {rule!r}: unknown key(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(RULE_KEYS)}"
        )
    if "name" not in rule:
        raise RouteError(f"route rule {rule!r} has no 'name'; shape: {RULE_SHAPE}")
    return Route(
        name=rule["name"],
        data=rule.get("data"),
        result=rule.get("result"),
        error=rule.get("error"),
        once=rule.get("once", False),
    )


# A compiled pattern keeps re.Pattern leaves and normalises every other leaf the way the event
# was normalised (JSON round trip), so a datetime in a rule matches its ISO string in the event.


def _compile(pattern: Any, path: str) -> Any:
    if isinstance(pattern, Mapping):
        return {str(k): _compile(v, f"{path}.{k}") for k, v in pattern.items()}
    if isinstance(pattern, re.Pattern):
        return pattern
    if isinstance(pattern, RegExp):
        return pattern.compiled
    try:
        return to_json_value(pattern, path)
    except TypeError as exc:
        raise RouteError(f"route pattern {path}: {exc}") from None


def _match_object(pattern: Mapping[str, Any], value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    for key, expected in pattern.items():
        if key not in value or not _match(expected, value[key]):
            return False
    return True


def _match(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return _match_object(expected, actual)
    if isinstance(expected, re.Pattern):
        return isinstance(actual, str) and expected.search(actual) is not None
    return json_equal(expected, actual)


__all__ = ["RULE_KEYS", "Route", "RouteError", "route_from_rule"]
