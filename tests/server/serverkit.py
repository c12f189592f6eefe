"""Raw-socket helpers for the loopback server tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import json
import socket
from typing import Any

import httpx

from pytest_wxcloud import WxCloud


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_reply(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """One HTTP reply off the socket: status, headers (lower-case names), body."""
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed before a full reply head: {buffer!r}")
        buffer += chunk
    head, _, body = buffer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed inside a reply body")
        body += chunk
    return int(status_line.split()[1]), headers, body[:length]


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def fetch_token(client: httpx.Client, cloud: WxCloud) -> str:
    """``GET /cgi-bin/token`` with the cloud's credentials, on a client based at the server."""
    params = {"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret}
    return str(client.get("/cgi-bin/token", params=params).json()["access_token"])


def token_of(cloud: WxCloud, port: int) -> str:
    sock = connect(port)
    query = f"grant_type=client_credential&appid={cloud.appid}&secret={cloud.secret}"
    sock.sendall(f"GET /cgi-bin/token?{query} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    _, _, body = read_reply(sock)
    sock.close()
    return str(json.loads(body)["access_token"])


def post(path: str, body: bytes, *headers: str) -> bytes:
    """A POST request's bytes with a Content-Length (unless a framing header is given)."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += headers
    if not any(h.lower().startswith(("content-length", "transfer-encoding")) for h in headers):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def query_body(cloud: WxCloud, query: str) -> bytes:
    return json.dumps({"env": cloud.env, "query": query}).encode()


def as_json(body: bytes) -> Any:
    return json.loads(body)
