"""The HTTP face and its mounting: ``api.weixin.qq.com`` answered from a WxCloud, and only that host.

:class:`HttpFace` turns an ``httpx.Request`` into the platform's answer; the transports convert
to and from it. One respx router is registered next to whatever routers the test has (respx's
default httpcore mocker consults them in registration order), and ``requests`` is mounted the
same way (``requests_face.py``):

* requests for ``api.weixin.qq.com`` (``https``, and ``http`` for the Cloud Run open-interface
  service) on an emulated path are answered by the cloud of the caller's thread or task (see
  :class:`Switchboard`); :meth:`HttpFace.answer` never raises, whatever the transport;
* anything else is declined: when another respx router is active it gets the request (and its
  own strictness applies); when none is, the request goes out untouched (respx pass-through),
  where the network guard stops it if it is for a real WeChat host.

pytest-httpx patches the transport one level above respx, so with both active the user keeps
``api.weixin.qq.com`` away from pytest-httpx with
``@pytest.mark.httpx_mock(should_mock=lambda request: request.url.host != "api.weixin.qq.com")``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import httpx
import respx
from respx.mocks import Mocker

from ..errors import CloudSDKError, DatabaseError, SDKTypeError, SDKUsageError
from ..storage.files_face import FilesFace, is_file_host
from . import auth, collections, database, invoke, openapi_endpoints, storage_endpoints
from .answering import system_error
from .cloud_errors import from_database_error, from_sdk_error, invalid_parameter
from .network_guard import NETWORK_GUARD
from .options import HttpOptions
from .requests_face import REQUESTS_MOUNT
from .state import HttpState
from .wire import ApiError, failure, json_response, ok

if TYPE_CHECKING:
    from ..cloud import WxCloud

API_HOST = "api.weixin.qq.com"
#: the bucket hosts file URLs point at in-process (uploads and temp URLs)
FILE_HOSTS = r"(.+\.cos\.ap-shanghai\.myqcloud\.com|.+\.tcb\.qcloud\.la)$"

#: an endpoint: its fields for the envelope, or (images) a finished response
Handler = Callable[["HttpFace", httpx.Request], "dict[str, Any] | httpx.Response"]


class HttpFace:
    """The HTTP API of one cloud under one set of options: request in, ``httpx.Response`` out."""

    def __init__(self, cloud: WxCloud, state: HttpState, options: HttpOptions) -> None:
        self.cloud = cloud
        self.state = state
        self.options = options

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        """The response for an emulated path; None for a path this cloud does not emulate.

        Never raises, whichever transport asks: anything that escapes the endpoint becomes the
        platform's ``-1`` envelope naming the exception (:func:`~.answering.system_error`)."""
        try:
            return self._answer(request)
        except Exception as error:
            return system_error(self, request, error)

    def _answer(self, request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        token_handler = TOKEN_ENDPOINTS.get(path)
        if token_handler is not None:
            return self._respond(request, token_handler, envelope=False)
        if is_file_host(request.url.host):
            return FilesFace(self.cloud).answer(request)
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
            if isinstance(fields, httpx.Response):
                return fields
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


#: endpoints answered with ``{"errcode": 0, "errmsg": "ok", **fields}`` (``/tcb/*`` and the
#: openapi paths), assembled from each part's own table (moto's ``urls.py``): a new part adds a
#: table here, not its routes
TCB_ENDPOINTS: dict[str, Handler] = {
    **invoke.ENDPOINTS,
    **database.ENDPOINTS,
    **collections.ENDPOINTS,
    **storage_endpoints.ENDPOINTS,
    **openapi_endpoints.ENDPOINTS,
}

#: answered with their own success shape (no errcode), errors in the usual envelope
TOKEN_ENDPOINTS: dict[str, Handler] = dict(auth.TOKEN_ENDPOINTS)


def _as_api_error(error: Exception) -> ApiError:
    if isinstance(error, CloudSDKError):
        return from_sdk_error(error)
    if isinstance(error, DatabaseError):
        return from_database_error(error)
    if isinstance(error, (SDKUsageError, SDKTypeError)):
        return invalid_parameter(str(error))
    raise error


class QuietRouter(respx.MockRouter):
    """A respx router that keeps no history: its routes never change and nobody reads its calls.

    respx records every request and response on the router and its routes, and snapshots them at
    each ``start()``; for a router that lives as long as the process that is an unbounded log of
    every body the cloud ever sent. Users who want a log keep their own respx routes.
    """

    def record(
        self,
        request: httpx.Request,
        *,
        response: httpx.Response | None = None,
        route: respx.Route | None = None,
    ) -> None:
        return None

    def snapshot(self) -> None:
        return None

    def rollback(self) -> None:
        return None


class AmbiguousCloudError(RuntimeError):
    """A request from a thread or task with no block of its own while several clouds answer."""


#: The ``mock_http()`` blocks open in this thread or asyncio task, innermost last.
_blocks: ContextVar[tuple[HttpFace, ...]] = ContextVar("pytest_wxcloud_http_blocks", default=())


class Switchboard:
    """The process's one respx router for the WeChat host, answering from the caller's cloud.

    Building a respx router and starting its patches costs about a millisecond, which would be
    most of a test's overhead if every ``mock_http()`` block paid it. So there is one router; a
    block only pushes its cloud's :class:`HttpFace` and pops it on exit. The router stops when no
    block is open, unless someone :meth:`hold` s it — the pytest plugin holds it for the session
    once a test has used the ``wxcloud`` fixture.

    The stack is a context variable, as identities are: two threads or asyncio tasks, each in its
    own block, are each answered by their own cloud (the innermost block of their context). A
    thread started without a block of its own (a worker pool inside a test) has no stack; it is
    answered by the one cloud open elsewhere, and refused with :class:`AmbiguousCloudError` when
    several unrelated blocks are open, rather than guessing.

    While a block is open, the ``requests`` face is mounted too, and the network guard refuses
    the real WeChat hosts to every other client.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._open: list[tuple[HttpFace, ...]] = []
        self._holds = 0
        self._router: respx.MockRouter | None = None
        self._running = False

    def _build(self) -> respx.MockRouter:
        router = QuietRouter(assert_all_called=False, assert_all_mocked=True)
        router.route(host=API_HOST, scheme__in=["https", "http"]).mock(side_effect=self._wechat)
        router.route(host__regex=FILE_HOSTS).mock(side_effect=self._wechat)
        router.route().mock(side_effect=self._elsewhere)
        return router

    def face(self) -> HttpFace | None:
        """The face answering the current thread or task, None when no cloud answers."""
        blocks = _blocks.get()
        if blocks:
            return blocks[-1]
        opened = list(self._open)  # a copy: other threads open and close blocks meanwhile
        if not opened:
            return None
        innermost = {stack[-1] for stack in opened if not _is_inside_another(stack, opened)}
        if len(innermost) == 1:
            return innermost.pop()
        envs = ", ".join(sorted(face.cloud.env for face in innermost))
        raise AmbiguousCloudError(
            f"{len(innermost)} clouds answer api.weixin.qq.com in other threads or tasks "
            f"(envs: {envs}) and this one has no mock_http() block of its own: enter "
            "cloud.mock_http() in this thread, or run it with contextvars.copy_context().run"
        )

    def _others_registered(self) -> bool:
        """True when another respx router (the test's own routes) is active."""
        router = self._router
        mocker = Mocker.registry.get(router.using or "") if router is not None else None
        return mocker is not None and any(other is not router for other in mocker.routers)

    def _wechat(self, request: httpx.Request) -> httpx.Response | httpx.Request | None:
        face = self.face()
        if face is None:
            return self._elsewhere(request)
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
            REQUESTS_MOUNT.mount(self)
            self._running = True
        return self._router

    def _stop_if_idle(self) -> None:
        if self._running and not self._open and not self._holds and self._router is not None:
            self._router.stop(clear=False, reset=False, quiet=True)
            REQUESTS_MOUNT.unmount()
            self._running = False

    @contextmanager
    def answering(self, face: HttpFace) -> Iterator[respx.MockRouter]:
        blocks = (*_blocks.get(), face)
        with self._lock:
            router = self._start()
            self._open.append(blocks)
            NETWORK_GUARD.block_wechat()
        _blocks.set(blocks)
        try:
            yield router
        finally:
            # not ContextVar.reset: an async fixture may end the block in another task's context
            current = _blocks.get()
            if face in current:
                _blocks.set(tuple(other for other in current if other is not face))
            with self._lock:
                self._open.remove(blocks)
                NETWORK_GUARD.unblock_wechat()
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


def _is_inside_another(stack: tuple[HttpFace, ...], opened: list[tuple[HttpFace, ...]]) -> bool:
    """True when a block nested in ``stack`` (same context, entered later) is also open."""
    return any(len(other) > len(stack) and other[: len(stack)] == stack for other in opened)


SWITCHBOARD = Switchboard()


@contextmanager
def mock_http(cloud: WxCloud, state: HttpState, options: HttpOptions) -> Iterator[respx.MockRouter]:
    """Activate the routes for the duration of the block (sync and async httpx clients alike)."""
    with SWITCHBOARD.answering(HttpFace(cloud, state, options)) as router:
        yield router


__all__ = [
    "API_HOST",
    "SWITCHBOARD",
    "AmbiguousCloudError",
    "HttpFace",
    "QuietRouter",
    "Switchboard",
    "mock_http",
]
