"""The faces a loopback server asks, in order, and what it answers when none takes a request.

A face is anything with ``answer(request: httpx.Request) -> httpx.Response | None`` (None: not
mine). Each part of the cloud contributes a factory to :data:`FACE_FACTORIES`, so adding a
protocol (the CloudBase ``/admin`` face, storage file URLs) is one entry here, not an edit of
the transport; a running server's own list is ``server.faces``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import httpx

from ..jsjson import encode_json

if TYPE_CHECKING:
    from .loopback import LoopbackServer


class Face(Protocol):
    def answer(self, request: httpx.Request) -> httpx.Response | None: ...


FaceFactory = Callable[["LoopbackServer"], Face]

#: What the 404 answer lists as served, so a wrong base URL is obvious from the reply.
SERVED_PATHS = (
    "/cgi-bin/token",
    "/cgi-bin/stable_token",
    "/tcb/*",
    "openapi paths (/wxa/*, /cgi-bin/message/*, …)",
    "/admin",
    "/__cos/* (storage files)",
    "/_wxcloud/*",
)


def json_reply(status: int, body: object) -> httpx.Response:
    return httpx.Response(
        status, content=encode_json(body), headers={"Content-Type": "application/json"}
    )


def not_found(request: httpx.Request) -> httpx.Response:
    """The answer for a path no face serves: 404 naming the path, never an empty reply."""
    return json_reply(
        404,
        {
            "errcode": -1,
            "errmsg": f"pytest-wxcloud serves no {request.method} {request.url.path}; "
            f"served: {', '.join(SERVED_PATHS)}",
        },
    )


class HttpApiFace:
    """``/cgi-bin/token``, ``/cgi-bin/stable_token`` and ``/tcb/*``: the in-process HTTP face."""

    def __init__(self, server: LoopbackServer) -> None:
        from ..http.router import HttpFace

        self._face = HttpFace(server.cloud, server.cloud.http_state(), server.http_options)

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        return self._face.answer(request)


def _files_face(server: LoopbackServer) -> Face:
    from ..storage import FilesFace

    return FilesFace(server.cloud)


def _admin_face(server: LoopbackServer) -> Face:
    from ..cloudbase import AdminFace

    return AdminFace(server.cloud)


def _control_face(server: LoopbackServer) -> Face:
    from .control import ControlFace

    return ControlFace(server)


#: Consulted in order by every new server; the first face that answers wins.
FACE_FACTORIES: list[FaceFactory] = [_control_face, _files_face, HttpApiFace, _admin_face]


__all__ = [
    "FACE_FACTORIES",
    "SERVED_PATHS",
    "Face",
    "FaceFactory",
    "HttpApiFace",
    "json_reply",
    "not_found",
]
