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
mocks answer them. For those answered in-process, ``Session.merge_environment_settings`` skips
the environment (proxies, CA bundles): nothing goes on the network, and scanning ``os.environ``
on every call was a third of requests' cost. requests is optional: when it is not installed
nothing is mounted.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from ..storage.files_face import is_file_host

if TYPE_CHECKING:
    from .router import HttpFace

API_HOST = "api.weixin.qq.com"


class FaceSource(Protocol):
    def face(self) -> HttpFace | None: ...


class RequestsMount:
    """Patches two ``requests.Session`` methods while the switchboard runs (once a process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._saved: dict[str, Callable[..., Any]] | None = None

    @property
    def mounted(self) -> bool:
        return self._saved is not None

    def mount(self, source: FaceSource) -> None:
        with self._lock:
            if self._saved is not None or importlib.util.find_spec("requests") is None:
                return
            from requests import sessions
            from requests.sessions import Session

            merge: Callable[[Any, Any], Any] = sessions.merge_setting

            from .requests_adapter import CloudAdapter

            original = Session.get_adapter

            def get_adapter(session: Session, url: str) -> Any:
                mounted = original(session, url)
                if not is_wechat_url(url):
                    return mounted
                face = source.face()
                return mounted if face is None else CloudAdapter(face, mounted)

            original_merge = Session.merge_environment_settings

            def merge_environment_settings(
                session: Session, url: str, proxies: Any, stream: Any, verify: Any, cert: Any
            ) -> Any:
                if not is_wechat_url(url) or source.face() is None:
                    return original_merge(session, url, proxies, stream, verify, cert)
                # answered in-process: no proxy or CA bundle from the environment applies
                return {
                    "proxies": merge(proxies, session.proxies),
                    "stream": merge(stream, session.stream),
                    "verify": merge(verify, session.verify),
                    "cert": merge(cert, session.cert),
                }

            self._saved = {
                "get_adapter": original,
                "merge_environment_settings": original_merge,
            }
            # setattr, not assignment: the stubs type these methods, the patches are looser
            setattr(Session, "get_adapter", get_adapter)  # noqa: B010
            setattr(Session, "merge_environment_settings", merge_environment_settings)  # noqa: B010

    def unmount(self) -> None:
        with self._lock:
            if self._saved is None:
                return
            from requests.sessions import Session

            for name, original in self._saved.items():
                setattr(Session, name, original)
            self._saved = None


def is_wechat_url(url: str) -> bool:
    """The API host, or a cloud-storage file host (upload and temp-file URLs)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname is None:
        return False
    return parts.hostname == API_HOST or is_file_host(parts.hostname)


#: The process's one mount (``Session.get_adapter`` is a class attribute).
REQUESTS_MOUNT = RequestsMount()

__all__ = ["REQUESTS_MOUNT", "RequestsMount", "is_wechat_url"]
