"""Stored files: what a bucket holds, and the store that keeps them.

A :class:`StoredFile` is immutable (its bytes included), so a snapshot of the store is a shallow
copy of one dict and nothing a caller holds can change what is stored.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

StorageSnapshot = dict[str, "StoredFile"]


@dataclass(frozen=True, slots=True)
class StoredFile:
    """One object of the bucket. ``owner`` is the uploader's openid (``None``: the server or an
    admin script uploaded it, as with the server SDK or the HTTP API)."""

    cloud_path: str
    file_id: str
    content: bytes
    content_type: str
    owner: str | None
    uploaded_at: datetime

    @property
    def size(self) -> int:
        return len(self.content)

    def __repr__(self) -> str:
        return (
            f"StoredFile({self.cloud_path!r}, size={self.size}, "
            f"content_type={self.content_type!r}, owner={self.owner!r})"
        )


def content_type_of(cloud_path: str, declared: str | None = None) -> str:
    """COS keeps the type the upload declared; without one (the 4.x PUT sends none) it is
    guessed from the name, as COS does, falling back to ``application/octet-stream``."""
    if declared and declared != "application/octet-stream":
        return declared
    guessed, _ = mimetypes.guess_type(cloud_path, strict=False)
    return guessed or "application/octet-stream"


class FileStore:
    """Files by cloud path, in upload order (a re-upload keeps its place)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._files: dict[str, StoredFile] = {}

    def get(self, cloud_path: str) -> StoredFile | None:
        return self._files.get(cloud_path)

    def put(self, stored: StoredFile) -> None:
        with self.lock:
            self._files[stored.cloud_path] = stored

    def remove(self, cloud_path: str) -> bool:
        with self.lock:
            return self._files.pop(cloud_path, None) is not None

    def __iter__(self) -> Iterator[StoredFile]:
        return iter(list(self._files.values()))

    def __len__(self) -> int:
        return len(self._files)

    def snapshot(self) -> StorageSnapshot:
        with self.lock:
            return dict(self._files)

    def restore(self, snapshot: StorageSnapshot) -> None:
        with self.lock:
            self._files = dict(snapshot)


__all__ = ["FileStore", "StorageSnapshot", "StoredFile", "content_type_of"]
