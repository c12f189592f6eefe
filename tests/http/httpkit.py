"""Helpers shared by the HTTP tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx

from pytest_wxcloud import WxCloud

API = "https://api.weixin.qq.com"
START = datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


class WxApi:
    """What an admin job does: fetch a token with the cloud's credentials, then POST /tcb/*."""

    def __init__(self, cloud: WxCloud, client: httpx.Client) -> None:
        self.cloud = cloud
        self.client = client
        self._token: str | None = None

    def fetch_token(self) -> str:
        params = {
            "grant_type": "client_credential",
            "appid": self.cloud.appid,
            "secret": self.cloud.secret,
        }
        body = self.client.get(f"{API}/cgi-bin/token", params=params).json()
        return str(body["access_token"])

    @property
    def token(self) -> str:
        if self._token is None:
            self._token = self.fetch_token()
        return self._token

    def call(
        self, endpoint: str, body: dict[str, Any] | None = None, **params: Any
    ) -> dict[str, Any]:
        if "cloudbase_access_token" not in params:
            params.setdefault("access_token", self.token)
        payload = {"env": self.cloud.env, **(body or {})}
        response = self.client.post(
            f"{API}/tcb/{endpoint}", params=params, content=json.dumps(payload)
        )
        assert response.status_code == 200
        result: dict[str, Any] = response.json()
        return result

    def query(self, endpoint: str, query: str) -> dict[str, Any]:
        return self.call(endpoint, {"query": query})


def assert_error(body: dict[str, Any], errcode: int, text: str = "") -> None:
    """An error answer: the code, the usual text, and the ` rid: …` suffix clients must not parse."""
    assert body["errcode"] == errcode, body
    assert text in body["errmsg"], body
    assert " rid: " in body["errmsg"], body
