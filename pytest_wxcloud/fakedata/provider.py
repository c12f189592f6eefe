"""Faker provider for WeChat identifiers: ``fake.wx_openid()``, ``fake.wx_appid()``, …

Usable on any Faker (``Faker().add_provider(WxCloudProvider)``); a cloud's own Faker
(``cloud.faker``) has it already and is seeded from the cloud's seed.
"""

from __future__ import annotations

from typing import Any

from faker import Faker
from faker.providers import BaseProvider

from . import appid, client_ip, env_id, openid, request_id, unionid


class WxCloudProvider(BaseProvider):  # type: ignore[misc]
    """Each method draws from the Faker's own random generator, so ``seed_instance`` holds."""

    def wx_openid(self) -> str:
        return openid(self.generator.random)

    def wx_unionid(self) -> str:
        return unionid(self.generator.random)

    def wx_appid(self) -> str:
        return appid(self.generator.random)

    def wx_env_id(self, name: str = "prod") -> str:
        return env_id(self.generator.random, name)

    def wx_client_ip(self) -> str:
        return client_ip(self.generator.random)

    def wx_request_id(self) -> str:
        return request_id(self.generator.random)


LOCALES = ("zh_CN", "en_US")


def make_faker(seed: int) -> Any:
    """A zh_CN + en_US Faker seeded with ``seed``, with :class:`WxCloudProvider` added."""
    fake = Faker(list(LOCALES))
    for locale in LOCALES:  # multi-locale Faker only takes providers per locale
        fake[locale].add_provider(WxCloudProvider)
    fake.seed_instance(seed)
    return fake


__all__ = ["LOCALES", "WxCloudProvider", "make_faker"]
