"""A small library cloud function: list, borrow and return books.

It is written the way a WeChat cloud function is written — one handler routing on
``event["action"]``, the caller's OPENID from ``get_wx_context()``, the database through the
SDK-shaped API — so its tests exercise the same calls production code makes.
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud import WxCloud
from pytest_wxcloud.database.transaction import TransactionRollback


def create_handler(cloud: WxCloud) -> Any:
    # a missing book is an answer here, not an error: doc().get() gives data=None
    db = cloud.database(throw_on_not_found=False)
    _ = db.command

    def list_books(event: dict[str, Any]) -> dict[str, Any]:
        page = int(event.get("page", 0))
        query = db.collection("books").where({"available": True})
        total = query.count()["total"]
        books = (
            query.order_by("title", "asc")
            .skip(page * 10)
            .limit(10)
            .field({"title": True, "author": True})
            .get()
        )
        return {"total": total, "books": books["data"]}

    def borrow(openid: str, book_id: str) -> dict[str, Any]:
        def attempt(tx: Any) -> dict[str, Any]:
            book = tx.collection("books").doc(book_id).get()["data"]
            if book is None:
                tx.rollback({"ok": False, "reason": "no such book"})
                return {}
            if not book["available"]:
                tx.rollback({"ok": False, "reason": "already borrowed"})
                return {}
            tx.collection("books").doc(book_id).update(
                data={"available": False, "borrower": openid}
            )
            loan = tx.collection("loans").add(
                data={
                    "book": book_id,
                    "openid": openid,
                    "since": db.server_date(),
                    "returned": False,
                }
            )
            return {"ok": True, "loan": loan["_id"]}

        try:
            result: dict[str, Any] = db.run_transaction(attempt)
        except TransactionRollback as refused:
            return dict(refused.reason)
        db.collection("users").where({"openid": openid}).update(data={"borrowed": _.inc(1)})
        return result

    def give_back(openid: str, book_id: str) -> dict[str, Any]:
        loans = db.collection("loans").where({"book": book_id, "openid": openid, "returned": False})
        closed = loans.update(data={"returned": True, "returned_at": db.server_date()})
        if closed["stats"]["updated"] == 0:
            return {"ok": False, "reason": "not borrowed by you"}
        db.collection("books").doc(book_id).update(data={"available": True, "borrower": _.remove()})
        return {"ok": True}

    def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
        openid = cloud.get_wx_context().get("OPENID")
        if not openid:
            return {"ok": False, "reason": "call me from the mini program"}
        action = event.get("action")
        if action == "list":
            return list_books(event)
        if action == "borrow":
            return borrow(openid, event["book"])
        if action == "return":
            return give_back(openid, event["book"])
        return {"ok": False, "reason": f"unknown action {action!r}"}

    return main
