"""The call log: what was invoked, by whom, with what, and how it ended."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ..identity import Identity


class Caller(str, Enum):
    """Where a call came from; decides the event, the callee's identity and the error shapes."""

    MINI_PROGRAM = "mini_program"  # wx.cloud.callFunction from a user (as_user=...)
    SERVER = "server"  # a cloud function calling another (wx-server-sdk)
    HTTP = "http"  # no user: the invokecloudfunction HTTP API
    TIMER = "timer"  # a timer trigger firing


@dataclass(frozen=True, slots=True)
class FunctionCall:
    """One invocation. ``data`` is the event exactly as the handler received it."""

    name: str
    data: Any
    identity: Identity
    caller: Caller
    request_id: str
    result: Any = None
    error: BaseException | None = None
    duration: float = 0.0
    answered_by: str = "handler"
    trigger_name: str | None = None
    number: int = 0  # 1-based, in the order calls started
    logs: str = ""  # what the function printed (a Node.js function's console output)

    @property
    def source(self) -> str | None:
        return self.identity.source

    @property
    def openid(self) -> str | None:
        return self.identity.openid

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class InvocationReport:
    """What a handler running outside this process (a Node.js worker) tells the pipeline about
    one invocation: what it printed, and how long preparing its runtime took (starting a
    worker is a cold start, not the function's time, so it does not count against the
    timeout)."""

    output: list[str] = field(default_factory=list)
    setup_seconds: float = 0.0


_REPORT: ContextVar[InvocationReport | None] = ContextVar("wxcloud_invocation", default=None)


def current_report() -> InvocationReport | None:
    """The report of the invocation running in this context (None outside any)."""
    return _REPORT.get()


__all__ = ["Caller", "FunctionCall", "InvocationReport", "current_report"]
