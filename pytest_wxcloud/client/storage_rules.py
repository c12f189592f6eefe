"""Storage permissions: the bucket's preset or rules applied to one file operation (§6).

There is no filtering in storage: a file operation is allowed or refused (-503002). Presets act as
their equivalent rules, except that they never admit unauthenticated callers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .decisions import Decision
from .presets import STORAGE_EQUIVALENT
from .report import Coverage, outcome_name
from .rules_compile import compile_expression
from .rules_eval import Bindings, evaluate
from .ruleset import Preset, RuleSet, Setting

#: client storage call -> the rule key that governs it (§6.2 table)
STORAGE_ACTIONS = {
    "uploadFile": "write",
    "downloadFile": "read",
    "getTempFileURL": "read",
    "deleteFile": "write",
}


@dataclass(frozen=True)
class FileAccess:
    """One file operation: the call, the path inside the bucket, and the file's owner (the
    uploader's openid; ``None`` for files a cloud function or the console uploaded)."""

    call: str
    path: str
    owner: str | None


def storage_decision(
    setting: Setting,
    access: FileAccess,
    caller: str | None,
    now_ms: Callable[[], float],
    coverage: tuple[Coverage, ...] = (),
) -> Decision:
    """The decision for ``access``; ``decision.allowed`` says whether it may proceed.

    ``now_ms`` is only called for rules that read ``now``."""
    if access.call not in STORAGE_ACTIONS:
        raise ValueError(
            f"unknown storage call {access.call!r}; accepted: {', '.join(STORAGE_ACTIONS)}"
        )
    key = STORAGE_ACTIONS[access.call]
    path = access.path.lstrip("/")
    path = path[2:] if path.startswith("./") else path
    target = f"file {path!r}"
    if isinstance(setting, Preset):
        if caller is None:
            return Decision(
                access.call,
                target,
                caller,
                setting.describe(),
                False,
                key,
                reason="presets never admit unauthenticated callers (CB-NOLOGIN)",
            )
        rules = _preset_rules(setting.tag)
    else:
        rules = setting
    rule = rules.rules.get(key, False)
    if isinstance(rule, bool):
        return Decision(
            access.call,
            target,
            caller,
            setting.describe(),
            rule,
            key,
            reason=f"rule {key!r} is {str(rule).lower()}",
        )
    bindings = Bindings(
        None if caller is None else {"openid": caller},
        now_ms=now_ms() if rule.reads_now else 0.0,
        resource={"openid": access.owner, "path": path},
    )
    outcome = evaluate(rule, bindings)
    for report in coverage:
        report.record("storage", key, rule, outcome)
    allowed = outcome.value is True
    reason = outcome.error or (
        ""
        if allowed
        else f"the rule is {outcome_name(outcome.value)} for resource.openid={access.owner!r} "
        f"(the uploader; None: uploaded by a cloud function or the console), "
        f"resource.path={path!r}"
    )
    return Decision(
        access.call,
        target,
        caller,
        setting.describe(),
        allowed,
        key,
        rule.source,
        reason=f"evaluating the rule failed: {reason}" if outcome.error else reason,
    )


def _preset_rules(tag: str) -> RuleSet:
    equivalent: dict[str, bool | str] = STORAGE_EQUIVALENT[tag]
    return RuleSet(
        {
            key: value if isinstance(value, bool) else compile_expression(value, storage=True)
            for key, value in equivalent.items()
        }
    )


__all__ = ["STORAGE_ACTIONS", "FileAccess", "storage_decision"]
