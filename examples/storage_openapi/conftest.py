"""The example's fixtures: a cloud with both functions loaded, a post by its author."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_wxcloud import Identity, WxCloud

FUNCTIONS = Path(__file__).parent / "cloudfunctions"


@pytest.fixture
def app(wxcloud: WxCloud) -> WxCloud:
    wxcloud.functions.load(FUNCTIONS)
    return wxcloud


@pytest.fixture
def author(app: WxCloud) -> Identity:
    return app.user()


@pytest.fixture
def reader(app: WxCloud) -> Identity:
    return app.user()


@pytest.fixture
def post_id(app: WxCloud, author: Identity) -> str:
    app.seed({"posts": [{"_id": "p1", "author": author.openid, "title": "周末去爬山"}]})
    app.database().create_collection("comments")
    return "p1"
