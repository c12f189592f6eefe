"""client.md §2.2/§2.3/§8: every preset x operation x owner / other / anonymous."""

from __future__ import annotations

import pytest

from pytest_wxcloud.client import assert_allowed, assert_denied
from pytest_wxcloud.client.rules_parser import RulesError


def ids(result):
    return sorted(d["_id"] for d in result["data"])


@pytest.mark.parametrize("preset", ["READONLY", "ADMINWRITE"])
def test_public_read_presets_return_every_row(world, preset):
    world.seed_rows()
    world.cloud.permissions.set("items", preset)
    assert ids(world.items(world.alice).get()) == ["a1", "b1", "n1"]


def test_private_filters_reads_to_the_callers_rows_without_error(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "PRIVATE")
    assert ids(world.items(world.alice).get()) == ["a1"]
    assert world.items(world.bob).count()["total"] == 1
    decision = world.cloud.permissions.decisions[-1]
    assert decision.added_filter == {"_openid": "oB"}


def test_private_doc_get_of_someone_elses_row_behaves_as_missing(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "PRIVATE")
    with pytest.raises(Exception, match="does not exist"):
        world.items(world.alice).doc("b1").get()
    assert world.items(world.alice).doc("a1").get()["data"]["age"] == 20


def test_adminonly_denies_reads_and_writes(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "ADMINONLY")
    error = assert_denied(world.items(world.alice).get)
    assert error.err_code == -502003
    assert str(error) == "errCode: -502003 database permission denied | errMsg: Permission denied"
    assert_denied(world.items(world.alice).add, {"t": 2})


def test_adminwrite_denies_client_writes(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "ADMINWRITE")
    assert_denied(world.items(world.alice).add, {"t": 2})
    assert_denied(world.items(world.alice).doc("a1").update, {"t": 2})
    assert_denied(world.items(world.alice).doc("a1").remove)


@pytest.mark.parametrize("preset", ["READONLY", "PRIVATE"])
def test_add_stamps_the_callers_openid(world, preset):
    world.cloud.permissions.set("items", preset)
    new_id = world.items(world.alice).add({"t": 1})["_id"]
    assert world.cloud.dump("items") == [{"_id": new_id, "t": 1, "_openid": "oA"}]


@pytest.mark.parametrize("preset", ["READONLY", "PRIVATE"])
def test_update_of_others_rows_succeeds_with_zero_updated(world, preset):
    world.seed_rows()
    world.cloud.permissions.set("items", preset)
    assert world.items(world.alice).doc("b1").update({"t": 9})["stats"]["updated"] == 0
    assert world.items(world.alice).doc("n1").update({"t": 9})["stats"]["updated"] == 0
    assert world.items(world.alice).where({"_openid": "oB"}).update({"t": 9})["stats"] == {
        "updated": 0
    }
    assert world.items(world.alice).doc("a1").update({"t": 9})["stats"]["updated"] == 1
    assert [d["t"] for d in world.cloud.dump("items")] == [9, 1, 1]


def test_preset_remove_of_others_rows_is_denied_by_default(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "READONLY")
    assert_denied(world.items(world.alice).doc("b1").remove)
    assert_denied(world.items(world.alice).where({"t": 1}).remove)
    assert world.items(world.alice).doc("a1").remove()["stats"]["removed"] == 1
    assert len(world.cloud.dump("items")) == 2


def test_preset_remove_filter_option_skips_others_rows(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "READONLY")
    world.cloud.permissions.configure(preset_remove="filter")
    assert world.items(world.alice).where({"t": 1}).remove()["stats"]["removed"] == 1
    assert sorted(d["_id"] for d in world.cloud.dump("items")) == ["b1", "n1"]


def test_preset_set_on_someone_elses_id_is_denied_and_own_id_stays_owned(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "PRIVATE")
    assert_denied(world.items(world.alice).doc("b1").set, {"t": 5})
    result = world.items(world.alice).doc("new").set({"t": 5})
    assert result["stats"] == {"updated": 0, "created": 1}
    assert world.cloud.dump("items")[-1] == {"_id": "new", "t": 5, "_openid": "oA"}


@pytest.mark.parametrize("preset", ["READONLY", "PRIVATE", "ADMINWRITE", "ADMINONLY"])
def test_presets_never_admit_anonymous_callers(world, preset):
    world.seed_rows()
    world.cloud.permissions.set("items", preset)
    assert assert_denied(world.items(None).get).err_code == -501023
    world.cloud.permissions.configure(allow_unauthenticated=True)
    assert assert_denied(world.items(None).get).err_code == -502003


@pytest.mark.parametrize("field", [{"_openid": "oB"}, {"_openid": "oA"}])
def test_presets_refuse_openid_in_written_data(world, field):
    world.seed_rows()
    world.cloud.permissions.set("items", "READONLY")
    with pytest.raises(Exception, match="invalid key name: _openid"):
        world.items(world.alice).add({"t": 1, **field})
    with pytest.raises(Exception, match="invalid key name: _openid"):
        world.items(world.alice).doc("a1").update(field)
    assert world.cloud.dump("items")[0]["_openid"] == "oA"


def test_private_aggregate_sees_only_the_callers_rows(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "PRIVATE")
    result = world.items(world.alice).aggregate().match({"t": 1}).end()
    assert [d["_id"] for d in result["list"]] == ["a1"]


def test_server_api_is_never_affected(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "ADMINONLY")
    assert len(world.cloud.database().collection("items").get()["data"]) == 3
    assert world.cloud.permissions.decisions == []


def test_preset_typo_names_the_closest_preset(world):
    with pytest.raises(RulesError, match="did you mean 'PRIVATE'"):
        world.cloud.permissions.set("items", "PRIVTE")


def test_console_wordings_map_to_presets(world):
    world.seed_rows()
    world.cloud.permissions.set("items", "仅创建者可读写")
    assert ids(world.items(world.bob).get()) == ["b1"]
    world.cloud.permissions.set("items", {"AclTag": "ADMINONLY"})
    assert_denied(world.items(world.bob).get)


def test_setting_a_collection_that_does_not_exist_fails(world):
    with pytest.raises(RulesError, match="collection 'todo' does not exist"):
        world.cloud.permissions.set("todo", "PRIVATE")


def test_a_collection_without_permissions_is_an_error_not_open(world):
    from pytest_wxcloud.client import PermissionsNotSet

    world.seed_rows()
    with pytest.raises(PermissionsNotSet, match="no permission is set for collection 'items'"):
        world.items(world.alice).get()
    world.cloud.permissions.configure(default_permission="PRIVATE")
    assert ids(assert_allowed(world.items(world.alice).get)) == ["a1"]
