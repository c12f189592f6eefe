"""``storage.*`` actions: wx-server-sdk's uploadFile / getTempFileURL / downloadFile / deleteFile.

Bodies and replies as node-sdk 3.17.2 (and 2.x) send and read them (sdk.md §5, node-runtime.md
§2.2): ``getUploadMetadata {path}`` → ``data {url, token, authorization, fileId, cosFileId}``
(all five present, or the SDK's next request fails), then the bytes go to ``url`` (the bucket's
own face, :mod:`pytest_wxcloud.storage.files_face`); ``batchGetDownloadUrl {file_list: [{fileid,
max_age?}]}`` → ``data.download_list``; ``batchDeleteFile {fileid_list}`` → ``data.delete_list``.
URLs point back at the origin the request came in on, so a loopback server serves them too.
"""

from __future__ import annotations

from typing import Any

from ..storage.links import origin_of
from ..storage.service import FileRequest
from .request import Action, AdminRequest
from .wire import BadRequest, string_field


def _origin(request: AdminRequest) -> str | None:
    return origin_of(request.url) if request.url else None


def get_upload_metadata(request: AdminRequest) -> dict[str, Any]:
    path = string_field(request.body, "path")
    return {"data": request.cloud.storage.begin_upload(path, None, _origin(request))}


def batch_get_download_url(request: AdminRequest) -> dict[str, Any]:
    raw = request.body.get("file_list")
    if not isinstance(raw, list):
        raise BadRequest(f"file_list must be a list of {{fileid, max_age?}}, got {raw!r}")
    entries = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "fileid" not in item:
            raise BadRequest(f"file_list[{index}] must be {{fileid, max_age?}}, got {item!r}")
        entries.append(FileRequest(item["fileid"], item.get("max_age")))
    items = request.cloud.storage.temp_urls(entries, _origin(request))
    return {"data": {"download_list": items}}


def batch_delete_file(request: AdminRequest) -> dict[str, Any]:
    raw = request.body.get("fileid_list")
    if not isinstance(raw, list):
        raise BadRequest(f"fileid_list must be a list of fileIDs, got {raw!r}")
    return {"data": {"delete_list": request.cloud.storage.delete(raw)}}


ACTIONS: dict[str, Action] = {
    "storage.getUploadMetadata": get_upload_metadata,
    "storage.batchGetDownloadUrl": batch_get_download_url,
    "storage.batchDeleteFile": batch_delete_file,
}

__all__ = ["ACTIONS"]
