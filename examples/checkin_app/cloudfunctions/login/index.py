"""login: register the caller (by OPENID) and return their user record.

Python port of the usual ``login`` cloud function. When another function calls it (SOURCE ends
in ``,scf``) the platform may not pass the user's OPENID along, so the caller sends it in
``event.openid`` — trusted only then, never from the mini program, where anyone could forge it.
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud.functions import current_cloud


def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cloud = current_cloud()
    wx_context = cloud.get_wx_context()
    openid = wx_context.get("OPENID")
    if openid is None and wx_context.get("SOURCE", "").endswith(",scf"):
        openid = event.get("openid")
    if not openid:
        return {"ok": False, "error": "not logged in"}

    db = cloud.database()
    users = db.collection("users")
    found = users.where({"_openid": openid}).limit(1).get()["data"]
    if found:
        return {"ok": True, "user": found[0], "created": False}
    user = {"_openid": openid, "points": 0, "lastCheckIn": None, "createdAt": db.server_date()}
    added = users.add(data=user)
    return {"ok": True, "user": users.doc(added["_id"]).get()["data"], "created": True}
