"""callFunction failures in the shapes production gives each kind of caller (sdk.md §2.3).

A server-side caller (wx-server-sdk 4.0.2) sees backend failures as ``errCode -1`` with
``"callFunction:fail <message>"`` plus ``code`` and ``requestId``. A mini-program caller
(``wx.cloud.callFunction``) sees the client's own codes and the ``cloud.callFunction:fail``
prefix. Helpful extras (closest names, limits) go into the exception's ``message`` only, so
``errMsg`` stays what production would put there.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import BACKEND_CODE, ERR_CODE_TEXT, CloudSDKError
from .calls import Caller

if TYPE_CHECKING:
    from .sources import RecordedFailure

NOT_FOUND_MESSAGE = "FunctionName parameter could not be found."
NOT_FOUND_CODE = "ResourceNotFound.FunctionName"
EXECUTE_FAIL_CODE = "FUNCTIONS_EXECUTE_FAIL"
TIME_LIMIT_CODE = "FUNCTIONS_TIME_LIMIT_EXCEEDED"
CLIENT_EXECUTION_ERROR = -404011
CLIENT_NOT_FOUND = -501000
RESULT_TOO_LARGE = -604001

#: errCode -> the backend code string a server-side caller finds in ``CloudSDKError.code``
BACKEND_CODES: dict[int, str] = {
    **{code: name for code, name in BACKEND_CODE.items() if code},
    -504002: EXECUTE_FAIL_CODE,
    -504003: TIME_LIMIT_CODE,
    CLIENT_NOT_FOUND: NOT_FOUND_CODE,
}


class HandlerFailed(Exception):
    """A handler running outside Python (a Node.js function) failed. ``detail`` is the message
    production reports to the caller; ``str()`` adds what helps a person (stack, output)."""

    def __init__(self, detail: str, explanation: str = "") -> None:
        super().__init__(explanation or detail)
        self.detail = detail


class HandlerTimedOut(Exception):
    """A handler running outside Python was stopped at its function timeout."""


def _prefix(caller: Caller) -> str:
    return "cloud.callFunction:fail" if caller is Caller.MINI_PROGRAM else "callFunction:fail"


def _service_error(
    caller: Caller, service_code: int, detail: str, request_id: str, code: str | None
) -> CloudSDKError:
    if caller is Caller.MINI_PROGRAM:
        err_msg = (
            f"cloud.callFunction:fail requestID {request_id}, cloud function service error code "
            f"{service_code}, error message {detail}"
        )
        err_code = CLIENT_EXECUTION_ERROR if service_code == -504002 else service_code
        return CloudSDKError(
            err_code, err_msg, code=code, request_id=request_id, backend_message=detail
        )
    return CloudSDKError(
        -1,
        f"callFunction:fail {detail}",
        code=code,
        request_id=request_id,
        backend_message=detail,
    )


def callee_failed(caller: Caller, request_id: str, detail: str) -> CloudSDKError:
    """The handler raised (or returned what JSON cannot carry)."""
    return _service_error(caller, -504002, detail, request_id, EXECUTE_FAIL_CODE)


def callee_timed_out(caller: Caller, request_id: str, seconds: float) -> CloudSDKError:
    detail = f"Invoking task timed out after {seconds:g} seconds"
    return _service_error(caller, -504003, detail, request_id, TIME_LIMIT_CODE)


def request_timed_out(caller: Caller, request_id: str, seconds: float) -> CloudSDKError:
    """The caller's SDK gave up first (wx-server-sdk ``timeout``, default 15 s)."""
    err_msg = f"{_prefix(caller)} request timeout"
    return CloudSDKError(
        -1,
        err_msg,
        message=f"{err_msg} (caller timeout {seconds:g} s)",
        code="ESOCKETTIMEDOUT",
        request_id=request_id,
        backend_message="request timeout",
    )


def not_found(
    caller: Caller,
    request_id: str,
    name: str,
    registered: Sequence[str],
    unmatched_routes: Sequence[str],
) -> CloudSDKError:
    err_msg = f"{_prefix(caller)} {NOT_FOUND_MESSAGE}"
    hint = f" No function {name!r} in this cloud;"
    close = difflib.get_close_matches(name, registered, n=3, cutoff=0.5)
    if close:
        hint += f" closest registered: {', '.join(close)}."
    elif registered:
        shown = sorted(registered)[:10]
        hint += f" registered: {', '.join(shown)}{' …' if len(registered) > 10 else ''}."
    else:
        hint += " none are registered (use @cloud.function, cloud.functions.route or cloud.functions.load)."
    if unmatched_routes:
        hint += f" Routes for {name!r} did not match the data: {'; '.join(unmatched_routes)}."
    err_code = CLIENT_NOT_FOUND if caller is Caller.MINI_PROGRAM else -1
    code = None if caller is Caller.MINI_PROGRAM else NOT_FOUND_CODE
    return CloudSDKError(
        err_code,
        err_msg,
        message=err_msg + hint,
        code=code,
        request_id=request_id,
        backend_message=NOT_FOUND_MESSAGE,
    )


def request_too_large(caller: Caller, size: int, limit: int) -> CloudSDKError:
    err_msg = f"{_prefix(caller)} request data size {size} bytes exceeds the limit of {limit} bytes"
    advice = (
        " (wx.cloud.callFunction accepts at most 100 KB of data; upload larger payloads to cloud "
        "storage and pass the fileID)"
        if caller is Caller.MINI_PROGRAM
        else " (synchronous invocations accept at most 6 MB)"
    )
    detail = f"request data size {size} bytes exceeds the limit of {limit} bytes"
    return CloudSDKError(-1, err_msg, message=err_msg + advice, backend_message=detail)


def result_too_large(caller: Caller, request_id: str, size: int, limit: int) -> CloudSDKError:
    return _result_size_error(
        caller, request_id, f"result is {size} bytes, the limit is {limit} bytes"
    )


def _result_size_error(caller: Caller, request_id: str, detail: str) -> CloudSDKError:
    text = ERR_CODE_TEXT[RESULT_TOO_LARGE]
    reason = f"{RESULT_TOO_LARGE} {text}. {detail}"
    return CloudSDKError(
        RESULT_TOO_LARGE,
        f"{_prefix(caller)} {reason}",
        request_id=request_id,
        backend_message=reason,
    )


def recorded(
    caller: Caller, request_id: str, failure: RecordedFailure, answered_by: str
) -> CloudSDKError:
    """A failure an answer source kept, shaped like the live failure with the same code.

    The code is kept: a recorded timeout reaches a mini program as ``-504003``, a server-side
    caller as ``-1`` with code ``FUNCTIONS_TIME_LIMIT_EXCEEDED``, the HTTP API as ``-504003``.
    """
    if failure.err_code == CLIENT_NOT_FOUND:
        mini = caller is Caller.MINI_PROGRAM
        shaped = CloudSDKError(
            CLIENT_NOT_FOUND if mini else -1,
            f"{_prefix(caller)} {failure.err_msg}",
            code=None if mini else (failure.code or NOT_FOUND_CODE),
            backend_message=failure.err_msg,
        )
    elif failure.err_code == RESULT_TOO_LARGE:
        shaped = _result_size_error(caller, request_id, failure.err_msg)
    else:
        code = failure.code or BACKEND_CODES.get(failure.err_code)
        shaped = _service_error(caller, failure.err_code, failure.err_msg, request_id, code)
    return CloudSDKError(
        shaped.err_code,
        shaped.err_msg,
        message=f"{shaped.err_msg} (answered by {answered_by})",
        code=shaped.code,
        request_id=request_id,
        backend_message=shaped.backend_message,
    )


def bad_request_data(caller: Caller, detail: str) -> CloudSDKError:
    """``data`` JSON cannot carry: node-sdk fails before sending anything."""
    return CloudSDKError(-1, f"{_prefix(caller)} {detail}", backend_message=detail)


__all__ = [
    "BACKEND_CODES",
    "EXECUTE_FAIL_CODE",
    "NOT_FOUND_CODE",
    "NOT_FOUND_MESSAGE",
    "HandlerFailed",
    "HandlerTimedOut",
    "bad_request_data",
    "callee_failed",
    "callee_timed_out",
    "not_found",
    "recorded",
    "request_timed_out",
    "request_too_large",
    "result_too_large",
]
