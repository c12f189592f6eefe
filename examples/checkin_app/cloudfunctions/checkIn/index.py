"""checkIn: once per (UTC) day, add points to the caller's account.

Calls ``login`` (function → function) to find or create the user, passing the OPENID
explicitly, then updates the points with ``_.inc`` so concurrent check-ins cannot lose points.
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud.functions import current_cloud

POINTS_PER_CHECK_IN = 10


def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cloud = current_cloud()
    openid = cloud.get_wx_context().get("OPENID")
    if openid is None:
        return {"ok": False, "error": "not logged in"}

    login = cloud.call_function("login", {"openid": openid})["result"]
    user = login["user"]
    today = cloud.clock.now().date().isoformat()
    if user["lastCheckIn"] == today:
        return {"ok": False, "error": "already checked in today", "points": user["points"]}

    db = cloud.database()
    _ = db.command
    db.collection("users").doc(user["_id"]).update(
        data={"points": _.inc(POINTS_PER_CHECK_IN), "lastCheckIn": today}
    )
    return {"ok": True, "points": user["points"] + POINTS_PER_CHECK_IN}
