"""wechatpy's cloud storage calls, unmodified, against the cloud (requests transport)."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from wechatpy import WeChatClient

from pytest_wxcloud import WxCloud


def test_wechatpy_upload_download_delete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cloud = WxCloud(env="test2-4a89da", seed=2)
    monkeypatch.chdir(tmp_path)
    Path("report.csv").write_bytes(
        b"a,b\n1,2\n"
    )  # wechatpy uploads a local path to the same cloud path
    with cloud.mock_http():
        client = WeChatClient(cloud.appid, cloud.secret)
        uploaded = client.cloud.upload_file(cloud.env, "report.csv")
        assert uploaded.status_code == 204
        assert cloud.storage.dump() == {"report.csv": b"a,b\n1,2\n"}
        file_id = cloud.storage.file_id("report.csv")
        (item,) = client.cloud.download_files(cloud.env, [{"fileid": file_id, "max_age": 60}])

        assert requests.get(item["download_url"]).content == b"a,b\n1,2\n"
        deleted = client.cloud.delete_files(cloud.env, [file_id])
        assert deleted == [{"fileid": file_id, "status": 0, "errmsg": "ok"}]
    assert cloud.storage.files() == []
