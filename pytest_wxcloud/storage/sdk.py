"""The server SDK's storage calls: ``uploadFile``, ``downloadFile``, ``getTempFileURL``,
``deleteFile`` with wx-server-sdk 4.0.2's argument checks, result keys and error texts (sdk.md §5).

Like the real SDK, these go through the same backend steps a Node function's calls take (upload
metadata then the bytes to the ticket; a temp URL then its GET), so every face agrees.
Backend failures come out as the SDK's "Error instance" path renders them: errCode -1,
``"<api>:fail <message>"``, plus the backend ``code``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ERR_CODE_TEXT, TCB_ERR_CODE, CloudSDKError, DatabaseError, api_failure
from .service import FileRequest, LinkRefused, StorageService

#: how long the URL ``downloadFile`` fetches through lives (its ``max_age``, node-runtime.md §2.2)
DOWNLOAD_MAX_AGE = 600


def js_type(value: Any) -> str:
    """The name the SDK's type assertions print (``instead of number``)."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def backend_failure(api: str, error: DatabaseError) -> CloudSDKError:
    return api_failure(api, error.detail, code=error.code)


def _item_status(code: str) -> tuple[int, str]:
    status = TCB_ERR_CODE.get(code, -501001)
    return status, "ok" if status == 0 else ERR_CODE_TEXT.get(status, "")


def upload_content(api: str, file_content: Any) -> bytes:
    """The bytes to upload: ``bytes``-like or a binary file object, as the SDK accepts."""
    if file_content is None:
        raise api_failure(api, "Type of fileContent must be fs.ReadStream instead of undefined")
    if hasattr(file_content, "read") and callable(file_content.read):
        file_content = file_content.read()
    if not isinstance(file_content, (bytes, bytearray, memoryview)):
        raise api_failure(
            api,
            "[node-sdk] fileContent should be instance of fs.ReadStream or Buffer",
            code="INVALID_PARAM",
        )
    return bytes(file_content)


def store(
    api: str, service: StorageService, cloud_path: Any, content: bytes, owner: str | None
) -> str:
    """The upload's backend steps (metadata, then the bytes to the ticket); the fileID."""
    if not isinstance(cloud_path, str):
        raise api_failure(api, f"Type of cloudPath must be string instead of {js_type(cloud_path)}")
    try:
        metadata = service.begin_upload(cloud_path, owner, origin=None)
        token = metadata["url"].rsplit("/", 1)[-1]
        service.finish_upload(token, content)
    except DatabaseError as error:
        raise backend_failure(api, error) from None
    except LinkRefused as refused:
        raise api_failure(
            api, f"[{refused.code}]: {refused.message}", code="STORAGE_REQUEST_FAIL"
        ) from None
    return metadata["fileId"]


def upload_file(service: StorageService, cloud_path: Any, file_content: Any) -> dict[str, Any]:
    """Server-side uploads carry no owner: the server SDK acts as the admin, not as a user."""
    api = "uploadFile"
    file_id = store(api, service, cloud_path, upload_content(api, file_content), None)
    # statusCode is -1 in 4.0.2: node-sdk 3.x never calls the SDK's response hook (sdk.md §5)
    return {"fileID": file_id, "statusCode": -1, "errMsg": "uploadFile:ok"}


def check_file_id(api: str, file_id: Any) -> str:
    if not isinstance(file_id, str):
        raise api_failure(api, f"Type of fileID must be string instead of {js_type(file_id)}")
    return file_id


def fetch(api: str, service: StorageService, file_id: str) -> bytes:
    """What ``downloadFile`` does: a short-lived temp URL, then its GET."""
    try:
        (item,) = service.temp_urls([FileRequest(file_id, DOWNLOAD_MAX_AGE)], origin=None)
    except DatabaseError as error:
        raise backend_failure(api, error) from None
    if item["code"] != "SUCCESS":
        raise api_failure(api, item.get("message", "undefined"), code=item["code"])
    token = item["tempFileURL"].split("sign=", 1)[1].split("&", 1)[0]
    try:
        stored = service.open_link(token)
    except LinkRefused as refused:
        raise api_failure(
            api,
            f"下载文件失败: Status:{refused.status} Url:{item['tempFileURL']}",
            code="STORAGE_REQUEST_FAIL",
        ) from None
    return stored.content


def download_file(service: StorageService, file_id: Any) -> dict[str, Any]:
    api = "downloadFile"
    content = fetch(api, service, check_file_id(api, file_id))
    return {"fileContent": content, "statusCode": 200, "errMsg": "downloadFile:ok"}


def temp_url_requests(api: str, file_list: Any) -> list[FileRequest]:
    """``fileList`` entries (fileIDs or ``{fileID, maxAge}``) with the SDK's checks."""
    if not isinstance(file_list, (list, tuple)):
        raise api_failure(api, f"Type of fileList must be array instead of {js_type(file_list)}")
    entries = []
    for index, entry in enumerate(file_list):
        if isinstance(entry, str):
            entries.append(FileRequest(entry))
        elif isinstance(entry, dict):
            if "fileID" not in entry or "maxAge" not in entry:
                raise api_failure(
                    api, "fileList 的元素如果是对象，必须是包含 fileID 和 maxAge 的对象"
                )
            entries.append(FileRequest(entry["fileID"], entry["maxAge"]))
        else:
            raise api_failure(
                api, f"Type of fileList[{index}] must be string instead of {js_type(entry)}"
            )
    return entries


def temp_url_items(
    api: str, service: StorageService, requests: list[FileRequest]
) -> list[dict[str, Any]]:
    """The backend's temp URLs, rendered as the SDK's per-file entries."""
    try:
        items = service.temp_urls(requests, origin=None)
    except DatabaseError as error:
        raise backend_failure(api, error) from None
    out = []
    for item in items:
        status, text = _item_status(item["code"])
        rendered: dict[str, Any] = {"fileID": item["fileID"], "status": status, "errMsg": text}
        if "maxAge" in item:
            rendered["maxAge"] = item["maxAge"]
        rendered["tempFileURL"] = item["tempFileURL"]
        out.append(rendered)
    return out


def get_temp_file_url(service: StorageService, file_list: Any) -> dict[str, Any]:
    api = "getTempFileURL"
    items = temp_url_items(api, service, temp_url_requests(api, file_list))
    return {"fileList": items, "errMsg": "getTempFileURL:ok"}


def file_id_list(api: str, file_list: Any) -> list[str]:
    """``deleteFile``'s ``fileList``: fileID strings only."""
    if not isinstance(file_list, (list, tuple)):
        raise api_failure(api, f"Type of fileList must be array instead of {js_type(file_list)}")
    for index, entry in enumerate(file_list):
        if not isinstance(entry, str):
            raise api_failure(
                api, f"Type of fileList[{index}] must be string instead of {js_type(entry)}"
            )
    return list(file_list)


def delete_items(api: str, service: StorageService, file_ids: list[str]) -> list[dict[str, Any]]:
    try:
        items = service.delete(file_ids)
    except DatabaseError as error:
        raise backend_failure(api, error) from None
    out = []
    for item in items:
        status, text = _item_status(item["code"])
        out.append({"fileID": item["fileID"], "status": status, "errMsg": text})
    return out


def delete_file(service: StorageService, file_list: Any) -> dict[str, Any]:
    api = "deleteFile"
    items = delete_items(api, service, file_id_list(api, file_list))
    return {"fileList": items, "errMsg": "deleteFile:ok"}


__all__ = [
    "DOWNLOAD_MAX_AGE",
    "backend_failure",
    "check_file_id",
    "delete_file",
    "delete_items",
    "download_file",
    "fetch",
    "file_id_list",
    "get_temp_file_url",
    "js_type",
    "store",
    "temp_url_items",
    "temp_url_requests",
    "upload_content",
    "upload_file",
]
