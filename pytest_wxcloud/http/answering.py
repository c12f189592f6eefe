"""The HTTP face's last resort: a reply always, never an exception.

A client of the real API only ever sees JSON; an exception escaping the emulator (a bug, or data
no encoder expected) would instead surface in the user's HTTP client as a transport failure
pointing nowhere near the cause. So whatever the face raises becomes the platform's ``-1 system
error`` envelope, with the exception named in ``errmsg`` so the test still shows what went wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from .wire import ApiError, failure, json_response

if TYPE_CHECKING:
    from .router import HttpFace


def system_error(face: HttpFace, request: httpx.Request, error: Exception) -> httpx.Response:
    problem = ApiError(
        -1,
        f"system error: pytest-wxcloud failed answering {request.method} {request.url.path}: "
        f"{type(error).__name__}: {error}",
    )
    return json_response(failure(problem, face.state.rids.next()))


__all__ = ["system_error"]
