"""Consumer side: the service is tested against getUserProfile's recorded answers.

The cassette ``cassettes/test_consumer/getUserProfile.json`` was recorded from the real cloud
with ``pytest examples/contract --wxcloud-record-mode=once`` (WXCLOUD_APPID, WXCLOUD_SECRET and
WXCLOUD_ENV set); in CI it replays offline. The ``wxcloud`` fixture answers the service's
``api.weixin.qq.com`` requests, and the cassette answers the function call behind them.
"""

from __future__ import annotations

import httpx
import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording import Cassette

from .profile_service import ProfileCard, ProfileService

ALICE = "oVx4p5ZQfHh3lXaD0JwR8bNcKm2E"
BOB = "oVx4p5cDe7Y_u2wQqLr9sTfGh1Zk"


@pytest.fixture
def service(wxcloud: WxCloud) -> ProfileService:
    return ProfileService(wxcloud.appid, wxcloud.secret, wxcloud.env, httpx.Client())


@pytest.mark.wxcloud_cassette(name="getUserProfile")
def test_cards_for_users_with_and_without_a_profile(
    service: ProfileService, wxcloud_cassette: Cassette
) -> None:
    # provider states name what the provider must hold for the answer (recorded into the
    # cassette, used by test_provider.py)
    wxcloud_cassette.provider_state = "alice has a profile"
    assert service.card(ALICE) == ProfileCard(title="Alice · Lv.3", level=3)
    wxcloud_cassette.provider_state = "bob has no profile"
    assert service.card(BOB) is None


@pytest.mark.wxcloud_cassette(name="getUserProfile")
def test_the_call_is_logged_like_any_function_call(
    service: ProfileService, wxcloud: WxCloud
) -> None:
    service.card(ALICE)
    (call,) = wxcloud.functions.calls
    assert call.name == "getUserProfile"
    assert call.source == "wx_http"
