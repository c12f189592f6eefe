"""Which recorded interaction answers a live call, and why none did.

A live call is compared with each recorded interaction through the matchers named in
``match_on`` (default: function name and request data). Built-ins: ``function``, ``data``
(JSON values, key order never matters), ``identity`` (every field of the recorded, pseudonymised
caller identity must be equal; fields it does not name are ignored) and ``env``.
More can be registered globally with :func:`register_matcher` or per cassette; a matcher is
``fn(live, recorded) -> bool`` over two :class:`Request` values, both in the stored
(pseudonymised) form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..jsjson import json_equal
from .diffing import diff, show
from .format import Interaction


@dataclass(frozen=True)
class Request:
    """A callFunction request as matchers see it."""

    function: str
    data: dict[str, Any]
    env: str | None = None
    identity: dict[str, str] | None = None

    @classmethod
    def of(cls, interaction: Interaction) -> Request:
        return cls(interaction.function, interaction.data, interaction.env, interaction.identity)


RequestMatcher = Callable[[Request, Request], bool]

DEFAULT_MATCH_ON = ("function", "data")


def _function(live: Request, recorded: Request) -> bool:
    return live.function == recorded.function


def _data(live: Request, recorded: Request) -> bool:
    return json_equal(live.data, recorded.data)


def _env(live: Request, recorded: Request) -> bool:
    return live.env == recorded.env


def _identity(live: Request, recorded: Request) -> bool:
    # the fields the recording names must be equal; a hand-written identity names only those
    # that matter (often just the openid)
    wanted = recorded.identity or {}
    have = live.identity or {}
    return all(key in have and json_equal(have[key], value) for key, value in wanted.items())


BUILTIN_MATCHERS: dict[str, RequestMatcher] = {
    "function": _function,
    "data": _data,
    "env": _env,
    "identity": _identity,
}
_registered: dict[str, RequestMatcher] = {}


def register_matcher(name: str, matcher: RequestMatcher) -> None:
    """Make ``name`` usable in ``match_on`` everywhere (marker, fixture, ``use_cassette``)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"matcher name must be a non-empty str; got {name!r}")
    if name in BUILTIN_MATCHERS:
        raise ValueError(f"{name!r} is a built-in matcher; register yours under another name")
    if not callable(matcher):
        raise TypeError(f"matcher {name!r} must be a function (live, recorded) -> bool")
    _registered[name] = matcher


def resolve(
    match_on: Sequence[str], extra: Mapping[str, RequestMatcher] | None = None
) -> list[tuple[str, RequestMatcher]]:
    """The matchers ``match_on`` names, or an error listing the known names."""
    if isinstance(match_on, str) or not match_on:
        raise TypeError(
            f"match_on must be a non-empty list of matcher names such as ['function', 'data']; "
            f"got {match_on!r}"
        )
    known: dict[str, RequestMatcher] = {**BUILTIN_MATCHERS, **_registered, **(extra or {})}
    unknown = [name for name in match_on if name not in known]
    if unknown:
        raise ValueError(
            f"unknown matcher(s) {', '.join(map(repr, unknown))} in match_on; known: "
            f"{', '.join(sorted(known))} (register more with register_matcher)"
        )
    return [(name, known[name]) for name in match_on]


def matches(
    live: Request, recorded: Request, matchers: Sequence[tuple[str, RequestMatcher]]
) -> bool:
    return all(matcher(live, recorded) for _, matcher in matchers)


def explain(
    live: Request, recorded: Request, matchers: Sequence[tuple[str, RequestMatcher]]
) -> list[str]:
    """One line per difference: per field for data and identity, per matcher otherwise."""
    lines: list[str] = []
    for name, matcher in matchers:
        if matcher(live, recorded):
            continue
        if name == "function":
            lines.append(f"function: recorded {recorded.function!r}, requested {live.function!r}")
        elif name == "data":
            for d in diff(recorded.data, live.data, prefix="data"):
                lines.append(d.render("recorded", "requested"))
        elif name == "identity":
            identity = diff(
                recorded.identity or {}, live.identity or {}, prefix="identity", allow_extra=True
            )
            for d in identity:
                lines.append(d.render("recorded", "requested"))
        elif name == "env":
            lines.append(f"env: recorded {recorded.env!r}, requested {live.env!r}")
        else:
            lines.append(f"matcher {name!r} rejected it")
    return lines


def closest(
    live: Request,
    interactions: Sequence[Interaction],
    matchers: Sequence[tuple[str, RequestMatcher]],
    limit: int = 3,
) -> list[tuple[int, list[str]]]:
    """The recorded interactions nearest to ``live``: same function first, fewest differences."""
    scored = []
    for index, interaction in enumerate(interactions):
        recorded = Request.of(interaction)
        lines = explain(live, recorded, matchers)
        other_function = interaction.function != live.function
        scored.append(((other_function, len(lines), index), index, lines))
    scored.sort(key=lambda item: item[0])
    return [(index, lines) for _, index, lines in scored[:limit]]


def describe_request(live: Request) -> str:
    return f"{live.function}(data={show(live.data, 200)})"


__all__ = [
    "BUILTIN_MATCHERS",
    "DEFAULT_MATCH_ON",
    "Request",
    "RequestMatcher",
    "closest",
    "describe_request",
    "explain",
    "matches",
    "register_matcher",
    "resolve",
]
