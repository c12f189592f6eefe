"""The listening socket: a thread per connection, a deep accept queue, and a stop that never hangs.

* ``request_queue_size = 1024``: with socketserver's default of 5, 100 concurrent Node
  invocations took 17 s and some failed with ``-501001 … request timeout`` (node-runtime.md §5.4).
* A thread per connection, because a request may wait on others: ``invokeFunction`` blocks while
  the callee makes its own requests to this same server.
* Stopping wakes the accept loop with a connection of its own (no polling interval to wait out),
  ends idle keep-alive connections by shutting their read side (a request being answered still
  gets its reply), and waits a bounded time for handler threads.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from ..identity import TURN_HEADER, answering_remote_request
from .exchange import Exchange

log = logging.getLogger("pytest_wxcloud.server")

#: seconds ``stop()`` waits for handler threads before leaving them (daemon threads) behind
STOP_GRACE_SECONDS = 5.0


class Listener(socketserver.ThreadingMixIn, socketserver.TCPServer):
    request_queue_size = 1024
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        answer: Callable[[httpx.Request], httpx.Response],
        max_body_bytes: int,
    ) -> None:
        self._answer = answer
        self.max_body_bytes = max_body_bytes
        self._stopping = False
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, Exchange)
        host, port = str(self.server_address[0]), int(self.server_address[1])
        self.authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    # --- connections --------------------------------------------------------------------

    def opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections[connection] = threading.current_thread()

    def closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._connections.pop(connection, None)

    def answer(self, request: httpx.Request) -> httpx.Response:
        """Each request starts from an empty context: nothing of an earlier request on the same
        connection (identity, environ turn) leaks into it."""
        turn = request.headers.get(TURN_HEADER)

        def run() -> httpx.Response:
            with answering_remote_request(turn):
                return self._answer(request)

        return contextvars.Context().run(run)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.exception("pytest-wxcloud server: connection from %s failed", client_address)

    # --- life cycle ---------------------------------------------------------------------

    def serve(self) -> None:
        """Accept until :meth:`stop`; each connection gets its own thread."""
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError:
                return  # the listening socket was closed
            if self._stopping:
                connection.close()
                return
            try:
                self.process_request(connection, address)
            except Exception:
                self.handle_error(connection, address)
                self.shutdown_request(connection)

    def stop(self, accept_thread: threading.Thread) -> None:
        self._stopping = True
        self._wake_accept()
        accept_thread.join(STOP_GRACE_SECONDS)
        self.server_close()
        with self._lock:
            connections = dict(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # idle keep-alive reads end; replies still go
                connection.shutdown(socket.SHUT_RD)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for thread in connections.values():
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("pytest-wxcloud server: %s still busy after stop()", thread.name)

    def _wake_accept(self) -> None:
        host, port = self.server_address[:2]
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        with contextlib.suppress(OSError):  # the accept loop is gone already
            socket.create_connection((str(host), port), timeout=1.0).close()


__all__ = ["STOP_GRACE_SECONDS", "Listener"]
