"""The Faker provider and the cloud's own seeded Faker."""

from __future__ import annotations

import re

from faker import Faker

from pytest_wxcloud import WxCloud
from pytest_wxcloud.fakedata import WxCloudProvider


def test_provider_works_on_any_faker_and_follows_its_seed() -> None:
    def sample(seed: int) -> list[str]:
        fake = Faker()
        fake.add_provider(WxCloudProvider)
        fake.seed_instance(seed)
        return [
            fake.wx_openid(),
            fake.wx_unionid(),
            fake.wx_appid(),
            fake.wx_env_id(),
            fake.wx_request_id(),
        ]

    values = sample(1)
    assert values == sample(1) and values != sample(2)
    openid, unionid, appid, env_id, request_id = values
    assert re.fullmatch(r"o[A-Za-z0-9_-]{27}", openid) and re.fullmatch(
        r"o[A-Za-z0-9_-]{27}", unionid
    )
    assert re.fullmatch(r"wx[0-9a-f]{16}", appid)
    assert re.fullmatch(r"prod-[0-9][a-z0-9]{5}", env_id)
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", request_id
    )


def test_cloud_faker_is_seeded_from_the_cloud_and_speaks_chinese_and_english() -> None:
    one, two = WxCloud(seed=5).faker, WxCloud(seed=5).faker
    assert [one.name() for _ in range(3)] == [two.name() for _ in range(3)]
    assert re.search(r"[\u4e00-\u9fff]", one["zh_CN"].name())
    assert re.fullmatch(r"[A-Za-z .'-]+", one["en_US"].name())
    assert re.fullmatch(r"o[A-Za-z0-9_-]{27}", one.wx_openid())


def test_seeding_documents_with_the_cloud_faker() -> None:
    cloud = WxCloud(seed=2)
    fake = cloud.faker
    cloud.seed({"users": [{"_openid": fake.wx_openid(), "name": fake.name()} for _ in range(5)]})
    docs = cloud.database().collection("users").get()["data"]
    assert len(docs) == 5 and len({d["_openid"] for d in docs}) == 5
