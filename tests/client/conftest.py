from __future__ import annotations

from typing import Any

import pytest

from pytest_wxcloud import Identity, WxCloud


class World:
    """A cloud with alice (oA), bob (oB) and one collection, seeded past the rules."""

    def __init__(self) -> None:
        self.cloud = WxCloud(seed=7)
        self.alice = Identity(openid="oA")
        self.bob = Identity(openid="oB")
        self.cloud.seed({"items": []})

    def db(self, who: Identity | None) -> Any:
        return self.cloud.client(who).database()

    def items(self, who: Identity | None) -> Any:
        return self.db(who).collection("items")

    def seed_rows(self) -> None:
        admin = self.cloud.database().collection("items")
        admin.add({"_id": "a1", "_openid": "oA", "age": 20, "t": 1})
        admin.add({"_id": "b1", "_openid": "oB", "age": 5, "t": 1})
        admin.add({"_id": "n1", "age": 30, "t": 1})  # created by a cloud function: no owner


@pytest.fixture
def world() -> World:
    return World()
