"""Contract verification: does a local handler still give the answers a cassette recorded?

In the spirit of Pact's provider verification: every interaction is replayed against the
provider — a handler, a ``{name: handler}`` dict or a whole ``WxCloud`` — as the recorded
identity, after the provider state(s) it names have been set up, and its answer is compared
with the recorded one field by field. Volatile fields are compared through value matchers
(:mod:`.match`). A missing or failing state set-up fails the interaction; an empty cassette or
a matcher path that matched nothing fails the report: nothing passes by matching nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ERR_CODE_TEXT, CloudSDKError
from ..functions import failures
from ..identity import Identity
from . import format as cassette_format
from .cassette import Cassette
from .diffing import Difference, ValueMatcher, diff, split_path
from .errors import CassetteError
from .format import Interaction

if TYPE_CHECKING:
    from ..cloud import WxCloud

StateSetup = Callable[["WxCloud", Interaction], Any]
Provider = Any  # WxCloud | Callable[..., Any] | Mapping[str, Callable[..., Any]]

#: backend code strings the SDK keeps in ``CloudSDKError.code`` → the errCode a cassette holds
#: (the inverse of the table the invocation pipeline shapes failures with, plus the SDK's own
#: socket timeout)
BACKEND_CODES = {name: code for code, name in failures.BACKEND_CODES.items()} | {
    "ESOCKETTIMEDOUT": -501002
}
_CLIENT_FAILURE = re.compile(
    r"cloud\.callFunction:fail requestID \S*, cloud function service error code (-?\d+), "
    r"error message (.*)",
    re.DOTALL,
)


@dataclass
class InteractionResult:
    """The verdict on one interaction: passed, or the differences / the problem."""

    index: int
    interaction: Interaction
    differences: list[Difference] = field(default_factory=list)
    problem: str | None = None
    actual: dict[str, Any] | None = None

    @property
    def passed(self) -> bool:
        return self.problem is None and not self.differences

    def render(self) -> str:
        states = ", ".join(self.interaction.provider_state)
        title = f"#{self.index} {self.interaction.function}" + (f" [{states}]" if states else "")
        if self.passed:
            return f"  passed  {title}"
        lines = [f"  FAILED  {title}"]
        if self.problem is not None:
            lines.append(f"      {self.problem}")
        lines.extend(f"      {d.render('recorded', 'got')}" for d in self.differences)
        return "\n".join(lines)


@dataclass
class VerificationReport:
    """Every interaction's verdict; ``str()`` is the readable report."""

    source: str
    results: list[InteractionResult]
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems and all(r.passed for r in self.results)

    @property
    def failures(self) -> list[InteractionResult]:
        return [r for r in self.results if not r.passed]

    def __str__(self) -> str:
        failed = len(self.failures)
        head = f"contract verification of {self.source}: " + (
            f"all {len(self.results)} interaction(s) passed"
            if failed == 0
            else f"{failed} of {len(self.results)} interaction(s) failed"
        )
        lines = [head, *(r.render() for r in self.results)]
        lines.extend(f"  problem: {p}" for p in self.problems)
        return "\n".join(lines)

    def assert_passed(self) -> None:
        """Raise ``AssertionError`` with the report unless everything passed."""
        if not self.passed:
            raise AssertionError(str(self))


def verify(
    cassette: str | Path | Cassette,
    provider: Provider,
    *,
    states: Mapping[str, StateSetup] | None = None,
    matchers: Mapping[str, ValueMatcher] | None = None,
    allow_extra_fields: bool = False,
) -> VerificationReport:
    """Replay every interaction of ``cassette`` against ``provider`` and compare the answers.

    ``states`` maps provider-state names to ``setup(cloud, interaction)`` functions that seed
    the cloud. ``matchers`` maps response paths (``"result.data._id"``, ``"result.items.*.at"``,
    ``"error.errMsg"``) to :mod:`.match` matchers. ``allow_extra_fields`` accepts result fields
    the recording lacks. A ``WxCloud`` provider's database is restored after each interaction;
    a handler or dict of handlers gets a fresh cloud per interaction.
    """
    source, interactions = _load(cassette)
    for pattern in matchers or {}:
        split_path(pattern)
    states = dict(states or {})
    used: set[str] = set()
    results = [
        _verify_one(index, interaction, provider, states, matchers, allow_extra_fields, used)
        for index, interaction in enumerate(interactions)
    ]
    problems = []
    if not interactions:
        problems.append("the cassette holds no interactions: nothing was verified")
    unused = [p for p in matchers or {} if p not in used]
    if unused and interactions:
        problems.append(
            f"matcher path(s) {', '.join(map(repr, unused))} matched no field of any interaction"
        )
    return VerificationReport(source, results, problems)


def _load(cassette: str | Path | Cassette) -> tuple[str, list[Interaction]]:
    if isinstance(cassette, Cassette):
        return str(cassette.path), [*cassette.interactions, *cassette.new]
    path = Path(cassette)
    loaded = cassette_format.read(path)
    if loaded is None:
        raise CassetteError(f"{path}: no such cassette to verify")
    return str(path), loaded.interactions


def _verify_one(
    index: int,
    interaction: Interaction,
    provider: Provider,
    states: Mapping[str, StateSetup],
    matchers: Mapping[str, ValueMatcher] | None,
    allow_extra: bool,
    used: set[str],
) -> InteractionResult:
    from ..cloud import WxCloud

    verdict = InteractionResult(index, interaction)
    if isinstance(provider, WxCloud):
        cloud = provider
        snapshot = cloud.snapshot()
    else:
        cloud = _cloud_for(interaction, provider)
        snapshot = None
    try:
        verdict.problem = _set_up(cloud, interaction, states)
        if verdict.problem is not None:
            return verdict
        verdict.actual = _call(cloud, interaction)
        verdict.differences = diff(
            interaction.response, verdict.actual, matchers, used=used, allow_extra=allow_extra
        )
    except Exception as exc:  # a broken provider is a failed interaction, not a crash
        verdict.problem = f"calling the provider raised {type(exc).__name__}: {exc}"
    finally:
        if snapshot is not None:
            cloud.restore(snapshot)
    return verdict


def _cloud_for(interaction: Interaction, provider: Provider) -> WxCloud:
    from ..cloud import WxCloud

    identity = interaction.identity or {}
    cloud = WxCloud(env=interaction.env or "test-env", appid=identity.get("appid"), seed=0)
    if isinstance(provider, Mapping):
        for name, handler in provider.items():
            cloud.functions.register(name, handler)
    elif callable(provider):
        cloud.functions.register(interaction.function, provider)
    else:
        raise TypeError(
            "verify() takes a handler main(event, context), a {name: handler} dict or a WxCloud; "
            f"got {provider!r}"
        )
    return cloud


def _set_up(
    cloud: WxCloud, interaction: Interaction, states: Mapping[str, StateSetup]
) -> str | None:
    for name in interaction.provider_state:
        setup = states.get(name)
        if setup is None:
            known = ", ".join(map(repr, states)) or "none"
            return f"provider state {name!r} has no set-up function (states given: {known})"
        try:
            setup(cloud, interaction)
        except Exception as exc:
            return f"provider state {name!r} set-up failed: {type(exc).__name__}: {exc}"
    return None


def _call(cloud: WxCloud, interaction: Interaction) -> dict[str, Any]:
    identity = interaction.identity
    as_user = Identity(**identity).replace(env=cloud.env) if identity else None
    try:
        response = cloud.call_function(interaction.function, interaction.data, as_user=as_user)
    except CloudSDKError as error:
        return {"error": platform_error(error)}
    return {"result": response["result"]}


def platform_error(error: CloudSDKError) -> dict[str, Any]:
    """A caller-side callFunction failure as the platform's errCode/errMsg (what cassettes hold)."""
    client = _CLIENT_FAILURE.fullmatch(error.err_msg)
    if client is not None:
        code, detail = int(client.group(1)), client.group(2)
    else:
        detail = error.err_msg
        for prefix in ("cloud.callFunction:fail ", "callFunction:fail "):
            if detail.startswith(prefix):
                detail = detail[len(prefix) :]
                break
        code = BACKEND_CODES.get(error.code or "", error.err_code)
    text = ERR_CODE_TEXT.get(code)
    message = f"{text}. {detail}" if text is not None and code != -1 else detail
    return {"errCode": code, "errMsg": message}


__all__ = ["InteractionResult", "VerificationReport", "platform_error", "verify"]
