"""respx routes that make ``api.weixin.qq.com`` answer from a WxCloud, and only that host.

One respx router is registered next to whatever routers the test has (respx's default httpcore
mocker consults them in registration order):

* requests for ``api.weixin.qq.com`` (``https``, and ``http`` for the Cloud Run open-interface
  service) on an emulated path are answered by :class:`HttpFace`;
* when ``mock_http()`` blocks nest, the innermost one answers (see :class:`Switchboard`);
* anything else is declined: when another respx router is active it gets the request (and its
  own strictness applies); when none is, the request goes out untouched (respx pass-through).

pytest-httpx patches the transport one level above respx, so with both active the user keeps
``api.weixin.qq.com`` away from pytest-httpx with
``@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "api.weixin.qq.com")``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import httpx
import respx
from respx.mocks import Mocker

from ..errors import CloudSDKError, DatabaseError, SDKTypeError, SDKUsageError
from . import auth, collections, database, invoke
from .cloud_errors import from_database_error, from_sdk_error, invalid_parameter
from .dbface import TERMINALS
from .options import HttpOptions
from .state import HttpState
from .wire import ApiError, failure, json_response, ok

if TYPE_CHECKING:
    from ..cloud import WxCloud

API_HOST = "api.weixin.qq.com"

Handler = Callable[["HttpFace", httpx.Request], dict[str, Any]]


class HttpFace:
    """The HTTP API of one cloud under one set of options: request in, ``httpx.Response`` out."""

    def __init__(self, cloud: WxCloud, state: HttpState, options: HttpOptions) -> None:
        self.cloud = cloud
        self.state = state
        self.options = options

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        """The response for an emulated path; None for a path this cloud does not emulate."""
        path = request.url.path
        token_handler = TOKEN_ENDPOINTS.get(path)
        if token_handler is not None:
            return self._respond(request, token_handler, envelope=False)
        handler = TCB_ENDPOINTS.get(path)
        if handler is None:
            return None
        return self._respond(request, handler, envelope=True)

    def _respond(self, request: httpx.Request, handler: Handler, envelope: bool) -> httpx.Response:
        token_less = self.options.via_open_interface(request)
        try:
            if envelope:
                auth.authorise(self, request)
            fields = handler(self, request)
            body = ok(**fields) if envelope else fields
        except ApiError as error:
            body = failure(error, self.state.rids.next())
        except Exception as error:  # anything the cloud raised maps to a documented code
            body = failure(_as_api_error(error), self.state.rids.next())
        headers = None
        if token_less and body.get("errcode", 0) == 0:
            headers = {"x-openapi-seqid": self.state.rids.next()}
        return json_response(body, headers)

    def not_emulated(self, request: httpx.Request) -> httpx.Response:
        error = ApiError(
            -1,
            f"pytest-wxcloud does not emulate {request.method} {request.url.path}; "
            "add a respx route for it (respx.post(...)) in the same test",
        )
        return json_response(failure(error, self.state.rids.next()))


#: /tcb endpoints answered with ``{"errcode": 0, "errmsg": "ok", **fields}``
TCB_ENDPOINTS: dict[str, Handler] = {
    "/tcb/invokecloudfunction": invoke.invoke_cloud_function,
    **{f"/tcb/{name}": database.endpoint(name) for name in TERMINALS},
    "/tcb/databasecollectionadd": collections.collection_add,
    "/tcb/databasecollectiondelete": collections.collection_delete,
    "/tcb/databasecollectionget": collections.collection_get,
    "/tcb/updateindex": collections.update_index,
}

#: answered with their own success shape (no errcode), errors in the usual envelope
TOKEN_ENDPOINTS: dict[str, Handler] = {
    "/cgi-bin/token": auth.get_token,
    "/cgi-bin/stable_token": auth.get_stable_token,
}


def _as_api_error(error: Exception) -> ApiError:
    if isinstance(error, CloudSDKError):
        return from_sdk_error(error)
    if isinstance(error, DatabaseError):
        return from_database_error(error)
    if isinstance(error, (SDKUsageError, SDKTypeError)):
        return invalid_parameter(str(error))
    raise error


class Switchboard:
    """The process's one respx router for the WeChat host, answering from the innermost cloud.

    Building a respx router and starting its patches costs about a millisecond, which would be
    most of a test's overhead if every ``mock_http()`` block paid it. So there is one router; a
    block only pushes its cloud's :class:`HttpFace` on a stack (the innermost block answers) and
    pops it on exit. The router stops when the stack is empty, unless someone :meth:`hold` s it
    — the pytest plugin holds it for the session once a test has used the ``wxcloud`` fixture.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._faces: list[HttpFace] = []
        self._holds = 0
        self._router: respx.MockRouter | None = None
        self._running = False

    def _build(self) -> respx.MockRouter:
        router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
        router.route(host=API_HOST, scheme__in=["https", "http"]).mock(side_effect=self._wechat)
        router.route().mock(side_effect=self._elsewhere)
        return router

    def _others_registered(self) -> bool:
        """True when another respx router (the test's own routes) is active."""
        router = self._router
        mocker = Mocker.registry.get(router.using or "") if router is not None else None
        return mocker is not None and any(other is not router for other in mocker.routers)

    def _wechat(self, request: httpx.Request) -> httpx.Response | httpx.Request | None:
        faces = self._faces
        if not faces:
            return self._elsewhere(request)
        face = faces[-1]
        response = face.answer(request)
        if response is not None:
            return response
        if self._others_registered():
            return None  # maybe the user's own route for this path
        return face.not_emulated(request)

    def _elsewhere(self, request: httpx.Request) -> httpx.Request | None:
        # None declines (the next router decides); the request itself means "pass through"
        return None if self._others_registered() else request

    def _start(self) -> respx.MockRouter:
        if self._router is None:
            self._router = self._build()
        if not self._running:
            self._router.start()
            self._running = True
        return self._router

    def _stop_if_idle(self) -> None:
        if self._running and not self._faces and not self._holds and self._router is not None:
            self._router.stop(clear=False, reset=False, quiet=True)
            self._running = False

    @contextmanager
    def answering(self, face: HttpFace) -> Iterator[respx.MockRouter]:
        with self._lock:
            router = self._start()
            self._faces.append(face)
        try:
            yield router
        finally:
            with self._lock:
                self._faces.remove(face)
                self._stop_if_idle()

    def hold(self) -> None:
        """Keep the router's patches in place while no block is active (pair with release)."""
        with self._lock:
            self._holds += 1
            self._start()

    def release(self) -> None:
        with self._lock:
            self._holds = max(0, self._holds - 1)
            self._stop_if_idle()


SWITCHBOARD = Switchboard()


@contextmanager
def mock_http(cloud: WxCloud, state: HttpState, options: HttpOptions) -> Iterator[respx.MockRouter]:
    """Activate the routes for the duration of the block (sync and async httpx clients alike)."""
    with SWITCHBOARD.answering(HttpFace(cloud, state, options)) as router:
        yield router


__all__ = ["API_HOST", "SWITCHBOARD", "HttpFace", "Switchboard", "mock_http"]
