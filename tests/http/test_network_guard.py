"""Nothing reaches the real WeChat cloud while a test uses the emulated one, whatever the client."""

from __future__ import annotations

import asyncio
import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.http.network_guard import (
    NETWORK_GUARD,
    NetworkBlockedError,
    NetworkGuard,
    is_loopback,
)
from pytest_wxcloud.recording.upstream import DirectTransport

pytest_plugins = ["pytester"]

REFUSED = "pytest-wxcloud refused a connection to"


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self._answer()

    def _answer(self) -> None:
        body = f"hello {self.headers['host']}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(seed=21)
    with cloud.mock_http():
        yield cloud


def test_urllib_is_refused_and_told_what_to_use(cloud: WxCloud) -> None:
    with pytest.raises(NetworkBlockedError) as refused:
        urllib.request.urlopen("https://api.weixin.qq.com/cgi-bin/token", timeout=2)
    message = str(refused.value)
    assert message.startswith(f"{REFUSED} api.weixin.qq.com:443 from urllib")
    assert "answers httpx and requests in-process, not urllib" in message


def test_raw_lookups_and_sockets_are_refused_before_any_dns_query(cloud: WxCloud) -> None:
    with pytest.raises(NetworkBlockedError, match="from a raw socket"):
        socket.getaddrinfo("api.weixin.qq.com", 443)
    with pytest.raises(NetworkBlockedError, match="tcb-api"):
        socket.gethostbyname("test-env.ap-shanghai.tcb-api.tencentcloudapi.com")
    with pytest.raises(NetworkBlockedError):
        socket.create_connection(("API.WEIXIN.QQ.COM.", 443), timeout=2)
    with socket.socket() as raw, pytest.raises(NetworkBlockedError):
        raw.connect(("api.weixin.qq.com", 80))


def test_asyncio_clients_are_refused(cloud: WxCloud) -> None:
    async def connect() -> None:
        await asyncio.open_connection("api.weixin.qq.com", 443)

    with pytest.raises(NetworkBlockedError, match="thread-pool lookup"):
        asyncio.run(connect())


def test_the_wxcloud_fixture_guards_too(wxcloud: WxCloud) -> None:
    with pytest.raises(NetworkBlockedError, match="from urllib"):
        urllib.request.urlopen("http://api.weixin.qq.com/tcb/databasequery", timeout=2)


def test_other_hosts_and_loopback_are_untouched(cloud: WxCloud, loopback_port: int) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{loopback_port}/", timeout=2) as answer:
        assert answer.read() == f"hello 127.0.0.1:{loopback_port}".encode()
    NETWORK_GUARD.check("example.com", 443)  # not a WeChat host: no opinion without the option


def test_guard_is_removed_when_no_cloud_answers() -> None:
    original = socket.getaddrinfo
    with WxCloud(seed=22).mock_http():
        assert socket.getaddrinfo is not original
    assert socket.getaddrinfo is original
    assert not NETWORK_GUARD.installed


def test_recorder_reaches_the_real_host_through_the_guard(
    cloud: WxCloud, loopback_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a stand-in for the real cloud: below the guard, api.weixin.qq.com resolves to loopback
    import _socket

    resolve = _socket.getaddrinfo

    def to_loopback(host: str, *args: Any) -> Any:
        return resolve("127.0.0.1" if host == "api.weixin.qq.com" else host, *args)

    monkeypatch.setattr(_socket, "getaddrinfo", to_loopback)
    url = f"http://api.weixin.qq.com:{loopback_port}/tcb/invokecloudfunction"
    NETWORK_GUARD.block_everything()  # as under --wxcloud-block-network
    try:
        with httpx.Client(transport=DirectTransport(timeout=2)) as client:
            assert client.post(url, content=b"{}").text.startswith("hello api.weixin.qq.com")
        with pytest.raises(NetworkBlockedError):
            urllib.request.urlopen(url, timeout=2)
    finally:
        NETWORK_GUARD.unblock_everything()


# ------------------------------------------------------------------ --wxcloud-block-network


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("::ffff:127.0.0.1", True),
        ("api.localhost", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("::ffff:8.8.8.8", False),
        ("127.0.0.1.example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_block_everything_refuses_every_non_loopback_host(loopback_port: int) -> None:
    guard = NetworkGuard()
    guard.block_everything()
    try:
        with pytest.raises(NetworkBlockedError, match="--wxcloud-block-network"):
            guard.check("example.com", 443)
        with pytest.raises(NetworkBlockedError, match="loopback hosts"):
            guard.check(b"8.8.8.8", 53)
        guard.check("localhost", 80)
        guard.check("::1", 80)
        with guard.allowed():
            guard.check("example.com", 443)
    finally:
        guard.unblock_everything()
    assert not guard.installed


def test_block_network_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_net="""
        import socket, threading, urllib.request
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        import pytest
        from pytest_wxcloud.http.network_guard import NetworkBlockedError

        def test_remote_refused():
            with pytest.raises(NetworkBlockedError, match="from urllib"):
                urllib.request.urlopen("http://example.com/", timeout=2)
            with pytest.raises(NetworkBlockedError, match="a raw socket"):
                socket.create_connection(("93.184.216.34", 80), timeout=2)

        def test_loopback_server_still_works():
            class Ok(BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(204)
                    self.end_headers()
                def log_message(self, *args):
                    pass
            server = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            port = server.server_address[1]
            with urllib.request.urlopen(f"http://localhost:{port}/", timeout=2) as answer:
                assert answer.status == 204
            server.shutdown()
            server.server_close()
        """
    )
    result = pytester.runpytest_subprocess("--wxcloud-block-network", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
    without = pytester.runpytest_subprocess("-p", "no:randomly", "-k", "refused")
    without.assert_outcomes(failed=1)


def test_requests_that_bypass_the_session_are_refused(cloud: WxCloud) -> None:
    import requests
    from requests.adapters import HTTPAdapter

    prepared = requests.Request("GET", "https://api.weixin.qq.com/cgi-bin/token").prepare()
    with pytest.raises(NetworkBlockedError, match="from requests.*bypassed the interception"):
        HTTPAdapter().send(prepared, timeout=2)  # an adapter used without a Session
