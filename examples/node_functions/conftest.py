"""The example's fixtures: the test's cloud with the JS functions loaded, and two users.

Node.js and npm must be on PATH; the first run installs wx-server-sdk into
~/.cache/pytest-wxcloud/node (later runs reuse it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_wxcloud import Identity, WxCloud

FUNCTIONS = Path(__file__).parent / "cloudfunctions"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    here = Path(__file__).parent
    for item in items:
        if missing and here in item.path.parents:
            item.add_marker(pytest.mark.skip(reason=f"needs {' and '.join(missing)} on PATH"))


@pytest.fixture
def app(wxcloud: WxCloud) -> WxCloud:
    wxcloud.functions.load(FUNCTIONS)
    wxcloud.seed({"todos": [], "digests": []})  # collections made in the console
    return wxcloud


@pytest.fixture
def alice(app: WxCloud) -> Identity:
    return app.user()


@pytest.fixture
def bob(app: WxCloud) -> Identity:
    return app.user()
