"""The 云调用 APIs over HTTP, for back ends (``/cgi-bin/message/subscribe/send``,
``/wxa/msg_sec_check``, ``/wxa/getwxacodeunlimit`` …): the same APIs and outbox the cloud
functions' ``cloud.openapi`` reaches, with the HTTP API's own spelling.

The body is the API's JSON (already snake_case); ``img_sec_check`` takes a multipart form with
the image in ``media``. A JSON answer is sent as the API wrote it, an image as raw bytes with its
type (production answers ``wxacode`` with the image itself, errors as JSON).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ..multipart import form_parts
from ..openapi.outcome import Media
from .incoming import json_object, require_post
from .wire import ApiError

if TYPE_CHECKING:
    from .router import Handler, HttpFace

#: HTTP path -> the API's dotted name
PATHS = {
    "/cgi-bin/message/subscribe/send": "subscribeMessage.send",
    "/wxa/msg_sec_check": "security.msgSecCheck",
    "/wxa/img_sec_check": "security.imgSecCheck",
    "/wxa/getwxacode": "wxacode.get",
    "/wxa/getwxacodeunlimit": "wxacode.getUnlimited",
    "/cgi-bin/wxaapp/createwxaqrcode": "wxacode.createQRCode",
    "/cgi-bin/message/custom/send": "customerServiceMessage.send",
    "/wxa/generatescheme": "urlscheme.generate",
    "/wxa/business/getuserphonenumber": "phonenumber.getPhoneNumber",
}


def _params(request: httpx.Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        parts = form_parts(content_type, request.content)
        return {
            name: Media(
                part.content_type or "application/octet-stream", part.content, part.filename or ""
            )
            if part.filename is not None or name == "media"
            else part.text
            for name, part in parts.items()
        }
    return json_object(request)


def endpoint(api: str) -> Callable[[HttpFace, httpx.Request], dict[str, Any] | httpx.Response]:
    def answer(face: HttpFace, request: httpx.Request) -> dict[str, Any] | httpx.Response:
        require_post(request)
        params = _params(request)
        service = face.cloud.openapi.service
        reply = service.call(api, params, caller=None, function=None, face="http")
        if reply.media is not None:
            return httpx.Response(
                200, content=reply.media.value, headers={"content-type": reply.media.content_type}
            )
        body = dict(reply.body or {})
        errcode = body.pop("errcode", 0)
        errmsg = body.pop("errmsg", "ok")
        if errcode:
            raise ApiError(errcode, errmsg)
        return body

    answer.__name__ = api.replace(".", "_")
    return answer


ENDPOINTS: dict[str, Handler] = {path: endpoint(api) for path, api in PATHS.items()}

__all__ = ["ENDPOINTS", "PATHS"]
