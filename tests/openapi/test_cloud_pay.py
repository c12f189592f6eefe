"""cloudPay: an order placed by a function, paid by the test, its callback run as the platform
would, queried and refunded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from multipartkit import post_parts

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.functions import current_cloud


@pytest.fixture
def shop() -> WxCloud:
    cloud = WxCloud(env="shop-env", seed=12)
    cloud.database().create_collection("orders")

    @cloud.function("pay")
    def pay(event: dict[str, Any], context: Any) -> Any:
        c = current_cloud()
        order = c.cloud_pay.unified_order(
            body="一杯咖啡",
            outTradeNo=event["no"],
            spbillCreateIp="127.0.0.1",
            subMchId="1900000109",
            totalFee=event["fee"],
            envId="shop-env",
            functionName="payCallback",
        )
        c.database().collection("orders").add(data={"_id": event["no"], "paid": False})
        return order["payment"]

    @cloud.function("payCallback")
    def pay_callback(event: dict[str, Any], context: Any) -> Any:
        c = current_cloud()
        assert c.get_wx_context()["SOURCE"] == "wx_paycallback"
        c.database().collection("orders").doc(event["outTradeNo"]).update(
            data={"paid": event["resultCode"] == "SUCCESS", "transaction": event["transactionId"]}
        )
        return {"errcode": 0, "errmsg": ""}

    return cloud


def test_a_paid_order_flow(shop: WxCloud) -> None:
    alice: Identity = shop.user()
    payment = shop.call_function("pay", {"no": "T1", "fee": 1500}, as_user=alice)["result"]
    assert set(payment) == {"appId", "timeStamp", "nonceStr", "package", "signType", "paySign"}
    assert payment["package"].startswith("prepay_id=wx")
    assert shop.cloud_pay.orders["T1"].openid == alice.openid

    assert shop.cloud_pay.query_order(out_trade_no="T1")["tradeState"] == "NOTPAY"
    assert shop.cloud_pay.complete("T1") == {"errcode": 0, "errmsg": ""}
    assert shop.dump("orders")[0]["paid"] is True

    queried = shop.cloud_pay.query_order(out_trade_no="T1")
    assert queried["tradeState"] == "SUCCESS" and queried["totalFee"] == 1500
    assert queried["errMsg"] == "cloudPay.queryOrder:ok" and queried["errCode"] == 0

    refunded = shop.cloud_pay.refund(
        sub_mch_id="1900000109",
        out_trade_no="T1",
        out_refund_no="R1",
        total_fee=1500,
        refund_fee=500,
    )
    assert refunded["resultCode"] == "SUCCESS" and refunded["refundFee"] == 500
    too_much = shop.cloud_pay.refund(
        sub_mch_id="1900000109",
        out_trade_no="T1",
        out_refund_no="R2",
        total_fee=1500,
        refund_fee=1001,
    )
    assert (
        too_much["resultCode"] == "FAIL"
        and too_much["errCodeDes"] == "申请退款金额超过订单可退金额"
    )
    assert [c.api for c in shop.openapi.calls] == [
        "cloudPay.unifiedOrder",
        "cloudPay.queryOrder",
        "cloudPay.queryOrder",
        "cloudPay.refund",
        "cloudPay.refund",
    ]


def test_missing_parameters_and_paid_orders(shop: WxCloud) -> None:
    missing = shop.cloud_pay.unified_order(body="x", out_trade_no="T9")
    assert missing["returnCode"] == "FAIL" and missing["returnMsg"] == "缺少参数spbill_create_ip"
    shop.call_function("pay", {"no": "T2", "fee": 1}, as_user=shop.user())
    shop.cloud_pay.complete("T2")
    with pytest.raises(ValueError, match="SUCCESS"):
        shop.cloud_pay.complete("T2")
    again = shop.cloud_pay.unified_order(
        body="x",
        out_trade_no="T2",
        spbill_create_ip="1.1.1.1",
        sub_mch_id="1",
        total_fee=1,
        env_id="shop-env",
        function_name="payCallback",
    )
    assert again["resultCode"] == "FAIL" and again["errCodeDes"] == "该订单已支付"
    with pytest.raises(KeyError, match="T404"):
        shop.cloud_pay.complete("T404")


def test_the_outbox_names_the_paying_function(shop: WxCloud) -> None:
    shop.call_function("pay", {"no": "T3", "fee": 1}, as_user=shop.user())
    (call,) = shop.openapi.calls_to("cloudPay.unifiedOrder")
    assert (call.function, call.face) == ("pay", "sdk")


def test_a_pay_api_without_an_answer_is_an_sdk_error(shop: WxCloud) -> None:
    with pytest.raises(CloudSDKError) as caught:
        shop.cloud_pay.query_refund(out_trade_no="T1")
    assert caught.value.err_code == -604100
    shop.openapi.route("cloudPay.queryRefund", {"return_code": "SUCCESS", "refund_count": 0})
    assert shop.cloud_pay.query_refund(out_trade_no="T1")["refundCount"] == 0


def test_over_admin_the_answer_is_wechat_pays_json_as_bytes(shop: WxCloud) -> None:
    token = shop.cloudbase.tokens.issue(shop.user(openid="o-payer"), "pay")
    params = {"out_trade_no": "T404", "sub_mch_id": "1"}
    parts = {
        "action": b"wx.wxPayApi",
        "apiName": b"queryOrder",
        "apiOptions": b"",  # ApiOptions without an appid encodes to nothing
        "requestData": json.dumps(params).encode(),
    }
    response = post_parts(shop, parts, token)
    assert response.headers["content-type"] == "application/octet-stream"
    assert json.loads(response.content) == {
        "return_code": "SUCCESS",
        "return_msg": "OK",
        "result_code": "FAIL",
        "err_code": "ORDERNOTEXIST",
        "err_code_des": "订单不存在",
    }
    (call,) = shop.openapi.calls
    assert (call.api, call.params, call.function, call.face) == (
        "cloudPay.queryOrder",
        params,
        "pay",
        "admin",
    )


@pytest.mark.parametrize(
    ("parts", "token", "code", "needle"),
    [
        (
            {"apiName": b"queryOrder", "requestData": b"{}"},
            "",
            "INVALID_REQUEST_SOURCE",
            "wxCloudApiToken",
        ),
        ({"apiName": b"queryOrder", "requestData": b"[1]"}, "t", "INVALID_PARAM", "object"),
        ({"apiName": b"queryOrder", "requestData": b"{x"}, "t", "INVALID_PARAM", "JSON"),
        ({"requestData": b"{}"}, "t", "INVALID_PARAM", "apiName"),
        ({"apiName": b"downloadBill", "requestData": b"{}"}, "t", "INVALID_PARAM", "route"),
    ],
)
def test_over_admin_failures_before_the_api_are_code_and_message(
    shop: WxCloud, parts: dict[str, bytes], token: str, code: str, needle: str
) -> None:
    if token:
        token = shop.cloudbase.tokens.issue(shop.user(), "pay")
    response = post_parts(shop, {"action": b"wx.wxPayApi", **parts}, token)
    reply = response.json()
    assert reply["code"] == code and needle in reply["message"]
    assert shop.openapi.calls == []
