"""``cloud.serve()``: the cloud on a real 127.0.0.1 port, for clients that are not httpx in this
process — Node.js cloud functions, ``requests``, other languages, a browser.

Like moto's threaded server it is a thin wrapper: the listener runs in a daemon thread and every
request goes to the same faces the in-process transports use (see :mod:`.faces`).
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import TYPE_CHECKING

import httpx

from ..identity import Identity
from .faces import FACE_FACTORIES, Face, json_reply, not_found
from .listener import Listener
from .node_env import node_env

if TYPE_CHECKING:
    from ..cloud import WxCloud
    from ..database.store import Snapshot
    from ..http.options import HttpOptions

log = logging.getLogger("pytest_wxcloud.server")

#: Largest request body accepted (413 above): SCF's 6 MB sync payload and a 16 MB document fit
#: with room for JSON escaping; pass ``max_body_bytes`` to ``cloud.serve()`` to change it.
MAX_BODY_BYTES = 32 * 1024 * 1024


class LoopbackServer:
    """A running server. Use it as a context manager, or call :meth:`stop` yourself."""

    def __init__(
        self,
        cloud: WxCloud,
        host: str,
        port: int,
        *,
        http_options: HttpOptions,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise TypeError(f"max_body_bytes must be an int, got {max_body_bytes!r}")
        if max_body_bytes < 0:
            raise ValueError(f"max_body_bytes must be 0 or more, got {max_body_bytes}")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an int from 0 (any free port) to 65535, got {port!r}")
        self.cloud = cloud
        self.http_options = http_options
        #: the database as it was when the server started: what ``/_wxcloud/reset`` restores
        self.initial_snapshot: Snapshot = cloud.snapshot()
        self._listener = Listener((host, port), self.answer, max_body_bytes)
        self.host = host
        self.port = self._listener.port
        self.url = f"http://{self._listener.authority}"
        self.admin_url = f"{self.url}/admin"
        #: asked in order for every request; the first to answer wins (add or insert yours)
        self.faces: list[Face] = [factory(self) for factory in FACE_FACTORIES]
        self._stopped = False
        self._thread = threading.Thread(
            target=self._listener.serve, name=f"wxcloud-server:{self.port}", daemon=True
        )
        self._thread.start()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "serving"
        return f"<LoopbackServer {self.url} {state} {self.cloud!r}>"

    def node_env(self, identity: Identity | None = None) -> dict[str, str]:
        """Env vars that point an unmodified wx-server-sdk function at this server, calling as
        ``identity`` (None: no mini-program user)."""
        if identity is not None and not isinstance(identity, Identity):
            raise TypeError(
                f"node_env() takes an Identity (from cloud.user()) or None; got {identity!r}"
            )
        return node_env(self.admin_url, self.cloud.env, identity)

    def answer(self, request: httpx.Request) -> httpx.Response:
        """The reply of the first face that takes ``request``; 404 when none does."""
        for face in self.faces:
            try:
                response = face.answer(request)
            except Exception as error:  # a bug in a face must not take the server down
                log.exception("pytest-wxcloud server failed on %s %s", request.method, request.url)
                return json_reply(
                    500,
                    {
                        "errcode": -1,
                        "errmsg": f"pytest-wxcloud failed answering {request.method} "
                        f"{request.url.path}: {type(error).__name__}: {error}",
                    },
                )
            if response is not None:
                return response
        return not_found(request)

    def stop(self) -> None:
        """Stop accepting, end idle connections, wait (bounded) for requests in flight."""
        if self._stopped:
            return
        self._stopped = True
        self._listener.stop(self._thread)

    def __enter__(self) -> LoopbackServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


__all__ = ["MAX_BODY_BYTES", "LoopbackServer"]
