"""``cloud.serve()``: the same cloud on a real port, its faces, and the env for Node functions."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from serverkit import fetch_token

from pytest_wxcloud import WxCloud
from pytest_wxcloud.server import FACE_FACTORIES, LoopbackServer


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(env="prod-9g1x", seed=5)
    cloud.seed({"books": [{"_id": "b1", "title": "Dune", "price": 30}]})
    return cloud


@pytest.fixture
def server(cloud: WxCloud) -> Iterator[LoopbackServer]:
    with cloud.serve() as server:
        yield server


@pytest.fixture
def client(server: LoopbackServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def test_urls_name_a_free_loopback_port(cloud: WxCloud) -> None:
    with cloud.serve() as first, cloud.serve() as second:
        assert first.port != second.port
        assert first.url == f"http://127.0.0.1:{first.port}"
        assert first.admin_url == first.url + "/admin"


def test_explicit_port(cloud: WxCloud) -> None:
    with cloud.serve() as probe:
        port = probe.port
    with cloud.serve(port=port) as server, httpx.Client() as client:
        assert server.url == f"http://127.0.0.1:{port}"
        assert client.get(f"{server.url}/_wxcloud/info").status_code == 200


def test_http_api_answers_from_the_same_cloud(cloud: WxCloud, client: httpx.Client) -> None:
    access_token = fetch_token(client, cloud)
    body = {"env": cloud.env, "query": "db.collection('books').add({data: {title: 'Emma'}})"}
    added = client.post("/tcb/databaseadd", params={"access_token": access_token}, json=body)
    assert added.json()["errcode"] == 0
    assert [doc["title"] for doc in cloud.dump("books")] == ["Dune", "Emma"]
    cloud.seed({"authors": [{"_id": "a1", "name": "Herbert"}]})
    body = {"env": cloud.env, "query": "db.collection('authors').get()"}
    found = client.post("/tcb/databasequery", params={"access_token": access_token}, json=body)
    assert [json.loads(d) for d in found.json()["data"]] == [{"_id": "a1", "name": "Herbert"}]


def test_unknown_path_is_404_naming_it(client: httpx.Client) -> None:
    reply = client.put("/tcb/nothing-here")
    assert reply.status_code == 404
    assert "serves no PUT /tcb/nothing-here" in reply.json()["errmsg"]


def test_admin_is_the_cloudbase_face(client: httpx.Client, cloud: WxCloud) -> None:
    cloud.seed({"authors": [{"_id": "a1", "name": "Herbert"}]})
    body = {"action": "database.getDocument", "collectionName": "authors", "envName": cloud.env}
    reply = client.post(f"/admin?env={cloud.env}&seqId=1", json=body)
    assert reply.status_code == 200  # the SDK reads errors from HTTP 200 bodies too
    assert [json.loads(d) for d in reply.json()["data"]["list"]] == [
        {"_id": "a1", "name": "Herbert"}
    ]


class Teapot:
    def answer(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/teapot":
            return None
        return httpx.Response(418, json={"short": "stout"}, headers={"X-Tea": "yes"})


def test_a_face_added_to_a_running_server_is_asked(
    server: LoopbackServer, client: httpx.Client
) -> None:
    assert client.get("/teapot").status_code == 404
    server.faces.append(Teapot())
    reply = client.get("/teapot")
    assert (reply.status_code, reply.json(), reply.headers["x-tea"]) == (
        418,
        {"short": "stout"},
        "yes",
    )


def test_a_registered_face_factory_serves_every_new_server(cloud: WxCloud) -> None:
    def teapot(server: LoopbackServer) -> Teapot:
        return Teapot()

    FACE_FACTORIES.append(teapot)
    try:
        with cloud.serve() as server, httpx.Client() as client:
            assert client.get(f"{server.url}/teapot").status_code == 418
    finally:
        FACE_FACTORIES.remove(teapot)


class Broken:
    def answer(self, request: httpx.Request) -> httpx.Response | None:
        raise RuntimeError("face bug")


def test_a_failing_face_gets_500_and_the_server_keeps_serving(
    server: LoopbackServer, client: httpx.Client
) -> None:
    server.faces.insert(0, Broken())
    reply = client.get("/anything")
    assert reply.status_code == 500
    assert "RuntimeError: face bug" in reply.json()["errmsg"]
    server.faces.pop(0)
    assert client.get("/_wxcloud/info").status_code == 200


def test_stop_via_the_context_manager(cloud: WxCloud) -> None:
    with cloud.serve() as server:
        url = server.url
    with httpx.Client() as client, pytest.raises(httpx.ConnectError):
        client.get(f"{url}/_wxcloud/info")


def test_max_body_bytes_and_port_are_checked(cloud: WxCloud) -> None:
    with pytest.raises(ValueError, match="max_body_bytes must be 0 or more, got -1"):
        cloud.serve(max_body_bytes=-1)
    with pytest.raises(TypeError, match="max_body_bytes must be an int"):
        cloud.serve(max_body_bytes="1MB")
    with pytest.raises(ValueError, match="port must be an int from 0 .* got 65536"):
        cloud.serve(port=65536)


def test_http_options_apply(cloud: WxCloud) -> None:
    cloud.seed({"many": [{"n": n} for n in range(150)]})
    with cloud.serve(max_limit=1000) as server, httpx.Client(base_url=server.url) as client:
        body = {"env": cloud.env, "query": "db.collection('many').limit(150).get()"}
        reply = client.post(
            "/tcb/databasequery", params={"access_token": fetch_token(client, cloud)}, json=body
        ).json()
        assert len(reply["data"]) == 150


# --- node_env --------------------------------------------------------------------------------


def test_node_env_for_a_user(cloud: WxCloud, server: LoopbackServer) -> None:
    alice = cloud.user(openid="o_alice")
    env = server.node_env(alice)
    assert {k: v for k, v in env.items() if k in alice.environ()} == {
        **alice.environ(),
        "TCB_ENV": "prod-9g1x",
        "SCF_NAMESPACE": "prod-9g1x",
    }
    assert env["WX_OPENID"] == "o_alice"
    # node-runtime.md §3.1: TCB_ENV listed, or the wire's env disagrees with getWXContext's;
    # TCB_SOURCE listed, or it never reaches X-TCB-Source
    assert env["TCB_CONTEXT_KEYS"].split(",") == ["TCB_ENV", "TCB_SOURCE"]
    assert json.loads(env["TCB_CONTEXT_CNFG"]) == {"URL": server.admin_url}
    # §5.3: SCF mode with a region stops the metadata probes and the missing-region errors
    assert (env["TENCENTCLOUD_RUNENV"], env["TENCENTCLOUD_REGION"]) == ("SCF", "ap-shanghai")
    # §3.1 case J: 4.0.2 crashes without cloud credentials
    assert env["TENCENTCLOUD_SECRETID"] and env["TENCENTCLOUD_SECRETKEY"]
    assert env["TENCENTCLOUD_SESSIONTOKEN"]


def test_node_env_without_a_user(server: LoopbackServer) -> None:
    env = server.node_env()
    assert "WX_CONTEXT_KEYS" not in env and "WX_OPENID" not in env
    assert (env["TCB_ENV"], env["SCF_NAMESPACE"], env["TCB_CONTEXT_KEYS"]) == (
        "prod-9g1x",
        "prod-9g1x",
        "TCB_ENV",
    )


def test_node_env_keeps_the_users_own_env(cloud: WxCloud, server: LoopbackServer) -> None:
    env = server.node_env(cloud.user(env="other-env"))
    assert (env["TCB_ENV"], env["SCF_NAMESPACE"]) == ("other-env", "other-env")


def test_node_env_rejects_what_is_not_an_identity(server: LoopbackServer) -> None:
    with pytest.raises(TypeError, match="node_env\\(\\) takes an Identity"):
        server.node_env("o_alice")  # type: ignore[arg-type]
