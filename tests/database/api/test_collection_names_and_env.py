"""Collection names production refuses, the missing-collection hint, and unknown environments."""

from __future__ import annotations

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud
from pytest_wxcloud.database.api import Database
from pytest_wxcloud.errors import COLLECTION_NOT_EXIST_MESSAGE

REFUSED = {
    "dollar": ("a$b", "must not contain '$'"),
    "nul": ("a\x00b", "NUL character"),
    "system": ("system.users", "'system.' prefix is reserved"),
    "surrogate": ("a\ud800", "lone UTF-16 surrogate"),
    "too long": ("c" * 247, "247 bytes long"),
}


@pytest.mark.parametrize(("name", "reason"), REFUSED.values(), ids=REFUSED.keys())
def test_create_collection_refuses_names_mongodb_refuses(cloud, db, name, reason):  # type: ignore[no-untyped-def]
    with pytest.raises(CloudSDKError) as info:
        db.create_collection(name)
    assert info.value.err_code == -501007
    assert info.value.err_msg.startswith("createCollection:fail -501007 invalid parameters. ")
    assert reason in info.value.err_msg
    info.value.err_msg.encode()  # printable, even for a surrogate
    with pytest.raises(ValueError, match="invalid collection name"):
        cloud.seed({name: [{"v": 1}]})
    assert cloud.collections() == []


def test_names_at_the_limits_are_accepted(cloud, db):  # type: ignore[no-untyped-def]
    longest = "c" * (255 - len("test-env") - 1)  # '<env>.<collection>' is 255 bytes
    db.create_collection(longest)
    cloud.seed({"systems": [], "my.system.log": [], "集合": []})
    assert sorted(cloud.collections()) == sorted([longest, "systems", "my.system.log", "集合"])


def test_a_missing_collection_keeps_production_errmsg_and_names_the_closest(cloud, db):  # type: ignore[no-untyped-def]
    cloud.seed({"orders": [], "users": []})
    with pytest.raises(CloudSDKError) as info:
        db.collection("order").get()
    error = info.value
    assert error.err_code == -502005
    assert error.err_msg == (
        f"collection.get:fail -502005 database collection not exists. {COLLECTION_NOT_EXIST_MESSAGE}"
    )
    assert str(error) == error.err_msg + (
        " (collection 'order' does not exist in this cloud; closest existing: orders)"
    )
    with pytest.raises(CloudSDKError, match="existing: orders, users"):
        db.collection("zzz").add(data={"v": 1})
    with pytest.raises(CloudSDKError, match="closest existing: users"):
        db.collection("user").aggregate().end()


def test_with_no_collections_the_hint_says_how_to_make_one(db):  # type: ignore[no-untyped-def]
    with pytest.raises(CloudSDKError, match="there are none: seed it or call create_collection"):
        db.collection("orders").doc("x").get()


def test_database_refuses_an_env_that_does_not_exist(cloud: WxCloud) -> None:
    with pytest.raises(CloudSDKError) as info:
        cloud.database(env="other-env")
    assert info.value.err_code == -501000
    assert info.value.err_msg == "[100003] env not exists"
    assert "'other-env'" in str(info.value) and "'test-env'" in str(info.value)
    assert isinstance(cloud.database(env="test-env"), Database)
    assert cloud.database(env=None).env == cloud.database().env == "test-env"
