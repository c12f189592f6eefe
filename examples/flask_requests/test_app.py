"""The Flask views through Flask's test client; the wxcloud fixture answers their requests calls."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from pytest_wxcloud import WxCloud

from .app import create_app

BOOKS = {
    "books": [
        {"_id": "b1", "title": "三体", "shelf": "sf"},
        {"_id": "b2", "title": "Dune", "shelf": "sf"},
        {"_id": "b3", "title": "活着", "shelf": "novel"},
    ]
}


@pytest.fixture
def client(wxcloud: WxCloud) -> FlaskClient:
    wxcloud.seed(BOOKS)
    return create_app(wxcloud.appid, wxcloud.secret, wxcloud.env).test_client()


def test_list_a_shelf(client: FlaskClient) -> None:
    reply = client.get("/books?shelf=sf")
    assert reply.status_code == 200
    assert reply.json == {
        "books": [
            {"_id": "b2", "title": "Dune", "shelf": "sf"},
            {"_id": "b1", "title": "三体", "shelf": "sf"},
        ],
        "total": 2,
    }


def test_quotes_in_user_input_stay_data(client: FlaskClient) -> None:
    assert client.get("/books", query_string={"shelf": "sf'}) || ({"}).json == {
        "books": [],
        "total": 0,
    }


def test_add_then_list(wxcloud: WxCloud, client: FlaskClient) -> None:
    added = client.post("/books", json={"title": "Solaris", "shelf": "sf"})
    assert added.status_code == 201
    assert [doc["title"] for doc in wxcloud.dump("books")][-1] == "Solaris"
    assert client.get("/books?shelf=sf").json["total"] == 3  # type: ignore[index]


def test_token_is_fetched_once_and_refreshed_when_expired(
    wxcloud: WxCloud, client: FlaskClient
) -> None:
    assert client.get("/books?shelf=novel").json["total"] == 1  # type: ignore[index]
    wxcloud.clock.advance(7200)  # the cached token expires on the cloud's clock
    assert client.get("/books?shelf=novel").json["total"] == 1  # type: ignore[index]


def test_missing_collection_is_a_bad_gateway(wxcloud: WxCloud) -> None:
    app = create_app(wxcloud.appid, wxcloud.secret, wxcloud.env)  # no seed: no collection
    reply = app.test_client().get("/books?shelf=sf")
    assert reply.status_code == 502
    assert b"[ResourceNotFound] Db or Table not exist" in reply.data
