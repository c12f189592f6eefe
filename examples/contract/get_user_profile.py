"""The provider: the ``getUserProfile`` cloud function, ported to Python for local tests.

Mini-program callers are identified by the platform (``OPENID``); server callers using the
HTTP API carry no user, so they name the user in ``event.openid``.
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud.functions import current_cloud


def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cloud = current_cloud()
    openid = cloud.get_wx_context().get("OPENID") or event.get("openid")
    found = cloud.database().collection("profiles").where({"_openid": openid}).limit(1).get()
    if not found["data"]:
        return {"profile": None}
    doc = found["data"][0]
    return {
        "profile": {
            "_id": doc["_id"],
            "nickName": doc["nickName"],
            "level": doc["level"],
            "updatedAt": doc["updatedAt"],
        }
    }
