"""The shop's statistics and checkout, tested against the in-memory cloud database."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud

from .shop import OutOfStock, checkout, daily_sales

CST = timezone(timedelta(hours=8))


@pytest.fixture
def cloud() -> WxCloud:
    cloud = WxCloud(seed=3, now=datetime(2024, 6, 2, 4, 0, tzinfo=timezone.utc))
    cloud.seed(
        {
            "products": [
                {"_id": "tea", "name": "Longjing tea", "price": 88, "stock": 10},
                {"_id": "cup", "name": "Celadon cup", "price": 35.5, "stock": 1},
            ],
            "orders": [
                # 23:30 on 31 May in UTC is already 1 June in Beijing: the report groups by +08:00 days
                {
                    "product_id": "tea",
                    "quantity": 2,
                    "unit_price": 88,
                    "status": "paid",
                    "paid_at": datetime(2024, 5, 31, 23, 30, tzinfo=timezone.utc),
                },
                {
                    "product_id": "tea",
                    "quantity": 1,
                    "unit_price": 88,
                    "status": "paid",
                    "paid_at": datetime(2024, 6, 1, 2, 0, tzinfo=CST),
                },
                {
                    "product_id": "cup",
                    "quantity": 3,
                    "unit_price": 35.5,
                    "status": "paid",
                    "paid_at": datetime(2024, 6, 1, 9, 0, tzinfo=CST),
                },
                {
                    "product_id": "cup",
                    "quantity": 9,
                    "unit_price": 35.5,
                    "status": "refunded",
                    "paid_at": datetime(2024, 6, 1, 9, 5, tzinfo=CST),
                },
                {
                    "product_id": "tea",
                    "quantity": 4,
                    "unit_price": 80,
                    "status": "paid",
                    "paid_at": datetime(2024, 6, 2, 10, 0, tzinfo=CST),
                },
                {
                    "product_id": "tea",
                    "quantity": 5,
                    "unit_price": 80,
                    "status": "paid",
                    "paid_at": datetime(2024, 4, 1, tzinfo=CST),
                },
            ],
        }
    )
    return cloud


def test_daily_sales_groups_by_beijing_day_and_product_with_names(cloud):
    report = daily_sales(cloud.database(), since=datetime(2024, 5, 1, tzinfo=CST))
    assert report == [
        {
            "day": "2024-06-01",
            "product": "tea",
            "name": "Longjing tea",
            "units": 3,
            "revenue": 264,
            "average_basket": 1.5,
        },
        {
            "day": "2024-06-01",
            "product": "cup",
            "name": "Celadon cup",
            "units": 3,
            "revenue": 106.5,
            "average_basket": 3.0,
        },
        {
            "day": "2024-06-02",
            "product": "tea",
            "name": "Longjing tea",
            "units": 4,
            "revenue": 320,
            "average_basket": 4.0,
        },
    ]


def test_checkout_deducts_stock_and_records_the_order(cloud):
    db = cloud.database()
    order_id = checkout(db, "o_alice", "tea", 3)
    assert db.collection("products").doc("tea").get()["data"]["stock"] == 7
    order = db.collection("orders").doc(order_id).get()["data"]
    assert order["quantity"] == 3 and order["unit_price"] == 88
    assert order["paid_at"] == datetime(2024, 6, 2, 4, 0, tzinfo=timezone.utc)


def test_checkout_refuses_more_than_the_stock_and_writes_nothing(cloud):
    db = cloud.database()
    orders_before = db.collection("orders").count()["total"]
    with pytest.raises(OutOfStock, match="1 left, 2 wanted"):
        checkout(db, "o_bob", "cup", 2)
    assert db.collection("products").doc("cup").get()["data"]["stock"] == 1
    assert db.collection("orders").count()["total"] == orders_before


def racing_checkouts(cloud: WxCloud, attempts: int) -> list[str]:
    """Two customers buy the last cup at once. Both read "1 left" before either writes (forced
    with a barrier on each customer's first read)."""
    db = cloud.database()
    document_reference = type(db.collection("products").doc("cup"))
    original_get = document_reference.get
    barrier = threading.Barrier(2)
    first_read = threading.local()

    def get_then_wait(self):  # type: ignore[no-untyped-def]
        result = original_get(self)
        if not getattr(first_read, "done", False):
            first_read.done = True
            barrier.wait(timeout=10)
        return result

    outcomes: list[str] = []

    def customer(openid: str) -> None:
        try:
            checkout(cloud.database(), openid, "cup", 1, attempts=attempts)
            outcomes.append("bought")
        except OutOfStock:
            outcomes.append("out of stock")
        except CloudSDKError as error:
            outcomes.append(f"error {error.err_code}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(document_reference, "get", get_then_wait)
        threads = [threading.Thread(target=customer, args=(who,)) for who in ("o_a", "o_b")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return sorted(outcomes)


def test_two_concurrent_checkouts_of_the_last_cup_cannot_both_succeed(cloud):
    # the loser's write conflicts; checkout retries, reads 0 left and refuses
    assert racing_checkouts(cloud, attempts=3) == ["bought", "out of stock"]
    db = cloud.database()
    assert db.collection("products").doc("cup").get()["data"]["stock"] == 0
    paid = db.collection("orders").where({"product_id": "cup", "status": "paid"}).count()
    assert paid["total"] == 2  # the seeded order and the winner's


def test_without_a_retry_the_loser_sees_the_conflict_as_production_reports_it(cloud):
    assert racing_checkouts(cloud, attempts=1) == ["bought", "error -501001"]
    assert cloud.database().collection("products").doc("cup").get()["data"]["stock"] == 0
