"""A shop's back end: order statistics by aggregation and a stock-deducting checkout.

``daily_sales`` is the report a merchant dashboard asks for: revenue and units per day and
product, with the product's name looked up from another collection. ``checkout`` deducts stock
and records the order in one transaction, so two customers racing for the last item cannot both
get it; the loser's write conflicts, and checkout retries it the way production code must.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pytest_wxcloud import CloudSDKError
from pytest_wxcloud.database.api import Database
from pytest_wxcloud.database.transaction import Transaction


def daily_sales(db: Database, since: datetime) -> list[dict[str, Any]]:
    _ = db.command
    A = _.aggregate
    result = (
        db.collection("orders")
        .aggregate()
        .match({"paid_at": _.gte(since), "status": "paid"})
        .group(
            {
                "_id": {
                    "day": A.date_to_string(
                        {"date": "$paid_at", "format": "%Y-%m-%d", "timezone": "+08:00"}
                    ),
                    "product": "$product_id",
                },
                "units": A.sum("$quantity"),
                "revenue": A.sum(A.multiply(["$quantity", "$unit_price"])),
                "average_basket": A.avg("$quantity"),
            }
        )
        .lookup(
            {
                "from": "products",
                "localField": "_id.product",
                "foreignField": "_id",
                "as": "product",
            }
        )
        .replace_root(
            {
                "newRoot": A.merge_objects(
                    [
                        {"day": "$_id.day", "product": "$_id.product"},
                        {"name": A.array_elem_at(["$product.name", 0])},
                        {
                            "units": "$units",
                            "revenue": "$revenue",
                            "average_basket": "$average_basket",
                        },
                    ]
                )
            }
        )
        .sort({"day": 1, "revenue": -1})
        .limit(1000)
        .end()
    )
    return list(result["list"])


class OutOfStock(Exception):
    pass


def is_conflict(error: CloudSDKError) -> bool:
    """Two checkouts writing the same product conflict. wx-server-sdk reports a conflict at the
    write as -501001 with the backend's TransactionConflict text and does not retry it itself, so
    shops retry on that text (the code property is only there for conflicts at commit)."""
    return error.code == "DATABASE_TRANSACTION_CONFLICT" or "TransactionConflict" in error.err_msg


def checkout(db: Database, openid: str, product_id: str, quantity: int, attempts: int = 3) -> str:
    """Returns the new order's id; raises OutOfStock when the stock cannot cover it."""
    _ = db.command

    def attempt(tx: Transaction) -> str:
        product = tx.collection("products").doc(product_id).get()["data"]
        if product["stock"] < quantity:
            tx.rollback(
                OutOfStock(f"{product['name']}: {product['stock']} left, {quantity} wanted")
            )
            return ""
        tx.collection("products").doc(product_id).update(data={"stock": _.inc(-quantity)})
        order = tx.collection("orders").add(
            data={
                "openid": openid,
                "product_id": product_id,
                "quantity": quantity,
                "unit_price": product["price"],
                "status": "paid",
                "paid_at": db.server_date(),
            }
        )
        return str(order["_id"])

    for tries_left in range(attempts - 1, -1, -1):
        try:
            # rollback(OutOfStock(...)) makes run_transaction raise that exception itself
            return str(db.run_transaction(attempt))
        except CloudSDKError as error:
            if not is_conflict(error) or tries_left == 0:
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")
