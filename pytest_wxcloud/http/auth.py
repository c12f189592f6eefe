"""``/cgi-bin/token``, ``/cgi-bin/stable_token`` and the token check in front of every other path."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from .incoming import credential_of, json_object
from .wire import ApiError

if TYPE_CHECKING:
    from .router import HttpFace


def get_token(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    """``GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` (§2.1)."""
    if request.method != "GET":
        raise ApiError(43001)
    tokens, policy = face.state.tokens, face.options.tokens
    tokens.check_credentials(dict(request.url.params), policy)
    return tokens.get_access_token(policy)


def get_stable_token(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    """``POST /cgi-bin/stable_token`` with a JSON body (§2.2)."""
    if request.method != "POST":
        raise ApiError(43002)
    body = json_object(request)
    tokens, policy = face.state.tokens, face.options.tokens
    tokens.check_credentials(body, policy)
    force = body.get("force_refresh", False)
    if not isinstance(force, bool):
        raise ApiError(40097, f"invalid args, force_refresh must be true or false, got {force!r}")
    return tokens.get_stable_token(force, policy)


def authorise(face: HttpFace, request: httpx.Request) -> None:
    """The token check of §2.3; token-less calls pass only through the open-interface service."""
    credential = credential_of(request)
    if credential is None:
        if face.options.open_interface and face.options.via_open_interface(request):
            return
        raise ApiError(41001)
    if not credential.token:
        raise ApiError(41001)
    face.state.tokens.verify(credential.token, credential.as_cloudbase)


__all__ = ["authorise", "get_stable_token", "get_token"]
