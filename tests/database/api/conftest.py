from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database.api import Database

NOW = datetime(2024, 5, 1, 8, 30, tzinfo=timezone.utc)


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(seed=7, now=NOW)


@pytest.fixture
def db(cloud: WxCloud) -> Database:
    return cloud.database()


@pytest.fixture
def books(cloud: WxCloud, db: Database):  # type: ignore[no-untyped-def]
    cloud.seed(
        {
            "books": [
                {
                    "_id": "b1",
                    "title": "Dream of the Red Chamber",
                    "price": 30,
                    "tags": ["classic", "novel"],
                    "author": {"name": "Cao", "born": 1715},
                },
                {
                    "_id": "b2",
                    "title": "Journey to the West",
                    "price": 25.5,
                    "tags": ["classic"],
                    "author": {"name": "Wu", "born": 1500},
                },
                {
                    "_id": "b3",
                    "title": "The Three-Body Problem",
                    "price": 45,
                    "tags": ["scifi"],
                    "author": {"name": "Liu", "born": 1963},
                },
                {
                    "_id": "b4",
                    "title": "Fortress Besieged",
                    "price": 20,
                    "tags": [],
                    "author": {"name": "Qian", "born": 1910},
                    "stock": 0,
                },
            ]
        }
    )
    return db.collection("books")
