"""cloudPay (``wx.wxPayApi``) and ``cloud.getOpenData`` (``wx.openApi``, SVRKIT_API) from real
wx-server-sdk functions, over the CloudBase protocol."""

from __future__ import annotations

from typing import Any

from pytest_wxcloud import WxCloud


def shop(cloud: WxCloud, user: Any, **event: Any) -> Any:
    return cloud.call_function("shop", {"env": cloud.env, **event}, as_user=user)["result"]


def test_an_order_placed_by_a_node_shop_is_paid_by_the_test_and_called_back(
    cloud: WxCloud,
) -> None:
    cloud.seed({"orders": []})
    alice = cloud.user(openid="o-alice")
    order = shop(cloud, alice, action="order", no="T100", fee=1500)
    assert (order["returnCode"], order["resultCode"]) == ("SUCCESS", "SUCCESS")
    assert (order["errCode"], order["errMsg"]) == (0, "cloudPay.unifiedOrder:ok")
    assert order["payment"]["package"] == f"prepay_id={order['prepayId']}"
    assert "errcode" not in order and "errmsg" not in order
    placed = cloud.cloud_pay.orders["T100"]
    assert (placed.total_fee, placed.openid, placed.state) == (1500, "o-alice", "NOTPAY")
    (call,) = cloud.openapi.calls_to("cloudPay.unifiedOrder")
    assert (call.face, call.function, call.caller) == ("admin", "shop", alice)
    assert call.params["out_trade_no"] == "T100" and call.params["total_fee"] == 1500

    assert cloud.cloud_pay.complete("T100") == {"errcode": 0}
    (stored,) = cloud.dump("orders")
    assert stored["paid"] is True and stored["transaction"] == placed.transaction_id
    assert (stored["SOURCE"], stored["OPENID"]) == ("wx_paycallback", "o-alice")

    paid = shop(cloud, alice, action="query", no="T100")
    assert (paid["tradeState"], paid["errMsg"]) == ("SUCCESS", "cloudPay.queryOrder:ok")
    refund = shop(cloud, alice, action="refund", no="T100", fee=1500, refund=500)
    assert (refund["resultCode"], refund["refundFee"], refund["outRefundNo"]) == (
        "SUCCESS",
        500,
        "T100-R",
    )
    assert cloud.cloud_pay.orders["T100"].refunded == 500


def test_node_shop_failures_are_answers_as_wechat_pay_gives_them(cloud: WxCloud) -> None:
    cloud.seed({"orders": []})
    alice = cloud.user(openid="o-alice")
    missing = shop(cloud, alice, action="order", no="T1", fee=100, without="body")
    assert (missing["returnCode"], missing["returnMsg"]) == ("FAIL", "缺少参数body")
    assert "T1" not in cloud.cloud_pay.orders
    unknown = shop(cloud, alice, action="query", no="NOPE")
    assert (unknown["resultCode"], unknown["errCodeDes"]) == ("FAIL", "订单不存在")
    unpaid = shop(cloud, alice, action="refund", no="NOPE", fee=1, refund=1)
    assert unpaid["errCode"] == 0 and unpaid["errCodeDes"] == "订单不存在"


def test_a_pay_api_without_an_answer_fails_and_a_route_answers_it(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    failed = shop(cloud, alice, action="queryRefund", no="T1")
    assert failed["thrown"] is True and failed["errCode"] == -501007
    assert "cloudPay.queryRefund" in failed["errMsg"]
    cloud.openapi.route("cloudPay.queryRefund", {"return_code": "SUCCESS", "refund_count": 1})
    answered = shop(cloud, alice, action="queryRefund", no="T1")
    assert answered == {
        "returnCode": "SUCCESS",
        "refundCount": 1,
        "errCode": 0,
        "errMsg": "cloudPay.queryRefund:ok",
    }
    assert cloud.openapi.calls_to("cloudPay.queryRefund")[-1].params == {"out_trade_no": "T1"}


STEPS = {
    "stepInfoList": [
        {"timestamp": 1714521600, "step": 4000},
        {"timestamp": 1714608000, "step": 900},
    ]
}


def test_a_cloud_id_is_opened_by_a_node_function(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    cloud_id = cloud.openapi.open_data.cloud_id_for(alice, STEPS)
    result = cloud.call_function("werun", {"list": [cloud_id]}, as_user=alice)["result"]
    assert result["steps"] == [4900]
    (item,) = result["opened"]["list"]
    assert item["cloudID"] == cloud_id
    assert item["data"]["watermark"] == {"appid": cloud.appid, "timestamp": 1714550400}
    assert (result["opened"]["errMsg"], result["opened"]["errCode"]) == ("getOpenData:ok", 0)
    (call,) = cloud.openapi.calls_to("getOpenData")
    assert (call.face, call.function, call.params) == (
        "admin",
        "werun",
        {"cloudid_list": [cloud_id]},
    )


def test_bad_cloud_ids_fail_the_node_call_with_the_platform_codes(cloud: WxCloud) -> None:
    alice, bob = cloud.user(openid="o-alice"), cloud.user(openid="o-bob")
    alices = cloud.openapi.open_data.cloud_id_for(alice, STEPS)
    stale = cloud.openapi.open_data.cloud_id_for(bob, STEPS)
    cloud.openapi.open_data.expire(stale)
    for cloud_ids, code in [(["12_forged"], -601005), ([stale], -601006), ([alices], -601007)]:
        result = cloud.call_function("werun", {"list": cloud_ids}, as_user=bob)["result"]
        assert result == {
            "thrown": True,
            "errCode": code,
            "errMsg": f"system error: error code: {code}",
        }
