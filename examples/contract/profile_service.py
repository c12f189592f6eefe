"""The consumer: a back-end service that shows profile cards by calling a cloud function.

It talks to WeChat the way production code does — a stable access token, then
``invokecloudfunction`` over httpx — and knows nothing about tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

API = "https://api.weixin.qq.com"


@dataclass(frozen=True)
class ProfileCard:
    title: str
    level: int


class ProfileService:
    def __init__(self, appid: str, secret: str, env: str, client: httpx.Client | None = None):
        self.appid, self.secret, self.env = appid, secret, env
        self.client = client or httpx.Client(timeout=5)

    def _token(self) -> str:
        reply = self.client.post(
            f"{API}/cgi-bin/stable_token",
            json={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
        ).json()
        token: str = reply["access_token"]
        return token

    def _invoke(self, name: str, event: dict[str, Any]) -> Any:
        reply = self.client.post(
            f"{API}/tcb/invokecloudfunction",
            params={"access_token": self._token(), "env": self.env, "name": name},
            json=event,
        ).json()
        if reply["errcode"] != 0:
            raise RuntimeError(f"{name} failed: {reply['errcode']} {reply['errmsg']}")
        return json.loads(reply["resp_data"])

    def card(self, openid: str) -> ProfileCard | None:
        """The card for a user, or None when they have not set up a profile yet."""
        profile = self._invoke("getUserProfile", {"openid": openid})["profile"]
        if profile is None:
            return None
        return ProfileCard(
            title=f"{profile['nickName']} · Lv.{profile['level']}", level=profile["level"]
        )
