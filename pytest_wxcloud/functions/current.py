"""``current_cloud()``: how a loaded handler reaches the cloud that runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..identity import current_frame

if TYPE_CHECKING:
    from ..cloud import WxCloud


class NoCurrentCloudError(RuntimeError):
    """``current_cloud()`` outside any invocation; its own type so the loader can tell a
    module-level call (the usual cause) from any other import failure and say where it belongs."""


def current_cloud() -> WxCloud:
    """The cloud whose function is running now (or whose user ``as_user`` is acting as)."""
    frame = current_frame()
    if frame is None:
        raise NoCurrentCloudError(
            "current_cloud() is only available while a cloud function runs "
            "(inside cloud.call_function / cloud.trigger) or inside cloud.as_user(...)"
        )
    cloud: WxCloud = frame.cloud
    return cloud


__all__ = ["NoCurrentCloudError", "current_cloud"]
