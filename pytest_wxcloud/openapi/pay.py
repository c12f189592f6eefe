"""``cloud.cloud_pay``: wx-server-sdk's ``cloud.cloudPay.<api>(params)`` in Python.

Parameters and results convert case like openapi's (``outTradeNo`` ↔ ``out_trade_no``) and
results carry ``errMsg: "cloudPay.<api>:ok"``, ``errCode: 0`` (sdk.md §6). Payments are not
gated by ``config.json``. ``complete(out_trade_no)`` is the test's side: the user pays, and the
order's callback function runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .apis.cloudpay import Order
from .naming import to_camel
from .outcome import PlatformError
from .sdk import platform_failure, render, wire_params

if TYPE_CHECKING:
    from ..cloud import WxCloud


class CloudPay:
    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud

    @property
    def orders(self) -> dict[str, Order]:
        """Orders by ``out_trade_no``: amount, state (NOTPAY, SUCCESS, REFUND), refunds."""
        return self._cloud.openapi.service.orders.orders

    def complete(self, out_trade_no: str) -> Any:
        """Pay the order: its ``function_name`` is called with the payment notification."""
        return self._cloud.openapi.service.orders.complete(out_trade_no)

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        api = f"cloudPay.{to_camel(method)}"

        def call(**params: Any) -> dict[str, Any]:
            openapi = self._cloud.openapi
            caller, function = openapi.calling()
            sent = wire_params(api, params)
            try:
                reply = openapi.service.call(
                    api, sent, caller=caller, function=function, face="sdk"
                )
            except PlatformError as error:
                raise platform_failure(error) from None
            return render(api, reply, openapi.service.rids.next())

        call.__name__ = method
        return call


__all__ = ["CloudPay"]
