"""The wxcloud / wx_user / wx_db fixtures and the wxcloud marker, used in-process."""

from __future__ import annotations

import zlib
from pathlib import Path

import httpx
import pytest

from pytest_wxcloud import Identity, WxCloud

DATA = Path(__file__).parent / "data"


def test_wxcloud_is_a_fresh_cloud_seeded_from_the_node_id(
    wxcloud: WxCloud, request: pytest.FixtureRequest
) -> None:
    assert isinstance(wxcloud, WxCloud)
    assert wxcloud.seed_value == zlib.crc32(request.node.nodeid.encode())
    assert wxcloud.env == "test-env"
    assert wxcloud.user() == WxCloud(seed=wxcloud.seed_value).user()
    assert wxcloud.functions.calls == [] and wxcloud.collections() == []


def test_wx_user_and_wx_db_belong_to_the_same_cloud(
    wxcloud: WxCloud, wx_user: Identity, wx_db: object
) -> None:
    assert wx_user.appid == wxcloud.appid and wx_user.env == wxcloud.env
    wxcloud.seed({"notes": []})
    wx_db.collection("notes").add(data={"by": wx_user.openid})  # type: ignore[attr-defined]
    assert wxcloud.dump("notes")[0]["by"] == wx_user.openid


def test_http_interception_is_on(wxcloud: WxCloud) -> None:
    reply = httpx.get(
        "https://api.weixin.qq.com/cgi-bin/token",
        params={
            "grant_type": "client_credential",
            "appid": wxcloud.appid,
            "secret": wxcloud.secret,
        },
    )
    assert "access_token" in reply.json()


@pytest.mark.wxcloud(env="prod-3g5k9a", appid="wx0123456789abcdef", seed=7)
def test_marker_sets_env_appid_and_seed(wxcloud: WxCloud) -> None:
    assert (wxcloud.env, wxcloud.appid, wxcloud.seed_value) == (
        "prod-3g5k9a",
        "wx0123456789abcdef",
        7,
    )


@pytest.mark.wxcloud(
    data={"books": [{"_id": "b1", "title": "Dream"}, {"_id": "b2", "title": "Fortress"}]}
)
def test_marker_data_seeds_collections(wx_db: object) -> None:
    titles = [d["title"] for d in wx_db.collection("books").get()["data"]]  # type: ignore[attr-defined]
    assert titles == ["Dream", "Fortress"]


@pytest.mark.wxcloud(data={"people": "data/users.json"}, seed=1)
def test_marker_data_loads_an_export_file_into_a_named_collection(wxcloud: WxCloud) -> None:
    assert [d["name"] for d in wxcloud.dump("people")] == ["Ann", "Ben"]


@pytest.mark.wxcloud(data=["data/users.json"])
def test_marker_data_file_list_names_collections_after_files(wxcloud: WxCloud) -> None:
    assert wxcloud.collections() == ["users"]


@pytest.mark.wxcloud(data=str(DATA / "users.json"))
def test_marker_data_absolute_path(wxcloud: WxCloud) -> None:
    assert len(wxcloud.dump("users")) == 2


@pytest.mark.parametrize("flavour", ["a", "b"])
def test_parametrized_tests_get_different_seeds(
    wxcloud: WxCloud, flavour: str, request: pytest.FixtureRequest
) -> None:
    other_id = request.node.nodeid.replace(f"[{flavour}]", "[b]" if flavour == "a" else "[a]")
    assert wxcloud.seed_value != zlib.crc32(other_id.encode())


@pytest.mark.anyio
async def test_async_tests_can_use_the_fixtures(wxcloud: WxCloud, wx_user: Identity) -> None:
    @wxcloud.function("hello")
    async def hello(event: dict[str, object]) -> object:
        return wxcloud.get_wx_context()["OPENID"]

    with wxcloud.as_user(wx_user):
        assert wxcloud.get_wx_context()["OPENID"] == wx_user.openid
        assert wxcloud.call_function("hello")["result"] == wx_user.openid


def test_the_marker_is_registered(pytestconfig: pytest.Config) -> None:
    assert any(
        line.startswith("wxcloud(env=None, appid=None, seed=None, data=None, strict=None)")
        for line in pytestconfig.getini("markers")
    )
