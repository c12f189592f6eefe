"""``subscribeMessage.send``: one-time subscriptions, templates and the API's errcodes.

A user must have accepted a template (``wx.requestSubscribeMessage``) before each message: each
acceptance allows one message, and sending without one fails with 43101 "user refuse to accept
the msg". Tests say what the user accepted with :meth:`Subscriptions.grant`. Templates are
checked only once a test declares some (:meth:`Subscriptions.add_template`): then an unknown
``template_id`` is 40037 and a data key the template lacks is 47003.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from ...identity import Identity
from ..outcome import OpenApiError, Reply, ok
from .context import ApiCall, ApiHandler

STATES = ("formal", "trial", "developer")
LANGS = ("zh_CN", "en_US", "zh_HK", "zh_TW")


def _openid(user: Identity | str) -> str:
    openid = user.openid if isinstance(user, Identity) else user
    if not isinstance(openid, str) or not openid:
        raise ValueError(f"a subscription needs a user with an openid, got {user!r}")
    return openid


class Subscriptions:
    """Which users accepted which templates, how many times; and the declared templates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grants: dict[tuple[str, str], int] = {}
        #: template id -> its keywords (``thing1``, ``time2`` …); empty: templates not checked
        self.templates: dict[str, tuple[str, ...]] = {}
        #: True: every send is accepted as if the user had always subscribed ("长期订阅")
        self.accept_all = False

    def grant(self, user: Identity | str, template_id: str, times: int = 1) -> None:
        """``user`` tapped "allow" for ``template_id`` ``times`` times (one message each)."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        key = (_openid(user), template_id)
        with self._lock:
            self._grants[key] = self._grants.get(key, 0) + times

    def refuse(self, user: Identity | str, template_id: str) -> None:
        """``user`` declined (or the acceptances ran out): the next send fails with 43101."""
        with self._lock:
            self._grants.pop((_openid(user), template_id), None)

    def remaining(self, user: Identity | str, template_id: str) -> int:
        return self._grants.get((_openid(user), template_id), 0)

    def add_template(self, template_id: str, keywords: Iterable[str]) -> None:
        self.templates[template_id] = tuple(keywords)

    def consume(self, openid: str, template_id: str) -> bool:
        if self.accept_all:
            return True
        key = (openid, template_id)
        with self._lock:
            left = self._grants.get(key, 0)
            if left <= 0:
                return False
            self._grants[key] = left - 1
            return True


def send(call: ApiCall) -> Reply:
    touser = call.string("touser", 40003, "invalid openid")
    template_id = call.string("template_id", 40037, "invalid template_id")
    assert touser is not None and template_id is not None
    subscriptions = call.service.subscriptions
    keywords = subscriptions.templates.get(template_id)
    if subscriptions.templates and keywords is None:
        raise OpenApiError(40037, f"invalid template_id {template_id!r}")
    _check_data(call.params.get("data"), keywords)
    page = call.params.get("page")
    if page is not None and not isinstance(page, str):
        raise OpenApiError(47003, f"argument invalid! page must be a string, got {page!r}")
    call.choice("miniprogram_state", STATES, "formal")
    call.choice("lang", LANGS, "zh_CN")
    if not subscriptions.consume(touser, template_id):
        raise OpenApiError(43101, "user refuse to accept the msg")
    return ok()


def _check_data(data: Any, keywords: tuple[str, ...] | None) -> None:
    if not isinstance(data, dict) or not data:
        raise OpenApiError(47003, "argument invalid! data is empty")
    for key, item in data.items():
        if not isinstance(item, dict) or not isinstance(item.get("value"), (str, int, float)):
            raise OpenApiError(47003, f"argument invalid! data.{key}.value is empty")
        if keywords is not None and key not in keywords:
            raise OpenApiError(
                47003, f"argument invalid! data.{key} is not a keyword of the template"
            )


APIS: dict[str, ApiHandler] = {"subscribeMessage.send": send}

__all__ = ["APIS", "Subscriptions"]
