"""CloudIDs: open data (WeRun steps, shared-group info, …) a user's mini program hands to a function.

In production the mini program gets a CloudID from an open ability (``wx.getWeRunData`` …) and the
function exchanges it with ``cloud.getOpenData({list})`` for ``{"cloudID", "data"}``, the data
carrying a ``watermark`` of the app and the time it was issued. Tests mint CloudIDs with
:meth:`OpenData.cloud_id_for` and make one stale with :meth:`OpenData.expire`. The platform
refuses a whole call for one bad CloudID, with wx-server-sdk's codes: -601005 invalid cloudID,
-601006 cloudID expired, -601007 cloudID and calling user does not match.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...identity import Identity
from ...jsjson import JSONBoundaryError, stringify
from ..outcome import PlatformError

if TYPE_CHECKING:
    from ...cloud import WxCloud

INVALID_CLOUD_ID = -601005
CLOUD_ID_EXPIRED = -601006
CLOUD_ID_USER_MISMATCH = -601007


@dataclass(slots=True)
class _Issued:
    openid: str | None
    text: str  # the item's JSON, fixed when issued, as the platform signs it then
    expired: bool = False


class OpenData:
    """The CloudIDs this cloud has issued, and what each one opens."""

    def __init__(self, cloud: WxCloud) -> None:
        self._cloud = cloud
        self._random = random.Random(f"{cloud.seed_value}/cloud-ids")
        self._issued: dict[str, _Issued] = {}
        self._lock = threading.Lock()

    def cloud_id_for(self, user: Identity | None, data: Mapping[str, Any]) -> str:
        """The CloudID ``user``'s mini program gets for ``data`` (a ``watermark`` of this app
        and now is added unless ``data`` has one); ``None``: not tied to a user."""
        if not isinstance(data, Mapping):
            raise TypeError(f"open data must be a dict, got {data!r}")
        cloud = self._cloud
        stamped = {**data}
        stamped.setdefault(
            "watermark",
            {"appid": cloud.appid, "timestamp": int(cloud.clock.now().timestamp())},
        )
        with self._lock:
            cloud_id = f"{self._random.randrange(10, 100)}_{self._random.getrandbits(256):064x}"
        try:
            text = stringify({"cloudID": cloud_id, "data": stamped}, "data")
        except JSONBoundaryError as exc:
            raise ValueError(f"open data must be JSON: {exc}") from None
        with self._lock:
            self._issued[cloud_id] = _Issued(None if user is None else user.openid, text)
        return cloud_id

    def expire(self, cloud_id: str) -> None:
        """Make ``cloud_id`` stale: exchanging it then fails with -601006."""
        with self._lock:
            issued = self._issued.get(cloud_id)
            if issued is None:
                raise KeyError(f"{cloud_id!r} is not a CloudID this cloud issued")
            issued.expired = True

    def read(self, cloud_ids: list[str], caller: Identity | None) -> list[tuple[str, str]]:
        """(cloudID, JSON text) per CloudID, in order. ``caller`` is the calling invocation's
        user; ``None`` (test code) may read any CloudID."""
        items = []
        with self._lock:
            for cloud_id in cloud_ids:
                issued = self._issued.get(cloud_id)
                if issued is None:
                    raise PlatformError(INVALID_CLOUD_ID, f"{cloud_id!r} was not issued")
                if issued.expired:
                    raise PlatformError(CLOUD_ID_EXPIRED, f"{cloud_id!r} has expired")
                if caller is not None and issued.openid not in (None, caller.openid):
                    raise PlatformError(
                        CLOUD_ID_USER_MISMATCH,
                        f"{cloud_id!r} belongs to {issued.openid}, not to {caller.openid}",
                    )
                items.append((cloud_id, issued.text))
        return items


def parse_items(items: list[tuple[str, str]]) -> list[Any]:
    """What ``getOpenData`` resolves ``list`` to: each item's JSON, parsed."""
    return [json.loads(text) for _, text in items]


__all__ = [
    "CLOUD_ID_EXPIRED",
    "CLOUD_ID_USER_MISMATCH",
    "INVALID_CLOUD_ID",
    "OpenData",
    "parse_items",
]
