"""Reading an incoming API request: its token, method and JSON body, with the platform's errcodes.

The platform parses the body as JSON whatever the Content-Type says (wechatpy sends none), so
only the bytes matter here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from .wire import ApiError

TOKEN_PARAMS = ("access_token", "cloudbase_access_token")


@dataclass(frozen=True)
class Credential:
    token: str
    as_cloudbase: bool


def credential_of(request: httpx.Request) -> Credential | None:
    """The token passed in the URL; the body is never consulted ("URL 参数，非 Body 参数")."""
    params = request.url.params
    for name in TOKEN_PARAMS:
        value = params.get(name)
        if value is not None:
            return Credential(value, name == "cloudbase_access_token")
    return None


def require_post(request: httpx.Request) -> None:
    if request.method != "POST":
        raise ApiError(43002)


def raw_body(request: httpx.Request) -> bytes:
    content = request.content
    if not content.strip():
        raise ApiError(44002)
    return content


def json_value(content: bytes) -> Any:
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        raise ApiError(47001) from None


def json_object(request: httpx.Request) -> dict[str, Any]:
    """The body as a JSON object: 44002 when empty, 47001 when not JSON or not an object."""
    value = json_value(raw_body(request))
    if not isinstance(value, dict):
        raise ApiError(47001, "data format error, the body must be a JSON object")
    return value


def required_string(body: dict[str, Any], name: str) -> str:
    """A required string field: 40101 when absent, 40097 when of another type or empty."""
    if name not in body or body[name] is None:
        raise ApiError(40101, f"missing parameter {name}")
    value = body[name]
    if not isinstance(value, str) or not value:
        raise ApiError(40097, f"invalid args, {name} must be a non-empty string, got {value!r}")
    return value


def tcb_body(request: httpx.Request, env: str) -> dict[str, Any]:
    """The checks every ``/tcb`` database endpoint starts with: POST, a JSON object, our env."""
    require_post(request)
    body = json_object(request)
    check_env(required_string(body, "env"), env)
    return body


def check_env(given: str, env: str) -> None:
    if given != env:
        raise ApiError(-501000, f"[100003] env not exists: {given!r} (this cloud's env is {env!r})")


def optional_int(body: dict[str, Any], name: str, default: int, minimum: int = 0) -> int:
    """An optional integer (Go clients omit zeros, so 0 also means the default)."""
    value = body.get(name)
    if value is None or (value == 0 and value is not False):
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ApiError(
            40097, f"invalid args, {name} must be an integer >= {minimum}, got {value!r}"
        )
    return value


__all__ = [
    "Credential",
    "check_env",
    "credential_of",
    "json_object",
    "json_value",
    "optional_int",
    "raw_body",
    "require_post",
    "required_string",
    "tcb_body",
]
