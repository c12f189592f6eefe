"""``/tcb/invokecloudfunction`` (http-api.md §3.1): the cloud's function routes, called over HTTP.

Two request forms: ``?env=…&name=…`` with the event as the raw body (classic), or a JSON body
``{env, name, req_data}`` with ``req_data`` a JSON *string* (newer). The platform adds
``userInfo: {appId}`` to the event, runs the function with no user (no OPENID) and SOURCE
``wx_http`` (``cloud.call_function`` does all three for a call with no user) and returns
its value serialised with ``JSON.stringify`` in ``resp_data``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import ERR_CODE_TEXT, CloudSDKError
from ..functions.calls import Caller
from ..functions.failures import BACKEND_CODES
from ..functions.invoke import invoke
from ..jsjson import stringify
from .cloud_errors import invalid_parameter
from .incoming import check_env, json_value, raw_body, require_post, required_string
from .wire import ApiError

if TYPE_CHECKING:
    from ..cloud import WxCloud
    from .router import Handler, HttpFace

#: deeper events are refused before the function runs (JSON crosses the platform twice)
MAX_EVENT_DEPTH = 200

#: ``CloudSDKError.code`` -> the errcode HTTP reports: the functions pipeline's table, plus
#: the caller-side timeout (the HTTP API's own 5 s), which the platform reports as -501002
_BACKEND_CODES = {name: number for number, name in BACKEND_CODES.items()} | {
    "ESOCKETTIMEDOUT": -501002
}


def invoke_cloud_function(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    cloud = face.cloud
    require_post(request)
    name, event = _name_and_event(cloud, request)
    try:
        # the HTTP API never carries a user, whatever the calling thread is doing: SOURCE
        # wx_http, userInfo {appId} merged into the event, the 5 s HTTP timeout
        response = invoke(cloud.functions, name, event, caller=Caller.HTTP, caller_identity=None)
    except CloudSDKError as error:
        raise _function_error(error) from None
    return {"resp_data": stringify(response["result"])}


def _name_and_event(cloud: WxCloud, request: httpx.Request) -> tuple[str, dict[str, Any]]:
    params = request.url.params
    content = raw_body(request)
    if "name" in params or "env" in params:
        check_env(required_string(dict(params), "env"), cloud.env)
        name = required_string(dict(params), "name")
        return name, _event(json_value(content), "the request body")
    body = json_value(content)
    if not isinstance(body, dict):
        raise ApiError(47001, "data format error, the body must be a JSON object")
    check_env(required_string(body, "env"), cloud.env)
    name = required_string(body, "name")
    req_data = body.get("req_data", "{}")
    if not isinstance(req_data, str):
        raise invalid_parameter(
            f"req_data must be a JSON string such as '{{\"a\":1}}', got {type(req_data).__name__}"
        )
    try:
        event = json.loads(req_data) if req_data.strip() else {}
    except (ValueError, RecursionError):
        raise invalid_parameter(f"req_data is not valid JSON: {req_data[:80]!r}") from None
    return name, _event(event, "req_data")


def _event(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        shown = repr(value)[:80]
        raise invalid_parameter(
            f"{where} must be a JSON object (the function's event), got {shown}"
        )
    if _depth(value) > MAX_EVENT_DEPTH:
        raise invalid_parameter(f"{where} is nested more than {MAX_EVENT_DEPTH} levels deep")
    return value


def _depth(value: Any) -> int:
    """Nesting depth, iteratively: an event may be deeper than Python's recursion limit."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _function_error(error: CloudSDKError) -> ApiError:
    """The backend's failure (code and message) as the HTTP API's errcode and errmsg."""
    detail = error.backend_message if error.backend_message is not None else error.err_msg
    errcode = _BACKEND_CODES.get(error.code or "", error.err_code)
    text = ERR_CODE_TEXT.get(errcode)
    if not text or errcode == -1 or detail.startswith(f"{errcode} {text}"):
        return ApiError(errcode, detail)
    return ApiError(errcode, f"{text}. {detail}")


ENDPOINTS: dict[str, Handler] = {"/tcb/invokecloudfunction": invoke_cloud_function}

__all__ = ["ENDPOINTS", "invoke_cloud_function"]
