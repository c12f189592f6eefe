"""client.md §6 and §8 items 22-23: storage presets and rules on file operations."""

from __future__ import annotations

import pytest

from pytest_wxcloud.client import RulesError, assert_denied


def test_readonly_storage_preset(world):
    check = world.cloud.permissions.check_storage
    assert check("downloadFile", "a.png", owner="oA", caller="oB").allowed
    assert check("getTempFileURL", "a.png", owner="oA", caller="oB").allowed
    denial = assert_denied(check, "deleteFile", "a.png", owner="oA", caller="oB")
    assert (denial.err_code, denial.err_msg) == (-503002, "STORAGE_EXCEED_AUTHORITY")
    assert_denied(check, "uploadFile", "a.png", owner="oA", caller="oB")
    assert check("deleteFile", "a.png", owner="oA", caller="oA").allowed
    assert_denied(check, "downloadFile", "a.png", owner="oA", caller=None)


def test_private_storage_and_ownerless_files(world):
    world.cloud.permissions.set_storage("PRIVATE")
    check = world.cloud.permissions.check_storage
    assert_denied(check, "downloadFile", "a.png", owner="oA", caller="oB")
    assert_denied(check, "downloadFile", "admin.png", owner=None, caller="oB")


def test_storage_rule_with_regex(world):
    world.cloud.permissions.set_storage(
        {"read": "/^public\\//.test(resource.path) == true", "write": "auth != null"}
    )
    check = world.cloud.permissions.check_storage
    assert check("downloadFile", "public/a.png", owner="oA", caller="oB").allowed
    assert check("downloadFile", "/public/a.png", owner="oA", caller="oB").allowed
    assert_denied(check, "downloadFile", "private/a.png", owner="oA", caller="oB")
    assert check("uploadFile", "x.png", owner="oB", caller="oB").allowed


def test_storage_rules_refuse_database_keys_and_variables(world):
    with pytest.raises(RulesError, match="unknown rule key 'create'"):
        world.cloud.permissions.set_storage({"create": True})
    with pytest.raises(RulesError, match="unknown variable 'doc'"):
        world.cloud.permissions.set_storage({"read": "doc.a == 1"})
    with pytest.raises(RulesError, match="only storage rules"):
        world.cloud.seed({"x": []})
        world.cloud.permissions.set("x", {"read": "/a/.test(auth.openid) == true"})
