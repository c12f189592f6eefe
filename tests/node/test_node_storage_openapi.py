"""Cloud storage and openapi from a real wx-server-sdk function, over the CloudBase protocol."""

from __future__ import annotations

import pytest

from pytest_wxcloud import CloudSDKError, WxCloud


def test_a_comment_is_checked_stored_read_announced_and_deleted(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    cloud.openapi.subscriptions.grant(alice, "TPL1")
    result = cloud.call_function("moderate", {"text": "你好, world"}, as_user=alice)["result"]
    assert result["text"] == "你好, world"
    assert (result["tempStatus"], result["deleted"]) == (0, 0)
    assert result["fileID"].startswith(f"cloud://{cloud.env}.")
    assert result["fileID"].endswith("/comments/o-alice.txt")
    assert cloud.storage.files() == []
    (sent,) = cloud.openapi.calls_to("subscribeMessage.send")
    assert sent.params["touser"] == "o-alice" and sent.params["template_id"] == "TPL1"
    assert sent.params["data"] == {"thing1": {"value": "你好, world"}}
    assert (sent.function, sent.face) == ("moderate", "admin")


def test_a_risky_comment_is_refused_by_the_check(cloud: WxCloud) -> None:
    cloud.openapi.moderation.block("spam")
    alice = cloud.user(openid="o-alice")
    result = cloud.call_function("moderate", {"text": "buy spam now"}, as_user=alice)["result"]
    assert (result["blocked"], result["errCode"]) == (True, 87014)
    assert result["errMsg"].startswith("openapi.security.msgSecCheck:fail")
    assert cloud.storage.files() == []
    assert cloud.openapi.calls_to("subscribeMessage.send") == []


def test_a_user_without_a_subscription_is_refused_by_the_api(cloud: WxCloud) -> None:
    alice = cloud.user(openid="o-alice")
    with pytest.raises(CloudSDKError, match="user refuse to accept the msg"):
        cloud.call_function("moderate", {"text": "hello"}, as_user=alice)
    (refused,) = cloud.openapi.calls_to("subscribeMessage.send")
    assert refused.errcode == 43101


def test_a_mini_program_code_is_uploaded_as_a_png(cloud: WxCloud) -> None:
    result = cloud.call_function("moderate", {"action": "code"}, as_user=cloud.user())["result"]
    assert result["contentType"] == "image/png"
    (stored,) = cloud.storage.files()
    data = cloud.download_file(file_id=result["fileID"])["fileContent"]
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and stored.size == len(data)
