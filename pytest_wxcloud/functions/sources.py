"""Answer sources: callees that are neither a handler nor a route, such as a cassette.

A source answers the calls nothing local answers. ``cloud.functions.sources`` is consulted in
order after routes and handlers and before "function not found"; the first source that does not
return ``None`` answers. A source gets the call as the caller sent it, so it can match it
against what the real cloud was sent:

    def answer(name, data, identity, caller, request_id):
        ...  # None: not mine; a value: the function's return value; or a RecordedFailure

A source answers a function that returned ``null`` with :data:`NULL_RESULT` (``None`` already
means "not mine").

``data`` is the event without the ``userInfo`` the platform injects (a fresh copy), ``identity``
the callee's identity, ``caller`` a :class:`~.calls.Caller`. A returned value crosses the JSON
boundary and the result size limit like a handler's; a :class:`RecordedFailure` is raised in
the shape a live failure with that code takes for this caller. A source's ``label`` attribute
(else its name) becomes the call log's ``answered_by``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from ..identity import Identity
from .calls import Caller

AnswerSource = Callable[[str, dict[str, Any], Identity, Caller, str], Any]


class _NullResult:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NULL_RESULT"


#: what a source returns to answer ``null`` (``None`` means it has no answer)
NULL_RESULT: Final = _NullResult()


@dataclass(frozen=True, slots=True)
class RecordedFailure:
    """A failure the platform answered for a call, kept to be answered again.

    ``err_code`` is the platform's code (``-504002`` the function threw, ``-504003`` it timed
    out, ``-501000`` no such function …); ``err_msg`` the backend's message without any prefix
    (``"Invoking task timed out after 3 seconds"``); ``code`` the backend's code string when it
    is known (derived from ``err_code`` otherwise).
    """

    err_code: int
    err_msg: str
    code: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.err_code, bool) or not isinstance(self.err_code, int):
            raise TypeError(
                f"RecordedFailure.err_code must be the platform's int code (e.g. -504002); "
                f"got {self.err_code!r}"
            )
        if not isinstance(self.err_msg, str):
            raise TypeError(f"RecordedFailure.err_msg must be a str; got {self.err_msg!r}")
        if self.code is not None and not isinstance(self.code, str):
            raise TypeError(
                f"RecordedFailure.code must be a backend code string (e.g. "
                f"'FUNCTIONS_EXECUTE_FAIL') or None; got {self.code!r}"
            )


def label(source: AnswerSource) -> str:
    """What the call log's ``answered_by`` says for a call ``source`` answered."""
    given = getattr(source, "label", None)
    if isinstance(given, str) and given:
        return given
    return str(getattr(source, "__qualname__", None) or type(source).__name__)


__all__ = ["NULL_RESULT", "AnswerSource", "RecordedFailure", "label"]
