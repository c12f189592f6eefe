"""What the HTTP face remembers about one cloud between ``mock_http()`` blocks.

Tokens issued in one block stay valid in the next (a job keeps its token across requests), and
request ids keep counting, so this lives on the cloud, built on first use: a WxCloud that never
speaks HTTP pays nothing for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .tokens import TokenAuthority
from .wire import RequestIds

if TYPE_CHECKING:
    from ..cloud import WxCloud


class HttpState:
    def __init__(self, cloud: WxCloud) -> None:
        self.tokens = TokenAuthority(cloud.appid, cloud.secret, cloud.clock, cloud.seed_value)
        self.rids = RequestIds(cloud.seed_value)


__all__ = ["HttpState"]
