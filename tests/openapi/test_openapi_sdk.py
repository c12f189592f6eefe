"""cloud.openapi in Python: names, case conversion both ways, errors as wx-server-sdk 4.0.2 raises
them (sdk.md §6), permissions from config.json, and the outbox."""

from __future__ import annotations

from typing import Any

import pytest
from qrkit import encodes

from pytest_wxcloud import CloudSDKError, Identity, WxCloud
from pytest_wxcloud.functions import current_cloud
from pytest_wxcloud.openapi import Media


@pytest.fixture
def cloud() -> WxCloud:
    return WxCloud(env="e1", seed=3)


@pytest.fixture
def alice(cloud: WxCloud) -> Identity:
    return cloud.user()


DATA = {"thing1": {"value": "您的评论已通过"}, "time2": {"value": "2024-05-01 08:00"}}


def test_subscribe_send_needs_the_users_acceptance(cloud: WxCloud, alice: Identity) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.openapi.subscribe_message.send(touser=alice.openid, template_id="TPL", data=DATA)
    error = caught.value
    assert error.err_code == 43101
    assert error.err_msg.startswith(
        "openapi.subscribeMessage.send:fail user refuse to accept the msg rid: "
    )
    assert str(error) == f"errCode: 43101  | errMsg: {error.err_msg}"  # the SDK's double space

    cloud.openapi.subscriptions.grant(alice, "TPL")
    result = cloud.openapi.subscribe_message.send(
        touser=alice.openid, templateId="TPL", page="index", data=DATA, miniprogramState="developer"
    )
    assert result == {"errMsg": "openapi.subscribeMessage.send:ok", "errCode": 0}
    # one acceptance, one message
    with pytest.raises(CloudSDKError):
        cloud.openapi.subscribe_message.send(touser=alice.openid, template_id="TPL", data=DATA)


def test_the_outbox_records_wire_params(cloud: WxCloud, alice: Identity) -> None:
    cloud.openapi.subscriptions.grant(alice, "TPL")
    cloud.openapi.subscribe_message.send(
        touser=alice.openid, templateId="TPL", data=DATA, miniprogramState="developer"
    )
    (call,) = cloud.openapi.calls
    assert call.api == "subscribeMessage.send"
    assert call.params == {
        "touser": alice.openid,
        "template_id": "TPL",
        "data": DATA,
        "miniprogram_state": "developer",
    }
    assert call.ok and call.face == "sdk" and call.caller is None and call.function is None
    assert cloud.openapi.calls_to("security.msgSecCheck") == []


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"template_id": "TPL", "data": DATA}, 40003),
        ({"touser": "o1", "data": DATA}, 40037),
        ({"touser": "o1", "template_id": "TPL"}, 47003),
        ({"touser": "o1", "template_id": "TPL", "data": {"thing1": "no value"}}, 47003),
        ({"touser": "o1", "template_id": "TPL", "data": DATA, "miniprogram_state": "beta"}, 47003),
        ({"touser": "o1", "template_id": "TPL", "data": DATA, "lang": "fr"}, 47003),
    ],
)
def test_subscribe_send_validation(cloud: WxCloud, params: dict[str, Any], errcode: int) -> None:
    cloud.openapi.subscriptions.grant("o1", "TPL")
    with pytest.raises(CloudSDKError) as caught:
        cloud.openapi.subscribe_message.send(**params)
    assert caught.value.err_code == errcode
    assert cloud.openapi.subscriptions.remaining("o1", "TPL") == 1  # nothing consumed


def test_declared_templates_are_checked(cloud: WxCloud) -> None:
    cloud.openapi.subscriptions.add_template("TPL", ["thing1", "time2"])
    cloud.openapi.subscriptions.grant("o1", "TPL", times=2)
    with pytest.raises(CloudSDKError) as unknown:
        cloud.openapi.subscribe_message.send(touser="o1", template_id="OTHER", data=DATA)
    assert unknown.value.err_code == 40037
    with pytest.raises(CloudSDKError) as bad_key:
        cloud.openapi.subscribe_message.send(
            touser="o1", template_id="TPL", data={"phrase3": {"value": "x"}}
        )
    assert bad_key.value.err_code == 47003
    cloud.openapi.subscribe_message.send(touser="o1", template_id="TPL", data=DATA)


def test_msg_sec_check_v1_and_v2(cloud: WxCloud, alice: Identity) -> None:
    assert cloud.openapi.security.msg_sec_check(content="hello") == {
        "errMsg": "openapi.security.msgSecCheck:ok",
        "errCode": 0,
    }
    cloud.openapi.moderation.block("赌博")
    with pytest.raises(CloudSDKError) as caught:
        cloud.openapi.security.msg_sec_check(content="来赌博吧")
    assert caught.value.err_code == 87014
    assert "openapi.security.msgSecCheck:fail risky content" in caught.value.err_msg

    v2 = cloud.openapi.security.msg_sec_check(
        content="来赌博吧", version=2, scene=2, openid=alice.openid
    )
    assert v2["result"] == {"suggest": "risky", "label": 21000}
    assert v2["detail"][1] == {
        "strategy": "keyword",
        "errcode": 0,  # nested errcode is kept (sdk.md §6)
        "suggest": "risky",
        "label": 21000,
        "level": 20,
        "keyword": "赌博",
    }
    assert "traceId" in v2 and "trace_id" not in v2
    assert v2["errMsg"] == "openapi.security.msgSecCheck:ok" and v2["errCode"] == 0


def test_a_judge_decides_what_words_do_not(cloud: WxCloud, alice: Identity) -> None:
    cloud.openapi.moderation.judge = lambda text: "review" if "?" in text else None
    v2 = cloud.openapi.security.msg_sec_check(
        content="really?", version=2, scene=1, openid=alice.openid
    )
    assert v2["result"]["suggest"] == "review"
    with pytest.raises(CloudSDKError) as v2_bad:
        cloud.openapi.security.msg_sec_check(content="x", version=2, scene=9, openid=alice.openid)
    assert v2_bad.value.err_code == 47003


def test_img_sec_check_takes_media(cloud: WxCloud) -> None:
    media = {"contentType": "image/png", "value": b"\x89PNG-ok"}
    assert cloud.openapi.security.img_sec_check(media=media)["errCode"] == 0
    cloud.openapi.moderation.judge_image = lambda data: "risky" if b"bad" in data else "pass"
    with pytest.raises(CloudSDKError) as caught:
        cloud.openapi.security.img_sec_check(media={"contentType": "image/png", "value": b"bad"})
    assert caught.value.err_code == 87014
    assert cloud.openapi.calls[0].params == {"media": Media("image/png", b"\x89PNG-ok")}


def test_wxacode_answers_a_decodable_png(cloud: WxCloud) -> None:
    got = cloud.openapi.wxacode.get(path="pages/post/post?id=7")
    assert got["contentType"] == "image/png" and got["errMsg"] == "openapi.wxacode.get:ok"
    assert got["errCode"] == 0
    assert encodes(got["buffer"], f"wxacode://{cloud.appid}/pages/post/post?id=7")
    assert cloud.openapi.wxacode.get(path="pages/post/post?id=7")["buffer"] == got["buffer"]
    unlimited = cloud.openapi.wxacode.get_unlimited(scene="id=7", page="pages/post/post")
    assert encodes(unlimited["buffer"], f"wxacode://{cloud.appid}/pages/post/post?scene=id=7")
    qr = cloud.openapi.wxacode.create_qr_code(path="pages/a")
    assert encodes(qr["buffer"], f"wxacode://{cloud.appid}/pages/a")
    assert cloud.openapi.calls[-1].api == "wxacode.createQRCode"
    with pytest.raises(CloudSDKError) as long_scene:
        cloud.openapi.wxacode.get_unlimited(scene="x" * 33)
    assert long_scene.value.err_code == 40169
    with pytest.raises(CloudSDKError) as bad_page:
        cloud.openapi.wxacode.get_unlimited(scene="a", page="/pages/x")
    assert bad_page.value.err_code == 41030


def test_customer_service_scheme_and_phone(cloud: WxCloud, alice: Identity) -> None:
    sent = cloud.openapi.customer_service_message.send(
        touser=alice.openid, msgtype="text", text={"content": "hi"}
    )
    assert sent == {"errMsg": "openapi.customerServiceMessage.send:ok", "errCode": 0}
    with pytest.raises(CloudSDKError) as bad:
        cloud.openapi.customer_service_message.send(touser=alice.openid, msgtype="voice")
    assert bad.value.err_code == 40008

    link = cloud.openapi.urlscheme.generate(jump_wxa={"path": "pages/index/index", "query": "a=1"})
    assert link["openlink"].startswith("weixin://dl/business/?t=")

    code = cloud.openapi.phone_numbers.code_for(alice, "13800138000")
    phone = cloud.openapi.phonenumber.get_phone_number(code=code)
    assert phone["phoneInfo"]["purePhoneNumber"] == "13800138000"
    assert phone["phoneInfo"]["countryCode"] == "86"
    assert phone["phoneInfo"]["watermark"]["appid"] == cloud.appid
    with pytest.raises(CloudSDKError) as used:
        cloud.openapi.phonenumber.get_phone_number(code=code)
    assert used.value.err_code == 40029


def test_unknown_apis_are_not_found_unless_routed(cloud: WxCloud) -> None:
    with pytest.raises(CloudSDKError) as caught:
        cloud.openapi.ocr.idcard(img_url="https://x/y.jpg")
    assert caught.value.err_code == -604100
    assert caught.value.err_msg == "system error: error code: -604100"
    assert (
        str(caught.value)
        == "errCode: -604100 API not found | errMsg: system error: error code: -604100"
    )
    assert cloud.openapi.calls == []

    cloud.openapi.route(
        "ocr.idcard", lambda params: {"type": "Front", "name": "张三", "id_num": "1"}
    )
    answer = cloud.openapi.ocr.idcard(img_url="https://x/y.jpg")
    assert answer == {
        "type": "Front",
        "name": "张三",
        "idNum": "1",
        "errMsg": "openapi.ocr.idcard:ok",
        "errCode": 0,
    }
    assert cloud.openapi.calls[0].params == {"img_url": "https://x/y.jpg"}


def test_functions_need_the_api_in_config_json(cloud: WxCloud, alice: Identity) -> None:
    cloud.openapi.subscriptions.grant(alice, "TPL")

    def main(event: dict[str, Any], context: Any) -> Any:
        try:
            return current_cloud().openapi.subscribe_message.send(
                touser=event["to"], template_id="TPL", data=DATA
            )
        except CloudSDKError as error:
            return error.to_dict()

    cloud.functions.register("notify", main)
    cloud.functions.register(
        "allowed", main, config={"permissions": {"openapi": ["subscribeMessage.send"]}}
    )
    denied = cloud.call_function("notify", {"to": alice.openid}, as_user=alice)["result"]
    assert denied == {"errCode": -604101, "errMsg": "system error: error code: -604101"}
    allowed = cloud.call_function("allowed", {"to": alice.openid}, as_user=alice)["result"]
    assert allowed["errCode"] == 0
    (call,) = cloud.openapi.calls
    assert call.function == "allowed" and call.caller is not None
    assert call.caller.openid == alice.openid
