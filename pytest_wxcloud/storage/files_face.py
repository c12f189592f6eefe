"""The bucket's own HTTP face: uploads PUT or POSTed to upload URLs, temp URLs fetched with GET.

It answers any ``httpx.Request`` for a file URL this cloud issued (``answer`` returns ``None``
for other URLs), so the same object serves the in-process mock (production's hosts,
``<bucket>.cos.ap-shanghai.myqcloud.com`` and ``<bucket>.tcb.qcloud.la``) and the loopback
server (``/__cos/<token>`` on its own origin). Replies are COS's: an empty 200 for a PUT, 204
for a form POST, the bytes for a GET, and COS's XML ``<Error>`` for anything refused —
wx-server-sdk turns that XML into ``uploadFile:fail [<Code>]: <Message>``.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from urllib.parse import unquote
from xml.sax.saxutils import escape

import httpx

from ..errors import DatabaseError
from ..multipart import form_parts
from .links import DOWNLOAD_HOST_SUFFIX, LOOPBACK_PREFIX, UPLOAD_HOST_SUFFIX
from .service import LinkRefused

if TYPE_CHECKING:
    from ..cloud import WxCloud


def is_file_host(host: str) -> bool:
    """True for production's file hosts, which the in-process mock routes here."""
    return host.endswith(UPLOAD_HOST_SUFFIX) or host.endswith(DOWNLOAD_HOST_SUFFIX)


class FilesFace:
    """File URLs of one cloud's bucket."""

    def __init__(self, cloud: WxCloud) -> None:
        self.cloud = cloud

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        token = _token(request)
        if token is None:
            return None
        try:
            if request.method == "GET":
                return self._download(token)
            if request.method == "PUT":
                return self._upload_put(token, request)
            if request.method == "POST":
                return self._upload_post(token, request)
            raise LinkRefused(
                405, "MethodNotAllowed", f"{request.method} is not allowed on a file URL"
            )
        except LinkRefused as refused:
            return _error(refused)
        except DatabaseError as error:
            return _error(LinkRefused(400, "InvalidArgument", error.detail))

    def _download(self, token: str) -> httpx.Response:
        stored = self.cloud.storage.open_link(token)
        return httpx.Response(
            200,
            content=stored.content,
            headers={"content-type": stored.content_type, "etag": _etag(stored.content)},
        )

    def _upload_put(self, token: str, request: httpx.Request) -> httpx.Response:
        """4.x: raw bytes, chunked, the cloud path percent-encoded in the ``key`` header."""
        key = request.headers.get("key")
        content = request.read()
        stored = self.cloud.storage.finish_upload(
            token,
            content,
            key=unquote(key) if key is not None else None,
            content_type=request.headers.get("content-type"),
        )
        return httpx.Response(200, headers={"etag": _etag(stored.content)})

    def _upload_post(self, token: str, request: httpx.Request) -> httpx.Response:
        """The HTTP API's (and 2.x's) form POST: ``key``, ``Signature``, …, and ``file``."""
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            raise LinkRefused(
                400,
                "InvalidArgument",
                f"a form upload needs multipart/form-data, got {content_type!r}",
            )
        parts = form_parts(content_type, request.read())
        file_part = parts.get("file")
        if file_part is None:
            raise LinkRefused(400, "InvalidArgument", "the form has no file field")
        key = parts.get("key")
        self.cloud.storage.finish_upload(
            token,
            file_part.content,
            key=key.text if key is not None else None,
            content_type=file_part.content_type,
        )
        return httpx.Response(204)


def _token(request: httpx.Request) -> str | None:
    url = request.url
    path = url.path
    if path.startswith(LOOPBACK_PREFIX):
        return path[len(LOOPBACK_PREFIX) :].split("/", 1)[0] or None
    host = url.host
    if host.endswith(DOWNLOAD_HOST_SUFFIX):
        return url.params.get("sign") or ""
    if host.endswith(UPLOAD_HOST_SUFFIX):
        return path.lstrip("/").split("/", 1)[0]
    return None


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def _error(refused: LinkRefused) -> httpx.Response:
    body = (
        "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n"
        f"\t<Code>{escape(refused.code)}</Code>\n"
        f"\t<Message>{escape(refused.message)}</Message>\n"
        "</Error>"
    )
    return httpx.Response(
        refused.status, content=body.encode(), headers={"content-type": "application/xml"}
    )


__all__ = ["FilesFace", "is_file_host"]
