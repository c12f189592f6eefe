"""The default recording transport reaches the network even while respx mocks are active."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording.upstream import DirectTransport


class _Echo(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        body = json.dumps(
            {
                "path": self.path,
                "body": self.rfile.read(length).decode(),
                "ctype": self.headers.get("content-type"),
            }
        ).encode()
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_direct_transport_is_not_intercepted_by_respx(server: str) -> None:
    cloud = WxCloud()
    with cloud.mock_http(), httpx.Client(transport=DirectTransport()) as client:
        reply = client.post(f"{server}/tcb/invokecloudfunction?env=e&name=f", json={"a": 1})
        missing = client.post(f"{server}/missing", content=b"{}")
    assert reply.status_code == 200
    assert reply.json() == {
        "path": "/tcb/invokecloudfunction?env=e&name=f",
        "body": '{"a":1}',
        "ctype": "application/json",
    }
    assert missing.status_code == 404


def test_connection_failure_becomes_an_httpx_error() -> None:
    with (
        httpx.Client(transport=DirectTransport(timeout=2)) as client,
        pytest.raises(httpx.ConnectError),
    ):
        client.post("http://127.0.0.1:9/", content=b"{}")
