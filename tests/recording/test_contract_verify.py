"""verify(): replay a cassette against a local provider, as the recorded identity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cassette_kit import entry, write_cassette

from pytest_wxcloud import WxCloud
from pytest_wxcloud.functions import current_cloud
from pytest_wxcloud.recording import CassetteError, Interaction, match, verify

ALICE = "oPSEUDONYM_alice_00000000000"


def get_user_profile(event: dict[str, Any], context: Any) -> Any:
    cloud = current_cloud()
    openid = cloud.get_wx_context().get("OPENID")
    found = cloud.database().collection("profiles").where({"_openid": openid}).get()["data"]
    if not found:
        raise LookupError(f"no profile for {openid}")
    doc = found[0]
    return {"_id": doc["_id"], "nickName": doc["nickName"], "seenAt": "2024-06-01T10:00:00.000Z"}


def seed_alice(cloud: WxCloud, interaction: Interaction) -> None:
    assert interaction.identity is not None
    cloud.seed({"profiles": [{"_openid": interaction.identity["openid"], "nickName": "Alice"}]})


@pytest.fixture
def cassette(tmp_path: Path) -> Path:
    return write_cassette(
        tmp_path / "profile.json",
        [
            entry(
                "getUserProfile",
                {},
                {
                    "_id": "0123456789abcdef0123456789abcdef",
                    "nickName": "Alice",
                    "seenAt": "2024-05-01T08:00:00.000Z",
                },
                identity={"openid": ALICE, "appid": "wx0123456789abcdef", "source": "wx_client"},
                provider_state="alice has a profile",
            ),
            entry(
                "getUserProfile",
                {},
                response={
                    "error": {
                        "errCode": -504002,
                        "errMsg": f"functions execute fail. LookupError: no profile for {ALICE}",
                    }
                },
                identity={"openid": ALICE, "appid": "wx0123456789abcdef", "source": "wx_client"},
                provider_state="no profiles",
            ),
        ],
    )


def no_profiles(cloud: WxCloud, interaction: Interaction) -> None:
    cloud.database().create_collection("profiles")


STATES = {"alice has a profile": seed_alice, "no profiles": no_profiles}
VOLATILE = {"result._id": match.hex32(), "result.seenAt": match.iso_datetime()}


def test_a_faithful_handler_passes(cassette: Path) -> None:
    report = verify(cassette, get_user_profile, states=STATES, matchers=VOLATILE)
    assert report.passed, str(report)
    assert [r.passed for r in report.results] == [True, True]
    assert (
        str(report).splitlines()[0]
        == f"contract verification of {cassette}: all 2 interaction(s) passed"
    )
    report.assert_passed()


def test_without_matchers_volatile_fields_fail_with_a_diff(cassette: Path) -> None:
    report = verify(cassette, get_user_profile, states=STATES)
    assert not report.passed
    failure = report.failures[0]
    rendered = [d.render() for d in failure.differences]
    assert rendered[0].startswith('result._id: recorded "0123456789abcdef0123456789abcdef", got "')
    assert (
        rendered[1]
        == 'result.seenAt: recorded "2024-05-01T08:00:00.000Z", got "2024-06-01T10:00:00.000Z"'
    )


def test_a_broken_handler_fails_with_a_readable_diff(cassette: Path) -> None:
    def broken(event: dict[str, Any], context: Any) -> Any:
        answer = get_user_profile(event, context)
        return {"_id": 42, "nickname": answer["nickName"], "seenAt": "yesterday"}

    report = verify(cassette, broken, states=STATES, matchers=VOLATILE)
    assert not report.passed
    assert [r.passed for r in report.results] == [False, True]
    text = str(report)
    assert text.splitlines() == [
        f"contract verification of {cassette}: 1 of 2 interaction(s) failed",
        "  FAILED  #0 getUserProfile [alice has a profile]",
        "      result._id: expected 32 lowercase hex digits (a generated _id), got 42",
        '      result.nickName: recorded "Alice", got (absent)',
        "      result.seenAt: expected an ISO 8601 date-time string such as '2024-05-01T08:00:00.000Z', got \"yesterday\"",
        '      result.nickname: recorded (absent), got "Alice"',
        "  passed  #1 getUserProfile [no profiles]",
    ]
    with pytest.raises(AssertionError, match="1 of 2 interaction"):
        report.assert_passed()


def test_recorded_error_must_be_reproduced(cassette: Path) -> None:
    def always_finds(event: dict[str, Any], context: Any) -> Any:
        return {"_id": "0" * 32, "nickName": "Alice", "seenAt": "2024-05-01T08:00:00.000Z"}

    report = verify(cassette, always_finds, states=STATES)
    second = report.results[1]
    assert not second.passed
    rendered = [d.render() for d in second.differences]
    assert rendered[0].startswith(
        'error: recorded {"errCode": -504002, "errMsg": "functions execute'
    )
    assert rendered[0].endswith(", got (absent)")
    assert rendered[1].startswith('result: recorded (absent), got {"_id": "000')


def test_missing_state_set_up_is_a_failure(cassette: Path) -> None:
    report = verify(
        cassette, get_user_profile, states={"no profiles": no_profiles}, matchers=VOLATILE
    )
    assert report.results[0].problem == (
        "provider state 'alice has a profile' has no set-up function (states given: 'no profiles')"
    )
    assert report.results[1].passed
    assert not report.passed


def test_failing_state_set_up_is_a_failure_not_a_pass(cassette: Path) -> None:
    def broken_seed(cloud: WxCloud, interaction: Interaction) -> None:
        raise RuntimeError("fixture file missing")

    report = verify(
        cassette,
        get_user_profile,
        states={**STATES, "alice has a profile": broken_seed},
        matchers=VOLATILE,
    )
    assert report.results[0].problem == (
        "provider state 'alice has a profile' set-up failed: RuntimeError: fixture file missing"
    )
    assert "FAILED  #0 getUserProfile [alice has a profile]" in str(report)


def test_handler_runs_as_the_recorded_identity(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    def whoami(event: dict[str, Any], context: Any) -> Any:
        seen.append(current_cloud().get_wx_context())
        return "ok"

    path = write_cassette(
        tmp_path / "c.json",
        [
            entry(
                "whoami",
                {"x": 1},
                "ok",
                identity={"openid": ALICE, "appid": "wxAPP", "source": "wx_client"},
                env="prod-1",
            ),
            entry("whoami", {}, "ok", identity={"appid": "wxAPP", "source": "wx_http"}),
        ],
    )
    assert verify(path, whoami).passed
    assert seen[0]["OPENID"] == ALICE and seen[0]["APPID"] == "wxAPP" and seen[0]["ENV"] == "prod-1"
    assert seen[0]["SOURCE"] == "wx_client"
    assert "OPENID" not in seen[1] and seen[1]["SOURCE"] == "wx_http"


def test_a_whole_cloud_as_provider_is_restored_between_interactions(tmp_path: Path) -> None:
    cloud = WxCloud(seed=3)

    @cloud.function("addItem")
    def add_item(event: dict[str, Any], context: Any) -> Any:
        db = current_cloud().database()
        db.collection("items").add(data={"name": event["name"]})
        return db.collection("items").count()["total"]

    cloud.database().create_collection("items")
    path = write_cassette(
        tmp_path / "c.json",
        [entry("addItem", {"name": "a"}, 1), entry("addItem", {"name": "b"}, 1)],
    )
    report = verify(path, cloud)
    assert report.passed, str(report)
    assert cloud.dump("items") == []


def test_dict_of_handlers_lets_one_function_call_another(tmp_path: Path) -> None:
    def outer(event: dict[str, Any], context: Any) -> Any:
        return current_cloud().call_function("inner", {"n": event["n"]})["result"] + 1

    def inner(event: dict[str, Any], context: Any) -> Any:
        return event["n"] * 10

    path = write_cassette(tmp_path / "c.json", [entry("outer", {"n": 4}, 41)])
    assert verify(path, {"outer": outer, "inner": inner}).passed


def test_other_matchers(tmp_path: Path) -> None:
    path = write_cassette(
        tmp_path / "c.json",
        [
            entry(
                "f",
                {},
                {"items": [{"id": "a1", "n": 1}, {"id": "b2", "n": 2}], "flag": True, "note": "x"},
            )
        ],
    )

    def handler(event: dict[str, Any], context: Any) -> Any:
        return {
            "items": [{"id": "z9", "n": 7}, {"id": "y8", "n": 8.5}],
            "flag": False,
            "note": None,
        }

    matchers = {
        "result.items.*.id": match.regex(r"[a-z]\d"),
        "result.items.*.n": match.of_type(int, float),
        "result.flag": match.like(),
        "result.note": match.anything(),
    }
    assert verify(path, handler, matchers=matchers).passed
    strict = {
        **matchers,
        "result.items.*.n": match.of_type(int),
        "result.flag": match.satisfies(lambda v: v is True, "true"),
    }
    report = verify(path, handler, matchers=strict)
    assert [d.render() for d in report.results[0].differences] == [
        "result.items.1.n: expected a value of type int, got 8.5",
        "result.flag: expected true, got false",
    ]


def test_like_rejects_a_different_json_type(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("f", {}, {"count": 3})])
    report = verify(
        path, lambda event, context: {"count": "3"}, matchers={"result.count": match.like()}
    )
    assert [d.render() for d in report.results[0].differences] == [
        'result.count: expected a number like the recorded 3, got "3"'
    ]


def test_of_type_does_not_take_bool_for_int(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("f", {}, {"n": 1})])
    report = verify(
        path, lambda event, context: {"n": True}, matchers={"result.n": match.of_type(int)}
    )
    assert not report.passed


def test_matcher_path_that_matches_nothing_fails_the_report(cassette: Path) -> None:
    report = verify(
        cassette,
        get_user_profile,
        states=STATES,
        matchers={**VOLATILE, "result.data._id": match.hex32()},
    )
    assert report.problems == [
        "matcher path(s) 'result.data._id' matched no field of any interaction"
    ]
    assert not report.passed


def test_extra_fields_fail_unless_allowed(tmp_path: Path) -> None:
    path = write_cassette(tmp_path / "c.json", [entry("f", {}, {"a": 1})])

    def handler(event: dict[str, Any], context: Any) -> Any:
        return {"a": 1, "added": True}

    assert not verify(path, handler).passed
    assert verify(path, handler, allow_extra_fields=True).passed


def test_empty_cassette_never_passes(tmp_path: Path) -> None:
    report = verify(write_cassette(tmp_path / "c.json", []), get_user_profile)
    assert not report.passed
    assert report.problems == ["the cassette holds no interactions: nothing was verified"]


def test_missing_cassette_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CassetteError, match="no such cassette to verify"):
        verify(tmp_path / "nope.json", get_user_profile)


def test_bad_matcher_path_is_an_error(cassette: Path) -> None:
    with pytest.raises(ValueError, match="matcher path 'result..id' must be dotted field names"):
        verify(cassette, get_user_profile, matchers={"result..id": match.anything()})
