"""Helpers shared by the HTTP tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

import httpx

from pytest_wxcloud import WxCloud

API = "https://api.weixin.qq.com"
START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


class WxApi:
    """What an admin job does: fetch a token with the cloud's credentials, then POST /tcb/*."""

    def __init__(self, cloud: WxCloud, client: httpx.Client) -> None:
        self.cloud = cloud
        self.client = client
        self._token: str | None = None

    def fetch_token(self) -> str:
        params = {
            "grant_type": "client_credential",
            "appid": self.cloud.appid,
            "secret": self.cloud.secret,
        }
        body = self.client.get(f"{API}/cgi-bin/token", params=params).json()
        return str(body["access_token"])

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.fetch_token()
        return self._token

    def call(
        self, endpoint: str, body: dict[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        if "cloudbase_access_token" not in params:
            params.setdefault("access_token", self.token)
        payload = {"env": self.cloud.env, **(body or {})}
        response = self.client.post(
            f"{API}/tcb/{endpoint}", params=params, content=json.dumps(payload)
        )
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    def query(self, endpoint: str, query: str) -> dict[str, Any]:
        return self.call(endpoint, {"query": query})


def assert_error(body: dict[str, Any], errcode: int, text: str = "") -> None:
    """An error answer: the code, the usual text, and the ` rid: …` suffix clients must not parse."""
    assert body["errcode"] == errcode, body
    assert text in body["errmsg"], body
    assert " rid: " in body["errmsg"], body


# --- the same suite over the loopback server ----------------------------------------------------

#: ids of the two ways each HTTP test runs (moto runs its whole suite in server mode too)
TRANSPORTS = ("in-process", "server")


class ServedFace:
    """Stands where the in-process face stands, but sends each emulated request over a real
    socket to ``cloud.serve()`` and hands back what came out of it.

    Every test of this directory then exercises the server end to end (parsing, framing,
    keep-alive, threads, writing back) with the assertions written for the in-process face.
    ``http://`` requests go to a listener started with ``open_interface`` as the test's options
    say; ``https://`` ones to a listener without it (a token is required), as in production.
    """

    def __init__(self, cloud: WxCloud, state: Any, options: Any) -> None:
        from pytest_wxcloud.http.router import HttpFace

        self._local = HttpFace(cloud, state, options)
        self.cloud = cloud
        self.options = options
        self._servers: dict[str, Any] = {}
        self._idle: dict[str, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def _server(self, scheme: str) -> Any:
        from pytest_wxcloud.server import LoopbackServer

        with self._lock:
            server = self._servers.get(scheme)
            if server is None:
                options = dataclasses.replace(
                    self.options,
                    open_interface=scheme == "http" and self.options.open_interface,
                    open_interface_by="listener",
                )
                server = LoopbackServer(self.cloud, "127.0.0.1", 0, http_options=options)
                self._servers[scheme] = server
                self._idle[scheme] = []
            return server

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        from pytest_wxcloud.http.router import TCB_ENDPOINTS, TOKEN_ENDPOINTS

        if request.url.path not in TOKEN_ENDPOINTS and request.url.path not in TCB_ENDPOINTS:
            return None  # the switchboard decides, as for the in-process face
        scheme = request.url.scheme
        server = self._server(scheme)
        with self._lock:
            idle = self._idle[scheme]
            connection = idle.pop() if idle else None
        if connection is None:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
        }
        target = request.url.raw_path.decode("ascii")
        connection.request(request.method, target, body=request.read(), headers=headers)
        reply = connection.getresponse()
        content = reply.read()
        with self._lock:
            self._idle[scheme].append(connection)
        kept = [(k, v) for k, v in reply.getheaders() if k.lower() not in _SERVER_ONLY]
        return httpx.Response(reply.status, headers=kept, content=content)

    def not_emulated(self, request: httpx.Request) -> httpx.Response:
        return self._local.not_emulated(request)

    def close(self) -> None:
        with self._lock:
            for connections in self._idle.values():
                for connection in connections:
                    connection.close()
            servers = list(self._servers.values())
        for server in servers:
            server.stop()


#: headers that describe the socket, not the answer
_SERVER_ONLY = frozenset({"connection", "content-length"})


@contextmanager
def served_mock_http(cloud: WxCloud, state: Any, options: Any) -> Iterator[Any]:
    """``cloud.mock_http()`` with every emulated request answered through the loopback server."""
    from pytest_wxcloud.http.router import SWITCHBOARD

    face = ServedFace(cloud, state, options)
    try:
        with SWITCHBOARD.answering(face) as router:  # type: ignore[arg-type]
            yield router
    finally:
        face.close()
