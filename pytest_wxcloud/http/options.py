"""Settings of the HTTP face where the live API is unconfirmed or a test wants another answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..database.ejson import DateFormat
from .tokens import TokenPolicy

if TYPE_CHECKING:
    import httpx

#: ``.limit()`` above this fails on the live HTTP API ("MgoLimit 校验失败", http-api.md §3.3).
DEFAULT_MAX_LIMIT = 100
#: what ``databasequery`` returns without ``.limit()`` (documented, http-api.md §3.3)
DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class HttpOptions:
    """Options of ``cloud.mock_http(...)``; defaults follow the reference, strict where it differs.

    - ``max_limit``: largest ``.limit(n)`` databasequery accepts (100 strict; 1000 lenient).
    - ``open_interface``: serve token-less calls as the Cloud Run 开放接口服务 does; off, such
      calls get 41001 like any call without a token.
    - ``open_interface_by``: how a request is known to come through that service. ``"scheme"``
      (in process): the service is ``http://api.weixin.qq.com``, so its ``http://`` scheme says
      so. ``"listener"`` (the loopback server, whose ``http://`` URL says nothing about the
      caller): every request on a listener started with ``open_interface=True`` does, none
      otherwise.
    - ``query_date_format``: dates in databasequery records, ``{"$date": ms}`` or ISO.
    - ``tokens``: token lifetimes, grace period and the wrong-secret errcode.
    """

    max_limit: int = DEFAULT_MAX_LIMIT
    open_interface: bool = True
    open_interface_by: Literal["scheme", "listener"] = "scheme"
    query_date_format: DateFormat = "ms"
    tokens: TokenPolicy = field(default_factory=TokenPolicy)

    def __post_init__(self) -> None:
        if (
            isinstance(self.max_limit, bool)
            or not isinstance(self.max_limit, int)
            or self.max_limit < 1
        ):
            raise ValueError(f"max_limit must be a positive integer, got {self.max_limit!r}")
        if self.open_interface_by not in ("scheme", "listener"):
            raise ValueError(
                f"open_interface_by must be 'scheme' or 'listener', got {self.open_interface_by!r}"
            )
        if self.query_date_format not in ("ms", "iso"):
            raise ValueError(
                f"query_date_format must be 'ms' or 'iso', got {self.query_date_format!r}"
            )

    def via_open_interface(self, request: httpx.Request) -> bool:
        """True when ``request`` reached the face through the open-interface service."""
        if self.open_interface_by == "listener":
            return self.open_interface
        return request.url.scheme == "http"


__all__ = ["DEFAULT_LIMIT", "DEFAULT_MAX_LIMIT", "HttpOptions"]
