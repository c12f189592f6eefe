"""The wechatpy job against the test's cloud: queries, updates and a cloud function, unmodified."""

from __future__ import annotations

from typing import Any

import pytest
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from pytest_wxcloud import WxCloud

from .job import Restocked, restock

PRODUCTS = {
    "products": [
        {"_id": "p1", "sku": "TEA-01", "stock": 2, "onOrder": 0, "active": True},
        {"_id": "p2", "sku": "TEA-02", "stock": 40, "onOrder": 0, "active": True},
        {"_id": "p3", "sku": "MUG-01", "stock": 0, "onOrder": 5, "active": True},
        {"_id": "p4", "sku": "OLD-01", "stock": 0, "onOrder": 0, "active": False},
    ]
}


@pytest.fixture
def client(wxcloud: WxCloud) -> WeChatClient:
    wxcloud.seed(PRODUCTS)

    @wxcloud.function("orderFromSupplier")
    def order(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {"ticket": f"{event['sku']}x{event['quantity']}"}

    return WeChatClient(wxcloud.appid, wxcloud.secret)


def test_low_stock_is_reordered(wxcloud: WxCloud, client: WeChatClient) -> None:
    assert restock(client, wxcloud.env, threshold=5, batch=10) == [
        Restocked("p1", 10),
        Restocked("p3", 10),
    ]
    stored = {doc["_id"]: doc for doc in wxcloud.dump("products")}
    assert (stored["p1"]["onOrder"], stored["p1"]["lastOrder"]) == (10, "TEA-01x10")
    assert (stored["p3"]["onOrder"], stored["p3"]["lastOrder"]) == (15, "MUG-01x10")
    assert "lastOrder" not in stored["p2"] and "lastOrder" not in stored["p4"]
    # an HTTP-API call carries only the mini program's appid as userInfo (no OPENID)
    assert [call.data for call in wxcloud.functions.calls_to("orderFromSupplier")] == [
        {"sku": sku, "quantity": 10, "userInfo": {"appId": wxcloud.appid}}
        for sku in ("TEA-01", "MUG-01")
    ]


def test_supplier_failure_surfaces_as_a_wechatpy_error(
    wxcloud: WxCloud, client: WeChatClient
) -> None:
    @wxcloud.function("orderFromSupplier", replace=True)
    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("supplier offline")

    with pytest.raises(WeChatClientException) as failed:
        restock(client, wxcloud.env, threshold=5, batch=10)
    assert failed.value.errcode == -504002  # the function threw (http-api.md)
    assert [doc.get("onOrder") for doc in wxcloud.dump("products")] == [0, 0, 5, 0]
