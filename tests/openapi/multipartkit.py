"""A multipart ``POST /admin`` as wx-server-sdk sends ``wx.openApi`` / ``wx.wxPayApi``, answered
by the cloud's CloudBase face without a server."""

from __future__ import annotations

import httpx

from pytest_wxcloud import WxCloud
from pytest_wxcloud.cloudbase import AdminFace

BOUNDARY = "----adminkit-boundary"


def post_parts(cloud: WxCloud, parts: dict[str, bytes], token: str) -> httpx.Response:
    """``parts`` plus ``envName`` and ``wxCloudApiToken`` (``""``: none), one form field each."""
    fields = {**parts, "envName": cloud.env.encode(), "wxCloudApiToken": token.encode()}
    body = b""
    for name, value in fields.items():
        body += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        body += value + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    request = httpx.Request(
        "POST",
        f"http://127.0.0.1:9/admin?env={cloud.env}",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    response = AdminFace(cloud).answer(request)
    assert response is not None and response.status_code == 200
    return response
