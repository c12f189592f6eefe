"""What the permission check decided, for the decision log and for denial messages.

Denials carry production's error shape (``errCode: -502003 database permission denied | errMsg:
Permission denied``) in ``str()``, and the human explanation (which setting, which rule key,
which part of the expression, what the query would need) as exception notes, which pytest prints
under the traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ERR_CODE_TEXT, CloudSDKError

DATABASE_DENIED = -502003
STORAGE_DENIED = -503002
UNAUTHENTICATED = -501023
DATABASE_DENIED_MESSAGE = "Permission denied"
STORAGE_DENIED_MESSAGE = "STORAGE_EXCEED_AUTHORITY"
UNAUTHENTICATED_MESSAGE = "Unauthenticated access is denied"
#: errCodes :func:`~.helpers.assert_denied` recognises as "the rules said no"
DENIAL_CODES = (DATABASE_DENIED, STORAGE_DENIED, UNAUTHENTICATED, -402002)


@dataclass(frozen=True)
class Decision:
    """One request's permission decision (``cloud.permissions.decisions``)."""

    operation: str
    target: str
    caller: str | None
    setting: str
    allowed: bool
    rule_key: str | None = None
    expression: str | None = None
    #: the filter a preset added to the query (``{"_openid": caller}``), if any
    added_filter: Mapping[str, Any] | None = None
    reason: str = ""
    #: per query branch: (the branch's constraints as text, its outcome)
    branches: tuple[tuple[str, str], ...] = ()
    #: ``get()`` paths the rule read
    reads: tuple[str, ...] = ()

    def explain(self) -> str:
        who = f"openid {self.caller!r}" if self.caller else "an unauthenticated caller"
        lines = [
            f"{self.operation} on {self.target} by {who}: "
            f"{'allowed' if self.allowed else 'DENIED'} by {self.setting}"
        ]
        if self.rule_key is not None:
            rule = self.expression if self.expression is not None else "(true/false)"
            lines.append(f"  rule {self.rule_key!r}: {rule}")
        elif self.setting == "security rules":
            lines.append("  no rule key governs this operation: denied (absent keys deny)")
        for branch, outcome in self.branches:
            lines.append(f"  query branch {branch}: {outcome}")
        if self.reads:
            lines.append(f"  get() read: {', '.join(self.reads)}")
        if self.reason:
            lines.append(f"  {self.reason}")
        return "\n".join(lines)


class PermissionDenied(CloudSDKError):
    """A request the preset or rules refused, shaped as the client SDK rejects it."""

    def __init__(self, err_code: int, err_msg: str, decision: Decision | None = None) -> None:
        text = ERR_CODE_TEXT.get(err_code, "permission denied")
        if err_code == UNAUTHENTICATED:
            text = "permission denied"
        super().__init__(
            err_code, err_msg, message=f"errCode: {err_code} {text} | errMsg: {err_msg}"
        )
        self.decision = decision
        #: which setting, which rule and which part of it decided, for humans
        self.explanation = "" if decision is None else decision.explain()
        if self.explanation:
            add_note = getattr(self, "add_note", None)
            if add_note is not None:
                add_note(self.explanation)
            else:  # Python 3.10 has no exception notes: pytest shows the args instead
                self.args = (f"{self.message}\n{self.explanation}",)


def database_denied(decision: Decision) -> PermissionDenied:
    return PermissionDenied(DATABASE_DENIED, DATABASE_DENIED_MESSAGE, decision)


def storage_denied(decision: Decision) -> PermissionDenied:
    return PermissionDenied(STORAGE_DENIED, STORAGE_DENIED_MESSAGE, decision)


def unauthenticated(decision: Decision) -> PermissionDenied:
    return PermissionDenied(UNAUTHENTICATED, UNAUTHENTICATED_MESSAGE, decision)


__all__ = [
    "DATABASE_DENIED",
    "DENIAL_CODES",
    "STORAGE_DENIED",
    "UNAUTHENTICATED",
    "Decision",
    "PermissionDenied",
    "database_denied",
    "storage_denied",
    "unauthenticated",
]
