"""Tests of the bookshelf function, as its authors would write them with pytest-wxcloud."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from pytest_wxcloud import WxCloud

from .bookshelf import create_handler

NOW = datetime(2024, 9, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(seed=11, now=NOW)
    cloud.seed(
        {
            "books": [
                {
                    "_id": "sanguo",
                    "title": "Romance of the Three Kingdoms",
                    "author": "Luo",
                    "available": True,
                },
                {
                    "_id": "honglou",
                    "title": "Dream of the Red Chamber",
                    "author": "Cao",
                    "available": True,
                },
                {
                    "_id": "xiyou",
                    "title": "Journey to the West",
                    "author": "Wu",
                    "available": False,
                },
            ],
            "loans": [],
            "users": [],
        }
    )
    return cloud


def test_list_shows_available_books_sorted(cloud):
    main = create_handler(cloud)
    with cloud.as_user(cloud.user()):
        result = main({"action": "list"}, {})
    assert result["total"] == 2
    assert [b["title"] for b in result["books"]] == [
        "Dream of the Red Chamber",
        "Romance of the Three Kingdoms",
    ]
    assert set(result["books"][0]) == {"_id", "title", "author"}


def test_borrow_then_return(cloud):
    main = create_handler(cloud)
    alice = cloud.user()
    cloud.seed({"users": [{"openid": alice.openid, "borrowed": 0}]})
    with cloud.as_user(alice):
        borrowed = main({"action": "borrow", "book": "sanguo"}, {})
        assert borrowed["ok"] is True
        book = cloud.database().collection("books").doc("sanguo").get()["data"]
        assert book["available"] is False and book["borrower"] == alice.openid
        loan = cloud.database().collection("loans").doc(borrowed["loan"]).get()["data"]
        assert loan["since"] == NOW  # db.server_date() resolved by the frozen clock
        assert main({"action": "return", "book": "sanguo"}, {}) == {"ok": True}
    book = cloud.database().collection("books").doc("sanguo").get()["data"]
    assert book["available"] is True and "borrower" not in book
    [loan] = cloud.dump("loans")
    assert loan["returned"] is True and loan["returned_at"] == NOW
    assert cloud.dump("users")[0]["borrowed"] == 1


def test_a_book_cannot_be_borrowed_twice(cloud):
    main = create_handler(cloud)
    alice, bob = cloud.user(), cloud.user()
    with cloud.as_user(alice):
        assert main({"action": "borrow", "book": "honglou"}, {})["ok"] is True
    with cloud.as_user(bob):
        assert main({"action": "borrow", "book": "honglou"}, {}) == {
            "ok": False,
            "reason": "already borrowed",
        }
        assert main({"action": "return", "book": "honglou"}, {}) == {
            "ok": False,
            "reason": "not borrowed by you",
        }
    assert len(cloud.dump("loans")) == 1


def test_unknown_book_and_anonymous_caller(cloud):
    main = create_handler(cloud)
    assert main({"action": "list"}, {})["ok"] is False  # no OPENID outside an invocation
    with cloud.as_user(cloud.user()):
        assert main({"action": "borrow", "book": "nope"}, {}) == {
            "ok": False,
            "reason": "no such book",
        }
    assert cloud.dump("loans") == []
