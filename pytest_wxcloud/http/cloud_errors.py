"""Cloud-side failures (negative errcodes, http-api.md §3.14) in the HTTP API's shape.

The Python API reports ``collection.get:fail -502005 database collection not exists. […]``; over
HTTP the same failure is ``{"errcode": -502005, "errmsg": "database collection not exists. […]
rid: …"}``: the code moves into ``errcode`` and the SDK's api prefix disappears.
"""

from __future__ import annotations

from ..errors import (
    COLLECTION_NOT_EXIST_MESSAGE,
    ERR_CODE_TEXT,
    TCB_ERR_CODE,
    CloudSDKError,
    DatabaseError,
)
from .wire import ApiError


def from_sdk_error(error: CloudSDKError) -> ApiError:
    """The backend's errcode and message for an SDK error. Where the SDK's "Error instance" path
    turned a backend code into errCode -1 (aggregate, createCollection: sdk.md §3.4), the HTTP
    API, which answers straight from the backend, gives that code's number (e.g. -502005)."""
    detail = error.backend_message if error.backend_message is not None else error.err_msg
    number = TCB_ERR_CODE.get(error.code or "") if error.err_code == -1 else error.err_code
    text = ERR_CODE_TEXT.get(number) if number else None
    if number and text and number != -1:
        return ApiError(number, f"{text}. {detail}")
    return ApiError(error.err_code, detail)


def from_database_error(error: DatabaseError) -> ApiError:
    text = ERR_CODE_TEXT.get(error.err_code, "")
    return ApiError(error.err_code, f"{text}. {error.detail}" if text else error.detail)


def invalid_parameter(detail: str) -> ApiError:
    return ApiError(-501007, f"{ERR_CODE_TEXT[-501007]}. {detail}")


def collection_not_exist() -> ApiError:
    return ApiError(-502005, f"{ERR_CODE_TEXT[-502005]}. {COLLECTION_NOT_EXIST_MESSAGE}")


__all__ = ["collection_not_exist", "from_database_error", "from_sdk_error", "invalid_parameter"]
