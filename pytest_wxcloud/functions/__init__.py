"""Cloud-function stand-ins: registered handlers, canned routes, invocation and the call log.

``cloud.functions`` is a :class:`FunctionRegistry`; ``cloud.call_function`` and
``cloud.trigger`` run calls through :mod:`.invoke`; answer sources (:mod:`.sources`, a cassette
say) answer what nothing local answers. Handlers loaded from a folder reach their cloud with
:func:`current_cloud` (the Python counterpart of ``cloud.init({env: DYNAMIC_CURRENT_ENV})``).
"""

from __future__ import annotations

from .calls import Caller, FunctionCall
from .config import ConfigError, FunctionConfig, TimerTrigger
from .context import InvocationContext
from .current import NoCurrentCloudError, current_cloud
from .loader import LoadError
from .registry import CloudFunction, FunctionRegistry, Limits
from .routes import Route, RouteError
from .sources import NULL_RESULT, AnswerSource, RecordedFailure

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
    "NoCurrentCloudError",
    "RecordedFailure",
    "Route",
    "RouteError",
    "TimerTrigger",
    "current_cloud",
]
