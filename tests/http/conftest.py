"""Fixtures for the HTTP face: a seeded cloud with interception on, and a small API client."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from httpkit import START, WxApi

from pytest_wxcloud import WxCloud


@pytest.fixture
def http_cloud() -> Iterator[WxCloud]:
    cloud = WxCloud(env="test2-4a89da", seed=11, now=START)
    with cloud.mock_http():
        yield cloud


@pytest.fixture
def wx_api(http_cloud: WxCloud) -> Iterator[WxApi]:
    with httpx.Client() as client:
        yield WxApi(http_cloud, client)
