"""The two functions, tested the way the mini program uses them."""

from __future__ import annotations

import httpx
import pytest

from pytest_wxcloud import Identity, WxCloud


def test_mini_program_code_is_uploaded_and_served(app: WxCloud, reader: Identity) -> None:
    file_id = app.call_function("getMiniProgramCode", as_user=reader)["result"]
    assert file_id == app.storage.file_id("code.png")
    (stored,) = app.storage.files()
    assert (stored.cloud_path, stored.content_type) == ("code.png", "image/png")
    assert stored.content.startswith(b"\x89PNG\r\n\x1a\n")
    # the mini program shows it through a temp URL
    url = app.get_temp_file_url(file_list=[file_id])["fileList"][0]["tempFileURL"]

    assert httpx.get(url).content == stored.content
    (call,) = app.openapi.calls
    assert (call.api, call.params, call.function) == (
        "wxacode.get",
        {"path": "pages/index/index"},
        "getMiniProgramCode",
    )


def test_a_comment_notifies_the_subscribed_author(
    app: WxCloud, author: Identity, reader: Identity, post_id: str
) -> None:
    app.openapi.subscriptions.grant(author, "COMMENT_REPLY_TPL")
    result = app.call_function("postComment", {"postId": post_id, "text": "同去！"}, as_user=reader)
    assert result["result"]["ok"] is True and result["result"]["notified"] is True
    assert [c["text"] for c in app.dump("comments")] == ["同去！"]

    sent = [c for c in app.openapi.calls_to("subscribeMessage.send") if c.ok]
    assert len(sent) == 1
    assert sent[0].params["touser"] == author.openid
    assert sent[0].params["data"] == {
        "thing1": {"value": "周末去爬山"},
        "thing2": {"value": "同去！"},
    }
    assert sent[0].caller is not None and sent[0].caller.openid == reader.openid


def test_an_unsubscribed_author_gets_nothing_but_the_comment_stays(
    app: WxCloud, reader: Identity, post_id: str
) -> None:
    result = app.call_function("postComment", {"postId": post_id, "text": "好"}, as_user=reader)
    assert result["result"] == {
        "ok": True,
        "commentId": result["result"]["commentId"],
        "notified": False,
    }
    assert len(app.dump("comments")) == 1
    assert [c.errcode for c in app.openapi.calls_to("subscribeMessage.send")] == [43101]


@pytest.mark.parametrize("text", ["加微信领红包", "代开发票 加微信"])
def test_risky_comments_are_refused_and_nobody_is_told(
    app: WxCloud, author: Identity, reader: Identity, post_id: str, text: str
) -> None:
    app.openapi.moderation.block("加微信")
    app.openapi.subscriptions.grant(author, "COMMENT_REPLY_TPL")
    result = app.call_function("postComment", {"postId": post_id, "text": text}, as_user=reader)
    assert result["result"] == {"ok": False, "reason": "risky", "label": 21000}
    assert app.dump("comments") == []
    assert app.openapi.calls_to("subscribeMessage.send") == []


def test_moderation_by_a_judge(app: WxCloud, reader: Identity, post_id: str) -> None:
    app.openapi.moderation.judge = lambda text: "review" if len(text) > 10 else "pass"
    long = app.call_function("postComment", {"postId": post_id, "text": "很" * 11}, as_user=reader)
    assert long["result"]["reason"] == "risky"
    short = app.call_function("postComment", {"postId": post_id, "text": "很好"}, as_user=reader)
    assert short["result"]["ok"] is True
