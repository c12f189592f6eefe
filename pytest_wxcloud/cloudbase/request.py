"""One CloudBase request as an action sees it, and the shape of an action."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .tokens import Grant

if TYPE_CHECKING:
    import httpx

    from ..cloud import WxCloud


@dataclass(frozen=True, slots=True)
class AdminRequest:
    """The decoded body, the cloud answering it, and who sent it (``None``: a token-less
    caller such as a script using the SDK with admin credentials outside any invocation)."""

    cloud: WxCloud
    action: str
    body: Mapping[str, Any]
    grant: Grant | None
    #: where the request came in (file URLs in replies point back at the same origin)
    url: str = ""


#: an action's reply fields (``requestId`` is added by the face), or a finished response
#: (``wx.openApi`` answers in protobuf)
Action = Callable[[AdminRequest], "dict[str, Any] | httpx.Response"]

__all__ = ["Action", "AdminRequest"]
