"""``cloudPay.unifiedOrder`` / ``queryOrder`` / ``refund``: WeChat Pay through 云调用.

Orders live here until a test pays them with :meth:`Orders.complete`, which calls the order's
``function_name`` the way the platform delivers a payment notification (SOURCE
``wx_paycallback``, the WeChat Pay fields in camelCase). Parameter failures answer as WeChat Pay
does: ``return_code: "FAIL"`` with ``return_msg``; business failures ``result_code: "FAIL"`` with
``err_code`` / ``err_code_des``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...identity import Identity
from ..outcome import Reply, ok
from .context import ApiCall, ApiHandler

if TYPE_CHECKING:
    from ...cloud import WxCloud

REQUIRED = (
    "body",
    "out_trade_no",
    "spbill_create_ip",
    "sub_mch_id",
    "total_fee",
    "env_id",
    "function_name",
)
MCH_ID = "1800008281"  # the service provider's merchant id cloud payments go through


@dataclass
class Order:
    out_trade_no: str
    body: str
    total_fee: int
    sub_mch_id: str
    function_name: str
    openid: str | None
    prepay_id: str
    state: str = "NOTPAY"  # NOTPAY → SUCCESS → REFUND
    transaction_id: str = ""
    time_end: str = ""
    refunded: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)


class Orders:
    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud
        self._random = random.Random(f"{cloud.seed_value}/cloudpay")
        self._lock = threading.Lock()
        self.orders: dict[str, Order] = {}

    def hex(self, bits: int = 128) -> str:
        with self._lock:
            return f"{self._random.getrandbits(bits):0{bits // 4}x}"

    def get(self, out_trade_no: str) -> Order:
        order = self.orders.get(out_trade_no)
        if order is None:
            raise KeyError(
                f"no cloudPay order {out_trade_no!r}; known: {', '.join(self.orders) or 'none'}"
            )
        return order

    def complete(self, out_trade_no: str) -> Any:
        """The user paid: mark the order paid and call its callback function as the platform
        would; returns what the function returned (the platform expects ``{"errcode": 0}``)."""
        from ...functions.calls import Caller
        from ...functions.invoke import invoke

        order = self.get(out_trade_no)
        if order.state != "NOTPAY":
            raise ValueError(f"order {out_trade_no!r} is {order.state}, not waiting for payment")
        cloud = self._cloud
        order.state = "SUCCESS"
        order.transaction_id = "4200" + self.hex(64)[:24]
        order.time_end = cloud.clock.now().strftime("%Y%m%d%H%M%S")
        event = {
            "returnCode": "SUCCESS",
            "appid": cloud.appid,
            "mchId": MCH_ID,
            "subAppid": cloud.appid,
            "subMchId": order.sub_mch_id,
            "nonceStr": self.hex()[:32],
            "resultCode": "SUCCESS",
            "openid": order.openid,
            "isSubscribe": "N",
            "subOpenid": order.openid,
            "subIsSubscribe": "N",
            "tradeType": "JSAPI",
            "bankType": "OTHERS",
            "totalFee": order.total_fee,
            "feeType": "CNY",
            "cashFee": order.total_fee,
            "transactionId": order.transaction_id,
            "outTradeNo": order.out_trade_no,
            "timeEnd": order.time_end,
        }
        payer = Identity(
            appid=cloud.appid, env=cloud.env, openid=order.openid, source="wx_paycallback"
        )
        response = invoke(
            cloud.functions,
            order.function_name,
            event,
            caller=Caller.MINI_PROGRAM,
            caller_identity=payer,
        )
        return response["result"]


def _fail(message: str) -> Reply:
    return Reply({"errcode": 0, "errmsg": "ok", "return_code": "FAIL", "return_msg": message})


def _business_fail(code: str, text: str) -> Reply:
    return ok(
        return_code="SUCCESS", return_msg="OK", result_code="FAIL", err_code=code, err_code_des=text
    )


def unified_order(call: ApiCall) -> Reply:
    params = call.params
    for name in REQUIRED:
        if params.get(name) in (None, ""):
            return _fail(f"缺少参数{name}")
    fee = params["total_fee"]
    if isinstance(fee, bool) or not isinstance(fee, int) or fee <= 0:
        return _fail(f"total_fee must be a positive integer (fen), got {fee!r}")
    orders: Orders = call.service.orders
    existing = orders.orders.get(str(params["out_trade_no"]))
    if existing is not None and existing.state != "NOTPAY":
        return _business_fail("ORDERPAID", "该订单已支付")
    cloud = call.cloud
    openid = (
        params.get("sub_openid")
        or params.get("openid")
        or (call.caller.openid if call.caller else None)
    )
    order = existing or Order(
        str(params["out_trade_no"]),
        str(params["body"]),
        fee,
        str(params["sub_mch_id"]),
        str(params["function_name"]),
        openid,
        "wx" + orders.hex(128)[:30],
    )
    orders.orders[order.out_trade_no] = order
    nonce = orders.hex()[:32]
    stamp = str(int(cloud.clock.now().timestamp()))
    return ok(
        return_code="SUCCESS",
        return_msg="OK",
        appid=cloud.appid,
        mch_id=MCH_ID,
        sub_appid=cloud.appid,
        sub_mch_id=order.sub_mch_id,
        nonce_str=nonce,
        sign=orders.hex()[:32].upper(),
        result_code="SUCCESS",
        trade_type="JSAPI",
        prepay_id=order.prepay_id,
        payment={
            "appId": cloud.appid,
            "timeStamp": stamp,
            "nonceStr": nonce,
            "package": f"prepay_id={order.prepay_id}",
            "signType": "MD5",
            "paySign": orders.hex()[:32].upper(),
        },
    )


def query_order(call: ApiCall) -> Reply:
    out_trade_no = call.params.get("out_trade_no")
    if not out_trade_no:
        return _fail("缺少参数out_trade_no")
    order = call.service.orders.orders.get(out_trade_no)
    if order is None:
        return _business_fail("ORDERNOTEXIST", "订单不存在")
    fields: dict[str, Any] = {
        "return_code": "SUCCESS",
        "return_msg": "OK",
        "result_code": "SUCCESS",
        "out_trade_no": order.out_trade_no,
        "trade_state": order.state,
        "total_fee": order.total_fee,
        "sub_mch_id": order.sub_mch_id,
    }
    if order.state != "NOTPAY":
        fields |= {
            "transaction_id": order.transaction_id,
            "time_end": order.time_end,
            "cash_fee": order.total_fee,
            "openid": order.openid,
        }
    return ok(**fields)


def refund(call: ApiCall) -> Reply:
    params = call.params
    for name in ("sub_mch_id", "out_trade_no", "out_refund_no", "total_fee", "refund_fee"):
        if params.get(name) in (None, ""):
            return _fail(f"缺少参数{name}")
    order = call.service.orders.orders.get(params["out_trade_no"])
    if order is None:
        return _business_fail("ORDERNOTEXIST", "订单不存在")
    if order.state == "NOTPAY":
        return _business_fail("TRADE_STATE_ERROR", "订单状态错误: 订单未支付")
    amount = params["refund_fee"]
    if not isinstance(amount, int) or amount <= 0 or order.refunded + amount > order.total_fee:
        return _business_fail("INVALID_REQ_TOO_MUCH", "申请退款金额超过订单可退金额")
    order.refunded += amount
    order.state = "REFUND"
    refund_id = "5030" + call.service.orders.hex(64)[:24]
    order.refunds.append(
        {"out_refund_no": params["out_refund_no"], "refund_id": refund_id, "refund_fee": amount}
    )
    return ok(
        return_code="SUCCESS",
        return_msg="OK",
        result_code="SUCCESS",
        out_trade_no=order.out_trade_no,
        out_refund_no=params["out_refund_no"],
        refund_id=refund_id,
        refund_fee=amount,
        total_fee=order.total_fee,
        cash_fee=order.total_fee,
    )


APIS: dict[str, ApiHandler] = {
    "cloudPay.unifiedOrder": unified_order,
    "cloudPay.queryOrder": query_order,
    "cloudPay.refund": refund,
}

__all__ = ["APIS", "Order", "Orders"]
