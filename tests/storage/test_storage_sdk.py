"""cloud.upload_file / download_file / get_temp_file_url / delete_file as wx-server-sdk 4.0.2
shapes them (sdk.md §5), from test code and from handlers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx
import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.functions import current_cloud

START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(env="cloud1-abc123", seed=5, now=START)


def test_upload_returns_the_file_id_in_production_format(cloud: WxCloud) -> None:
    result = cloud.upload_file(cloud_path="images/a.png", file_content=b"\x89PNG")
    bucket = cloud.storage.bucket
    assert result == {
        "fileID": f"cloud://cloud1-abc123.636c-cloud1-abc123-{bucket.app_number}/images/a.png",
        "statusCode": -1,  # 4.0.2: node-sdk 3.x never reports the status
        "errMsg": "uploadFile:ok",
    }
    assert 1250000000 <= bucket.app_number <= 1329999999
    # same seed, same fileID; another seed, another bucket
    again = WxCloud(env="cloud1-abc123", seed=5).upload_file(
        cloud_path="images/a.png", file_content=b"x"
    )
    other = WxCloud(env="cloud1-abc123", seed=6).upload_file(
        cloud_path="images/a.png", file_content=b"x"
    )
    assert again["fileID"] == result["fileID"] != other["fileID"]


def test_download_returns_the_bytes(cloud: WxCloud) -> None:
    file_id = cloud.upload_file(cloud_path="a.txt", file_content=b"hello")["fileID"]
    assert cloud.download_file(file_id=file_id) == {
        "fileContent": b"hello",
        "statusCode": 200,
        "errMsg": "downloadFile:ok",
    }


def test_download_of_a_missing_file_rejects(cloud: WxCloud) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.download_file(file_id=cloud.storage.file_id("nope.txt"))
    assert caught.value.err_code == -1
    assert caught.value.err_msg.startswith("downloadFile:fail ")
    assert caught.value.code == "STORAGE_FILE_NONEXIST"


def test_overwrite_keeps_the_file_id_and_serves_the_new_bytes(cloud: WxCloud) -> None:
    first = cloud.upload_file(cloud_path="a.txt", file_content=b"one")["fileID"]
    url = cloud.get_temp_file_url(file_list=[first])["fileList"][0]["tempFileURL"]
    second = cloud.upload_file(cloud_path="a.txt", file_content=b"two")["fileID"]
    assert first == second
    assert cloud.download_file(file_id=first)["fileContent"] == b"two"
    with cloud.mock_http():
        assert httpx.get(url).content == b"two"
    assert len(cloud.storage) == 1


def test_temp_urls_per_item_status_and_max_age(cloud: WxCloud) -> None:
    file_id = cloud.upload_file(cloud_path="d/x.png", file_content=b"x")["fileID"]
    missing = cloud.storage.file_id("d/missing.png")
    result = cloud.get_temp_file_url(
        file_list=[file_id, missing, {"fileID": file_id, "maxAge": 60}]
    )
    assert result["errMsg"] == "getTempFileURL:ok"
    ok, gone, short = result["fileList"]
    assert ok["fileID"] == file_id and ok["status"] == 0 and ok["errMsg"] == "ok"
    host = f"https://{cloud.storage.bucket.name}.tcb.qcloud.la/d/x.png?sign="
    assert ok["tempFileURL"].startswith(host)
    assert ok["maxAge"] == 86400 and short["maxAge"] == 60
    assert gone == {
        "fileID": missing,
        "status": -503003,
        "errMsg": "storage file not exists",
        "tempFileURL": "",
    }


def test_temp_url_expires_on_the_cloud_clock_and_forgeries_are_refused(cloud: WxCloud) -> None:
    file_id = cloud.upload_file(cloud_path="a.txt", file_content=b"hello")["fileID"]
    url = cloud.get_temp_file_url(file_list=[{"fileID": file_id, "maxAge": 60}])["fileList"][0][
        "tempFileURL"
    ]
    with cloud.mock_http(), httpx.Client() as client:
        assert client.get(url).content == b"hello"
        forged = url.replace("sign=", "sign=0")
        refused = client.get(forged)
        assert refused.status_code == 403 and "<Code>AccessDenied</Code>" in refused.text
        cloud.clock.advance(timedelta(seconds=61))
        expired = client.get(url)
        assert expired.status_code == 403 and "expired" in expired.text


def test_a_deleted_file_url_is_404(cloud: WxCloud) -> None:
    file_id = cloud.upload_file(cloud_path="a.txt", file_content=b"hello")["fileID"]
    url = cloud.get_temp_file_url(file_list=[file_id])["fileList"][0]["tempFileURL"]
    cloud.delete_file(file_list=[file_id])
    with cloud.mock_http():
        response = httpx.get(url)
    assert response.status_code == 404 and "NoSuchKey" in response.text


def test_delete_reports_each_file(cloud: WxCloud) -> None:
    file_id = cloud.upload_file(cloud_path="a.txt", file_content=b"x")["fileID"]
    result = cloud.delete_file(file_list=[file_id, file_id])
    assert result == {
        "fileList": [
            {"fileID": file_id, "status": 0, "errMsg": "ok"},
            {"fileID": file_id, "status": -503003, "errMsg": "storage file not exists"},
        ],
        "errMsg": "deleteFile:ok",
    }
    assert cloud.storage.files() == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.upload_file(cloud_path="a.png"),
            "uploadFile:fail Type of fileContent must be fs.ReadStream instead of undefined",
        ),
        (
            lambda c: c.upload_file(cloud_path="a.png", file_content="text"),
            "uploadFile:fail [node-sdk] fileContent should be instance of fs.ReadStream or Buffer",
        ),
        (
            lambda c: c.get_temp_file_url(file_list=[{"fileID": "cloud://x"}]),
            "getTempFileURL:fail fileList 的元素如果是对象，必须是包含 fileID 和 maxAge 的对象",
        ),
        (
            lambda c: c.delete_file(file_list=[1]),
            "deleteFile:fail Type of fileList[0] must be string instead of number",
        ),
    ],
)
def test_argument_errors_have_the_sdk_texts(cloud: WxCloud, call: object, message: str) -> None:
    with pytest.raises(CloudSDKError) as caught:
        call(cloud)  # type: ignore[operator]
    assert caught.value.err_code == -1
    assert caught.value.err_msg == message


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("a/../b.png", "'..'"),
        ("dir/", "empty file name"),
        ("", "must not be empty"),
        ("/abs.png", "must not start with '/'"),
        ("a//b.png", "empty folder name"),
        ("x" * 851, "at most 850"),
    ],
)
def test_bad_cloud_paths_are_refused_and_nothing_is_stored(
    cloud: WxCloud, path: str, reason: str
) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.upload_file(cloud_path=path, file_content=b"x")
    assert caught.value.err_msg.startswith("uploadFile:fail ")
    assert reason in caught.value.err_msg
    assert caught.value.code == "INVALID_PARAM"
    assert cloud.storage.files() == []


def test_a_file_over_the_size_limit_is_refused(cloud: WxCloud) -> None:
    cloud.storage.max_file_size = 4
    with pytest.raises(CloudSDKError) as caught:
        cloud.upload_file(cloud_path="big.bin", file_content=b"12345")
    assert caught.value.err_msg.startswith("uploadFile:fail [EntityTooLarge]: ")
    assert caught.value.code == "STORAGE_REQUEST_FAIL"
    assert cloud.storage.files() == []


def test_more_than_50_files_in_one_call_is_an_error(cloud: WxCloud) -> None:
    ids = [cloud.storage.file_id(f"f{i}.txt") for i in range(51)]
    for call in (cloud.get_temp_file_url, cloud.delete_file):
        with pytest.raises(CloudSDKError) as caught:
            call(file_list=ids)
        assert "51 files in one call; at most 50" in caught.value.err_msg
        assert caught.value.code == "INVALID_PARAM"
    assert len(cloud.get_temp_file_url(file_list=ids[:50])["fileList"]) == 50


def test_a_file_id_of_another_env_is_an_error(cloud: WxCloud) -> None:
    foreign = WxCloud(env="other-env", seed=5).storage.file_id("a.txt")
    cloud.upload_file(cloud_path="a.txt", file_content=b"x")
    with pytest.raises(CloudSDKError) as caught:
        cloud.delete_file(file_list=[foreign])
    assert "belongs to env 'other-env'" in caught.value.err_msg
    assert len(cloud.storage) == 1


def test_from_a_handler_through_current_cloud(cloud: WxCloud) -> None:
    @cloud.function("avatar")
    def avatar(event: dict[str, str], context: object) -> str:
        return str(
            current_cloud().upload_file(cloud_path=event["path"], file_content=b"img")["fileID"]
        )

    file_id = cloud.call_function("avatar", {"path": "avatars/u.png"}, as_user=cloud.user())[
        "result"
    ]
    assert cloud.download_file(file_id=file_id)["fileContent"] == b"img"


def test_storage_lists_files_with_size_type_and_owner(cloud: WxCloud) -> None:
    cloud.upload_file(cloud_path="docs/a.json", file_content=b"{}")
    cloud.storage.put("up/b.jpg", b"jpeg!", owner="o_alice")
    listed = [(f.cloud_path, f.size, f.content_type, f.owner) for f in cloud.storage.files()]
    assert listed == [
        ("docs/a.json", 2, "application/json", None),
        ("up/b.jpg", 5, "image/jpeg", "o_alice"),
    ]
    assert cloud.storage.dump() == {"docs/a.json": b"{}", "up/b.jpg": b"jpeg!"}


def test_seed_folder(cloud: WxCloud, tmp_path: object) -> None:
    from pathlib import Path

    root = Path(str(tmp_path))
    (root / "img").mkdir()
    (root / "img" / "a.png").write_bytes(b"A")
    (root / "readme.txt").write_bytes(b"R")
    ids = cloud.storage.seed_folder(root, prefix="seed/")
    assert ids == [
        cloud.storage.file_id("seed/img/a.png"),
        cloud.storage.file_id("seed/readme.txt"),
    ]
    assert cloud.download_file(file_id=ids[0])["fileContent"] == b"A"


def test_snapshot_and_restore_include_storage(cloud: WxCloud) -> None:
    cloud.seed({"books": [{"_id": "b1"}]})
    cloud.upload_file(cloud_path="keep.txt", file_content=b"keep")
    saved = cloud.snapshot()
    cloud.upload_file(cloud_path="keep.txt", file_content=b"changed")
    cloud.upload_file(cloud_path="new.txt", file_content=b"new")
    cloud.database().collection("books").add(data={"t": 1})
    assert cloud.snapshot() != saved
    cloud.restore(saved)
    assert cloud.storage.dump() == {"keep.txt": b"keep"}
    assert cloud.dump("books") == [{"_id": "b1"}]
    assert cloud.snapshot() == saved
