"""Identities: realistic generated fields, and the three renderings production code reads."""

from __future__ import annotations

import re

import pytest

from pytest_wxcloud import Identity, WxCloud
from pytest_wxcloud.identity import context_from_environ

OPENID = re.compile(r"o[A-Za-z0-9_-]{27}")


def test_generated_users_have_realistic_fields_and_belong_to_the_cloud() -> None:
    cloud = WxCloud(env="prod-3g5k9a", seed=7)
    user = cloud.user()
    assert OPENID.fullmatch(user.openid or "")
    assert OPENID.fullmatch(user.unionid or "")
    assert user.appid == cloud.appid and re.fullmatch(r"wx[0-9a-f]{16}", user.appid)
    assert user.env == "prod-3g5k9a"
    assert user.source == "wx_client"
    assert re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", user.client_ip or "")
    assert user.client_ipv6 == f"::ffff:{user.client_ip}"
    assert (user.from_openid, user.from_appid, user.from_unionid) == (None, None, None)


def test_users_are_deterministic_from_the_seed_and_distinct_within_a_cloud() -> None:
    first = [WxCloud(seed=3).user() for _ in range(2)]
    assert first[0] == first[1]
    cloud = WxCloud(seed=3)
    a, b = cloud.user(), cloud.user()
    assert a == first[0] and a.openid != b.openid
    assert WxCloud(seed=4).user().openid != a.openid


def test_spelling_out_a_field_does_not_shift_later_users() -> None:
    plain = WxCloud(seed=11)
    plain.user()
    expected = plain.user()
    cloud = WxCloud(seed=11)
    given = cloud.user(openid="o_bob", unionid=None)
    assert (given.openid, given.unionid) == ("o_bob", None)
    assert cloud.user() == expected


def test_making_users_does_not_change_database_ids() -> None:
    def first_id(make_users: bool) -> str:
        cloud = WxCloud(seed=5)
        if make_users:
            cloud.user()
        cloud.seed({"books": []})
        return str(cloud.database().collection("books").add(data={"t": 1})["_id"])

    assert first_id(True) == first_id(False)


def test_wx_context_matches_get_wx_context_inside_an_invocation() -> None:
    user = Identity(
        openid="oAbc", appid="wx0123456789abcdef", unionid="oUnion", env="test-env",
        client_ip="1.2.3.4", client_ipv6="::ffff:1.2.3.4", from_openid="oFrom", from_appid="wxfrom",
    )  # fmt: skip
    context = user.wx_context()
    assert list(context) == [
        "OPENID", "APPID", "UNIONID", "CLIENTIP", "CLIENTIPV6", "FROM_OPENID", "FROM_APPID", "ENV", "SOURCE",
    ]  # fmt: skip
    assert context["OPENID"] == "oAbc" and context["ENV"] == "test-env"
    assert context["SOURCE"] == "wx_client"
    assert not any("TOKEN" in key for key in context)


def test_absent_fields_are_absent_not_empty() -> None:
    cloud = WxCloud(seed=1)
    user = cloud.user(unionid=None, client_ip=None)
    context = user.wx_context()
    assert "UNIONID" not in context and "CLIENTIP" not in context and "CLIENTIPV6" not in context
    assert "WX_UNIONID" not in user.environ()
    assert "X-WX-UNIONID" not in user.headers() and "X-Forwarded-For" not in user.headers()


def test_digit_only_values_become_numbers_as_in_get_wx_context() -> None:
    assert Identity(openid="00123", env="e").wx_context()["OPENID"] == 123


def test_environ_is_what_the_platform_injects() -> None:
    user = Identity(openid="oA", appid="wxA", env="env-1", source="wx_client")
    environ = user.environ()
    assert environ["WX_CONTEXT_KEYS"] == "WX_OPENID,WX_APPID,WX_API_TOKEN"
    assert environ["WX_OPENID"] == "oA" and environ["WX_APPID"] == "wxA"
    assert environ["TCB_ENV"] == "env-1" and environ["TCB_SOURCE"] == "wx_client"
    assert "TRIGGER_SRC" not in environ


def test_a_timer_invocation_has_no_user_but_still_env_and_source() -> None:
    timer = Identity(env="env-1", source="wx_trigger")
    environ = timer.environ()
    assert environ["WX_CONTEXT_KEYS"] == "WX_TRIGGER_API_TOKEN_V0"
    assert environ["TRIGGER_SRC"] == "timer"
    assert timer.wx_context() == {"ENV": "env-1", "SOURCE": "wx_trigger"}


def test_headers_are_the_cloud_run_x_wx_headers() -> None:
    user = Identity(
        openid="oA", appid="wxA", unionid="oU", env="env-1", client_ip="1.2.3.4",
        from_openid="oF", from_appid="wxF", from_unionid="oFU",
    )  # fmt: skip
    assert user.headers() == {
        "X-WX-OPENID": "oA",
        "X-WX-APPID": "wxA",
        "X-WX-UNIONID": "oU",
        "X-WX-FROM-OPENID": "oF",
        "X-WX-FROM-APPID": "wxF",
        "X-WX-FROM-UNIONID": "oFU",
        "X-WX-ENV": "env-1",
        "X-WX-SOURCE": "wx_client",
        "X-Forwarded-For": "1.2.3.4",
        "X-Original-Forwarded-For": "1.2.3.4",
    }


@pytest.mark.parametrize("bad", [123, "", b"oA"])
def test_identity_fields_must_be_non_empty_strings(bad: object) -> None:
    with pytest.raises(TypeError, match=r"Identity\.openid must be a non-empty str or None"):
        Identity(openid=bad)  # type: ignore[arg-type]


def test_replace_returns_a_changed_copy() -> None:
    user = Identity(openid="oA", env="e")
    other = user.replace(openid=None, source="wx_devtools")
    assert user.openid == "oA" and other.openid is None and other.source == "wx_devtools"


# --- the getWXContext algorithm itself (reference sdk.md §1.1, LAB case) -------------------


def test_get_wx_context_algorithm_reproduces_the_lab_observation() -> None:
    environ = {
        "WX_CONTEXT_KEYS": "WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP,WX_CLIENTIPV6,WX_API_TOKEN,"
        "WX_TRIGGER_API_TOKEN_V0,WX_FROM_OPENID,WX_FROM_APPID,WX_NUMERIC,,WX_MISSING,CUSTOM",
        "WX_OPENID": "oX",
        "WX_APPID": "wxX",
        "WX_UNIONID": "oU",
        "WX_CLIENTIP": "1.2.3.4",
        "WX_CLIENTIPV6": "::1",
        "WX_API_TOKEN": "secret",
        "WX_TRIGGER_API_TOKEN_V0": "secret",
        "WX_FROM_OPENID": "oF",
        "WX_FROM_APPID": "wxF",
        "WX_NUMERIC": "00123",
        "CUSTOM": "kept",
        "TCB_ENV": "env-1",
        "TCB_SOURCE": "wx_client",
    }
    context = context_from_environ(environ)
    assert list(context) == [
        "OPENID", "APPID", "UNIONID", "CLIENTIP", "CLIENTIPV6", "FROM_OPENID", "FROM_APPID",
        "NUMERIC", "CUSTOM", "ENV", "SOURCE",
    ]  # fmt: skip
    assert context["NUMERIC"] == 123 and context["CUSTOM"] == "kept"


def test_get_wx_context_is_empty_without_context_keys() -> None:
    assert context_from_environ({"TCB_ENV": "e", "TCB_SOURCE": "wx_client", "WX_OPENID": "o"}) == {}
    assert context_from_environ({"WX_CONTEXT_KEYS": ""}) == {}


def test_env_falls_back_to_scf_namespace_and_source_needs_a_value() -> None:
    context = context_from_environ(
        {"WX_CONTEXT_KEYS": "WX_OPENID", "WX_OPENID": "o", "SCF_NAMESPACE": "ns", "TCB_SOURCE": ""}
    )
    assert context == {"OPENID": "o", "ENV": "ns"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("-5", -5), ("0", 0), ("12a", "12a"), ("١٢", "١٢"), ("123\n", "123\n"), ("1.5", "1.5")],
)
def test_only_ascii_integer_strings_become_numbers(raw: str, expected: object) -> None:
    assert context_from_environ({"WX_CONTEXT_KEYS": "WX_V", "WX_V": raw})["V"] == expected


def test_a_bare_wx_key_is_kept_as_is() -> None:
    assert context_from_environ({"WX_CONTEXT_KEYS": "WX_", "WX_": "v"}) == {"WX_": "v"}
