"""The adapter that answers ``requests`` from an :class:`HttpFace`, and its two conversions.

The conversion is requests' own: ``PreparedRequest`` → ``httpx.Request`` → face → a urllib3
response handed to ``HTTPAdapter.build_response``, so cookies, ``raw``, ``iter_content`` and
hooks behave as after a real exchange. Imported only when requests is installed.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx
import urllib3
from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter, HTTPAdapter

if TYPE_CHECKING:
    from .router import HttpFace

#: What ``http.client`` does with a ``str`` body (requests hands ``data="..."`` over as is).
STR_BODY_ENCODING = "iso-8859-1"


def to_httpx_request(prepared: PreparedRequest) -> httpx.Request:
    """The request as httpx would have built it: same method, URL, headers and body bytes."""
    headers = list(prepared.headers.items())
    return httpx.Request(
        prepared.method or "GET", prepared.url or "", headers=headers, content=_body(prepared.body)
    )


def _body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode(STR_BODY_ENCODING)  # raises as http.client would for non-Latin-1
    if hasattr(body, "read"):
        return _body(body.read())
    return b"".join(_body(chunk) for chunk in body)  # a generator: requests sends it chunked


def to_requests_response(
    answer: httpx.Response, prepared: PreparedRequest, adapter: BaseAdapter
) -> Response:
    raw = urllib3.HTTPResponse(
        body=io.BytesIO(answer.content),
        headers=urllib3.HTTPHeaderDict(answer.headers.multi_items()),
        status=answer.status_code,
        reason=answer.reason_phrase,
        preload_content=False,
        decode_content=False,
    )
    # build_response only stores ``self`` as ``response.connection``: any adapter will do
    return HTTPAdapter.build_response(adapter, prepared, raw)  # type: ignore[arg-type]


def user_mock_answers(mounted: BaseAdapter) -> bool:
    """True when the mounted adapter's ``send`` is not requests' own (``responses``, a subclass)."""
    send = getattr(type(mounted), "send", None)
    return getattr(send, "__module__", None) != "requests.adapters"


class CloudAdapter(BaseAdapter):
    """Stands in front of the session's mounted adapter for ``api.weixin.qq.com``."""

    def __init__(self, face: HttpFace, mounted: BaseAdapter) -> None:
        super().__init__()
        self.face = face
        self.mounted = mounted

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        outgoing = to_httpx_request(request)
        answer = self.face.answer(outgoing)
        if answer is None:
            if user_mock_answers(self.mounted):
                return self.mounted.send(
                    request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                    proxies=proxies,
                )  # fmt: skip
            answer = self.face.not_emulated(outgoing)
        return to_requests_response(answer, request, self)

    def close(self) -> None:
        return None


__all__ = ["CloudAdapter", "to_httpx_request", "to_requests_response", "user_mock_answers"]
