"""Mounting the ``requests`` transport: the same :class:`HttpFace` that answers httpx.

Where to intercept decides who else can mock. ``responses`` (and ``unittest.mock`` users) patch
``HTTPAdapter.send``, one level *below* where a session picks its adapter; a second ``responses``
mock on top of theirs would shadow them (``responses`` mocks do not chain: an unmatched request
fails instead of reaching the next one). So the cloud sits one level *above*, at
``Session.get_adapter``: for a URL on ``api.weixin.qq.com`` it hands out a
:class:`~.requests_adapter.CloudAdapter` wrapped around the adapter the session has mounted.
Every session, mounted adapter and body form (``json=``, ``data=``, ``files=``, generators) goes
through requests' own preparation first, so the face sees exactly the bytes the network would;
paths the cloud does not emulate go on to the mounted adapter, where the user's ``responses``
mocks answer them. requests is optional: when it is not installed nothing is mounted.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from .router import HttpFace

API_HOST = "api.weixin.qq.com"


class FaceSource(Protocol):
    def face(self) -> HttpFace | None: ...


class RequestsMount:
    """Patches ``requests.Session.get_adapter`` while the switchboard runs (one patch a process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._original: Callable[..., Any] | None = None

    @property
    def mounted(self) -> bool:
        return self._original is not None

    def mount(self, source: FaceSource) -> None:
        with self._lock:
            if self._original is not None or importlib.util.find_spec("requests") is None:
                return
            from requests.sessions import Session

            from .requests_adapter import CloudAdapter

            original = Session.get_adapter

            def get_adapter(session: Session, url: str) -> Any:
                mounted = original(session, url)
                if not is_wechat_url(url):
                    return mounted
                face = source.face()
                return mounted if face is None else CloudAdapter(face, mounted)

            self._original = original
            Session.get_adapter = get_adapter  # type: ignore[method-assign,assignment]

    def unmount(self) -> None:
        with self._lock:
            if self._original is None:
                return
            from requests.sessions import Session

            Session.get_adapter = self._original  # type: ignore[method-assign]
            self._original = None


def is_wechat_url(url: str) -> bool:
    if API_HOST not in url:
        return False
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.hostname == API_HOST


#: The process's one mount (``Session.get_adapter`` is a class attribute).
REQUESTS_MOUNT = RequestsMount()

__all__ = ["REQUESTS_MOUNT", "RequestsMount", "is_wechat_url"]
