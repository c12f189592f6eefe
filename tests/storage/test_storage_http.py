"""Storage over the HTTP API (http-api.md §3.11): uploadfile + the form POST wechatpy sends,
batchdownloadfile + GET, batchdeletefile; spellings and per-file statuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pytest_wxcloud import WxCloud

API = "https://api.weixin.qq.com"


class Backend:
    """An admin back end: a token, then POSTs as wechatpy makes them (JSON bytes, no type)."""

    def __init__(self, cloud: WxCloud, client: httpx.Client) -> None:
        self.cloud = cloud
        self.client = client
        params = {"grant_type": "client_credential", "appid": cloud.appid, "secret": cloud.secret}
        self.token = client.get(f"{API}/cgi-bin/token", params=params).json()["access_token"]

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(
            f"{API}{path}", params={"access_token": self.token}, content=json.dumps(body)
        )
        result: dict[str, Any] = response.json()
        return result

    def upload(self, path: str, content: bytes) -> dict[str, Any]:
        meta = self.post("/tcb/uploadfile", {"env": self.cloud.env, "path": path})
        # wechatpy's upload_file: requests.post(url, files={...}) with the file first
        form = {
            "file": (path.rsplit("/", 1)[-1], content),
            "key": (None, path),
            "Signature": (None, meta["authorization"]),
            "x-cos-security-token": (None, meta["token"]),
            "x-cos-meta-fileid": (None, meta["cos_file_id"]),
        }
        posted = self.client.post(meta["url"], files=form)
        assert posted.status_code == 204, posted.text
        return meta


@pytest.fixture
def backend() -> Iterator[Backend]:
    cloud = WxCloud(env="test2-4a89da", seed=2)
    with cloud.mock_http(), httpx.Client() as client:
        yield Backend(cloud, client)


def test_upload_download_delete(backend: Backend) -> None:
    cloud = backend.cloud
    meta = backend.upload("A.png", b"png-bytes")
    assert set(meta) == {
        "errcode",
        "errmsg",
        "url",
        "token",
        "authorization",
        "file_id",
        "cos_file_id",
    }
    assert meta["file_id"] == cloud.storage.file_id("A.png")
    assert cloud.storage.get("A.png") is not None
    assert cloud.storage.dump() == {"A.png": b"png-bytes"}

    listed = backend.post(
        "/tcb/batchdownloadfile",
        {"env": cloud.env, "file_list": [{"fileid": meta["file_id"], "max_age": 7200}]},
    )
    (item,) = listed["file_list"]
    assert set(item) == {"fileid", "download_url", "status", "errmsg"}
    assert (item["fileid"], item["status"], item["errmsg"]) == (meta["file_id"], 0, "ok")
    assert backend.client.get(item["download_url"]).content == b"png-bytes"

    deleted = backend.post(
        "/tcb/batchdeletefile", {"env": cloud.env, "fileid_list": [meta["file_id"]] * 2}
    )
    assert deleted["errcode"] == 0
    assert deleted["delete_list"] == [
        {"fileid": meta["file_id"], "status": 0, "errmsg": "ok"},
        {"fileid": meta["file_id"], "status": -503003, "errmsg": "storage file not exists"},
    ]
    assert cloud.storage.files() == []


def test_the_upload_url_takes_one_upload_for_its_own_path(backend: Backend) -> None:
    meta = backend.upload("a.txt", b"one")
    again = backend.client.post(meta["url"], files={"key": (None, "a.txt"), "file": ("a", b"two")})
    assert again.status_code == 403 and "AccessDenied" in again.text
    other = backend.post("/tcb/uploadfile", {"env": backend.cloud.env, "path": "b.txt"})
    wrong_key = backend.client.post(
        other["url"], files={"key": (None, "c.txt"), "file": ("c", b"x")}
    )
    assert wrong_key.status_code == 403
    assert backend.cloud.storage.dump() == {"a.txt": b"one"}


@pytest.mark.parametrize(
    ("path", "body", "errcode"),
    [
        ("/tcb/uploadfile", {"env": "test2-4a89da"}, 40101),
        ("/tcb/uploadfile", {"env": "test2-4a89da", "path": "../x"}, -501007),
        ("/tcb/uploadfile", {"env": "other", "path": "x"}, -501000),
        ("/tcb/batchdownloadfile", {"env": "test2-4a89da"}, 40101),
        ("/tcb/batchdownloadfile", {"env": "test2-4a89da", "file_list": ["x"]}, 40097),
        ("/tcb/batchdeletefile", {"env": "test2-4a89da", "fileid_list": "x"}, 40097),
        (
            "/tcb/batchdeletefile",
            {"env": "test2-4a89da", "fileid_list": ["cloud://a.b/c"]},
            -501007,
        ),
    ],
)
def test_bad_requests(backend: Backend, path: str, body: dict[str, Any], errcode: int) -> None:
    answer = backend.post(path, body)
    assert answer["errcode"] == errcode, answer
    assert " rid: " in answer["errmsg"]


def test_51_files_is_refused(backend: Backend) -> None:
    ids = [backend.cloud.storage.file_id(f"{i}.txt") for i in range(51)]
    answer = backend.post("/tcb/batchdeletefile", {"env": backend.cloud.env, "fileid_list": ids})
    assert answer["errcode"] == -501007 and "at most 50" in answer["errmsg"]
