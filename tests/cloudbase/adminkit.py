"""Send CloudBase requests to a cloud's /admin face in-process, as wx-server-sdk sends them."""

from __future__ import annotations

import json
from typing import Any

import httpx

from pytest_wxcloud import WxCloud
from pytest_wxcloud.cloudbase import AdminFace

#: the fields node-sdk adds to every body (node-runtime.md §2.1)
COMMON = {
    "envName": "test-env",
    "wxCloudApiToken": "",
    "tcb_sessionToken": "",
    "sessionToken": "stubtoken",
    "crossAuthorizationToken": "",
}


def post(cloud: WxCloud, body: dict[str, Any] | str | bytes, *, env: str = "test-env") -> Any:
    """POST /admin?env=…&seqId=… and return the parsed JSON reply (always HTTP 200)."""
    content = body if isinstance(body, (str, bytes)) else json.dumps({**COMMON, **body})
    request = httpx.Request(
        "POST",
        f"http://127.0.0.1:9/admin?env={env}&seqId=seq-1-18f31737000_1",
        content=content,
        headers={"content-type": "application/json"},
    )
    response = AdminFace(cloud).answer(request)
    assert response is not None and response.status_code == 200
    return response.json()


def wire(**fields: Any) -> str:
    """A field value as @cloudbase/database sends it: compact JSON text."""
    return json.dumps(fields, separators=(",", ":"))
