"""collection.aggregate() through the SDK-shaped API: a shop's order statistics, _.expr in
where, the 20-document default, and aggregate errors taking the errCode -1 path (sdk.md §3.4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud

UTC = timezone.utc
START = datetime(2024, 5, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def shop() -> WxCloud:
    cloud = WxCloud(seed=3, now=START)
    products = [
        {"_id": "p-pen", "name": "钢笔", "price": 12.5},
        {"_id": "p-ink", "name": "墨水", "price": 8},
        {"_id": "p-pad", "name": "笔记本", "price": 20},
    ]
    orders = []
    plan = [
        ("p-pen", 2, 0),
        ("p-ink", 1, 0),
        ("p-pen", 1, 0),
        ("p-pad", 3, 1),
        ("p-pen", 4, 1),
        ("p-ink", 5, 2),
    ]
    for i, (product, qty, day) in enumerate(plan):
        orders.append(
            {
                "_id": f"o{i}",
                "productId": product,
                "qty": qty,
                "status": "paid" if i != 2 else "refunded",
                "createdAt": START + timedelta(days=day, hours=i),
            }
        )
    cloud.seed({"products": products, "orders": orders})
    return cloud


def test_daily_sales_per_product_with_product_names(shop: WxCloud) -> None:
    db = shop.database()
    _ = db.command
    S = _.aggregate
    result = (
        db.collection("orders")
        .aggregate()
        .match({"status": "paid", "createdAt": _.gte(START)})
        .group(
            {
                "_id": {
                    "day": S.date_to_string(
                        {"date": "$createdAt", "format": "%Y-%m-%d", "timezone": "Asia/Shanghai"}
                    ),
                    "productId": "$productId",
                },
                "qty": S.sum("$qty"),
                "orders": S.sum(1),
            }
        )
        .lookup(from_="products", local_field="_id.productId", foreign_field="_id", as_="product")
        .replace_root(
            new_root=S.merge_objects(
                [
                    "$_id",
                    {"qty": "$qty", "orders": "$orders"},
                    {"name": S.array_elem_at(["$product.name", 0])},
                ]
            )
        )
        .sort({"day": 1, "qty": -1})
        .end()
    )
    assert result["errMsg"] == "collection.aggregate:ok"
    assert result["list"] == [
        {"day": "2024-05-01", "productId": "p-pen", "qty": 2, "orders": 1, "name": "钢笔"},
        {"day": "2024-05-01", "productId": "p-ink", "qty": 1, "orders": 1, "name": "墨水"},
        {"day": "2024-05-02", "productId": "p-pen", "qty": 4, "orders": 1, "name": "钢笔"},
        {"day": "2024-05-02", "productId": "p-pad", "qty": 3, "orders": 1, "name": "笔记本"},
        {"day": "2024-05-03", "productId": "p-ink", "qty": 5, "orders": 1, "name": "墨水"},
    ]


def test_revenue_with_lookup_pipeline_and_let(shop: WxCloud) -> None:
    db = shop.database()
    S = db.command.aggregate
    result = (
        db.collection("orders")
        .aggregate()
        .match({"status": "paid"})
        .lookup(
            from_="products",
            let={"pid": "$productId", "qty": "$qty"},
            pipeline=S.pipeline()
            .match(db.command.expr(S.eq(["$_id", "$$pid"])))
            .project({"_id": 0, "revenue": S.multiply(["$price", "$$qty"])})
            .done(),
            as_="line",
        )
        .unwind("$line")
        .group({"_id": None, "revenue": S.sum("$line.revenue"), "avg": S.avg("$line.revenue")})
        .end()
    )
    assert result["list"] == [{"_id": None, "revenue": 25 + 8 + 60 + 50 + 40, "avg": 183 / 5}]


def test_expr_inside_where(shop: WxCloud) -> None:
    db = shop.database()
    _ = db.command
    S = _.aggregate
    big = db.collection("orders").where(_.expr(S.gte(["$qty", 4]))).get()
    assert sorted(d["_id"] for d in big["data"]) == ["o4", "o5"]
    mixed = (
        db.collection("orders")
        .where(_.and_([{"productId": "p-pen"}, _.expr(S.gt(["$qty", 1]))]))
        .get()
    )
    assert sorted(d["_id"] for d in mixed["data"]) == ["o0", "o4"]


def test_twenty_documents_without_limit_and_dates_come_back_as_datetimes() -> None:
    cloud = WxCloud(now=START)
    cloud.seed({"logs": [{"i": i, "at": START} for i in range(30)]})
    coll = cloud.database().collection("logs")
    assert len(coll.aggregate().sort({"i": 1}).end()["list"]) == 20
    assert len(coll.aggregate().sort({"i": 1}).limit(25).end()["list"]) == 25
    first = coll.aggregate().sort({"i": 1}).limit(1).end()["list"][0]
    assert first["at"] == START


def test_results_are_copies_not_stored_data(shop: WxCloud) -> None:
    coll = shop.database().collection("products")
    listed = coll.aggregate().match({"_id": "p-pen"}).end()["list"]
    listed[0]["name"] = "changed"
    assert shop.dump("products")[0]["name"] == "钢笔"


def test_sample_is_deterministic_from_the_cloud_seed() -> None:
    def pick(seed: int) -> list[str]:
        cloud = WxCloud(seed=seed)
        cloud.seed({"c": [{"_id": str(i)} for i in range(20)]})
        return [
            d["_id"]
            for d in cloud.database().collection("c").aggregate().sample(size=5).end()["list"]
        ]

    assert pick(1) == pick(1)
    assert len(set(pick(1))) == 5


def test_engine_errors_take_the_error_instance_path(shop: WxCloud) -> None:
    coll = shop.database().collection("orders")
    with pytest.raises(CloudSDKError) as info:
        coll.aggregate().project({"x": {"$add": ["$productId", 1]}}).end()
    assert info.value.errCode == -1
    assert info.value.errMsg.startswith("collection.aggregate:fail ")
    assert "$add only supports numeric or date types, not string" in info.value.errMsg


def test_unknown_operators_name_themselves(shop: WxCloud) -> None:
    coll = shop.database().collection("orders")
    with pytest.raises(NotImplementedError, match=r"\$frobnicate"):
        coll.aggregate().group({"_id": None, "x": {"$frobnicate": 1}}).end()


def test_missing_collection(shop: WxCloud) -> None:
    with pytest.raises(CloudSDKError) as info:
        shop.database().collection("nope").aggregate().end()
    assert info.value.errCode == -1
    assert "collection.aggregate:fail" in info.value.errMsg


def test_expr_errors_in_where_carry_mongodb_messages(shop: WxCloud) -> None:
    db = shop.database()
    _ = db.command
    S = _.aggregate
    with pytest.raises(CloudSDKError) as info:
        db.collection("orders").where(_.expr(S.add(["$productId", 1]))).get()
    assert info.value.errCode == -502001
    assert "$add only supports numeric or date types, not string" in info.value.errMsg
    with pytest.raises(CloudSDKError, match="Use of undefined variable: pid"):
        db.collection("orders").where(_.expr(S.eq(["$productId", "$$pid"]))).count()
