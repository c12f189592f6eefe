"""The /admin storage actions and the file URLs, byte for byte as wx-server-sdk sends them
(node-runtime.md §2.2, §2.5): 4.x PUTs chunked with a ``key`` header, 2.x POSTs a form, URLs are
opaque tokens on the origin the request came in on."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.cloudbase import AdminFace
from pytest_wxcloud.storage import FilesFace

ORIGIN = "http://127.0.0.1:45665"
COMMON = {
    "envName": "test-env-1a2b",
    "wxCloudApiToken": "",
    "tcb_sessionToken": "",
    "crossAuthorizationToken": "",
}


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(env="test-env-1a2b", seed=4)


def admin(cloud: WxCloud, body: dict[str, Any]) -> dict[str, Any]:
    request = httpx.Request(
        "POST",
        f"{ORIGIN}/admin?env=test-env-1a2b&seqId=18f31737000_1",
        content=json.dumps({**body, **COMMON}),
        headers={"content-type": "application/json"},
    )
    response = AdminFace(cloud).answer(request)
    assert response is not None and response.status_code == 200
    reply: dict[str, Any] = response.json()
    return reply


def files(cloud: WxCloud, request: httpx.Request) -> httpx.Response:
    response = FilesFace(cloud).answer(request)
    assert response is not None
    return response


def encode_uri(url: str) -> str:
    """JavaScript's encodeURI, which the SDK applies to tempFileURL before its GET."""
    return quote(url, safe=";,/?:@&=+$-_.!~*'()#")


def test_upload_put_4x_then_download_then_delete(cloud: WxCloud) -> None:
    path = "dir/你好 a+b#1.png"
    meta = admin(cloud, {"action": "storage.getUploadMetadata", "path": path, "method": "put"})
    data = meta["data"]
    assert set(data) == {"url", "token", "authorization", "fileId", "cosFileId"}
    assert data["url"].startswith(f"{ORIGIN}/__cos/") and "#" not in data["url"]
    assert data["fileId"] == cloud.storage.file_id(path)
    assert cloud.storage.files() == []  # nothing stored before the bytes come

    put = httpx.Request(
        "PUT",
        data["url"],
        content=iter([b"chunk-1", b"chunk-2"]),  # chunked, no content-length, no type
        headers={
            "Signature": data["authorization"],
            "authorization": data["authorization"],
            "x-cos-security-token": data["token"],
            "x-cos-meta-fileid": data["cosFileId"],
            "key": quote(path, safe="-_.!~*'()"),
        },
    )
    uploaded = files(cloud, put)
    assert uploaded.status_code == 200 and uploaded.content == b""
    stored = cloud.storage.get(path)
    assert stored is not None and stored.content == b"chunk-1chunk-2"
    assert stored.content_type == "image/png"

    listed = admin(
        cloud,
        {
            "action": "storage.batchGetDownloadUrl",
            "file_list": [{"fileid": data["fileId"], "max_age": 600}],
        },
    )
    (item,) = listed["data"]["download_list"]
    assert item["code"] == "SUCCESS" and item["fileID"] == data["fileId"]
    got = files(cloud, httpx.Request("GET", encode_uri(item["tempFileURL"])))
    assert got.status_code == 200 and got.content == b"chunk-1chunk-2"

    deleted = admin(cloud, {"action": "storage.batchDeleteFile", "fileid_list": [data["fileId"]]})
    assert deleted["data"]["delete_list"] == [{"code": "SUCCESS", "fileID": data["fileId"]}]
    assert files(cloud, httpx.Request("GET", item["tempFileURL"])).status_code == 404


def test_upload_post_2x(cloud: WxCloud) -> None:
    meta = admin(cloud, {"action": "storage.getUploadMetadata", "path": "v2/a.txt"})["data"]
    form = httpx.Request(
        "POST",
        meta["url"],
        files={
            "key": (None, "v2/a.txt"),
            "signature": (None, meta["authorization"]),
            "x-cos-security-token": (None, meta["token"]),
            "x-cos-meta-fileid": (None, meta["cosFileId"]),
            "file": ("a.txt", b"from 2.x", "text/plain"),
        },
    )
    assert files(cloud, form).status_code == 204
    assert cloud.storage.dump() == {"v2/a.txt": b"from 2.x"}


def test_missing_files_and_bad_requests(cloud: WxCloud) -> None:
    missing = cloud.storage.file_id("none.png")
    listed = admin(
        cloud, {"action": "storage.batchGetDownloadUrl", "file_list": [{"fileid": missing}]}
    )
    (item,) = listed["data"]["download_list"]
    assert item["code"] == "STORAGE_FILE_NONEXIST" and item["tempFileURL"] == ""
    deleted = admin(cloud, {"action": "storage.batchDeleteFile", "fileid_list": [missing]})
    assert deleted["data"]["delete_list"] == [{"code": "STORAGE_FILE_NONEXIST", "fileID": missing}]
    for body, text in [
        ({"action": "storage.getUploadMetadata", "path": "a/../b"}, "'..'"),
        ({"action": "storage.getUploadMetadata"}, "path"),
        ({"action": "storage.batchGetDownloadUrl", "file_list": "x"}, "file_list"),
        ({"action": "storage.batchDeleteFile", "fileid_list": [missing] * 51}, "at most 50"),
    ]:
        reply = admin(cloud, body)
        assert reply["code"] == "INVALID_PARAM" and text in reply["message"], reply


def test_file_urls_of_other_paths_are_not_answered(cloud: WxCloud) -> None:
    assert FilesFace(cloud).answer(httpx.Request("GET", f"{ORIGIN}/admin")) is None
    refused = files(cloud, httpx.Request("PUT", f"{ORIGIN}/__cos/0123", content=b"x"))
    assert refused.status_code == 403 and cloud.storage.files() == []
