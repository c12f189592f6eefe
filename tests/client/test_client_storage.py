"""client.md §6 and §8 items 21-23: wx.cloud's storage calls from ``cloud.client(...)``, each
file checked against the bucket's preset or rules before the backend runs."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_wxcloud import CloudSDKError
from pytest_wxcloud.client import assert_allowed, assert_denied

PATH = "avatars/a.png"
ORIGINAL = b"alice's avatar"

#: client.md §6.1: (read: download / temp URL, write: overwrite / delete) for owner and other;
#: uploading to a new path makes the caller the owner, so it follows the owner's write column
PRESETS = {
    "READONLY": {"owner": (True, True), "other": (True, False)},
    "PRIVATE": {"owner": (True, True), "other": (False, False)},
    "ADMINWRITE": {"owner": (True, False), "other": (True, False)},
    "ADMINONLY": {"owner": (False, False), "other": (False, False)},
}
OPERATIONS = ("upload_new", "overwrite", "download", "temp_url", "delete")


def _attempt(client: Any, fid: str, operation: str) -> Any:
    if operation == "upload_new":
        return lambda: client.upload_file(cloud_path="avatars/new.png", file_content=b"new")
    if operation == "overwrite":
        return lambda: client.upload_file(cloud_path=PATH, file_content=b"defaced")
    if operation == "download":
        return lambda: client.download_file(file_id=fid)
    if operation == "temp_url":
        return lambda: client.get_temp_file_url(file_list=[fid])
    return lambda: client.delete_file(file_list=[fid])


def _expected(preset: str, who: str, operation: str) -> bool:
    if who == "anonymous":
        return False  # presets never admit unauthenticated callers (CB-NOLOGIN)
    read, write = PRESETS[preset][who]
    if operation == "upload_new":
        return PRESETS[preset]["owner"][1]
    return read if operation in ("download", "temp_url") else write


def _effect_ok(world: Any, fid: str, operation: str, who: str, result: dict[str, Any]) -> None:
    storage = world.cloud.storage
    if operation == "upload_new":
        assert result["errMsg"] == "cloud.uploadFile:ok"
        assert result["statusCode"] == 200
        assert storage.get("avatars/new.png").owner == {"owner": "oA", "other": "oB"}[who]
    elif operation == "overwrite":
        assert result == {"fileID": fid, "statusCode": 200, "errMsg": "cloud.uploadFile:ok"}
        assert storage.get(PATH).content == b"defaced"
    elif operation == "download":
        assert result == {
            "fileContent": ORIGINAL,
            "statusCode": 200,
            "errMsg": "cloud.downloadFile:ok",
        }
    elif operation == "temp_url":
        (item,) = result["fileList"]
        assert (item["fileID"], item["status"], item["errMsg"]) == (fid, 0, "ok")
        assert item["tempFileURL"].startswith("https://")
        assert result["errMsg"] == "cloud.getTempFileURL:ok"
    else:
        assert result == {
            "fileList": [{"fileID": fid, "status": 0, "errMsg": "ok"}],
            "errMsg": "cloud.deleteFile:ok",
        }
        assert PATH not in storage


@pytest.mark.parametrize("who", ["owner", "other", "anonymous"])
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("preset", list(PRESETS))
def test_storage_presets_for_owner_other_and_anonymous(world, preset, operation, who):
    world.cloud.permissions.configure(allow_unauthenticated=True)
    fid = world.cloud.client(world.alice).upload_file(cloud_path=PATH, file_content=ORIGINAL)[
        "fileID"
    ]
    world.cloud.permissions.set_storage(preset)
    client = world.cloud.client({"owner": world.alice, "other": world.bob, "anonymous": None}[who])
    attempt = _attempt(client, fid, operation)
    if _expected(preset, who, operation):
        _effect_ok(world, fid, operation, who, assert_allowed(attempt))
    else:
        denial = assert_denied(attempt)
        assert (denial.err_code, denial.err_msg) == (-503002, "STORAGE_EXCEED_AUTHORITY")
        assert str(denial) == (
            "errCode: -503002 storage permission denied | errMsg: STORAGE_EXCEED_AUTHORITY"
        )
        assert world.cloud.storage.get(PATH).content == ORIGINAL
        assert "avatars/new.png" not in world.cloud.storage
        assert world.cloud.permissions.decisions[-1].allowed is False


@pytest.mark.parametrize("operation", OPERATIONS)
def test_anonymous_clients_fail_501023_while_unauthenticated_mode_is_off(world, operation):
    fid = world.cloud.upload_file(cloud_path=PATH, file_content=ORIGINAL)["fileID"]
    world.cloud.permissions.set_storage({"read": True, "write": True})
    denial = assert_denied(_attempt(world.cloud.client(None), fid, operation))
    assert (denial.err_code, denial.err_msg) == (-501023, "Unauthenticated access is denied")
    assert world.cloud.storage.dump() == {PATH: ORIGINAL}


def test_rules_may_admit_anonymous_uploads_which_then_have_no_owner(world):
    world.cloud.permissions.configure(allow_unauthenticated=True)
    world.cloud.permissions.set_storage({"read": "auth == null", "write": "auth == null"})
    anonymous = world.cloud.client(None)
    anonymous.upload_file(cloud_path="guest/a.txt", file_content=b"hi")
    assert world.cloud.storage.get("guest/a.txt").owner is None
    assert_denied(
        world.cloud.client(world.alice).download_file, world.cloud.storage.file_id("guest/a.txt")
    )


def test_storage_rule_on_the_path(world):
    """§8 item 23."""
    world.cloud.storage.put("public/a.png", b"pub", owner="oA")
    world.cloud.storage.put("private/a.png", b"priv", owner="oA")
    world.cloud.permissions.set_storage(
        {"read": "/^public\\//.test(resource.path) == true", "write": "auth != null"}
    )
    bob = world.cloud.client(world.bob)
    assert (
        bob.download_file(file_id=world.cloud.storage.file_id("public/a.png"))["fileContent"]
        == b"pub"
    )
    denial = assert_denied(bob.download_file, world.cloud.storage.file_id("private/a.png"))
    assert "resource.path='private/a.png'" in denial.explanation
    assert "rule 'read'" in denial.explanation


def test_overwriting_makes_the_uploader_the_owner(world):
    world.cloud.permissions.set_storage({"read": True, "write": "auth != null"})
    world.cloud.client(world.alice).upload_file(cloud_path=PATH, file_content=ORIGINAL)
    world.cloud.client(world.bob).upload_file(cloud_path=PATH, file_content=b"bob's")
    assert world.cloud.storage.get(PATH).owner == "oB"


def test_files_uploaded_by_cloud_functions_belong_to_nobody(world):
    fid = world.cloud.upload_file(cloud_path=PATH, file_content=ORIGINAL)["fileID"]
    alice = world.cloud.client(world.alice)
    assert alice.download_file(file_id=fid)["fileContent"] == ORIGINAL  # READONLY reads
    denial = assert_denied(alice.delete_file, [fid])
    assert "resource.openid=None" in denial.explanation
    assert PATH in world.cloud.storage


def test_list_calls_refuse_whole_by_default_and_touch_nothing(world):
    alice = world.cloud.client(world.alice)
    mine = alice.upload_file(cloud_path="a/mine.png", file_content=b"1")["fileID"]
    theirs = world.cloud.client(world.bob).upload_file(cloud_path="a/b.png", file_content=b"2")[
        "fileID"
    ]
    denial = assert_denied(alice.delete_file, [mine, theirs])
    assert "deleteFile on file 'a/b.png' by openid 'oA'" in denial.explanation
    assert set(world.cloud.storage.dump()) == {"a/mine.png", "a/b.png"}


def test_list_calls_answer_per_file_in_item_mode(world):
    world.cloud.permissions.configure(storage_list_denial="item")
    world.cloud.permissions.set_storage("PRIVATE")
    alice = world.cloud.client(world.alice)
    mine = alice.upload_file(cloud_path="a/mine.png", file_content=b"1")["fileID"]
    theirs = world.cloud.client(world.bob).upload_file(cloud_path="a/b.png", file_content=b"2")[
        "fileID"
    ]
    urls = alice.get_temp_file_url(file_list=[theirs, {"fileID": mine, "maxAge": 60}])
    assert urls["errMsg"] == "cloud.getTempFileURL:ok"
    assert urls["fileList"][0] == {
        "fileID": theirs,
        "status": -503002,
        "errMsg": "STORAGE_EXCEED_AUTHORITY",
        "tempFileURL": "",
    }
    assert (urls["fileList"][1]["status"], urls["fileList"][1]["maxAge"]) == (0, 60)
    deleted = alice.delete_file(file_list=[theirs, mine])
    assert [(i["fileID"], i["status"]) for i in deleted["fileList"]] == [
        (theirs, -503002),
        (mine, 0),
    ]
    assert set(world.cloud.storage.dump()) == {"a/b.png"}


def test_missing_files_after_the_check(world):
    alice = world.cloud.client(world.alice)
    fid = world.cloud.storage.file_id("gone.png")
    with pytest.raises(CloudSDKError) as caught:
        alice.download_file(file_id=fid)
    failure = caught.value
    assert failure.err_code == -1
    assert failure.err_msg.startswith("cloud.downloadFile:fail storage file not exists")
    assert failure.code == "STORAGE_FILE_NONEXIST"
    (item,) = alice.get_temp_file_url(file_list=[fid])["fileList"]
    assert (item["status"], item["errMsg"]) == (-503003, "storage file not exists")
    # a missing file has no owner, so an owner-only write rule refuses deleting it
    assert_denied(alice.delete_file, [fid])


def test_argument_errors_come_before_the_check(world):
    world.cloud.permissions.set_storage("ADMINONLY")
    alice = world.cloud.client(world.alice)
    with pytest.raises(CloudSDKError) as caught:
        alice.upload_file(cloud_path=PATH)
    assert caught.value.err_msg == (
        "cloud.uploadFile:fail Type of fileContent must be fs.ReadStream instead of undefined"
    )
    with pytest.raises(CloudSDKError, match=r"cloud\.uploadFile:fail cloudPath '/a.png' must not"):
        alice.upload_file(cloud_path="/a.png", file_content=b"x")
    with pytest.raises(CloudSDKError, match=r"cloud\.deleteFile:fail 51 files in one call"):
        alice.delete_file(file_list=[world.cloud.storage.file_id("a.png")] * 51)
    with pytest.raises(CloudSDKError, match=r"cloud\.getTempFileURL:fail fileID 'x' is not"):
        alice.get_temp_file_url(file_list=["x"])
    assert world.cloud.permissions.decisions == []


def test_each_file_is_logged_and_the_server_api_stays_admin(world):
    world.cloud.permissions.set_storage("ADMINONLY")
    fid = world.cloud.upload_file(cloud_path=PATH, file_content=ORIGINAL)["fileID"]
    assert world.cloud.download_file(file_id=fid)["fileContent"] == ORIGINAL
    assert world.cloud.permissions.decisions == []
    assert_denied(world.cloud.client(world.alice).get_temp_file_url, [fid])
    (decision,) = world.cloud.permissions.decisions
    assert (decision.operation, decision.target, decision.caller) == (
        "getTempFileURL",
        f"file {PATH!r}",
        "oA",
    )
