"""The example's fixtures: a cloud with the app's functions loaded and three users."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_wxcloud import Identity, WxCloud

FUNCTIONS = Path(__file__).parent / "cloudfunctions"


@pytest.fixture
def app(wxcloud: WxCloud) -> WxCloud:
    wxcloud.functions.load(FUNCTIONS)
    wxcloud.database().create_collection("users")
    return wxcloud


@pytest.fixture
def alice(app: WxCloud) -> Identity:
    return app.user()


@pytest.fixture
def bob(app: WxCloud) -> Identity:
    return app.user()


@pytest.fixture
def carol(app: WxCloud) -> Identity:
    return app.user(unionid=None)  # not every user has a unionid
