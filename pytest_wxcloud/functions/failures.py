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

from ..errors import ERR_CODE_TEXT, CloudSDKError
from .calls import Caller

NOT_FOUND_MESSAGE = "FunctionName parameter could not be found."
NOT_FOUND_CODE = "ResourceNotFound.FunctionName"
EXECUTE_FAIL_CODE = "FUNCTIONS_EXECUTE_FAIL"
TIME_LIMIT_CODE = "FUNCTIONS_TIME_LIMIT_EXCEEDED"
CLIENT_EXECUTION_ERROR = -404011
CLIENT_NOT_FOUND = -501000


def _prefix(caller: Caller) -> str:
    return "cloud.callFunction:fail" if caller is Caller.MINI_PROGRAM else "callFunction:fail"


def _service_error(
    caller: Caller, service_code: int, detail: str, request_id: str, code: str
) -> CloudSDKError:
    if caller is Caller.MINI_PROGRAM:
        err_msg = (
            f"cloud.callFunction:fail requestID {request_id}, cloud function service error code "
            f"{service_code}, error message {detail}"
        )
        err_code = CLIENT_EXECUTION_ERROR if service_code == -504002 else service_code
        return CloudSDKError(err_code, err_msg, code=code, request_id=request_id)
    return CloudSDKError(-1, f"callFunction:fail {detail}", code=code, request_id=request_id)


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
        err_code, err_msg, message=err_msg + hint, code=code, request_id=request_id
    )


def request_too_large(caller: Caller, size: int, limit: int) -> CloudSDKError:
    err_msg = f"{_prefix(caller)} request data size {size} bytes exceeds the limit of {limit} bytes"
    advice = (
        " (wx.cloud.callFunction accepts at most 100 KB of data; upload larger payloads to cloud "
        "storage and pass the fileID)"
        if caller is Caller.MINI_PROGRAM
        else " (synchronous invocations accept at most 6 MB)"
    )
    return CloudSDKError(-1, err_msg, message=err_msg + advice)


def result_too_large(caller: Caller, request_id: str, size: int, limit: int) -> CloudSDKError:
    text = ERR_CODE_TEXT[-604001]
    err_msg = (
        f"{_prefix(caller)} -604001 {text}. result is {size} bytes, the limit is {limit} bytes"
    )
    return CloudSDKError(-604001, err_msg, request_id=request_id)


def bad_request_data(caller: Caller, detail: str) -> CloudSDKError:
    """``data`` JSON cannot carry: node-sdk fails before sending anything."""
    return CloudSDKError(-1, f"{_prefix(caller)} {detail}")


__all__ = [
    "EXECUTE_FAIL_CODE",
    "NOT_FOUND_CODE",
    "NOT_FOUND_MESSAGE",
    "bad_request_data",
    "callee_failed",
    "callee_timed_out",
    "not_found",
    "request_timed_out",
    "request_too_large",
    "result_too_large",
]
