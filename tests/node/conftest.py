"""Node.js functions run by real workers: needs node and npm (and, once, the npm registry).

Without node or npm the tests here are skipped with that reason; CI has both, so they run there.
The npm installs land in the user cache (``~/.cache/pytest-wxcloud/node``) and are reused by
later runs.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.node.serving import release

FUNCTIONS = Path(__file__).parent / "cloudfunctions"
START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)

_missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not _missing:
        return
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(
                pytest.mark.skip(reason=f"Node.js functions need {' and '.join(_missing)} on PATH")
            )


@pytest.fixture
def cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(env="test-env", appid="wx0123456789abcdef", seed=11, now=START)
    cloud.functions.load(FUNCTIONS)
    # the collections the functions use exist, as they would in a configured environment
    cloud.seed({"users": [], "marks": [], "runs": [], "notes": []})
    yield cloud
    release(cloud)
