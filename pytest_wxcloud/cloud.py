"""WxCloud: one emulated cloud environment tying identities, database and functions together."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from .clock import Clock


class WxCloud:
    """An emulated 云开发 environment. Cheap to create: suites make thousands of them.

    Everything is deterministic from ``seed`` (ids, identities, fake data); ``now`` starts the
    clock frozen at that instant.
    """

    def __init__(
        self,
        env: str = "test-env",
        appid: str | None = None,
        secret: str | None = None,
        seed: int = 0,
        now: datetime | None = None,
    ) -> None:
        self.seed_value = seed
        self._random = random.Random(seed)
        self.env = env
        self.appid = appid if appid is not None else "wx" + "%016x" % self._random.getrandbits(64)
        self.secret = secret if secret is not None else "%032x" % self._random.getrandbits(128)
        self.clock = Clock(now)

    def __repr__(self) -> str:
        return f"WxCloud(env={self.env!r}, appid={self.appid!r})"

    # --- database (issue 2) -------------------------------------------------------------

    # --- identities and functions (issue 3) ---------------------------------------------

    # --- HTTP API (issue 4) -------------------------------------------------------------


__all__ = ["WxCloud"]
_ = Any
