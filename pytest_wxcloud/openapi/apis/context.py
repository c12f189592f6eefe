"""What an API handler is given: the call's parameters, who made it, and the cloud's state."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...identity import Identity
from ..outcome import Media, OpenApiError, Reply

if TYPE_CHECKING:
    from ...cloud import WxCloud
    from ..service import OpenApiService


@dataclass(frozen=True, slots=True)
class ApiCall:
    api: str
    params: Mapping[str, Any]
    caller: Identity | None
    cloud: WxCloud
    service: OpenApiService

    def string(self, name: str, errcode: int, errmsg: str, *, required: bool = True) -> str | None:
        """A string parameter; the API's own errcode when it is missing or not a string."""
        value = self.params.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (required and not value):
            raise OpenApiError(errcode, errmsg)
        return value

    def choice(self, name: str, accepted: tuple[str, ...], default: str) -> str:
        value = self.params.get(name, default)
        if value not in accepted:
            raise OpenApiError(
                47003,
                f"argument invalid! {name} must be one of {', '.join(accepted)}, got {value!r}",
            )
        return str(value)

    def media(self, name: str) -> Media:
        value = self.params.get(name)
        if not isinstance(value, Media) or not value.value:
            raise OpenApiError(41005, f"media data missing ({name})")
        return value


#: an API: the call in, the reply out (raise :class:`OpenApiError` for the API's errcodes)
ApiHandler = Callable[[ApiCall], Reply]

__all__ = ["ApiCall", "ApiHandler"]
