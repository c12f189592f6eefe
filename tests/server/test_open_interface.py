"""Token-less access on the loopback server is the listener's option, not the URL's scheme.

In process, ``http://api.weixin.qq.com`` is the Cloud Run open-interface service (http-api.md
§5); a loopback ``http://127.0.0.1`` URL says nothing about the caller, so a server answers
token-less calls only when started with ``open_interface=True``.
"""

from __future__ import annotations

import httpx
import pytest

from pytest_wxcloud import WxCloud

COUNT = "db.collection('books').count()"


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(seed=2)
    cloud.seed({"books": [{"_id": "b1"}, {"_id": "b2"}]})
    return cloud


def count_without_token(cloud: WxCloud, url: str) -> httpx.Response:
    with httpx.Client() as client:
        return client.post(f"{url}/tcb/databasecount", json={"env": cloud.env, "query": COUNT})


def test_off_by_default_token_less_calls_get_41001(cloud: WxCloud) -> None:
    with cloud.serve() as server:
        reply = count_without_token(cloud, server.url)
    body = reply.json()
    assert (body["errcode"], body["errmsg"].split(" rid: ")[0]) == (41001, "access_token missing")
    assert "x-openapi-seqid" not in reply.headers


def test_on_token_less_calls_are_served_like_the_open_interface_service(cloud: WxCloud) -> None:
    with cloud.serve(open_interface=True) as server:
        reply = count_without_token(cloud, server.url)
    assert (reply.json()["errcode"], reply.json()["count"]) == (0, 2)
    assert reply.headers["x-openapi-seqid"]


def test_on_a_bad_token_is_still_refused(cloud: WxCloud) -> None:
    with cloud.serve(open_interface=True) as server, httpx.Client() as client:
        reply = client.post(
            f"{server.url}/tcb/databasecount",
            params={"access_token": "forged"},
            json={"env": cloud.env, "query": COUNT},
        )
    assert reply.json()["errcode"] in (40001, 40014)


def test_in_process_the_scheme_still_decides(cloud: WxCloud) -> None:
    body = {"env": cloud.env, "query": COUNT}
    with cloud.mock_http(), httpx.Client() as client:
        plain = client.post("http://api.weixin.qq.com/tcb/databasecount", json=body).json()
        secure = client.post("https://api.weixin.qq.com/tcb/databasecount", json=body).json()
    assert (plain["errcode"], plain["count"]) == (0, 2)
    assert secure["errcode"] == 41001


def test_open_interface_by_is_checked() -> None:
    from pytest_wxcloud.http.options import HttpOptions

    with pytest.raises(ValueError, match="open_interface_by must be 'scheme' or 'listener'"):
        HttpOptions(open_interface_by="url")  # type: ignore[arg-type]
