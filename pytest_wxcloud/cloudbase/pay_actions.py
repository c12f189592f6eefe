"""``wx.wxPayApi``: ``cloud.cloudPay.*`` from a Node function, JSON in a multipart body.

wx-server-sdk 4.0.2 sends multipart/form-data with ``apiName`` (the method alone:
``unifiedOrder``), ``requestData`` (the parameters as JSON text, keys already snake_case) and
``apiOptions`` (a protobuf ``ApiOptions``, empty unless an appid was configured). It reads the
reply as bytes: JSON text is WeChat Pay's answer, which it turns camelCase and completes with
``errMsg: "cloudPay.<api>:ok"``; anything else is raw data (``downloadBill``). So the answer is
``application/octet-stream`` — a reply typed ``application/json; charset=utf-8`` would be parsed
by node-sdk and refused as an "unknown response" — and failures before the API are the usual
``{code, message}``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from ..jsjson import encode_json
from ..openapi.outcome import PlatformError
from .request import Action, AdminRequest
from .wire import BadRequest, string_field

#: the prefix of the API's name in the outbox and routes (the wire names the method alone)
PAY = "cloudPay."


def _params(request_data: Any) -> dict[str, Any]:
    if not isinstance(request_data, bytes):
        raise BadRequest("requestData must be the parameters' JSON text")
    try:
        params = json.loads(request_data)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"requestData is not JSON text: {exc}") from None
    if not isinstance(params, dict):
        raise BadRequest(f"requestData must hold a JSON object, got {params!r}")
    return params


def wx_pay_api(request: AdminRequest) -> dict[str, Any] | httpx.Response:
    method = string_field(request.body, "apiName")
    params = _params(request.body.get("requestData"))
    grant = request.grant
    if grant is None:
        return {
            "code": "INVALID_REQUEST_SOURCE",
            "message": "cloudPay is only available to functions the platform started "
            "(the request has no wxCloudApiToken)",
        }
    api = PAY + method
    try:
        reply = request.cloud.openapi.service.call(
            api, params, caller=grant.identity, function=grant.function_name, face="admin"
        )
    except PlatformError as refused:
        return {"code": "INVALID_PARAM", "message": refused.detail}
    if reply.media is not None:
        content = reply.media.value
    else:
        body = dict(reply.body or {})
        if not reply.errcode:  # WeChat Pay's answer has no errcode of its own
            body.pop("errcode", None)
            body.pop("errmsg", None)
        content = encode_json(body)
    return httpx.Response(
        200, content=content, headers={"content-type": "application/octet-stream"}
    )


ACTIONS: dict[str, Action] = {"wx.wxPayApi": wx_pay_api}

__all__ = ["ACTIONS"]
