"""One HTTP/1.1 exchange on a loopback connection: raw request in, ``httpx.Request`` to the
faces, ``httpx.Response`` back out in a single write.

What real clients need (node-runtime.md §5.4): keep-alive, chunked request bodies (wx-server-sdk
uploads and ``wx.openApi`` send no Content-Length) and no Nagle delay (headers and body leave in
one ``sendall`` on a TCP_NODELAY socket; ``http.server``'s two writes cost ~44 ms a request).

Bad input gets a JSON error in the HTTP API's shape with the HTTP status that says what was wrong
(400 malformed, 413 too large), and the connection is closed because its byte stream can no
longer be trusted. A client that goes away mid-request gets nothing: no face sees a partial body.
"""

from __future__ import annotations

import email.errors
import json
import logging
import re
import socket
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from .listener import Listener

log = logging.getLogger("pytest_wxcloud.server")

#: longest chunk-size or trailer line accepted (http.client's own header line limit)
MAX_LINE = 65536
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")
#: bytes read and dropped after an error reply, at most, before the connection is closed
_DRAIN_LIMIT = 8 * 1024 * 1024
#: what makes a header block malformed; the email parser http.server uses also reports defects
#: of a multipart *body* it never saw (StartBoundaryNotFoundDefect for every multipart request)
_HEADER_DEFECTS = (
    email.errors.HeaderDefect,
    email.errors.MissingHeaderBodySeparatorDefect,
    email.errors.FirstHeaderLineIsContinuationDefect,
)
#: request headers the faces never see: the body arrives whole, its framing already undone
_FRAMING = frozenset({"transfer-encoding", "content-length"})
#: response headers the server writes itself
_OWN_REPLY_HEADERS = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


class BadRequest(Exception):
    """A request the server answers itself with ``status`` and closes the connection on."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientGone(Exception):
    """The client closed the connection before sending the whole request."""


class Exchange(BaseHTTPRequestHandler):
    """Reads requests off one connection (keep-alive) and answers each from the faces."""

    protocol_version = "HTTP/1.1"
    #: seconds a connection may sit idle, or stall mid-request, before it is closed
    timeout = 300
    server: Listener

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.closed(self.connection)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # --- reading ------------------------------------------------------------------------

    def handle_expect_100(self) -> bool:
        """Refuse an oversized body before the client sends it."""
        try:
            self._declared_length()
        except BadRequest as error:
            self.send_error(error.status, error.message)
            return False
        return super().handle_expect_100()

    def _declared_length(self) -> int | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return None
        values = self.headers.get_all("Content-Length") or []
        if not values:
            return 0
        if len(set(values)) != 1 or not values[0].strip().isdigit():
            raise BadRequest(400, f"Content-Length must be one whole number, got {values!r}")
        length = int(values[0])
        limit = self.server.max_body_bytes
        if length > limit:
            raise BadRequest(413, f"body of {length} bytes is over the {limit}-byte limit")
        return length

    def _read_exact(self, size: int) -> bytes:
        data = self.rfile.read(size)
        if len(data) < size:
            raise ClientGone()
        return data

    def _read_line(self) -> bytes:
        line = self.rfile.readline(MAX_LINE + 1)
        if not line:
            raise ClientGone()
        if len(line) > MAX_LINE:
            raise BadRequest(400, "a chunk-size or trailer line is over 64 KiB")
        return line

    def _read_chunked(self) -> bytes:
        limit = self.server.max_body_bytes
        parts: list[bytes] = []
        total = 0
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_text):
                raise BadRequest(400, f"bad chunk size {size_text[:40]!r} in a chunked body")
            size = int(size_text, 16)
            if size == 0:
                break
            total += size
            if total > limit:
                raise BadRequest(413, f"chunked body is over the {limit}-byte limit")
            parts.append(self._read_exact(size))
            if self._read_exact(2) != b"\r\n":
                raise BadRequest(400, "a chunk of a chunked body is not followed by CRLF")
        while self._read_line() not in (b"\r\n", b"\n"):  # trailer fields: ignored
            pass
        return b"".join(parts)

    def _read_body(self) -> bytes:
        defects = [d for d in self.headers.defects if isinstance(d, _HEADER_DEFECTS)]
        if defects:  # e.g. a header line without a colon
            raise BadRequest(400, f"malformed request headers: {defects[0]!r}")
        length = self._declared_length()
        if length is None:
            return self._read_chunked()
        return self._read_exact(length) if length else b""

    def _as_httpx(self, body: bytes) -> httpx.Request:
        target = self.path
        if target.startswith("/"):
            url = f"http://{self.server.authority}{target}"
        elif target.startswith(("http://", "https://")):
            url = target
        else:
            raise BadRequest(400, f"request target {target[:80]!r} is not a path or a URL")
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _FRAMING]
        try:
            return httpx.Request(self.command, url, headers=headers, content=body)
        except (httpx.InvalidURL, UnicodeError, ValueError) as error:
            raise BadRequest(400, f"request target {target[:80]!r} is not valid: {error}") from None

    # --- answering ----------------------------------------------------------------------

    def _exchange(self) -> None:
        try:
            request = self._as_httpx(self._read_body())
        except BadRequest as error:
            self.send_error(error.status, error.message)
            return
        except (ClientGone, OSError):
            self.close_connection = True  # nothing to answer; no face saw the partial request
            return
        self._send(self.server.answer(request))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _exchange

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Malformed, oversized or unsupported requests: a JSON error, then the connection ends."""
        self.close_connection = True
        reason = message or HTTPStatus(code).phrase
        body = json.dumps({"errcode": -1, "errmsg": f"HTTP {code}: {reason}"}).encode()
        self._write(code, [("Content-Type", "application/json")], body)
        self._drain()

    def _send(self, response: httpx.Response) -> None:
        headers = [
            (k, v) for k, v in response.headers.multi_items() if k.lower() not in _OWN_REPLY_HEADERS
        ]
        self._write(response.status_code, headers, response.read())

    def _write(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        lines = [f"HTTP/1.1 {status} {phrase}"]
        lines += [f"{name}: {value}" for name, value in headers]
        lines.append(f"Content-Length: {len(body)}")
        lines.append("Connection: close" if self.close_connection else "Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if self.command == "HEAD":
            body = b""
        try:
            self.wfile.write(head + body)
        except OSError:
            self.close_connection = True

    def _drain(self) -> None:
        """Read what the client still sends before closing, so the error reply is not lost to
        a TCP reset (closing with unread bytes resets the connection)."""
        drained = 0
        try:
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(0.5)
            while drained < _DRAIN_LIMIT and (chunk := self.rfile.read1(65536)):
                drained += len(chunk)
        except OSError:
            pass


__all__ = ["MAX_LINE", "BadRequest", "ClientGone", "Exchange"]
