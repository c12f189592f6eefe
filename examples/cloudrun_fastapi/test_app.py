"""Testing the Cloud Run service with pytest-wxcloud: users as X-WX-* headers, the database
behind the token-less open-interface host answered by the test's cloud."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from pytest_wxcloud import WxCloud

from .app import create_app


@pytest.fixture
def client(wxcloud: WxCloud, monkeypatch: pytest.MonkeyPatch) -> TestClient:
    wxcloud.seed({"todos": []})
    wxcloud.clock.freeze()
    monkeypatch.setenv("CBR_ENV_ID", wxcloud.env)
    return TestClient(create_app())


def test_users_see_only_their_own_todos(wxcloud: WxCloud, client: TestClient) -> None:
    alice, bob = wxcloud.user(), wxcloud.user()
    for user, title in ((alice, "milk"), (alice, "bread"), (bob, "bob's")):
        response = client.post("/api/todos", json={"title": title}, headers=user.headers())
        assert response.status_code == 201
        wxcloud.clock.advance(timedelta(minutes=1))

    todos = client.get("/api/todos", headers=alice.headers()).json()
    assert [t["title"] for t in todos] == ["bread", "milk"]  # newest first
    assert all("_openid" not in t for t in todos)
    assert [t["title"] for t in client.get("/api/todos", headers=bob.headers()).json()] == ["bob's"]
    stored = wxcloud.dump("todos")
    assert {d["_openid"] for d in stored} == {alice.openid, bob.openid}
    assert stored[0]["createdAt"] == stored[1]["createdAt"] - timedelta(minutes=1)


def test_marking_done_is_scoped_to_the_owner(wxcloud: WxCloud, client: TestClient) -> None:
    alice, mallory = wxcloud.user(), wxcloud.user()
    todo_id = client.post("/api/todos", json={"title": "x"}, headers=alice.headers()).json()["_id"]
    assert client.post(f"/api/todos/{todo_id}/done", headers=mallory.headers()).status_code == 404
    assert client.post(f"/api/todos/{todo_id}/done", headers=alice.headers()).json() == {
        "modified": 1
    }
    assert wxcloud.dump("todos")[0]["done"] is True


def test_request_without_x_wx_source_is_refused(wxcloud: WxCloud, client: TestClient) -> None:
    """Forged from the public internet: the openid header alone must not be trusted."""
    alice = wxcloud.user()
    forged = {k: v for k, v in alice.headers().items() if k != "X-WX-SOURCE"}
    assert forged["X-WX-OPENID"] == alice.openid
    assert client.post("/api/todos", json={"title": "spam"}, headers=forged).status_code == 403
    assert client.get("/api/todos", headers=forged).status_code == 403
    assert wxcloud.dump("todos") == []


def test_resource_reuse_caller_uses_from_openid(wxcloud: WxCloud, client: TestClient) -> None:
    caller = wxcloud.user(
        openid=None, from_openid="o_from_other_app", from_appid="wx1111111111111111"
    )
    assert "X-WX-OPENID" not in caller.headers()
    response = client.post("/api/todos", json={"title": "shared"}, headers=caller.headers())
    assert response.status_code == 201
    assert wxcloud.dump("todos")[0]["_openid"] == "o_from_other_app"


def test_wechat_request_without_a_user_is_refused(wxcloud: WxCloud, client: TestClient) -> None:
    """From WeChat but with no user (e.g. a not-logged-in Official Account): 401, not 403."""
    alice = wxcloud.user()
    anonymous = {k: v for k, v in alice.headers().items() if "OPENID" not in k}
    assert anonymous["X-WX-SOURCE"]
    assert client.get("/api/todos", headers=anonymous).status_code == 401
    assert client.post("/api/todos", json={"title": "x"}, headers=anonymous).status_code == 401
    assert wxcloud.dump("todos") == []


def test_user_text_cannot_change_the_query(wxcloud: WxCloud, client: TestClient) -> None:
    alice = wxcloud.user()
    title = "x'}), db.collection('todos').remove() //"
    client.post("/api/todos", json={"title": title}, headers=alice.headers())
    assert [d["title"] for d in wxcloud.dump("todos")] == [title]


def test_database_failure_is_a_502(wxcloud: WxCloud, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBR_ENV_ID", wxcloud.env)
    client = TestClient(create_app())  # no "todos" collection: the query fails with -502005
    response = client.get("/api/todos", headers=wxcloud.user().headers())
    assert response.status_code == 502
    assert response.json() == {"detail": "database error -502005"}
