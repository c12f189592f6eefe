"""The storage backend every face runs on: cloud paths and bytes in, backend results out.

Faces speak to it in the backend's terms (sdk.md §5, node-runtime.md §2.2): per-file results
carry a code string (``SUCCESS``, ``STORAGE_FILE_NONEXIST``) that each face renders its own way,
and whole-call failures raise :class:`StorageError` with the code the CloudBase protocol sends.
It is also what tests use to seed and inspect a bucket (``cloud.storage``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DatabaseError
from .file_ids import Bucket, FileIdError
from .links import DownloadLink, Links, UploadTicket, download_url, upload_url
from .model import FileStore, StorageSnapshot, StoredFile, content_type_of
from .paths import CloudPathError, check_cloud_path

if TYPE_CHECKING:
    from ..cloud import WxCloud

#: files per getTempFileURL / deleteFile call (sdk.md §5, §7)
MAX_FILES_PER_CALL = 50
#: temp URL lifetime: default and maximum one day (sdk.md §5)
MAX_AGE_DEFAULT = 86400
MAX_AGE_LIMIT = 86400
#: COS's limit for a single PUT / POST upload; tests may lower it (``cloud.storage.max_file_size``)
MAX_FILE_SIZE = 5 * 1024**3


class StorageError(DatabaseError):
    """A storage call the backend refuses as a whole, with its code string."""

    def __init__(self, code: str, detail: str, err_code: int = -501007) -> None:
        super().__init__(err_code, detail, code=code)


def invalid(detail: str) -> StorageError:
    return StorageError("INVALID_PARAM", detail)


class LinkRefused(Exception):
    """A file URL the bucket will not serve: HTTP status and COS's error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


@dataclass(frozen=True, slots=True)
class FileRequest:
    """One entry of a temp-URL request: the fileID as given, and the lifetime asked for."""

    file_id: Any
    max_age: int | None = None


class StorageService:
    """One cloud's bucket, its upload tickets and its temp URLs."""

    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud
        self.bucket = Bucket.for_cloud(cloud.env, cloud.seed_value)
        self._store = FileStore()
        self._links = Links(cloud.seed_value)
        #: uploads larger than this are refused (COS: EntityTooLarge), nothing stored
        self.max_file_size = MAX_FILE_SIZE

    # --- what tests read and seed -----------------------------------------------------------

    def files(self) -> list[StoredFile]:
        """Every stored file, in upload order."""
        return list(self._store)

    def get(self, cloud_path: str) -> StoredFile | None:
        return self._store.get(cloud_path)

    def __contains__(self, cloud_path: object) -> bool:
        return isinstance(cloud_path, str) and self._store.get(cloud_path) is not None

    def __len__(self) -> int:
        return len(self._store)

    def file_id(self, cloud_path: str) -> str:
        """The fileID a file at ``cloud_path`` has (whether or not it exists yet)."""
        return self.bucket.file_id(check_cloud_path(cloud_path))

    def put(
        self,
        cloud_path: str,
        content: bytes,
        *,
        owner: str | None = None,
        content_type: str | None = None,
    ) -> StoredFile:
        """Store ``content`` at ``cloud_path`` (replacing what is there, as COS does)."""
        try:
            path = check_cloud_path(cloud_path)
        except CloudPathError as exc:
            raise invalid(str(exc)) from None
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise TypeError(f"content must be bytes, got {type(content).__name__}")
        data = bytes(content)
        if len(data) > self.max_file_size:
            raise StorageError(
                "STORAGE_REQUEST_FAIL",
                f"[EntityTooLarge]: {cloud_path!r} is {len(data)} bytes; "
                f"at most {self.max_file_size} are accepted",
                err_code=-503001,
            )
        stored = StoredFile(
            path,
            self.bucket.file_id(path),
            data,
            content_type_of(path, content_type),
            owner,
            self._cloud.clock.now(),
        )
        self._store.put(stored)
        return stored

    def seed_folder(self, folder: str | Path, prefix: str = "") -> list[str]:
        """Store every file under ``folder`` at ``prefix`` + its path relative to the folder
        (POSIX separators); returns the fileIDs, sorted by cloud path."""
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"seed_folder: {root} is not a folder")
        ids = []
        for source in sorted(p for p in root.rglob("*") if p.is_file()):
            cloud_path = prefix + source.relative_to(root).as_posix()
            ids.append(self.put(cloud_path, source.read_bytes()).file_id)
        return ids

    def dump(self) -> dict[str, bytes]:
        """Cloud path -> bytes of every file, for assertions."""
        return {stored.cloud_path: stored.content for stored in self._store}

    def snapshot(self) -> StorageSnapshot:
        return self._store.snapshot()

    def restore(self, snapshot: StorageSnapshot) -> None:
        self._store.restore(snapshot)

    # --- backend operations the faces call ----------------------------------------------------

    def path_of(self, file_id: Any) -> str:
        try:
            return self.bucket.cloud_path(file_id)
        except FileIdError as exc:
            raise invalid(str(exc)) from None

    def begin_upload(
        self, cloud_path: Any, owner: str | None, origin: str | None
    ) -> dict[str, str]:
        """``getUploadMetadata``: where to send the bytes. Nothing is stored until they come."""
        try:
            path = check_cloud_path(cloud_path)
        except CloudPathError as exc:
            raise invalid(str(exc)) from None
        ticket = self._links.issue_upload(path, owner, self._cloud.clock.now())
        return {
            "url": upload_url(origin, self.bucket.name, ticket.token),
            "token": ticket.token,
            "authorization": f"q-sign-algorithm=sha1&q-ak=AKIDwxcloud&q-signature={ticket.token}",
            "fileId": self.bucket.file_id(path),
            "cosFileId": f"cos-{ticket.token[:16]}",
        }

    def finish_upload(
        self, token: str, content: bytes, key: str | None = None, content_type: str | None = None
    ) -> StoredFile:
        """The bytes sent to an upload URL. ``key`` (the ``key`` header or form field), when
        given, must name the path the URL was issued for."""
        ticket = self._ticket(token)
        if key is not None and key != ticket.cloud_path:
            raise LinkRefused(
                403,
                "AccessDenied",
                f"key {key!r} is not the path this upload URL was issued for",
            )
        if len(content) > self.max_file_size:
            raise LinkRefused(
                400,
                "EntityTooLarge",
                f"Your proposed upload exceeds the maximum allowed object size "
                f"({len(content)} > {self.max_file_size} bytes)",
            )
        self._links.take_upload(token)
        return self.put(ticket.cloud_path, content, owner=ticket.owner, content_type=content_type)

    def _ticket(self, token: str) -> UploadTicket:
        ticket = self._links.uploads.get(token)
        if ticket is None:
            raise LinkRefused(
                403, "AccessDenied", "this upload URL was not issued by this cloud or was used"
            )
        if self._cloud.clock.now() > ticket.expires_at:
            raise LinkRefused(403, "AccessDenied", "Request has expired")
        return ticket

    def temp_urls(
        self, requests: Sequence[FileRequest], origin: str | None
    ) -> list[dict[str, Any]]:
        """``batchGetDownloadUrl``: per file ``{code, fileID, tempFileURL, maxAge}``."""
        check_file_count(len(requests))
        parsed = [
            (entry, self.path_of(entry.file_id), _max_age(entry.max_age)) for entry in requests
        ]
        now = self._cloud.clock.now()
        items = []
        for entry, path, max_age in parsed:
            if self._store.get(path) is None:
                items.append(
                    {
                        "code": "STORAGE_FILE_NONEXIST",
                        "fileID": entry.file_id,
                        "tempFileURL": "",
                        "message": f"storage file not exists: {entry.file_id}",
                    }
                )
                continue
            link = self._links.issue_download(path, now, max_age)
            items.append(
                {
                    "code": "SUCCESS",
                    "fileID": entry.file_id,
                    "tempFileURL": download_url(origin, self.bucket.name, link),
                    "maxAge": max_age,
                }
            )
        return items

    def open_link(self, token: str) -> StoredFile:
        """The file a temp URL's token names, if the URL is genuine, unexpired and the file
        still exists (an overwritten file serves its new bytes, as a COS URL does)."""
        link: DownloadLink | None = self._links.downloads.get(token)
        if link is None:
            raise LinkRefused(403, "AccessDenied", "Access Denied. (not a URL this cloud issued)")
        if self._cloud.clock.now() > link.expires_at:
            raise LinkRefused(403, "AccessDenied", "Request has expired")
        stored = self._store.get(link.cloud_path)
        if stored is None:
            raise LinkRefused(404, "NoSuchKey", "The specified key does not exist.")
        return stored

    def delete(self, file_ids: Sequence[Any]) -> list[dict[str, Any]]:
        """``batchDeleteFile``: per file ``{code, fileID}``."""
        check_file_count(len(file_ids))
        paths = [self.path_of(file_id) for file_id in file_ids]
        items = []
        for file_id, path in zip(file_ids, paths, strict=True):
            removed = self._store.remove(path)
            items.append(
                {"code": "SUCCESS" if removed else "STORAGE_FILE_NONEXIST", "fileID": file_id}
            )
        return items


def check_file_count(count: int) -> None:
    """The backend refuses an empty list or more than 50 files before touching any of them."""
    if count == 0:
        raise invalid("the file list is empty; give 1 to 50 fileIDs")
    if count > MAX_FILES_PER_CALL:
        raise invalid(f"{count} files in one call; at most {MAX_FILES_PER_CALL} are accepted")


def _max_age(value: Any) -> int:
    if value is None:
        return MAX_AGE_DEFAULT
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise invalid(f"maxAge must be a whole number of seconds, got {value!r}")
    if value <= 0:
        raise invalid(f"maxAge must be positive, got {value!r}")
    return min(int(value), MAX_AGE_LIMIT)


__all__ = [
    "MAX_AGE_DEFAULT",
    "MAX_AGE_LIMIT",
    "MAX_FILES_PER_CALL",
    "MAX_FILE_SIZE",
    "FileRequest",
    "LinkRefused",
    "StorageError",
    "StorageService",
    "check_file_count",
]
