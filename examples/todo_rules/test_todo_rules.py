"""A todo mini program's deployed rules (permissions.json), tested as Firebase users test theirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.client import assert_allowed, assert_denied

RULES = Path(__file__).with_name("permissions.json")


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud()
    # seeding goes through the server API: admin, past the rules
    cloud.seed(
        {
            "todos": [
                {"_id": "t-alice", "_openid": "alice", "title": "milk"},
                {"_id": "t-bob", "_openid": "bob", "title": "eggs"},
            ],
            "announcements": [{"_id": "hello", "text": "welcome"}],
        }
    )
    cloud.permissions.load(RULES)
    return cloud


def todos(cloud: WxCloud, openid: str | None):
    return cloud.client(Identity(openid=openid) if openid else None).database().collection("todos")


def test_alice_reads_her_todos(cloud):
    result = assert_allowed(todos(cloud, "alice").where({"_openid": "{openid}"}).get)
    assert [d["title"] for d in result["data"]] == ["milk"]


def test_alice_cannot_read_bobs_todos(cloud):
    assert_denied(todos(cloud, "alice").where({"_openid": "bob"}).get)
    assert_denied(todos(cloud, "alice").get)  # rules validate: no silent filtering
    assert_denied(todos(cloud, "alice").where({"_id": "t-bob"}).get)


def test_anonymous_users_read_nothing(cloud):
    assert assert_denied(todos(cloud, None).get).err_code == -501023
    cloud.permissions.configure(allow_unauthenticated=True)  # 未登录模式 on: the rules decide
    assert_denied(todos(cloud, None).where({"_openid": "{openid}"}).get)
    announcements = cloud.client(None).database().collection("announcements")
    assert_denied(announcements.get)  # presets never admit unauthenticated callers


def test_nobody_forges_openid(cloud):
    with pytest.raises(Exception, match="invalid key name: _openid"):
        todos(cloud, "mallory").add({"title": "pwned", "_openid": "alice"})
    with pytest.raises(Exception, match="invalid key name: _openid"):
        todos(cloud, "alice").where({"_openid": "{openid}"}).update({"_openid": "bob"})
    new_id = todos(cloud, "mallory").add({"title": "mine"})["_id"]
    assert cloud.database().collection("todos").doc(new_id).get()["data"]["_openid"] == "mallory"


def test_only_the_owner_updates_and_removes(cloud):
    mine = todos(cloud, "alice").where({"_id": "t-alice", "_openid": "{openid}"})
    assert mine.update({"done": True})["stats"]["updated"] == 1
    assert_denied(todos(cloud, "bob").where({"_id": "t-alice"}).remove)
    assert assert_allowed(mine.remove)["stats"]["removed"] == 1


def test_announcements_are_read_only_for_clients(cloud):
    announcements = cloud.client(Identity(openid="alice")).database().collection("announcements")
    assert len(announcements.get()["data"]) == 1
    assert_denied(announcements.add, {"text": "spam"})


def test_storage_rules_from_the_same_file(cloud):
    check = cloud.permissions.check_storage
    assert check("downloadFile", "todo/a.png", owner="bob", caller="alice").allowed
    assert_denied(check, "deleteFile", "todo/a.png", owner="bob", caller="alice")


def test_an_avatar_only_its_owner_replaces_or_deletes(cloud):
    alice = cloud.client(Identity(openid="alice"))
    bob = cloud.client(Identity(openid="bob"))
    avatar = alice.upload_file(cloud_path="avatars/alice.png", file_content=b"alice")["fileID"]
    assert bob.download_file(file_id=avatar)["fileContent"] == b"alice"  # logged-in users read
    assert_denied(bob.upload_file, cloud_path="avatars/alice.png", file_content=b"bob was here")
    assert_denied(bob.delete_file, [avatar])
    assert cloud.storage.get("avatars/alice.png").content == b"alice"
    assert alice.delete_file(file_list=[avatar])["fileList"][0]["status"] == 0
