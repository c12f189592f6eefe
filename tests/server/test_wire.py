"""The server over raw sockets: what real clients send (node-runtime.md §5.4) and what bad
clients send. Bad input gets a JSON error and a closed connection, stores nothing, and the next
client is served."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from serverkit import (
    as_json,
    closed_by_server,
    connect,
    post,
    query_body,
    read_reply,
    token_of,
)

from pytest_wxcloud import WxCloud
from pytest_wxcloud.server import LoopbackServer

ADD = "db.collection('books').add({data: [{title: 'added'}]})"


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(seed=3)
    cloud.seed({"books": [{"_id": "b1", "title": "Dune"}]})
    return cloud


@pytest.fixture
def server(cloud: WxCloud) -> Iterator[LoopbackServer]:
    with cloud.serve(max_body_bytes=4096) as server:
        yield server


@pytest.fixture
def add_path(cloud: WxCloud, server: LoopbackServer) -> str:
    return f"/tcb/databaseadd?access_token={token_of(cloud, server.port)}"


def assert_still_serving(cloud: WxCloud, server: LoopbackServer) -> None:
    sock = connect(server.port)
    sock.sendall(b"GET /_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = read_reply(sock)
    assert (status, as_json(body)["env"]) == (200, cloud.env)
    sock.close()


def titles(cloud: WxCloud) -> list[str]:
    return [doc["title"] for doc in cloud.dump("books")]


def test_keep_alive_answers_several_requests_on_one_connection(
    cloud: WxCloud, server: LoopbackServer, add_path: str
) -> None:
    sock = connect(server.port)
    for _ in range(3):
        sock.sendall(post(add_path, query_body(cloud, ADD)))
        status, headers, body = read_reply(sock)
        assert (status, as_json(body)["errcode"]) == (200, 0)
        assert headers["connection"] == "keep-alive"
    assert titles(cloud) == ["Dune", "added", "added", "added"]


def test_http_1_0_client_gets_connection_close(server: LoopbackServer) -> None:
    sock = connect(server.port)
    sock.sendall(b"GET /_wxcloud/info HTTP/1.0\r\n\r\n")
    status, headers, _ = read_reply(sock)
    assert (status, headers["connection"]) == (200, "close")
    assert closed_by_server(sock)


def test_chunked_request_body_is_decoded(
    cloud: WxCloud, server: LoopbackServer, add_path: str
) -> None:
    body = query_body(cloud, ADD)
    first, second = body[:10], body[10:]
    chunked = (
        f"{len(first):x};ext=1\r\n".encode()
        + first
        + b"\r\n"
        + f"{len(second):X}\r\n".encode()
        + second
        + b"\r\n0\r\nX-Trailer: yes\r\n\r\n"
    )
    sock = connect(server.port)
    sock.sendall(post(add_path, chunked, "Transfer-Encoding: chunked"))
    status, _, reply = read_reply(sock)
    assert (status, as_json(reply)["errcode"]) == (200, 0)
    assert titles(cloud) == ["Dune", "added"]
    # the connection stays usable after a chunked body
    sock.sendall(post(add_path, query_body(cloud, ADD)))
    assert read_reply(sock)[0] == 200
    assert titles(cloud) == ["Dune", "added", "added"]


def test_expect_100_continue(cloud: WxCloud, server: LoopbackServer, add_path: str) -> None:
    body = query_body(cloud, ADD)
    sock = connect(server.port)
    head = post(add_path, b"", f"Content-Length: {len(body)}", "Expect: 100-continue")
    sock.sendall(head)
    assert sock.recv(1024).startswith(b"HTTP/1.1 100")
    sock.sendall(body)
    status, _, reply = read_reply(sock)
    assert (status, as_json(reply)["errcode"]) == (200, 0)


@pytest.mark.parametrize(
    "raw",
    [
        b"THIS IS NOT HTTP\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n",
        b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
    ids=["garbage", "no-version", "bad-version", "star-target", "bad-header", "unknown-method"],
)
def test_malformed_request_gets_a_json_error(
    cloud: WxCloud, server: LoopbackServer, raw: bytes
) -> None:
    sock = connect(server.port)
    sock.sendall(raw)
    status, headers, body = read_reply(sock)
    assert 400 <= status < 600
    assert headers["content-type"] == "application/json"
    error = as_json(body)
    assert error["errcode"] == -1 and error["errmsg"].startswith(f"HTTP {status}: ")
    assert headers["connection"] == "close"
    assert_still_serving(cloud, server)


def _chunked(*chunks: bytes) -> bytes:
    return b"".join(f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks) + b"0\r\n\r\n"


@pytest.mark.parametrize(
    ("headers", "body", "status", "message"),
    [
        (["Content-Length: twelve"], b"{}", 400, "Content-Length must be one whole number"),
        (["Content-Length: -5"], b"{}", 400, "Content-Length must be one whole number"),
        (["Content-Length: 5", "Content-Length: 6"], b"{}", 400, "Content-Length must be one"),
        (["Transfer-Encoding: chunked"], b"zz\r\n{}", 400, "bad chunk size b'zz'"),
        (["Transfer-Encoding: chunked"], b"2\r\n{}XX", 400, "not followed by CRLF"),
        (["Content-Length: 4097"], b"{", 413, "4097 bytes is over the 4096-byte limit"),
        (
            ["Transfer-Encoding: chunked"],
            _chunked(b"x" * 3000, b"x" * 3000),
            413,
            "chunked body is over the 4096-byte limit",
        ),
    ],
    ids=[
        "not-a-number",
        "negative",
        "two-lengths",
        "bad-chunk-size",
        "no-crlf",
        "too-long",
        "too-long-chunked",
    ],
)
def test_refused_body_gets_an_error_and_stores_nothing(
    cloud: WxCloud,
    server: LoopbackServer,
    add_path: str,
    headers: list[str],
    body: bytes,
    status: int,
    message: str,
) -> None:
    sock = connect(server.port)
    sock.sendall(post(add_path, body, *headers))
    got, reply_headers, reply = read_reply(sock)
    assert (got, reply_headers["connection"]) == (status, "close")
    assert message in as_json(reply)["errmsg"]
    assert titles(cloud) == ["Dune"]
    assert_still_serving(cloud, server)


def test_oversized_body_with_expect_100_is_refused_before_sending(
    server: LoopbackServer, add_path: str
) -> None:
    sock = connect(server.port)
    sock.sendall(post(add_path, b"", "Content-Length: 10000", "Expect: 100-continue"))
    assert read_reply(sock)[0] == 413


def test_body_at_the_limit_is_accepted(server: LoopbackServer, add_path: str) -> None:
    padded = b'{"env": "test-env", "query": "db.collection(\'books\').count()"}'
    padded += b" " * (4096 - len(padded))
    sock = connect(server.port)
    sock.sendall(post(add_path, padded))
    status, _, body = read_reply(sock)
    assert status == 200 and as_json(body)["errcode"] != 47001


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_client_that_disconnects_mid_body_stores_nothing(
    cloud: WxCloud, server: LoopbackServer, add_path: str, framing: str
) -> None:
    body = query_body(cloud, ADD)
    sock = connect(server.port)
    if framing == "chunked":
        sock.sendall(
            post(add_path, f"{len(body):x}\r\n".encode() + body[:20], "Transfer-Encoding: chunked")
        )
    else:
        sock.sendall(post(add_path, body[:20], f"Content-Length: {len(body)}"))
    sock.close()
    assert_still_serving(cloud, server)  # served after the broken client...
    assert titles(cloud) == ["Dune"]  # ...which stored nothing
    sock = connect(server.port)
    sock.sendall(post(add_path, body))
    assert read_reply(sock)[0] == 200
    assert titles(cloud) == ["Dune", "added"]


def test_head_gets_headers_only(server: LoopbackServer) -> None:
    sock = connect(server.port)
    sock.sendall(b"HEAD /_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    assert head.startswith(b"HTTP/1.1 405")  # info takes GET
    assert head.endswith(b"\r\n\r\n")  # and no body follows on the wire


def test_absolute_form_target_is_accepted(cloud: WxCloud, server: LoopbackServer) -> None:
    sock = connect(server.port)
    sock.sendall(
        f"GET http://127.0.0.1:{server.port}/_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    )
    status, _, body = read_reply(sock)
    assert (status, as_json(body)["appid"]) == (200, cloud.appid)


def test_replies_leave_in_one_write_on_a_nodelay_socket(server: LoopbackServer) -> None:
    """node-runtime.md §5.4: Nagle plus delayed ACK cost ~44 ms a request without NODELAY."""
    sock = connect(server.port)
    sock.sendall(b"GET /_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n")
    read_reply(sock)
    accepted = list(server._listener._connections)
    assert accepted and all(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for s in accepted)
    assert server._listener.request_queue_size >= 128


def test_many_clients_connected_at_once_are_all_served(server: LoopbackServer) -> None:
    socks = [connect(server.port) for _ in range(150)]
    for sock in socks:
        sock.sendall(b"GET /_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n")
    statuses = [read_reply(sock)[0] for sock in socks]
    assert statuses == [200] * 150
    for sock in socks:
        sock.close()


def test_stop_ends_idle_keep_alive_connections(cloud: WxCloud) -> None:
    server = cloud.serve()
    sock = connect(server.port)
    sock.sendall(b"GET /_wxcloud/info HTTP/1.1\r\nHost: x\r\n\r\n")
    read_reply(sock)  # the connection is now idle, its handler waiting for the next request
    server.stop()
    assert closed_by_server(sock)
    with pytest.raises(OSError):
        connect(server.port)
    server.stop()  # a second stop is harmless


def test_stop_lets_the_request_in_flight_finish(cloud: WxCloud) -> None:
    started, release = threading.Event(), threading.Event()

    @cloud.function("slow")
    def slow(event: dict[str, object], context: object) -> str:
        started.set()
        release.wait(10)
        return "done"

    server = cloud.serve()
    token = token_of(cloud, server.port)
    sock = connect(server.port)
    sock.sendall(
        post(f"/tcb/invokecloudfunction?access_token={token}&env={cloud.env}&name=slow", b"{}")
    )
    assert started.wait(10)
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    release.set()
    status, _, body = read_reply(sock)
    stopper.join(10)
    assert not stopper.is_alive()
    assert (status, as_json(body)["resp_data"]) == (200, '"done"')


def test_a_chunked_multipart_body_reaches_the_face(server: LoopbackServer) -> None:
    """wx.openApi requests are chunked multipart with no Content-Length (node-runtime.md §2.3);
    the header parser's complaint about a multipart body it never saw is not a bad request."""
    boundary = "--------------------------db92b5d51e57007ece465770"
    body = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="action"\r\n\r\nwx.openApi\r\n'
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="apiName"\r\n\r\nsecurity.msgSecCheck\r\n'
        f"--{boundary}--\r\n"
    ).encode()
    head = (
        f"POST /admin?env=prod-9g1x&seqId=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(head + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n")
        reply = b"".join(iter(lambda: sock.recv(65536), b""))
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert b'"code"' in reply and b"malformed" not in reply
