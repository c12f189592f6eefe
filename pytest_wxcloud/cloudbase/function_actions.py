"""``functions.invokeFunction``: a function calling another through the CloudBase protocol.

The body carries ``function_name`` and ``request_data`` (the event as a JSON string; dates already
ISO strings, node-runtime.md §2.2). The caller is another function: its identity comes from the
request's ``wxCloudApiToken``, so SOURCE chains and OPENID follow the same rules as a Python
handler calling ``call_function``. The reply is ``data.response_data``, the result as
``JSON.stringify`` text; failures carry the backend's code and message (``FUNCTIONS_EXECUTE_FAIL``,
``ResourceNotFound.FunctionName`` …), which the caller's own SDK version turns into its error.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import CloudSDKError, DatabaseError
from ..functions.calls import Caller
from ..functions.invoke import invoke
from ..jsjson import stringify
from .request import Action, AdminRequest
from .wire import BadRequest, string_field


class FunctionFailed(DatabaseError):
    """The callee failed: its backend code and message travel to the calling SDK unchanged."""

    def __init__(self, error: CloudSDKError) -> None:
        message = error.backend_message if error.backend_message is not None else error.err_msg
        super().__init__(error.err_code, message, code=error.code or "FUNCTIONS_EXECUTE_FAIL")


def invoke_function(request: AdminRequest) -> dict[str, Any]:
    body = request.body
    name = string_field(body, "function_name")
    text = body.get("request_data", "{}")
    if not isinstance(text, str):
        raise BadRequest(f"request_data must be a JSON string, got {type(text).__name__}")
    try:
        event = json.loads(text) if text else {}
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"request_data is not valid JSON: {exc}") from None
    if not isinstance(event, dict):
        raise BadRequest(f"request_data must encode an object, got {event!r}")
    grant = request.grant
    try:
        response = invoke(
            request.cloud.functions,
            name,
            event,
            caller=Caller.SERVER,
            caller_identity=None if grant is None else grant.identity,
        )
    except CloudSDKError as error:
        raise FunctionFailed(error) from None
    return {"data": {"response_data": stringify(response["result"])}}


ACTIONS: dict[str, Action] = {"functions.invokeFunction": invoke_function}

__all__ = ["ACTIONS"]
