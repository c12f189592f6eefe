"""``wx.openApi``: ``cloud.openapi.*`` and ``cloud.getOpenData`` from a Node function.

The request is multipart/form-data with ``apiName`` and ``requestData``, a protobuf
``CommApiData``. For ``cloud.openapi`` (OPEN_API) its pairs hold each parameter's JSON text (or
media bytes with a content type); the reply is HTTP 200 ``application/octet-stream``, a
``CommOpenApiResp`` carrying the API's body and content type, or a platform ``errorCode``
(-604100 API not found, -604101 the function's ``config.json`` does not list the API, -604104 no
invocation token) (node-runtime.md §2.3–2.4). ``cloud.getOpenData`` is a SVRKIT_API call:
``svrkitData`` names ``ApiGetOpenDataByCloudId`` and nests an ``ApiGetOpenDataByCloudIdReq``;
the reply nests an ``ApiGetOpenDataByCloudIdResp`` in ``respData``, and a bad CloudID is an
``errorCode`` (-601005/-601006/-601007). The caller is the invocation its ``wxCloudApiToken``
names, so permissions and the outbox's ``caller`` follow the function that called.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..jsjson import encode_json
from ..openapi.outcome import JSON_TYPE, Media, PlatformError
from ..openapi.protobuf import (
    OPEN_API,
    SVRKIT_API,
    CommApiData,
    CommOpenApiResp,
    ProtobufError,
    decode_comm_api_data,
    decode_open_data_request,
    encode_open_data_reply,
)
from .request import Action, AdminRequest
from .tokens import Grant
from .wire import BadRequest, string_field

#: no invocation token: the call does not come from a function the platform started
ILLEGAL_SOURCE = -604104
API_NOT_FOUND = -604100


#: the one SVRKIT_API call answered: what ``cloud.getOpenData`` sends
OPEN_DATA_API = "ApiGetOpenDataByCloudId"


def _message(request_data: Any) -> CommApiData:
    if not isinstance(request_data, bytes):
        raise BadRequest("requestData must be a protobuf CommApiData part")
    try:
        message = decode_comm_api_data(request_data)
    except ProtobufError as exc:
        raise BadRequest(f"requestData is not a CommApiData message: {exc}") from None
    if message.api_type not in (OPEN_API, SVRKIT_API):
        raise BadRequest(
            f"requestData apiType {message.api_type} is neither OPEN_API (0) nor SVRKIT_API (2)"
        )
    return message


def _params(message: CommApiData) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for pair in message.pairs:
        if pair.content_type:
            params[pair.key] = Media(pair.content_type, pair.value, pair.filename)
            continue
        try:
            params[pair.key] = json.loads(pair.value)
        except (ValueError, RecursionError):
            raise BadRequest(f"requestData: the value of {pair.key!r} is not JSON text") from None
    return params


def _protobuf(message: CommOpenApiResp) -> httpx.Response:
    return httpx.Response(
        200, content=message.encode(), headers={"content-type": "application/octet-stream"}
    )


def _open_data(request: AdminRequest, message: CommApiData, grant: Grant) -> httpx.Response:
    if message.svrkit_api != OPEN_DATA_API:
        return _protobuf(CommOpenApiResp(error_code=API_NOT_FOUND))
    try:
        cloud_ids = decode_open_data_request(message.svrkit_data)
    except ProtobufError as exc:
        raise BadRequest(f"svrkitData is not an {OPEN_DATA_API}Req message: {exc}") from None
    try:
        items = request.cloud.openapi.service.get_open_data(
            cloud_ids, caller=grant.identity, function=grant.function_name, face="admin"
        )
    except PlatformError as refused:
        return _protobuf(CommOpenApiResp(error_code=refused.error_code))
    return _protobuf(CommOpenApiResp(encode_open_data_reply(items), http_code=200))


def open_api(request: AdminRequest) -> httpx.Response:
    api = string_field(request.body, "apiName")
    message = _message(request.body.get("requestData"))
    grant = request.grant
    if grant is None:
        return _protobuf(CommOpenApiResp(error_code=ILLEGAL_SOURCE))
    if message.api_type == SVRKIT_API:
        return _open_data(request, message, grant)
    params = _params(message)
    service = request.cloud.openapi.service
    try:
        reply = service.call(
            api, params, caller=grant.identity, function=grant.function_name, face="admin"
        )
    except PlatformError as refused:
        return _protobuf(CommOpenApiResp(error_code=refused.error_code))
    content, content_type = reply.content()
    if content_type == JSON_TYPE and reply.body is not None and reply.errcode:
        rid = service.rids.next()
        body = {**reply.body, "errmsg": f"{reply.body.get('errmsg', '')} rid: {rid}"}
        content = encode_json(body)
    return _protobuf(CommOpenApiResp(content, content_type, http_code=200))


ACTIONS: dict[str, Action] = {"wx.openApi": open_api}

__all__ = ["ACTIONS", "ILLEGAL_SOURCE"]
