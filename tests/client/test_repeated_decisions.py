"""A repeated client query gets the same decision, coverage counts and log as the first time,
and nothing that can change between requests is replayed."""

from __future__ import annotations

from datetime import datetime, timezone

from pytest_wxcloud.client import assert_allowed, assert_denied

OWN = {"read": "doc._openid == auth.openid && doc.age > 10"}


def _whole_rule(world, key="read"):
    (entry,) = [e for e in world.cloud.permissions.coverage.entries.values() if e.key == key]
    return entry


def test_repeats_decide_log_and_count_like_the_first(world):
    world.seed_rows()
    world.cloud.permissions.set("items", OWN)
    query = {"_openid": "{openid}", "age": world.cloud.database().command.gt(15)}
    for _ in range(3):
        assert_allowed(world.items(world.alice).where(query).get)
        assert_denied(world.items(world.alice).where({"_openid": "{openid}"}).get)
    entry = _whole_rule(world)
    assert entry.totals == {"true": 3, "unknown": 3}
    assert entry.atoms["col 31: doc.age > 10"] == {"true": 3, "unknown": 3}
    decisions = world.cloud.permissions.decisions
    allowed = {(d.reason, d.branches) for d in decisions if d.allowed}
    denials = [d for d in decisions if not d.allowed]
    assert allowed == {("", (("{_openid == 'oA', age > 15}", "true"),))}
    assert len(denials) == 3
    assert len({(d.reason, d.branches) for d in denials}) == 1
    assert "leaves 'doc.age > 10' undecided" in denials[-1].reason


def test_callers_and_value_types_are_told_apart(world):
    world.cloud.permissions.set("items", {"read": "doc.flag == true && auth != null"})
    assert_allowed(world.items(world.alice).where({"flag": True}).get)
    assert_denied(world.items(world.alice).where({"flag": 1}).get)
    assert_denied(world.items(world.alice).where({"flag": 1.0}).get)
    world.cloud.permissions.set("items", {"read": "doc._openid == auth.openid"})
    assert_allowed(world.items(world.alice).where({"_openid": "oA"}).get)
    assert_denied(world.items(world.bob).where({"_openid": "oA"}).get)


def test_rules_reading_the_clock_are_evaluated_each_time(world):
    deadline = int(datetime(2030, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)
    world.cloud.permissions.set("items", {"read": f"now < {deadline}"})
    world.cloud.clock.freeze(datetime(2029, 12, 31, 23, 59, tzinfo=timezone.utc))
    assert_allowed(world.items(world.alice).where({"t": 1}).get)
    world.cloud.clock.advance(120)
    assert_denied(world.items(world.alice).where({"t": 1}).get)


def test_rules_reading_other_documents_see_their_changes(world):
    world.cloud.seed({"groups": [{"_id": "g1", "members": ["oA"]}]})
    world.cloud.permissions.set(
        "items", {"read": "auth.openid in get('database.groups.g1').members"}
    )
    assert_allowed(world.items(world.alice).where({"t": 1}).get)
    world.cloud.database().collection("groups").doc("g1").update({"members": ["oB"]})
    assert_denied(world.items(world.alice).where({"t": 1}).get)


def test_changed_rules_and_options_are_not_answered_from_before(world):
    world.cloud.permissions.set("items", {"read": "doc._openid == auth.openid"})
    assert_allowed(world.items(world.alice).where({"_openid": "{openid}"}).get)
    world.cloud.permissions.set("items", {"read": "doc._openid != auth.openid"})
    assert_denied(world.items(world.alice).where({"_openid": "{openid}"}).get)
    world.cloud.permissions.set("items", {"read": "doc.owner == auth.openid"})
    assert_denied(world.items(world.alice).where({"owner": "{openid}"}).get)
    world.cloud.permissions.configure(placeholder_fields="any")
    assert_allowed(world.items(world.alice).where({"owner": "{openid}"}).get)
