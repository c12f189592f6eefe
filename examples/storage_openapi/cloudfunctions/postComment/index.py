"""postComment: moderate a comment, store it, and tell the post's author.

The comment text goes through ``security.msgSecCheck`` (v2, scene 2 "comment", as the caller);
anything but ``suggest: "pass"`` is refused and nothing is stored. An accepted comment is saved
and the author gets a subscribe message — if they accepted one (43101 otherwise, which is not
the commenter's problem: the comment stays, ``notified`` says whether the message went out).
"""

from __future__ import annotations

from typing import Any

from pytest_wxcloud import CloudSDKError
from pytest_wxcloud.functions import current_cloud

TEMPLATE_ID = "COMMENT_REPLY_TPL"


def main(event: dict[str, Any], context: Any) -> dict[str, Any]:
    cloud = current_cloud()
    openid = cloud.get_wx_context().get("OPENID")
    text = str(event.get("text", "")).strip()
    if not openid or not text:
        return {"ok": False, "reason": "empty"}

    verdict = cloud.openapi.security.msg_sec_check(content=text, version=2, scene=2, openid=openid)
    if verdict["result"]["suggest"] != "pass":
        return {"ok": False, "reason": "risky", "label": verdict["result"]["label"]}

    db = cloud.database()
    post = db.collection("posts").doc(event["postId"]).get()["data"]
    added = db.collection("comments").add(
        data={"postId": post["_id"], "_openid": openid, "text": text, "at": db.server_date()}
    )
    try:
        cloud.openapi.subscribe_message.send(
            touser=post["author"],
            template_id=TEMPLATE_ID,
            page=f"pages/post/post?id={post['_id']}",
            data={"thing1": {"value": post["title"][:20]}, "thing2": {"value": text[:20]}},
        )
        notified = True
    except CloudSDKError as error:
        if error.err_code != 43101:  # the author did not subscribe: fine
            raise
        notified = False
    return {"ok": True, "commentId": added["_id"], "notified": notified}
