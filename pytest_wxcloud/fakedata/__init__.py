"""Realistic WeChat identifiers, deterministic from a ``random.Random``.

The generators are plain functions over a ``random.Random`` so that ``cloud.user()`` stays cheap
(importing Faker costs ~150 ms, far too much for a per-test environment); the Faker provider in
:mod:`pytest_wxcloud.fakedata.provider` wraps the same functions for people seeding documents
with Faker. ``from pytest_wxcloud.fakedata import WxCloudProvider`` works and imports Faker only
then.
"""

from __future__ import annotations

import random
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .provider import WxCloudProvider

#: The URL-safe base64 alphabet openids and unionids are written in.
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
OPENID_LENGTH = 28

_ENV_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# First octets of address blocks held by Chinese ISPs, so IPs look like real client addresses
# rather than private or reserved ones.
_PUBLIC_FIRST_OCTETS = (36, 39, 42, 49, 58, 59, 60, 61, 101, 106, *range(110, 126), 171, 175)


def openid(rng: random.Random) -> str:
    """``o`` + 27 URL-safe base64 characters, e.g. ``oQ2tH5Zr8cLx0V9mJ3nKp_aW4yEs``."""
    return "o" + "".join(rng.choices(ID_ALPHABET, k=OPENID_LENGTH - 1))


def unionid(rng: random.Random) -> str:
    """Same shape as an openid: WeChat writes both the same way."""
    return openid(rng)


def appid(rng: random.Random) -> str:
    """``wx`` + 16 lowercase hex digits."""
    return f"wx{rng.getrandbits(64):016x}"


def env_id(rng: random.Random, name: str = "prod") -> str:
    """``<name>-<6 characters>`` as the console makes them, e.g. ``prod-3g5k9a``."""
    return f"{name}-{rng.choice('0123456789')}" + "".join(rng.choices(_ENV_SUFFIX_ALPHABET, k=5))


def client_ip(rng: random.Random) -> str:
    """A public-looking IPv4 address."""
    first = rng.choice(_PUBLIC_FIRST_OCTETS)
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def request_id(rng: random.Random) -> str:
    """A version-4 UUID string, the form ``requestID`` takes."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def __getattr__(name: str) -> Any:
    if name == "WxCloudProvider":
        from .provider import WxCloudProvider

        return WxCloudProvider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ID_ALPHABET",
    "OPENID_LENGTH",
    "WxCloudProvider",
    "appid",
    "client_ip",
    "env_id",
    "openid",
    "request_id",
    "unionid",
]
