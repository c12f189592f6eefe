"""Cloud-side failures (negative errcodes, http-api.md §3.14) in the HTTP API's shape.

The Python API reports ``collection.get:fail -502005 database collection not exists. […]``; over
HTTP the same failure is ``{"errcode": -502005, "errmsg": "database collection not exists. […]
rid: …"}``: the code moves into ``errcode`` and the SDK's api prefix disappears.
"""

from __future__ import annotations

import re

from ..errors import ERR_CODE_TEXT, CloudSDKError, DatabaseError
from .wire import ApiError

_SDK_PREFIX = re.compile(r"^[\w.]+:fail (?:-?\d+ )?")


def from_sdk_error(error: CloudSDKError) -> ApiError:
    return ApiError(error.err_code, _SDK_PREFIX.sub("", error.err_msg, count=1))


def from_database_error(error: DatabaseError) -> ApiError:
    text = ERR_CODE_TEXT.get(error.err_code, "")
    return ApiError(error.err_code, f"{text}. {error.detail}" if text else error.detail)


def invalid_parameter(detail: str) -> ApiError:
    return ApiError(-501007, f"{ERR_CODE_TEXT[-501007]}. {detail}")


def collection_not_exist() -> ApiError:
    from ..errors import COLLECTION_NOT_EXIST_MESSAGE

    return ApiError(-502005, f"{ERR_CODE_TEXT[-502005]}. {COLLECTION_NOT_EXIST_MESSAGE}")


__all__ = ["collection_not_exist", "from_database_error", "from_sdk_error", "invalid_parameter"]
