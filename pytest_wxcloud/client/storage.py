"""wx.cloud's storage calls for one client: ``uploadFile``, ``downloadFile``, ``getTempFileURL``,
``deleteFile`` under the bucket's storage preset or rules (client.md §6).

Each call runs in the order production's layers do: the SDK's argument checks, then the
permission check on every file it names (the owner bound to ``resource.openid`` is the stored
file's uploader; for a new path, the caller), and only then the storage backend, so a denied
call changes nothing. The backend steps are the server SDK's (:mod:`..storage.sdk`) under the
client's API names, which is what gives every result and failure wx.cloud's ``cloud.`` prefix
(``cloud.uploadFile:ok``, ``cloud.downloadFile:fail …``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import DatabaseError, api_failure
from ..storage import sdk
from ..storage.paths import CloudPathError, check_cloud_path
from ..storage.service import StorageService, check_file_count, invalid
from .decisions import STORAGE_DENIED, STORAGE_DENIED_MESSAGE, PermissionDenied

if TYPE_CHECKING:
    from .client import Client

#: wx.cloud's upload answer: COS's POST answers 200 (the server SDK 4.0.2 reports -1)
UPLOAD_STATUS = 200


def _api(call: str) -> str:
    return f"cloud.{call}"


def upload_file(client: Client, cloud_path: Any, file_content: Any) -> dict[str, Any]:
    """The uploader becomes the file's owner; overwriting is a write on the existing owner's
    file (others are denied under the presets, CB-UP)."""
    call = "uploadFile"
    content = sdk.upload_content(_api(call), file_content)
    service = client.cloud.storage
    path = _cloud_path(call, cloud_path)
    existing = service.get(path)
    client.check_storage(call, path, existing.owner if existing else client.openid)
    file_id = sdk.store(_api(call), service, path, content, client.openid)
    return {"fileID": file_id, "statusCode": UPLOAD_STATUS, "errMsg": f"{_api(call)}:ok"}


def download_file(client: Client, file_id: Any) -> dict[str, Any]:
    """``fileContent`` (bytes) stands in for the mini program's ``tempFilePath``."""
    call = "downloadFile"
    checked = sdk.check_file_id(_api(call), file_id)
    service = client.cloud.storage
    (path,) = _paths(call, service, [checked])
    stored = service.get(path)
    client.check_storage(call, path, stored.owner if stored else None)
    content = sdk.fetch(_api(call), service, checked)
    return {"fileContent": content, "statusCode": 200, "errMsg": f"{_api(call)}:ok"}


def get_temp_file_url(client: Client, file_list: Any) -> dict[str, Any]:
    call = "getTempFileURL"
    requests = sdk.temp_url_requests(_api(call), file_list)
    items = _per_file(
        client,
        call,
        [entry.file_id for entry in requests],
        lambda allowed: sdk.temp_url_items(
            _api(call), client.cloud.storage, _pick(requests, allowed)
        ),
        {"tempFileURL": ""},
    )
    return {"fileList": items, "errMsg": f"{_api(call)}:ok"}


def delete_file(client: Client, file_list: Any) -> dict[str, Any]:
    call = "deleteFile"
    file_ids = sdk.file_id_list(_api(call), file_list)
    items = _per_file(
        client,
        call,
        file_ids,
        lambda allowed: sdk.delete_items(
            _api(call), client.cloud.storage, _pick(file_ids, allowed)
        ),
        {},
    )
    return {"fileList": items, "errMsg": f"{_api(call)}:ok"}


def _pick(entries: Sequence[Any], indexes: list[int]) -> list[Any]:
    return [entries[i] for i in indexes]


def _per_file(
    client: Client,
    call: str,
    file_ids: list[Any],
    run: Callable[[list[int]], list[dict[str, Any]]],
    denied_extra: dict[str, Any],
) -> list[dict[str, Any]]:
    """Check every file, then run the backend on the allowed ones only.

    ``storage_list_denial="reject"`` (the default) refuses the whole call at the first denied
    file, before anything runs; ``"item"`` answers denied files with a per-file
    ``status: -503002, errMsg: "STORAGE_EXCEED_AUTHORITY"`` entry, as real apps read it."""
    service = client.cloud.storage
    try:
        check_file_count(len(file_ids))
    except DatabaseError as error:
        raise sdk.backend_failure(_api(call), error) from None
    paths = _paths(call, service, file_ids)
    per_item = client.cloud.permissions.options.storage_list_denial == "item"
    allowed: list[int] = []
    denied: set[int] = set()
    for index, path in enumerate(paths):
        stored = service.get(path)
        try:
            client.check_storage(call, path, stored.owner if stored else None)
        except PermissionDenied as refusal:
            if not per_item or refusal.err_code != STORAGE_DENIED:
                raise
            denied.add(index)
        else:
            allowed.append(index)
    answered = iter(run(allowed) if allowed else [])
    return [
        {"fileID": file_id, "status": STORAGE_DENIED, "errMsg": STORAGE_DENIED_MESSAGE}
        | denied_extra
        if index in denied
        else next(answered)
        for index, file_id in enumerate(file_ids)
    ]


def _cloud_path(call: str, cloud_path: Any) -> str:
    if not isinstance(cloud_path, str):
        raise api_failure(
            _api(call), f"Type of cloudPath must be string instead of {sdk.js_type(cloud_path)}"
        )
    try:
        return check_cloud_path(cloud_path)
    except CloudPathError as exc:
        raise sdk.backend_failure(_api(call), invalid(str(exc))) from None


def _paths(call: str, service: StorageService, file_ids: Sequence[Any]) -> list[str]:
    try:
        return [service.path_of(file_id) for file_id in file_ids]
    except DatabaseError as error:
        raise sdk.backend_failure(_api(call), error) from None


__all__ = ["UPLOAD_STATUS", "delete_file", "download_file", "get_temp_file_url", "upload_file"]
