from __future__ import annotations

import pytest

from pytest_wxcloud import Identity, WxCloud


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(env="test-env", appid="wx0123456789abcdef", seed=42)


@pytest.fixture
def alice(cloud: WxCloud) -> Identity:
    return cloud.user()
