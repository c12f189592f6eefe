"""``customerServiceMessage.send``: a reply to a user in the customer-service chat."""

from __future__ import annotations

from ..outcome import OpenApiError, Reply, ok
from .context import ApiCall, ApiHandler

#: msgtype -> the object it needs and that object's required field
MESSAGE_TYPES = {
    "text": ("text", "content"),
    "image": ("image", "media_id"),
    "link": ("link", "url"),
    "miniprogrampage": ("miniprogrampage", "pagepath"),
}


def send(call: ApiCall) -> Reply:
    call.string("touser", 40003, "invalid openid")
    msgtype = call.params.get("msgtype")
    if msgtype not in MESSAGE_TYPES:
        raise OpenApiError(
            40008, f"invalid message type {msgtype!r}; accepted: {', '.join(MESSAGE_TYPES)}"
        )
    name, field = MESSAGE_TYPES[msgtype]
    body = call.params.get(name)
    if not isinstance(body, dict) or not body.get(field):
        raise OpenApiError(47003, f"argument invalid! {name}.{field} is empty")
    return ok()


APIS: dict[str, ApiHandler] = {"customerServiceMessage.send": send}

__all__ = ["APIS", "MESSAGE_TYPES"]
