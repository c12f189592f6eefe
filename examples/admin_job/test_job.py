"""The admin job against the test's cloud: tokens, paging, function calls, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from pytest_wxcloud import WxCloud

from .job import WeChatClient, WeChatError, expire_unpaid_orders

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def shop(wxcloud: WxCloud) -> list[str]:
    wxcloud.clock.freeze(NOW)
    orders = [
        {"_id": f"o{i:03d}", "status": "pending", "createdAt": NOW - timedelta(days=3, minutes=i)}
        for i in range(130)
    ]
    orders += [
        {"_id": "fresh", "status": "pending", "createdAt": NOW - timedelta(hours=1)},
        {"_id": "paid", "status": "paid", "createdAt": NOW - timedelta(days=9)},
    ]
    wxcloud.seed({"orders": orders})
    released: list[str] = []

    @wxcloud.function("releaseStock")
    def release_stock(event: dict[str, Any], context: Any) -> dict[str, bool]:
        released.append(event["orderId"])
        return {"ok": True}

    return released


@pytest.fixture
async def client(wxcloud: WxCloud) -> AsyncIterator[WeChatClient]:
    async with httpx.AsyncClient() as http:
        yield WeChatClient(http, appid=wxcloud.appid, secret=wxcloud.secret, env=wxcloud.env)


@pytest.mark.anyio
async def test_expires_old_pending_orders_page_by_page(
    wxcloud: WxCloud, shop: list[str], client: WeChatClient
) -> None:
    expired = await expire_unpaid_orders(client, NOW, timedelta(days=1))
    assert len(expired) == 130 and expired[0] == "o129"  # oldest first
    assert sorted(shop) == sorted(expired)
    by_id = {d["_id"]: d for d in wxcloud.dump("orders")}
    assert by_id["o000"]["status"] == "expired" and by_id["o000"]["expiredAt"] == NOW
    assert by_id["fresh"]["status"] == "pending"
    assert by_id["paid"]["status"] == "paid"


@pytest.mark.anyio
async def test_refreshes_an_expired_token_once(
    wxcloud: WxCloud, shop: list[str], client: WeChatClient
) -> None:
    await client.query("databasecount", "db.collection('orders').count()")
    first = client.token
    wxcloud.clock.advance(timedelta(hours=2))  # the token's 7200 s are over
    expired = await expire_unpaid_orders(client, wxcloud.clock.now(), timedelta(days=1))
    assert client.token != first
    assert len(expired) == 130 and sorted(shop) == sorted(expired)  # the job still did its work


@pytest.mark.anyio
async def test_token_superseded_by_another_process(
    wxcloud: WxCloud, shop: list[str], client: WeChatClient
) -> None:
    await client.query("databasecount", "db.collection('orders').count()")
    other = WeChatClient(client.http, wxcloud.appid, wxcloud.secret, wxcloud.env)
    await other.query("databasecount", "db.collection('orders').count()")  # a second token
    wxcloud.clock.advance(timedelta(minutes=6))  # past the 5-minute overlap
    stale = client.token
    assert (await client.query("databasecount", "db.collection('orders').count()"))["count"] == 132
    assert client.token != stale


@pytest.mark.anyio
async def test_wrong_secret_fails_loudly(wxcloud: WxCloud, shop: list[str]) -> None:
    async with httpx.AsyncClient() as http:
        client = WeChatClient(http, appid=wxcloud.appid, secret="0" * 32, env=wxcloud.env)
        with pytest.raises(WeChatError) as info:
            await expire_unpaid_orders(client, NOW, timedelta(days=1))
    assert info.value.errcode == 40125
    assert shop == []
