"""Errors shaped like wx-server-sdk 4.0.2's, so code that branches on errCode/errMsg works unchanged.

The SDK produces two families of failures (reference sdk.md §7.2) and user code reads both through
the same two keys, so one Python exception type carries them: ``err_code`` / ``err_msg`` (also
readable as ``errCode`` / ``errMsg``) and ``str()`` equal to the JavaScript ``message``.

Builder misuse (``limit(1.5)``, ``where([])``) is different in production: a plain synchronous
``Error`` without an errCode. Those raise :class:`SDKUsageError` (a ``ValueError``) or
:class:`SDKTypeError` (a ``TypeError``) carrying the SDK's exact message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: Backend code string -> errCode (``TCB_ERR_CODE``). Unknown strings map to -501001.
TCB_ERR_CODE: dict[str, int] = {
    "SUCCESS": 0,
    "SYS_ERR": -501001,
    "SERVER_TIMEOUT": -501002,
    "EXCEED_REQUEST_LIMIT": -501003,
    "EXCEED_CONCURRENT_REQUEST_LIMIT": -501004,
    "INVALIID_ENV": -501005,
    "INVALID_COMMON_PARAM": -501006,
    "INVALID_PARAM": -501007,
    "INVALID_REQUEST_SOURCE": -501008,
    "RESOURCE_NOT_INITIAL": -501009,
    "DATABASE_REQUEST_FAILED": -502001,
    "DATABASE_INVALID_OPERRATOR": -502002,
    "DATABASE_PERMISSION_DENIED": -502003,
    "DATABASE_COLLECTION_EXCEED_LIMIT": -502004,
    "DATABASE_COLLECTION_NOT_EXIST": -502005,
    "STORAGE_REQUEST_FAIL": -503001,
    "STORAGE_EXCEED_AUTHORITY": -503002,
    "STORAGE_FILE_NONEXIST": -503003,
    "STORAGE_SIGN_PARAM_INVALID": -503004,
    "FUNCTIONS_REQUEST_FAIL": -504001,
    "FUNCTIONS_EXECUTE_FAIL": -504002,
}

#: errCode -> backend code string (the inverse of ``TCB_ERR_CODE``)
BACKEND_CODE: dict[int, str] = {number: name for name, number in TCB_ERR_CODE.items()}

#: errCode -> the text the SDK puts into errMsg (``ERR_CODE``).
ERR_CODE_TEXT: dict[int, str] = {
    -1: "unknown error",
    -501001: "resource system error",
    -501002: "resource server timeout",
    -501003: "exceed request limit",
    -501004: "exceed concurrent request limit",
    -501005: "invalid env",
    -501006: "invalid common parameters",
    -501007: "invalid parameters",
    -501008: "invalid request source",
    -501009: "resource not initialized",
    -502001: "database request fail",
    -502002: "database invalid command",
    -502003: "database permission denied",
    -502004: "database exceed collection limit",
    -502005: "database collection not exists",
    -503001: "storage request fail",
    -503002: "storage permission denied",
    -503003: "storage file not exists",
    -503004: "storage invalid sign parameter",
    -504001: "functions request fail",
    -504002: "functions execute fail",
    -601001: "system error",
    -601005: "invalid cloudID",
    -601006: "cloudID expired",
    -601007: "cloudID and calling user does not match",
    -602001: "database query result size exceed limit (1MB)",
    -604001: "cloudfunction result size exceed limit (1MB)",
    -604100: "API not found",
    -604101: "function has no permission to call this API",
    -604102: "call open API timeout",
    -604103: "call open API system error",
    -604104: "illegal source of invocation",
}

#: The backend's message for a missing collection, as users see it in errMsg.
COLLECTION_NOT_EXIST_MESSAGE = (
    "[ResourceNotFound] Db or Table not exist. Please check your request, "
    "but if the problem cannot be solved, contact us."
)


class CloudSDKError(Exception):
    """A failed cloud API call, carrying the same errCode/errMsg production code branches on."""

    def __init__(
        self,
        err_code: int,
        err_msg: str,
        *,
        message: str | None = None,
        code: str | None = None,
        request_id: str | None = None,
        backend_message: str | None = None,
    ) -> None:
        self.err_code = err_code
        self.err_msg = err_msg
        self.message = err_msg if message is None else message
        self.code = code
        self.request_id = request_id
        #: the backend's own message (no SDK prefix), for faces that forward the failure on
        #: their wire (the HTTP API, the CloudBase protocol) instead of reading errMsg back
        self.backend_message = backend_message
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"CloudSDKError(err_code={self.err_code}, err_msg={self.err_msg!r})"

    # WeChat's spelling, for code ported from JavaScript that reads ``e.errCode``.
    @property
    def errCode(self) -> int:
        return self.err_code

    @property
    def errMsg(self) -> str:
        return self.err_msg

    def to_dict(self) -> dict[str, Any]:
        """The error's own keys as the SDK exposes them, e.g. to return from a handler."""
        out: dict[str, Any] = {"errCode": self.err_code, "errMsg": self.err_msg}
        if self.code is not None:
            out["code"] = self.code
        if self.request_id is not None:
            out["requestId"] = self.request_id
        return out


class SDKUsageError(ValueError):
    """Builder misuse the SDK rejects synchronously with a plain ``Error`` (no errCode)."""


class SDKTypeError(TypeError):
    """Misuse the SDK rejects with a JavaScript ``TypeError`` (no errCode)."""


def api_error(api: str, err_code: int, detail: str) -> CloudSDKError:
    """Template (a): ``"<api>:fail <errCode> <text>. <detail>"`` — backend codes, mapped."""
    text = ERR_CODE_TEXT.get(err_code, "")
    return CloudSDKError(
        err_code, f"{api}:fail {err_code} {text}. {detail}", backend_message=detail
    )


def api_failure(
    api: str, message: str, *, code: str | None = None, request_id: str | None = None
) -> CloudSDKError:
    """Templates (b)/(c): ``"<api>:fail <message>"`` with errCode -1 (Error/string path)."""
    return CloudSDKError(
        -1, f"{api}:fail {message}", code=code, request_id=request_id, backend_message=message
    )


def assertion_error(err_msg: str, err_code: int = -1) -> CloudSDKError:
    """A true ``CloudSDKError``: no api prefix in errMsg, ``message`` in the SDK's long form."""
    text = ERR_CODE_TEXT.get(err_code, "")
    return CloudSDKError(
        err_code,
        err_msg,
        message=f"errCode: {err_code} {text} | errMsg: {err_msg}",
        backend_message=err_msg,
    )


def collection_not_exist(api: str) -> CloudSDKError:
    return api_error(api, -502005, COLLECTION_NOT_EXIST_MESSAGE)


class DatabaseError(Exception):
    """Raised inside the database engine, where the API name is not known yet.

    The SDK-shaped layer converts it with :func:`to_api_error`, so the same engine failure reads
    ``collection.update:fail -502001 …`` or ``document.update:fail -502001 …`` depending on the call.
    ``hint`` is help beyond production's text (closest names …): it goes into the exception's
    message only, so ``errMsg`` stays exactly what production puts there.
    """

    def __init__(
        self, err_code: int, detail: str, hint: str = "", *, code: str | None = None
    ) -> None:
        self.err_code = err_code
        self.detail = detail
        self.hint = hint
        #: the backend's code string, as the CloudBase protocol carries it (``INVALID_PARAM`` …)
        self.code = code if code is not None else BACKEND_CODE.get(err_code, "SYS_ERR")
        super().__init__(detail + hint)


class UnknownOperatorError(DatabaseError, NotImplementedError):
    """An operator (``$foo``) the engine does not know: never silently matched or ignored."""

    def __init__(self, operator: str, where: str, accepted: Iterable[str] = ()) -> None:
        known = ", ".join(sorted(accepted))
        hint = f"; accepted here: {known}" if known else ""
        super().__init__(-502002, f"unknown operator {operator} in {where}{hint}")
        self.operator = operator


class UnsupportedOperatorSDKError(CloudSDKError, NotImplementedError):
    """The API-level form of :class:`UnknownOperatorError` (still a ``NotImplementedError``)."""


def to_api_error(api: str, exc: DatabaseError) -> CloudSDKError:
    text = ERR_CODE_TEXT.get(exc.err_code, "")
    err_msg = f"{api}:fail {exc.err_code} {text}. {exc.detail}"
    if isinstance(exc, UnknownOperatorError):
        return UnsupportedOperatorSDKError(exc.err_code, err_msg, backend_message=exc.detail)
    return CloudSDKError(
        exc.err_code,
        err_msg,
        message=err_msg + exc.hint if exc.hint else None,
        backend_message=exc.detail,
    )
