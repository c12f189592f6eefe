"""A local cloud as the upstream a cassette records from: contracts without a WeChat account.

The provider's own functions (Node.js or Python) run in a :class:`WxCloud` served on a loopback
port; the recorder reaches it exactly as it reaches the real cloud: ``/cgi-bin/stable_token``
with the provider cloud's appid and secret, then ``/tcb/invokecloudfunction``. So the recorded
interaction is what the HTTP API answers (no user: ``SOURCE`` ``wx_http``, failures as
cloud-development errcodes), and a consumer replays and ``verify``-s it like any recording.

    with local_upstream(provider) as upstream, use_cassette(
        consumer, "cassettes/profile.json", record_mode="all", upstream=upstream
    ):
        consumer.call_function("getUserProfile", {"id": "u1"})
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import httpx

from .upstream import Credentials, DirectTransport, Upstream

if TYPE_CHECKING:
    from ..cloud import WxCloud


class _Rebased(httpx.BaseTransport):
    """Sends what the recorder addresses to ``api.weixin.qq.com`` to the loopback server, over
    the standard library (outside respx, so the consumer's own interception cannot answer)."""

    def __init__(self, base_url: str) -> None:
        self._base = httpx.URL(base_url)
        self._direct = DirectTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url.copy_with(
            scheme=self._base.scheme, host=self._base.host, port=self._base.port
        )
        rebased = httpx.Request(
            request.method, url, headers=request.headers, content=request.read()
        )
        return self._direct.handle_request(rebased)


@contextmanager
def local_upstream(provider: WxCloud) -> Iterator[Callable[[], Upstream]]:
    """Serve ``provider`` for the block; yields the ``upstream=`` factory of a cassette."""
    with provider.serve() as server:
        credentials = Credentials(provider.appid, provider.secret, provider.env)
        upstream = Upstream(credentials, _Rebased(server.url))
        try:
            yield lambda: upstream
        finally:
            upstream.close()


__all__ = ["local_upstream"]
