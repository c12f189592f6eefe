"""What an API answers: a JSON body or media bytes, and the failures that are not answers.

Production's openapi backend answers with the WeChat API's own HTTP body (JSON with ``errcode``,
or an image), and fails *before* the API with a platform ``errorCode`` (``-604100`` API not
found, ``-604101`` no permission): the two travel differently on every face, so they are
different types here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ERR_CODE_TEXT
from ..jsjson import encode_json

JSON_TYPE = "application/json; charset=utf-8"


class OpenApiError(Exception):
    """The API refuses the call: its ``errcode`` and ``errmsg`` (without the ``rid`` suffix)."""

    def __init__(self, errcode: int, errmsg: str) -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        super().__init__(f"{errcode} {errmsg}")


class PlatformError(Exception):
    """The platform refuses before the API runs (``CommOpenApiResp.errorCode``)."""

    def __init__(self, error_code: int, detail: str = "") -> None:
        self.error_code = error_code
        self.detail = detail
        super().__init__(f"{error_code} {ERR_CODE_TEXT.get(error_code, '')}: {detail}")


@dataclass(frozen=True, slots=True)
class Media:
    """A binary parameter (``img``, ``media``) or result: bytes with their type."""

    content_type: str
    value: bytes
    filename: str = ""

    def __repr__(self) -> str:
        return f"Media({self.content_type!r}, {len(self.value)} bytes)"


@dataclass(frozen=True, slots=True)
class Reply:
    """An API's answer: ``body`` for JSON, ``media`` for an image."""

    body: dict[str, Any] | None = None
    media: Media | None = None

    @property
    def errcode(self) -> int:
        if self.body is None:
            return 0
        code = self.body.get("errcode", 0)
        return code if isinstance(code, int) else 0

    def content(self) -> tuple[bytes, str]:
        if self.media is not None:
            return self.media.value, self.media.content_type
        return encode_json(self.body), JSON_TYPE


def ok(**fields: Any) -> Reply:
    return Reply({"errcode": 0, "errmsg": "ok", **fields})


__all__ = ["JSON_TYPE", "Media", "OpenApiError", "PlatformError", "Reply", "ok"]
