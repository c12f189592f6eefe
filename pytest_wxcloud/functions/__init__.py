"""Cloud-function stand-ins: registered handlers, canned routes, invocation and the call log.

``cloud.functions`` is a :class:`FunctionRegistry`; ``cloud.call_function`` and
``cloud.trigger`` run calls through :mod:`.invoke`; answer sources (:mod:`.sources`, a cassette
say) answer what nothing local answers. Handlers loaded from a folder reach their cloud with
:func:`current_cloud` (the Python counterpart of ``cloud.init({env: DYNAMIC_CURRENT_ENV})``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..identity import current_frame
from .calls import Caller, FunctionCall
from .config import ConfigError, FunctionConfig, TimerTrigger
from .context import InvocationContext
from .loader import LoadError
from .registry import CloudFunction, FunctionRegistry, Limits
from .routes import Route, RouteError
from .sources import NULL_RESULT, AnswerSource, RecordedFailure

if TYPE_CHECKING:
    from ..cloud import WxCloud


def current_cloud() -> WxCloud:
    """The cloud whose function is running now (or whose user ``as_user`` is acting as)."""
    frame = current_frame()
    if frame is None:
        raise RuntimeError(
            "current_cloud() is only available while a cloud function runs "
            "(inside cloud.call_function / cloud.trigger) or inside cloud.as_user(...)"
        )
    cloud: WxCloud = frame.cloud
    return cloud


__all__ = [
    "NULL_RESULT",
    "AnswerSource",
    "Caller",
    "CloudFunction",
    "ConfigError",
    "FunctionCall",
    "FunctionConfig",
    "FunctionRegistry",
    "InvocationContext",
    "Limits",
    "LoadError",
    "RecordedFailure",
    "Route",
    "RouteError",
    "TimerTrigger",
    "current_cloud",
]
