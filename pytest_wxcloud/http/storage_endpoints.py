"""Storage over the HTTP API (http-api.md §3.11): ``/tcb/uploadfile``, ``/tcb/batchdownloadfile``,
``/tcb/batchdeletefile``.

Spellings differ from the SDK's and from each other: uploadfile answers ``file_id`` and
``cos_file_id``; download and delete lists use ``fileid`` (no underscore) and ``download_url``;
the delete input is ``fileid_list``. Per-file failures travel in ``status``/``errmsg`` with the
top-level errcode 0. The upload itself is a form POST to the returned ``url`` (the bucket's face).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..errors import ERR_CODE_TEXT, TCB_ERR_CODE
from ..storage.links import origin_of
from ..storage.service import FileRequest
from .incoming import required_string, tcb_body
from .wire import ApiError

if TYPE_CHECKING:
    from .router import Handler, HttpFace


def _status(code: str) -> tuple[int, str]:
    status = TCB_ERR_CODE.get(code, -501001)
    return status, "ok" if status == 0 else ERR_CODE_TEXT.get(status, "")


def upload_file(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    path = required_string(body, "path")
    metadata = face.cloud.storage.begin_upload(path, None, origin_of(request.url))
    return {
        "url": metadata["url"],
        "token": metadata["token"],
        "authorization": metadata["authorization"],
        "file_id": metadata["fileId"],
        "cos_file_id": metadata["cosFileId"],
    }


def batch_download_file(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    raw = body.get("file_list")
    if raw is None:
        raise ApiError(40101, "missing parameter file_list")
    if not isinstance(raw, list):
        raise ApiError(40097, f"invalid args, file_list must be a list, got {raw!r}")
    entries = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or "fileid" not in item:
            raise ApiError(
                40097, f"invalid args, file_list[{index}] must be {{fileid, max_age}}, got {item!r}"
            )
        entries.append(FileRequest(item["fileid"], item.get("max_age")))
    out = []
    for item in face.cloud.storage.temp_urls(entries, origin_of(request.url)):
        status, text = _status(item["code"])
        out.append(
            {
                "fileid": item["fileID"],
                "download_url": item["tempFileURL"],
                "status": status,
                "errmsg": text,
            }
        )
    return {"file_list": out}


def batch_delete_file(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    raw = body.get("fileid_list")
    if raw is None:
        raise ApiError(40101, "missing parameter fileid_list")
    if not isinstance(raw, list) or not all(isinstance(item, str) for item in raw):
        raise ApiError(40097, f"invalid args, fileid_list must be a list of fileIDs, got {raw!r}")
    out = []
    for item in face.cloud.storage.delete(raw):
        status, text = _status(item["code"])
        out.append({"fileid": item["fileID"], "status": status, "errmsg": text})
    return {"delete_list": out}


#: answered with ``{"errcode": 0, "errmsg": "ok", **fields}``
ENDPOINTS: dict[str, Handler] = {
    "/tcb/uploadfile": upload_file,
    "/tcb/batchdownloadfile": batch_download_file,
    "/tcb/batchdeletefile": batch_delete_file,
}

__all__ = ["ENDPOINTS"]
