"""Refuse, at the socket, connections a test must never make: nothing leaves the machine.

The cloud answers httpx and ``requests`` in-process, but any other client (urllib, aiohttp, a
raw socket, an httpx client with its own transport) would carry the fake appid and secret to the
real ``api.weixin.qq.com``. So while a cloud answers, the guard refuses the WeChat hosts at the
lowest level every Python client shares — name lookup (``socket.getaddrinfo``,
``gethostbyname``) and ``socket.socket.connect`` — before a DNS query or a packet leaves.
``--wxcloud-block-network`` widens the same guard to every host but loopback, as
pytest-recording's ``--block-network`` does, so a loopback test server keeps working.

The refusal is a :class:`NetworkBlockedError` (a ``RuntimeError``, like pytest-socket's), not an
``OSError``: clients wrap and retry ``OSError`` s as ordinary connection failures, which would
bury the message; this one reaches the test as it is. Code that legitimately needs the real host
(recording cassettes) runs inside :meth:`NetworkGuard.allowed`.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ..storage.files_face import is_file_host

#: Hosts of the real cloud: the WeChat HTTP API, and the CloudBase backend wx-server-sdk calls.
WECHAT_HOSTS = ("api.weixin.qq.com",)
TCB_HOST_SUFFIX = "tcb-api.tencentcloudapi.com"

#: Module prefixes of HTTP clients, outermost first, to name the client in a refusal.
KNOWN_CLIENTS = (
    ("wechatpy", "wechatpy"),
    ("requests", "requests"),
    ("httpx", "httpx"),
    ("aiohttp", "aiohttp"),
    ("urllib3", "urllib3"),
    ("httpcore", "httpcore"),
    ("urllib.request", "urllib"),
    ("http.client", "http.client"),
    ("tornado", "tornado"),
    ("pycurl", "pycurl"),
    ("concurrent.futures", "a thread-pool lookup (asyncio's resolver, as aiohttp uses)"),
)

_ANSWERED_IN_PROCESS = ("httpx", "requests", "wechatpy")

_allowed: ContextVar[bool] = ContextVar("pytest_wxcloud_network_allowed", default=False)


class NetworkBlockedError(RuntimeError):
    """A connection the test must not make; the message names the host, the client and a fix."""


def is_wechat_host(host: str) -> bool:
    """The API, the CloudBase gateways and the cloud-storage file hosts."""
    name = host.rstrip(".").lower()
    return (
        name in WECHAT_HOSTS
        or name == TCB_HOST_SUFFIX
        or name.endswith("." + TCB_HOST_SUFFIX)
        or is_file_host(name)
    )


def is_loopback(host: str) -> bool:
    name = host.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def calling_client() -> str:
    """The outermost known HTTP client on the stack ("a raw socket" when there is none)."""
    found = ""
    frame = sys._getframe(1)
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        for prefix, name in KNOWN_CLIENTS:
            if module == prefix or module.startswith(prefix + "."):
                found = name
                break
        frame = frame.f_back  # type: ignore[assignment]
    return found or "a raw socket"


def _refusal(host: str, port: object, everything: bool) -> NetworkBlockedError:
    client = calling_client()
    where = f"{host}:{port}" if port not in (None, "") else host
    if everything and not is_wechat_host(host):
        return NetworkBlockedError(
            f"pytest-wxcloud (--wxcloud-block-network) refused a connection to {where} from "
            f"{client}: tests may only reach loopback hosts (127.0.0.0/8, ::1, localhost). "
            "Mock the call (respx for httpx, responses for requests) or run without "
            "--wxcloud-block-network."
        )
    if client in _ANSWERED_IN_PROCESS:
        hint = (
            f"{client} is answered in-process by cloud.mock_http() and the wxcloud fixture, "
            "but this request bypassed the interception (a client with its own transport or "
            "adapter?); use the default transport"
        )
    else:
        hint = (
            f"pytest-wxcloud answers httpx and requests in-process, not {client}; call the "
            "WeChat API through httpx or requests in tests"
        )
    return NetworkBlockedError(
        f"pytest-wxcloud refused a connection to {where} from {client}: nothing may reach the "
        f"real WeChat cloud while a test uses the emulated one. {hint}."
    )


class NetworkGuard:
    """Socket-level patches, installed while anyone blocks and removed when nobody does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wechat = 0
        self._everything = 0
        self._saved: dict[str, Any] | None = None

    # --- who blocks what --------------------------------------------------------------

    def block_wechat(self) -> None:
        with self._lock:
            self._wechat += 1
            self._install()

    def unblock_wechat(self) -> None:
        with self._lock:
            self._wechat = max(0, self._wechat - 1)
            self._uninstall_if_idle()

    def block_everything(self) -> None:
        with self._lock:
            self._everything += 1
            self._install()

    def unblock_everything(self) -> None:
        with self._lock:
            self._everything = max(0, self._everything - 1)
            self._uninstall_if_idle()

    @contextmanager
    def allowed(self) -> Iterator[None]:
        """Let this thread or task reach any host (the cassette recorder talks to the real cloud)."""
        token = _allowed.set(True)
        try:
            yield
        finally:
            _allowed.reset(token)

    @property
    def installed(self) -> bool:
        return self._saved is not None

    # --- the check ---------------------------------------------------------------------

    def check(self, host: object, port: object = None) -> None:
        """Raise :class:`NetworkBlockedError` when ``host`` may not be reached right now."""
        if host is None or _allowed.get():
            return
        name = host.decode("idna") if isinstance(host, (bytes, bytearray)) else str(host)
        if not name:
            return
        if self._everything and not is_loopback(name):
            raise _refusal(name, port, everything=True)
        if self._wechat and is_wechat_host(name):
            raise _refusal(name, port, everything=False)

    # --- patching ---------------------------------------------------------------------

    def _install(self) -> None:
        if self._saved is not None:
            return
        saved: dict[str, Any] = {
            "getaddrinfo": socket.getaddrinfo,
            "gethostbyname": socket.gethostbyname,
            "gethostbyname_ex": socket.gethostbyname_ex,
            "connect": socket.socket.connect,
            "connect_ex": socket.socket.connect_ex,
        }
        self._saved = saved
        socket.getaddrinfo = self._lookup(saved["getaddrinfo"])  # type: ignore[assignment]
        socket.gethostbyname = self._lookup(saved["gethostbyname"])
        socket.gethostbyname_ex = self._lookup(saved["gethostbyname_ex"])
        socket.socket.connect = self._connect(saved["connect"])  # type: ignore[method-assign]
        socket.socket.connect_ex = self._connect(saved["connect_ex"])  # type: ignore[method-assign]

    def _uninstall_if_idle(self) -> None:
        saved = self._saved
        if saved is None or self._wechat or self._everything:
            return
        socket.getaddrinfo = saved["getaddrinfo"]
        socket.gethostbyname = saved["gethostbyname"]
        socket.gethostbyname_ex = saved["gethostbyname_ex"]
        socket.socket.connect = saved["connect"]  # type: ignore[method-assign]
        socket.socket.connect_ex = saved["connect_ex"]  # type: ignore[method-assign]
        self._saved = None

    def _lookup(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
            self.check(host, args[0] if args else kwargs.get("port"))
            return original(host, *args, **kwargs)

        return guarded_lookup

    def _connect(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded_connect(sock: socket.socket, address: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
                self.check(address[0], address[1])
            return original(sock, address)

        return guarded_connect


#: The process's guard (socket functions are process-wide, so there is one).
NETWORK_GUARD = NetworkGuard()

__all__ = [
    "NETWORK_GUARD",
    "NetworkBlockedError",
    "NetworkGuard",
    "calling_client",
    "is_loopback",
    "is_wechat_host",
]
