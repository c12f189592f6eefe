"""The envelope every api.weixin.qq.com answer shares: errcode/errmsg, HTTP 200, request ids.

Errors travel as HTTP 200 with a non-zero ``errcode`` and an ``errmsg`` that ends in
`` rid: xxxxxxxx-xxxxxxxx-xxxxxxxx`` (http-api.md §1, §7.7); clients branch on the code and must
not compare the text exactly, so the rid is random-looking but deterministic per cloud.
"""

from __future__ import annotations

import random
from typing import Any

import httpx

from ..jsjson import encode_json

#: What the platform sends with its JSON answers (captured, http-api.md §1).
CONTENT_TYPE = "application/json; encoding=utf-8"

#: The usual English errmsg per platform errcode (http-api.md §1, §2).
PLATFORM_ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40097: "invalid args",
    40101: "missing parameter",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    44002: "empty post data",
    47001: "data format error",
}


class ApiError(Exception):
    """A request the platform answers with a non-zero errcode (``rid`` is appended on the wire)."""

    def __init__(self, errcode: int, errmsg: str | None = None) -> None:
        self.errcode = errcode
        self.errmsg = errmsg if errmsg is not None else PLATFORM_ERRMSG.get(errcode, "system error")
        super().__init__(f"{errcode} {self.errmsg}")


class RequestIds:
    """``rid`` values in the platform's ``6510fcad-3d8ae261-25861ec2`` shape, reproducible per seed."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"rid:{seed}")

    def next(self) -> str:
        bits = self._random.getrandbits(96)
        return f"{bits >> 64:08x}-{(bits >> 32) & 0xFFFFFFFF:08x}-{bits & 0xFFFFFFFF:08x}"


def json_response(body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    content = encode_json(body)
    all_headers = {"Content-Type": CONTENT_TYPE}
    if headers:
        all_headers.update(headers)
    return httpx.Response(200, content=content, headers=all_headers)


def ok(**fields: Any) -> dict[str, Any]:
    return {"errcode": 0, "errmsg": "ok", **fields}


def failure(error: ApiError, rid: str) -> dict[str, Any]:
    return {"errcode": error.errcode, "errmsg": f"{error.errmsg} rid: {rid}"}


__all__ = [
    "CONTENT_TYPE",
    "PLATFORM_ERRMSG",
    "ApiError",
    "RequestIds",
    "encode_json",
    "failure",
    "json_response",
    "ok",
]
