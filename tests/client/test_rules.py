"""client.md §3.9 worked subset examples, §3.1 key fallbacks, §3.6 doc-ID modes, §4 limits."""

from __future__ import annotations

import pytest

from pytest_wxcloud.client import RulesError, RuleSyntaxError, assert_allowed, assert_denied

PRIVATE_RULE = {"read": "doc._openid == auth.openid", "write": "doc._openid == auth.openid"}


def test_age_rule_subset_examples(world):
    world.seed_rows()
    world.cloud.permissions.set("items", {"read": "doc.age > 10"})
    items = world.items(world.alice)
    _ = world.db(world.alice).command
    assert [d["_id"] for d in assert_allowed(items.where({"age": _.gt(15)}).get)["data"]] == [
        "a1",
        "n1",
    ]
    assert_denied(items.where({"age": _.gt(8)}).get)
    assert_allowed(items.where({"age": 20}).get)
    assert_allowed(items.where({"age": _.gt(10).and_(_.lt(20))}).get)
    assert_denied(items.get)
    assert_allowed(items.aggregate().match({"age": _.gt(10)}).project({"age": 1}).end)
    assert_denied(items.aggregate().match({"age": _.gt(8)}).end)


def test_private_equivalent_rule_validates_instead_of_filtering(world):
    world.seed_rows()
    world.cloud.permissions.set("items", PRIVATE_RULE)
    items = world.items(world.alice)
    denial = assert_denied(items.get)
    assert "where({_openid: '{openid}'" in denial.explanation
    assert [d["_id"] for d in items.where({"_openid": "{openid}"}).get()["data"]] == ["a1"]
    assert_allowed(items.where({"_openid": "oA"}).get)
    assert_denied(items.where({"_openid": "oB"}).get)
    assert_allowed(items.where({"_id": "b1", "_openid": "{openid}"}).get)


def test_doc_id_operations_strict_by_default_and_fetch_as_an_option(world):
    world.seed_rows()
    world.cloud.permissions.set("items", PRIVATE_RULE)
    assert_denied(world.items(world.alice).doc("a1").get)
    world.cloud.permissions.configure(doc_id_mode="fetch")
    assert world.items(world.alice).doc("a1").get()["data"]["_id"] == "a1"
    assert_denied(world.items(world.alice).doc("b1").get)
    assert_denied(world.items(world.alice).doc("missing").get)


def test_public_read_owner_write_rule(world):
    world.seed_rows()
    world.cloud.permissions.set("items", {"read": True, "write": "doc._openid == auth.openid"})
    items = world.items(world.alice)
    assert len(items.get()["data"]) == 3
    new_id = items.add({"t": 1})["_id"]
    assert world.cloud.dump("items")[-1] == {"_id": new_id, "t": 1, "_openid": "oA"}
    assert items.where({"_openid": "{openid}"}).update({"t": 2})["stats"]["updated"] == 2
    assert_denied(items.where({"t": 1}).update, {"t": 3})
    assert_denied(items.where({"t": 1}).remove)
    assert items.where({"_openid": "{openid}", "t": 2}).remove()["stats"]["removed"] == 2


def test_or_rule_accepts_a_query_implying_one_branch(world):
    world.seed_rows()
    world.cloud.permissions.set(
        "items", {"read": "doc.published == true || doc.author == auth.openid"}
    )
    items = world.items(world.alice)
    assert_allowed(items.where({"published": True}).get)
    assert_denied(items.get)
    assert_denied(items.where({"author": "{openid}"}).get)  # placeholder only on _openid
    world.cloud.permissions.configure(placeholder_fields="any")
    assert_allowed(items.where({"author": "{openid}"}).get)


def test_rules_without_doc_are_just_evaluated(world):
    world.seed_rows()
    world.cloud.permissions.set("items", {"read": "auth.openid in ['oA', 'oC']"})
    assert_allowed(world.items(world.alice).get)
    assert_denied(world.items(world.bob).get)
    world.cloud.permissions.set("items", {"read": "auth != null"})
    world.cloud.permissions.configure(allow_unauthenticated=True)
    assert_denied(world.items(None).get)
    world.cloud.permissions.set("items", {"read": "auth == null || auth.openid == 'oA'"})
    assert_allowed(world.items(None).get)


def test_get_reads_another_document_within_its_limits(world):
    world.cloud.seed({"group": [{"_id": "G", "members": ["oA"]}], "chat": []})
    world.cloud.database().collection("chat").add({"_id": "G", "text": "hi"})
    rule = {"read": "auth.openid in get(`database.group.${doc._id}`).members"}
    world.cloud.permissions.set("chat", rule)
    chat = world.db(world.alice).collection("chat")
    assert_allowed(chat.where({"_id": "G"}).get)
    assert world.cloud.permissions.decisions[-1].reads == ("database.group.G",)
    assert_denied(world.db(world.bob).collection("chat").where({"_id": "G"}).get)
    denial = assert_denied(chat.where({"opengid": "x"}).get)
    assert "must constrain '_id' with ==" in denial.explanation


def test_key_fallbacks_and_empty_rules(world):
    world.seed_rows()
    permissions = world.cloud.permissions
    permissions.set("items", {"read": True, "write": False, "create": True})
    assert_allowed(world.items(world.alice).add, {"t": 1})
    assert_denied(world.items(world.alice).where({"_openid": "oA"}).update, {"t": 2})
    permissions.set("items", {})
    for call in (world.items(world.alice).get, lambda: world.items(world.alice).add({"t": 1})):
        assert_denied(call)


def test_update_rule_sees_request_data(world):
    world.cloud.seed({"goods": [{"_id": "g", "owner": "oA", "price": 5, "t": 0}]})
    world.cloud.permissions.set(
        "goods",
        {
            "read": True,
            "update": "doc.owner == auth.openid && "
            "(doc.price == request.data.price || request.data.price == undefined)",
        },
    )
    goods = world.db(world.alice).collection("goods")
    world.cloud.permissions.configure(placeholder_fields="any")
    assert_allowed(goods.where({"owner": "{openid}", "price": 5}).update, {"price": 5, "t": 1})
    assert_denied(goods.where({"owner": "{openid}", "price": 5}).update, {"price": 1})


def test_openid_in_client_data_under_rules(world):
    world.cloud.permissions.set("items", {"read": True, "write": "doc._openid == auth.openid"})
    with pytest.raises(Exception, match="invalid key name: _openid"):
        world.items(world.alice).add({"_openid": "oA"})
    world.cloud.permissions.configure(client_openid="allow_equal")
    assert_allowed(world.items(world.alice).add, {"_openid": "oA"})
    with pytest.raises(Exception, match="invalid key name: _openid"):
        world.items(world.alice).add({"_openid": "oB"})


def test_create_doc_binding_request_only(world):
    world.cloud.permissions.set("items", {"create": "doc._openid == auth.openid"})
    assert_allowed(world.items(world.alice).add, {"t": 1})
    world.cloud.permissions.configure(create_doc_binding="request_only")
    assert_denied(world.items(world.alice).add, {"t": 1})
    world.cloud.permissions.set("items", {"create": "request.data._openid == auth.openid"})
    assert_allowed(world.items(world.alice).add, {"t": 1})


def test_client_limits_and_restrictions(world):
    world.cloud.seed({"many": [{"n": i, "_openid": "oA"} for i in range(30)]})
    world.cloud.permissions.set("many", "READONLY")
    many = world.db(world.alice).collection("many")
    assert len(many.get()["data"]) == 20
    with pytest.raises(Exception, match="limit\\(50\\) exceeds"):
        many.limit(50).get()
    world.cloud.permissions.configure(client_limit="clamp")
    assert len(many.limit(50).get()["data"]) == 20
    with pytest.raises(AttributeError, match="only available in cloud functions"):
        world.db(world.alice).run_transaction(lambda transaction: None)
    old = world.cloud.client(world.alice, base_library="2.9.3").database().collection("many")
    with pytest.raises(Exception, match="query.update is only available in server SDK / API"):
        old.where({"n": 1}).update({"n": 2})


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"read": "doc.age >"}, "expected a value, a name, '\\(' or '\\[' at column 10"),
        ({"read": "dco.age > 1"}, "unknown variable 'dco'.*did you mean 'doc'"),
        ({"read": "auth.openId == 'x'"}, "did you mean 'openid'"),
        ({"read": "size(doc.a) > 1"}, "unknown variable 'size'"),
        ({"read": "doc.a == '" + "x" * 1100 + "'"}, "at most 1024"),
        ({"read": " && ".join(f"get('database.g.{i}').x == 1" for i in range(4))}, "at most 3"),
        ({"raed": True}, "unknown rule key 'raed'"),
        ({"read": 1}, "must be true, false or an expression"),
        ({"read": "doc.a === 1"}, "not confirmed"),
        ('{"read": true, // comment\n}', "not valid JSON"),
    ],
)
def test_bad_rules_fail_at_set_time(world, rules, message):
    with pytest.raises(RulesError, match=message):
        world.cloud.permissions.set("items", rules)


def test_syntax_error_carries_position_and_expectation():
    from pytest_wxcloud.client.rules_parser import parse

    with pytest.raises(RuleSyntaxError) as info:
        parse("doc.a = 1")
    assert info.value.position == 6
    assert "'=='" in info.value.expected


def test_rule_extensions_are_an_option(world):
    world.seed_rows()
    world.cloud.permissions.configure(rule_extensions=True)
    world.cloud.permissions.set("items", {"read": "doc._openid === 'o' + 'A'"})
    assert_allowed(world.items(world.alice).where({"_openid": "oA"}).get)


def test_load_reads_one_file_for_all_collections(world, tmp_path):
    world.seed_rows()
    path = tmp_path / "permissions.json"
    path.write_text(
        '{"database": {"items": {"AclTag": "CUSTOM", "Rule": "{\\"read\\": true}"}},'
        ' "storage": "PRIVATE"}'
    )
    world.cloud.permissions.load(path)
    assert len(world.items(world.bob).get()["data"]) == 3
    assert world.cloud.permissions.storage.describe() == "preset PRIVATE"
    path.write_text('{"database": {"items": "READONLY", "nope": "PRIVATE"}}')
    with pytest.raises(RulesError, match="'nope' does not exist"):
        world.cloud.permissions.load(path)
    assert len(world.items(world.bob).get()["data"]) == 3  # nothing applied


def test_assert_helpers_reject_other_errors(world):
    world.cloud.permissions.set("items", "READONLY")
    with pytest.raises(AssertionError, match="was allowed"):
        assert_denied(world.items(world.alice).get)
    with pytest.raises(AssertionError, match="another error"):
        assert_denied(world.db(world.alice).collection("absent").get)
    world.cloud.permissions.set("items", "ADMINONLY")
    with pytest.raises(AssertionError, match="expected the call to be allowed"):
        assert_allowed(world.items(world.alice).get)
    with assert_denied() as denial:
        world.items(world.alice).get()
    assert denial.error is not None and denial.error.err_code == -502003


def test_coverage_counts_atoms(world):
    world.seed_rows()
    world.cloud.permissions.set("items", {"read": "doc.published == true || auth.openid == 'oB'"})
    assert_denied(world.items(world.alice).get)
    assert_allowed(world.items(world.bob).get)
    text = "\n".join(world.cloud.permissions.coverage.lines())
    assert "whole rule  true=1 false=0 unknown=1 error=0" in text
    assert "col 1: doc.published == true  true=0 false=0 unknown=2" in text
