"""``cloud.openapi``: the server SDK's openapi calls in Python, as wx-server-sdk 4.0.2 makes them.

``cloud.openapi.subscribe_message.send(touser=…, template_id=…, data=…)``: parameters go out
snake_case (camelCase keys are converted recursively, as the SDK does), each value crosses a JSON
boundary, and ``{"contentType", "value": bytes}`` objects are sent as media. Results come back as
the SDK shapes them (sdk.md §6): a JSON answer loses ``errcode``/``errmsg``, keys turn camelCase
and ``errMsg: "openapi.<api>:ok"``, ``errCode: 0`` are added; an image is ``{contentType, buffer,
errMsg, errCode}``. An API error raises ``CloudSDKError`` with the API's errcode and
``"openapi.<api>:fail <errmsg>"``; a platform refusal raises it with ``"system error: error
code: <code>"``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import CloudSDKError, assertion_error
from ..identity import Identity, current_frame
from ..jsjson import JSONBoundaryError, stringify
from .apis.open_data import parse_items
from .calls import OpenApiCall
from .names import wire_name
from .naming import camel_keys, snake_keys, to_snake
from .outcome import Media, PlatformError, Reply
from .service import BUILTIN_APIS, Answer, OpenApiService

if TYPE_CHECKING:
    from ..cloud import WxCloud


def _media(value: Any) -> Media | None:
    if isinstance(value, Mapping) and set(value) >= {"contentType", "value"}:
        content = value["value"]
        if isinstance(content, (bytes, bytearray)):
            return Media(str(value["contentType"]), bytes(content), str(value.get("filename", "")))
    return None


def wire_params(api: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """What the SDK puts on the wire, decoded: snake_case keys, JSON values, media apart."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        media = _media(value)
        if media is not None:
            out[to_snake(key)] = media
            continue
        try:
            out[to_snake(key)] = json.loads(stringify(snake_keys(value), key))
        except JSONBoundaryError as exc:
            raise assertion_error(f"openapi.{api}:fail {exc}") from None
    return out


def render(name: str, reply: Reply, rid: str) -> dict[str, Any]:
    """``name`` prefixes errMsg: ``openapi.<api>`` or ``cloudPay.<api>``."""
    if reply.media is not None:
        return {
            "contentType": reply.media.content_type,
            "buffer": reply.media.value,
            "errMsg": f"{name}:ok",
            "errCode": 0,
        }
    body = dict(reply.body or {})
    errcode = body.pop("errcode", 0)
    errmsg = body.pop("errmsg", "")
    if errcode:
        raise assertion_error(f"{name}:fail {errmsg} rid: {rid}", errcode)
    result: dict[str, Any] = camel_keys(body)
    return {**result, "errMsg": f"{name}:ok", "errCode": 0}


def platform_failure(error: PlatformError) -> CloudSDKError:
    return assertion_error(f"system error: error code: {error.error_code}", error.error_code)


class _Category:
    def __init__(self, openapi: OpenApi, name: str) -> None:
        self._openapi = openapi
        self._name = name

    def __getattr__(self, method: str) -> Any:
        if method.startswith("__"):
            raise AttributeError(method)
        api = wire_name(self._name, method, [*BUILTIN_APIS, *self._openapi.service.routes])

        def call(**params: Any) -> dict[str, Any]:
            return self._openapi.call(api, params)

        call.__name__ = method
        return call


class OpenApi:
    """``cloud.openapi``: categories as attributes, plus what tests control and read."""

    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud
        self.service = OpenApiService(cloud)

    @property
    def calls(self) -> list[OpenApiCall]:
        """Every call that reached an API, in order (the outbox)."""
        return list(self.service.calls)

    def calls_to(self, api: str) -> list[OpenApiCall]:
        return [call for call in self.service.calls if call.api == api]

    @property
    def subscriptions(self) -> Any:
        """Grant or refuse subscribe-message acceptances; declare templates."""
        return self.service.subscriptions

    @property
    def moderation(self) -> Any:
        """msgSecCheck / imgSecCheck verdicts: ``block(words)``, ``judge``, ``judge_image``."""
        return self.service.moderation

    @property
    def phone_numbers(self) -> Any:
        """``code_for(user, phone)``: the code getPhoneNumber exchanges."""
        return self.service.phone_numbers

    @property
    def open_data(self) -> Any:
        """``cloud_id_for(user, data)``: the CloudID ``cloud.getOpenData`` exchanges;
        ``expire(cloud_id)``."""
        return self.service.open_data

    def route(self, api: str, answer: Answer) -> None:
        self.service.route(api, answer)

    def __getattr__(self, category: str) -> _Category:
        if category.startswith("_"):
            raise AttributeError(category)
        return _Category(self, category)

    def calling(self) -> tuple[Identity | None, str | None]:
        """Who calls: the current invocation's user and function, or (None, None) for test
        code, which acts as the platform itself."""
        frame = current_frame()
        if frame is not None and frame.cloud is self._cloud:
            return frame.identity, frame.function_name if frame.invocation else None
        return None, None

    def call(self, api: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Call ``api`` (dotted WeChat name) from wherever this code runs: inside a function
        invocation the function's ``config.json`` permissions apply."""
        caller, function = self.calling()
        sent = wire_params(api, params)
        try:
            reply = self.service.call(api, sent, caller=caller, function=function, face="sdk")
        except PlatformError as error:
            raise platform_failure(error) from None
        return render(f"openapi.{api}", reply, self.service.rids.next())

    def get_open_data(self, cloud_ids: Any) -> dict[str, Any]:
        """``cloud.getOpenData({list})``: ``{"list": [{"cloudID", "data"}], "errMsg":
        "getOpenData:ok", "errCode": 0}``; a bad CloudID fails the whole call."""
        if cloud_ids is None or cloud_ids is False or cloud_ids in ("", 0):
            raise assertion_error("getOpenData:fail list must be provided")
        if not isinstance(cloud_ids, list) or not all(isinstance(i, str) for i in cloud_ids):
            raise assertion_error(
                f"getOpenData:fail list must be an array of CloudID strings, got {cloud_ids!r}"
            )
        caller, function = self.calling()
        try:
            items = self.service.get_open_data(
                cloud_ids, caller=caller, function=function, face="sdk"
            )
        except PlatformError as error:
            raise platform_failure(error) from None
        return {"list": parse_items(items), "errMsg": "getOpenData:ok", "errCode": 0}


__all__ = ["OpenApi", "platform_failure", "render", "wire_params"]
