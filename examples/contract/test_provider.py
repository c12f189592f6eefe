"""Provider side: does our Python getUserProfile still honour what consumers recorded?

``verify`` replays each recorded interaction against the handler, as the recorded caller,
after seeding the database for the interaction's provider state. Generated ids and timestamps
are compared by pattern.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pytest_wxcloud import WxCloud
from pytest_wxcloud.recording import Interaction, match, verify

from .get_user_profile import main as get_user_profile

CASSETTE = Path(__file__).parent / "cassettes" / "test_consumer" / "getUserProfile.json"

VOLATILE = {
    "result.profile._id": match.hex32(),
    "result.profile.updatedAt": match.iso_datetime(),
}


def alice_has_a_profile(cloud: WxCloud, interaction: Interaction) -> None:
    # the cassette holds pseudonymised ids; seed the profile under the one the request names
    cloud.seed(
        {
            "profiles": [
                {
                    "_openid": interaction.data["openid"],
                    "nickName": "Alice",
                    "level": 3,
                    "updatedAt": datetime(2024, 6, 1, tzinfo=timezone.utc),
                }
            ]
        }
    )


def bob_has_no_profile(cloud: WxCloud, interaction: Interaction) -> None:
    cloud.database().create_collection("profiles")


STATES = {"alice has a profile": alice_has_a_profile, "bob has no profile": bob_has_no_profile}


def test_handler_honours_the_recorded_contract() -> None:
    verify(CASSETTE, get_user_profile, states=STATES, matchers=VOLATILE).assert_passed()


def refactored_get_user_profile(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A deliberately broken "refactor": camelCase lost and the level sent as text."""
    answer = get_user_profile(event, context)
    profile = answer["profile"]
    if profile is None:
        return answer
    return {
        "profile": {
            "_id": profile["_id"],
            "nickname": profile["nickName"],
            "level": str(profile["level"]),
            "updatedAt": profile["updatedAt"],
        }
    }


def test_broken_handler_is_caught_with_a_readable_diff() -> None:
    report = verify(CASSETTE, refactored_get_user_profile, states=STATES, matchers=VOLATILE)
    print(report)  # shown with pytest -s; this is what a failing provider build prints
    assert not report.passed
    assert [r.passed for r in report.results] == [False, True]
    assert str(report).splitlines()[1:5] == [
        "  FAILED  #0 getUserProfile [alice has a profile]",
        '      result.profile.level: recorded 3, got "3"',
        '      result.profile.nickName: recorded "Alice", got (absent)',
        '      result.profile.nickname: recorded (absent), got "Alice"',
    ]
