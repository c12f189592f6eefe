"""A back-office job: expire unpaid orders and tell the payments function about each.

It talks to ``https://api.weixin.qq.com`` like any server outside WeChat: it fetches an access
token with the mini program's AppID/AppSecret, keeps it until it stops working, and refreshes it
once when the platform says it is stale (40001), invalid (40014) or expired (42001), as wechatpy
does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

API = "https://api.weixin.qq.com"
REFRESH_ON = {40001, 40014, 42001}
PAGE = 100


class WeChatError(RuntimeError):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode


@dataclass
class WeChatClient:
    http: httpx.AsyncClient
    appid: str
    secret: str
    env: str
    token: str | None = None

    async def _fetch_token(self) -> str:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        body = (await self.http.get(f"{API}/cgi-bin/token", params=params)).json()
        if "access_token" not in body:
            raise WeChatError(body["errcode"], body["errmsg"])
        return str(body["access_token"])

    async def call(self, endpoint: str, **fields: Any) -> dict[str, Any]:
        for attempt in (1, 2):
            if self.token is None:
                self.token = await self._fetch_token()
            response = await self.http.post(
                f"{API}/tcb/{endpoint}",
                params={"access_token": self.token},
                content=json.dumps({"env": self.env, **fields}),
            )
            body: dict[str, Any] = response.json()
            if body["errcode"] in REFRESH_ON and attempt == 1:
                self.token = None
                continue
            if body["errcode"] != 0:
                raise WeChatError(body["errcode"], body["errmsg"])
            return body
        raise AssertionError("unreachable")

    async def query(self, endpoint: str, query: str) -> dict[str, Any]:
        return await self.call(endpoint, query=query)


async def expire_unpaid_orders(
    client: WeChatClient, now: datetime, max_age: timedelta
) -> list[str]:
    """Mark pending orders older than ``max_age`` as expired; returns their ids."""
    cutoff_ms = int((now - max_age).timestamp() * 1000)
    where = f"{{status: 'pending', createdAt: _.lt(new Date({cutoff_ms}))}}"
    total = (
        await client.query("databasecount", f"db.collection('orders').where({where}).count()")
    )["count"]
    expired: list[str] = []
    while len(expired) < total:
        # always the first page: updated orders stop matching
        page = await client.query(
            "databasequery",
            f"db.collection('orders').where({where}).orderBy('createdAt', 'asc').limit({PAGE}).get()",
        )
        ids = [json.loads(record)["_id"] for record in page["data"]]
        if not ids:
            break
        await client.query(
            "databaseupdate",
            f"db.collection('orders').where({{_id: _.in({json.dumps(ids)})}})"
            ".update({data: {status: 'expired', expiredAt: db.serverDate()}})",
        )
        for order_id in ids:
            await client.call(
                "invokecloudfunction",
                name="releaseStock",
                req_data=json.dumps({"orderId": order_id}),
            )
        expired.extend(ids)
    return expired
