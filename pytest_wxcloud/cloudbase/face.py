"""The CloudBase face: ``POST /admin`` requests in, ``{data…}`` or ``{code, message}`` out.

Like moto's ``call_action``, one table maps the body's ``action`` to a handler; each part
contributes its own table (:mod:`.database_actions`, :mod:`.function_actions`). Replies are
HTTP 200 JSON with a ``requestId``; failures are ``{"code", "message", "requestId"}`` with HTTP
200 and the code strings wx-server-sdk maps to its errCodes (node-runtime.md §2.1, §4). Nothing a
request carries — malformed JSON, an unknown action, a wrong env, a value the database refuses —
escapes as an exception: the face answers, the store is untouched, the server keeps serving.
"""

from __future__ import annotations

import json
import random
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import BACKEND_CODE, CloudSDKError, DatabaseError, SDKTypeError, SDKUsageError
from ..jsjson import encode_json
from ..multipart import form_parts
from . import database_actions, function_actions, openapi_actions, pay_actions, storage_actions
from .request import Action, AdminRequest
from .tokens import Grant, InvocationTokens

if TYPE_CHECKING:
    from ..cloud import WxCloud

ADMIN_PATH = "/admin"

#: every action this face answers, assembled from each part's table
ACTIONS: dict[str, Action] = {
    **database_actions.ACTIONS,
    **function_actions.ACTIONS,
    **storage_actions.ACTIONS,
    **openapi_actions.ACTIONS,
    **pay_actions.ACTIONS,
}

#: actions wx-server-sdk sends for parts not emulated yet: a clear failure, not "unknown"
NOT_EMULATED = {
    "wx.api": "cloud.callOpenAPI",
}


class CloudBaseState:
    """What the CloudBase face keeps per cloud: invocation tokens and request ids."""

    def __init__(self, seed: int) -> None:
        self.tokens = InvocationTokens(seed)
        self._request_ids = random.Random(f"{seed}/cloudbase-requests")

    def request_id(self) -> str:
        return f"{self._request_ids.getrandbits(128):032x}"


class _Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


class AdminFace:
    """The CloudBase protocol of one cloud, on ``ADMIN_PATH``."""

    def __init__(self, cloud: WxCloud, path: str = ADMIN_PATH) -> None:
        self.cloud = cloud
        self.path = path
        self.state: CloudBaseState = cloud.cloudbase

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.path != self.path:
            return None
        request_id = self.state.request_id()
        try:
            if request.method != "POST":
                raise _Refused("INVALID_PARAM", f"{self.path} takes POST, got {request.method}")
            body = _body(request)
            action = body.get("action")
            self._check_env(request, body)
            grant = self._grant(body)
            reply = self._run(AdminRequest(self.cloud, str(action), body, grant, str(request.url)))
            if isinstance(reply, httpx.Response):  # wx.openApi / wx.wxPayApi answer in bytes
                return reply
        except _Refused as refused:
            reply = {"code": refused.code, "message": refused.message}
        except DatabaseError as error:
            reply = {"code": error.code, "message": error.detail}
        except CloudSDKError as error:
            code = error.code or BACKEND_CODE.get(error.err_code, "SYS_ERR")
            reply = {"code": code, "message": error.backend_message or error.err_msg}
        except (SDKUsageError, SDKTypeError) as error:
            reply = {"code": "INVALID_PARAM", "message": str(error)}
        except Exception as error:  # a bug of ours must still be an answer, not a dead socket
            reply = {
                "code": "SYS_ERR",
                "message": f"pytest-wxcloud failed on this request: {type(error).__name__}: {error}",
            }
        return _json(reply | {"requestId": request_id})

    def _run(self, request: AdminRequest) -> dict[str, Any] | httpx.Response:
        handler = ACTIONS.get(request.action)
        if handler is not None:
            return handler(request)
        part = NOT_EMULATED.get(request.action)
        if part is not None:
            raise _Refused(
                "NOT_EMULATED",
                f"{request.action}: {part} is not emulated by pytest-wxcloud yet",
            )
        accepted = ", ".join(sorted(ACTIONS))
        raise _Refused(
            "INVALID_PARAM", f"unknown action {request.action!r}; accepted actions: {accepted}"
        )

    def _check_env(self, request: httpx.Request, body: dict[str, Any]) -> None:
        """4.0.2 names the env in the query and the body, 2.6.3 in the body only; an empty env
        (``DYNAMIC_CURRENT_ENV`` unresolved) means the function's own env, this cloud's."""
        for where, env in (
            ("?env=", request.url.params.get("env")),
            ("envName", body.get("envName")),
        ):
            if env and env != self.cloud.env:
                raise _Refused(
                    "INVALIID_ENV",
                    f"{where} {env!r} is not this cloud's env {self.cloud.env!r}",
                )

    def _grant(self, body: dict[str, Any]) -> Grant | None:
        token = body.get("wxCloudApiToken") or ""
        if not isinstance(token, str):
            raise _Refused("INVALID_PARAM", f"wxCloudApiToken must be a string, got {token!r}")
        if not token:
            return None
        grant = self.state.tokens.resolve(token)
        if grant is None:
            raise _Refused(
                "INVALID_PARAM",
                f"wxCloudApiToken {token!r} was not issued by this cloud (a token from another "
                "cloud or an ended invocation); start functions through this cloud",
            )
        return grant


def _body(request: httpx.Request) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    raw = request.content
    if content_type.startswith("multipart/form-data"):
        return _multipart_fields(content_type, raw)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise _Refused("INVALID_PARAM", f"the request body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise _Refused("INVALID_PARAM", f"the request body must be a JSON object, got {body!r}")
    if not isinstance(body.get("action"), str):
        raise _Refused("INVALID_PARAM", "the request body has no action")
    return body


#: multipart fields that stay bytes: protobuf or JSON the action decodes itself
BINARY_PARTS = ("requestData", "apiOptions")


def _multipart_fields(content_type: str, raw: bytes) -> dict[str, Any]:
    """The fields of a multipart body (``wx.openApi`` sends its action this way): text, except
    the parts the action decodes itself."""
    parts = form_parts(content_type, raw)
    if "action" not in parts:
        raise _Refused("INVALID_PARAM", "the multipart request body has no action field")
    return {
        name: part.content if name in BINARY_PARTS else part.text for name, part in parts.items()
    }


def _json(reply: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200, content=encode_json(reply), headers={"content-type": "application/json; charset=utf-8"}
    )


__all__ = ["ACTIONS", "ADMIN_PATH", "AdminFace", "CloudBaseState"]
