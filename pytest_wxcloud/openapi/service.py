"""The openapi backend: API name and wire parameters in, the API's reply out, every call logged.

Each face (the Python SDK, the HTTP API, the CloudBase ``wx.openApi`` action) decodes its own wire
into the same thing — the dotted API name and snake_case parameters with decoded values — and
renders the :class:`~.outcome.Reply` its own way. Before an API runs the platform checks the
calling function's ``config.json`` (``permissions.openapi``; -604101 when the API is not listed)
and that the API exists (-604100); tests can answer any API themselves with :meth:`route`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..http.wire import RequestIds
from ..identity import Identity
from .apis import (
    cloudpay,
    customer_service,
    open_data,
    phonenumber,
    security,
    subscribe_message,
    urlscheme,
    wxacode,
)
from .apis.context import ApiCall, ApiHandler
from .calls import OpenApiCall
from .outcome import Media, OpenApiError, PlatformError, Reply

if TYPE_CHECKING:
    from ..cloud import WxCloud

#: every API answered without a route, assembled from each family's table
BUILTIN_APIS: dict[str, ApiHandler] = {
    **subscribe_message.APIS,
    **security.APIS,
    **wxacode.APIS,
    **customer_service.APIS,
    **urlscheme.APIS,
    **phonenumber.APIS,
    **cloudpay.APIS,
}

#: payments are not listed in config.json: any function may call them
PAYMENTS = "cloudPay."

#: what a test may answer an API with: a JSON body, an image, or a function of the parameters
Answer = Mapping[str, Any] | Media | Callable[[dict[str, Any]], "Mapping[str, Any] | Media"]


class OpenApiService:
    """One cloud's 云调用: the APIs, the state tests control, and the outbox."""

    def __init__(self, cloud: WxCloud) -> None:
        seed = cloud.seed_value
        self.cloud = cloud
        self.calls: list[OpenApiCall] = []
        self.routes: dict[str, ApiHandler] = {}
        self.subscriptions = subscribe_message.Subscriptions()
        self.moderation = security.ContentPolicy(seed)
        self.phone_numbers = phonenumber.PhoneNumbers(seed)
        self.orders = cloudpay.Orders(cloud)
        self.open_data = open_data.OpenData(cloud)
        self.link_random = random.Random(f"{seed}/url-links")
        self.rids = RequestIds(seed * 31 + 5)
        self._lock = threading.Lock()

    def route(self, api: str, answer: Answer) -> None:
        """Answer ``api`` (a dotted name, ``"ocr.idcard"``) with ``answer`` instead of the
        built-in behaviour or -604100. A JSON body without ``errcode`` gets ``errcode: 0``."""
        if not isinstance(api, str) or "." not in api:
            raise ValueError(f"route() needs a dotted API name like 'ocr.idcard', got {api!r}")

        def handler(call: ApiCall) -> Reply:
            result = answer(dict(call.params)) if callable(answer) else answer
            if isinstance(result, Media):
                return Reply(media=result)
            if not isinstance(result, Mapping):
                raise TypeError(f"the answer for {api} must be a dict or Media, got {result!r}")
            return Reply({"errcode": 0, "errmsg": "ok", **result})

        self.routes[api] = handler

    def call(
        self,
        api: str,
        params: Mapping[str, Any],
        *,
        caller: Identity | None,
        function: str | None,
        face: str,
    ) -> Reply:
        """Run ``api``; :class:`PlatformError` when the platform refuses it before it runs."""
        if function is not None:
            self._check_permission(api, function)
        handler = self.routes.get(api) or BUILTIN_APIS.get(api)
        if handler is None:
            raise PlatformError(
                -604100,
                f"{api} is not an API pytest-wxcloud answers; register an answer with "
                f"cloud.openapi.route({api!r}, {{...}})",
            )
        try:
            reply = handler(ApiCall(api, params, caller, self.cloud, self))
        except OpenApiError as refused:
            reply = Reply({"errcode": refused.errcode, "errmsg": refused.errmsg})
        self._record(api, params, caller, function, face, reply.errcode)
        return reply

    def get_open_data(
        self, cloud_ids: list[str], *, caller: Identity | None, function: str | None, face: str
    ) -> list[tuple[str, str]]:
        """``cloud.getOpenData``: (cloudID, JSON text) per CloudID; recorded as API
        ``getOpenData`` with ``{"cloudid_list": [...]}``, a refused CloudID with its code."""
        params = {"cloudid_list": list(cloud_ids)}
        try:
            items = self.open_data.read(cloud_ids, caller)
        except PlatformError as refused:
            self._record("getOpenData", params, caller, function, face, refused.error_code)
            raise
        self._record("getOpenData", params, caller, function, face, 0)
        return items

    def _record(
        self,
        api: str,
        params: Mapping[str, Any],
        caller: Identity | None,
        function: str | None,
        face: str,
        errcode: int,
    ) -> None:
        record = OpenApiCall(
            api, dict(params), caller, function, face, errcode, self.cloud.clock.now()
        )
        with self._lock:
            self.calls.append(record)

    def _check_permission(self, api: str, function: str) -> None:
        if api.startswith(PAYMENTS):
            return
        deployed = self.cloud.functions.functions.get(function)
        if deployed is None:
            return
        listed = deployed.config.openapi
        if api not in listed:
            raise PlatformError(
                -604101,
                f"function {function!r} does not list {api!r} in config.json "
                f"permissions.openapi (it lists: {', '.join(listed) or 'nothing'})",
            )


__all__ = ["BUILTIN_APIS", "Answer", "OpenApiService"]
