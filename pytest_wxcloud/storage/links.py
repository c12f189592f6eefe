"""Upload and download URLs: opaque tokens, never cloud paths.

wx-server-sdk uses the upload URL as given and applies ``encodeURI()`` to a temp URL before its
GET, so a ``#`` or a pre-encoded character in a cloud path breaks any URL that carries the path
(node-runtime.md §2.5). Each URL therefore names a token, and the token names the file. Where a
URL points depends on who asked: in-process callers get production's hosts (answered by the
in-process mock), callers of the loopback server get the same tokens under ``/__cos/`` on the
server's own origin.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx

#: the path prefix of file URLs on a loopback origin (``http://127.0.0.1:PORT/__cos/<token>``)
LOOPBACK_PREFIX = "/__cos/"
#: production's hosts: uploads go to COS, temp URLs to the bucket's tcb.qcloud.la host
UPLOAD_HOST_SUFFIX = ".cos.ap-shanghai.myqcloud.com"
DOWNLOAD_HOST_SUFFIX = ".tcb.qcloud.la"
#: how long an upload URL stays usable (COS's default signature lifetime)
UPLOAD_TTL = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class UploadTicket:
    token: str
    cloud_path: str
    owner: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class DownloadLink:
    token: str
    cloud_path: str
    issued_at: datetime
    expires_at: datetime


class Links:
    """Issued tokens, deterministic per seed. Each token is an unguessable 128-bit name."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(f"{seed}/storage-links")
        self._lock = threading.Lock()
        self.uploads: dict[str, UploadTicket] = {}
        self.downloads: dict[str, DownloadLink] = {}

    def _token(self) -> str:
        return f"{self._random.getrandbits(128):032x}"

    def issue_upload(self, cloud_path: str, owner: str | None, now: datetime) -> UploadTicket:
        with self._lock:
            ticket = UploadTicket(self._token(), cloud_path, owner, now + UPLOAD_TTL)
            self.uploads[ticket.token] = ticket
        return ticket

    def take_upload(self, token: str) -> UploadTicket | None:
        """An upload URL is good for one upload."""
        with self._lock:
            return self.uploads.pop(token, None)

    def issue_download(self, cloud_path: str, now: datetime, max_age: int) -> DownloadLink:
        with self._lock:
            link = DownloadLink(self._token(), cloud_path, now, now + timedelta(seconds=max_age))
            self.downloads[link.token] = link
        return link


def upload_url(origin: str | None, bucket: str, token: str) -> str:
    if origin is None:
        return f"https://{bucket}{UPLOAD_HOST_SUFFIX}/{token}"
    return f"{origin}{LOOPBACK_PREFIX}{token}"


def download_url(origin: str | None, bucket: str, link: DownloadLink) -> str:
    """Production's shape ``https://<bucket>.tcb.qcloud.la/<path>?sign=…&t=<unix>``; the path
    is decoration (the face reads the token), so any encoding the client adds is harmless."""
    name = quote(link.cloud_path.rsplit("/", 1)[-1], safe="")
    query = f"sign={link.token}&t={int(link.issued_at.timestamp())}"
    if origin is None:
        return f"https://{bucket}{DOWNLOAD_HOST_SUFFIX}/{quote(link.cloud_path)}?{query}"
    return f"{origin}{LOOPBACK_PREFIX}{link.token}/{name}?{query}"


def origin_of(url: object) -> str | None:
    """Where file URLs should point for a request that came in at ``url`` (an ``httpx.URL``):
    ``None`` (production's hosts, answered in-process) for production's API hosts, else the
    request's own origin (the loopback server serves ``/__cos/`` next to its other faces)."""
    parsed = url if isinstance(url, httpx.URL) else httpx.URL(str(url))
    host = parsed.host
    if host == "api.weixin.qq.com" or host.endswith(".tencentcloudapi.com"):
        return None
    return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"


__all__ = [
    "DOWNLOAD_HOST_SUFFIX",
    "LOOPBACK_PREFIX",
    "UPLOAD_HOST_SUFFIX",
    "UPLOAD_TTL",
    "DownloadLink",
    "Links",
    "UploadTicket",
    "download_url",
    "origin_of",
    "upload_url",
]
