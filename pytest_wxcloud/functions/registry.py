"""The functions of one cloud: registered handlers, canned routes, options and the call log."""

from __future__ import annotations

import inspect
import random
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .. import fakedata
from .calls import FunctionCall
from .config import DEFAULT_CONFIG, FunctionConfig, parse_config
from .loader import load_folder
from .routes import Route, route_from_rule

if TYPE_CHECKING:
    from ..cloud import WxCloud
    from .sources import AnswerSource

Handler = TypeVar("Handler", bound=Callable[..., Any])

KB = 1024
MB = 1024 * KB


@dataclass
class Limits:
    """Payload limits in bytes of JSON text (sdk.md §2.3, §7)."""

    mini_program_request: int = 100 * KB  # wx.cloud.callFunction data
    request: int = 6 * MB  # SCF synchronous invocation request
    result: int = 1 * MB  # -604001 cloudfunction result size exceed limit (1MB)


@dataclass(eq=False)
class CloudFunction:
    """A registered handler with its deployment settings."""

    name: str
    handler: Callable[..., Any]
    config: FunctionConfig = DEFAULT_CONFIG
    origin: str = "registered"  # or the folder it was loaded from
    calls: int = field(default=0, init=False)
    takes_context: bool = field(default=True, init=False)
    is_async: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if not callable(self.handler):
            raise TypeError(
                f"handler for {self.name!r} must be callable main(event, context); got {self.handler!r}"
            )
        self.is_async = inspect.iscoroutinefunction(self.handler)
        self.takes_context = _positional_arity(self.handler, self.name) == 2

    @property
    def timeout(self) -> float:
        return self.config.timeout


def _positional_arity(handler: Callable[..., Any], name: str) -> int:
    """1 for ``main(event)``, 2 for ``main(event, context)``; anything else is refused."""
    code = getattr(handler, "__code__", None)
    if inspect.isfunction(handler) and code is not None:
        # Plain functions (nearly every handler): read the code object, ~50x cheaper than
        # inspect.signature, which matters when every test registers its handlers.
        if code.co_flags & inspect.CO_VARARGS:
            return 2
        positional = code.co_argcount
        required = positional - len(handler.__defaults__ or ())
    else:
        try:
            signature = inspect.signature(handler)
        except (TypeError, ValueError):
            return 2
        params = list(signature.parameters.values())
        if any(p.kind is p.VAR_POSITIONAL for p in params):
            return 2
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        plain = [p for p in params if p.kind in kinds]
        positional = len(plain)
        required = sum(1 for p in plain if p.default is p.empty)
    if required <= 2 <= positional:
        return 2
    if required <= 1 <= positional:
        return 1
    raise TypeError(
        f"handler for {name!r} must accept (event, context) or (event); "
        f"it takes {positional} positional parameter(s), {required} of them required"
    )


class FunctionRegistry:
    """``cloud.functions``. Options are plain attributes, settable per test:

    ``propagate_openid`` (default ``False``): whether a function called by another function
    still sees the mini-program user's OPENID/UNIONID/CLIENTIP (see docs/functions.md for why
    the default is no). ``inject_user_info`` (default ``True``): add the legacy
    ``event.userInfo`` to mini-program and HTTP-API calls. ``patch_environ`` (default ``True``):
    expose the caller in ``os.environ`` while a synchronous handler runs. ``sdk_timeout``
    (15 s) and ``http_timeout`` (5 s): how long a server-side / HTTP-API caller waits.
    ``limits``: payload limits. ``sources``: answer sources (a cassette, say) asked in order
    for calls no route or handler answers (see :mod:`.sources`); they are not functions of the
    cloud, so ``names``, ``unused()`` and ``in`` leave them out.
    """

    def __init__(self, cloud: WxCloud) -> None:
        self.cloud = cloud
        self.functions: dict[str, CloudFunction] = {}
        self.routes: list[Route] = []
        self.calls: list[FunctionCall] = []
        self.sources: list[AnswerSource] = []
        self.propagate_openid = False
        self.inject_user_info = True
        self.patch_environ = True
        self.sdk_timeout = 15.0
        self.http_timeout = 5.0
        self.limits = Limits()
        self._rng: random.Random | None = None
        self._started = 0
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ registration

    def register(
        self,
        name: str,
        handler: Callable[..., Any],
        *,
        timeout: float | None = None,
        config: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> CloudFunction:
        """Register ``main(event, context)`` (sync or async) as the function ``name``.

        ``config`` takes the content of a ``config.json``; ``timeout`` (seconds) overrides its
        timeout. Registering a name twice raises unless ``replace=True`` — replacing is how a
        test stubs out one function of a loaded folder.
        """
        if not isinstance(name, str) or not name:
            raise TypeError(f"function name must be a non-empty str; got {name!r}")
        raw = dict(config) if config is not None else {}
        if timeout is not None:
            raw["timeout"] = timeout
        parsed = parse_config(raw, f"config of function {name!r}") if raw else DEFAULT_CONFIG
        return self._add(CloudFunction(name, handler, parsed), replace)

    def function(
        self,
        name: str,
        *,
        timeout: float | None = None,
        config: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Decorator form of :meth:`register`; returns the handler unchanged."""

        def decorate(handler: Handler) -> Handler:
            self.register(name, handler, timeout=timeout, config=config, replace=replace)
            return handler

        return decorate

    def load(self, path: str | Path, *, replace: bool = False) -> list[str]:
        """Register every function of a ``cloudfunctions/`` folder (or one function folder)."""
        names = []
        for loaded in load_folder(path):
            self._add(
                CloudFunction(loaded.name, loaded.handler, loaded.config, str(loaded.path)), replace
            )
            names.append(loaded.name)
        return names

    def route(
        self,
        name: str,
        data: Mapping[str, Any] | None = None,
        *,
        result: Any = None,
        error: str | BaseException | None = None,
        once: bool = False,
    ) -> Route:
        """A canned answer for calls to ``name`` whose data partially matches ``data``."""
        route = Route(name, data, result, error, once)
        self.routes.append(route)
        return route

    def add_routes(self, rules: Iterable[Mapping[str, Any]]) -> list[Route]:
        """Routes from minium-style rule dicts: ``{"name", "data", "result" | "error", "once"}``."""
        if isinstance(rules, Mapping | str | bytes):
            raise TypeError(f"add_routes takes a list of rule dicts; got {rules!r}")
        added = [route_from_rule(rule) for rule in rules]
        self.routes.extend(added)
        return added

    def _add(self, function: CloudFunction, replace: bool) -> CloudFunction:
        existing = self.functions.get(function.name)
        if existing is not None and not replace:
            raise ValueError(
                f"function {function.name!r} is already registered (from {existing.origin}); "
                "pass replace=True to stub it out"
            )
        self.functions[function.name] = function
        return function

    # ------------------------------------------------------------------ lookup and log

    def __contains__(self, name: object) -> bool:
        return name in self.functions or any(r.name == name for r in self.routes)

    @property
    def names(self) -> list[str]:
        """Every name a call can reach locally: handlers and routes (answer sources excluded)."""
        return sorted(set(self.functions) | {r.name for r in self.routes})

    def calls_to(self, name: str) -> list[FunctionCall]:
        return [call for call in self.calls if call.name == name]

    def unused(self) -> list[str]:
        """Routes and test-registered handlers no call reached (folder-loaded ones are exempt)."""
        missed = [r.describe() for r in self.routes if r.calls == 0]
        missed += [
            f"function {f.name!r}"
            for f in self.functions.values()
            if f.origin == "registered" and f.calls == 0
        ]
        return missed

    def start_call(self) -> tuple[int, str]:
        """The next call's number (start order) and its requestID, deterministic from the seed."""
        with self._lock:
            if self._rng is None:
                self._rng = random.Random(f"{self.cloud.seed_value}/requests")
            self._started += 1
            return self._started, fakedata.request_id(self._rng)

    def record(self, call: FunctionCall) -> None:
        """Log a finished call in start order: an outer call precedes the calls it made."""
        with self._lock:
            calls = self.calls
            position = len(calls)
            while position > 0 and calls[position - 1].number > call.number:
                position -= 1
            calls.insert(position, call)


__all__ = ["CloudFunction", "FunctionRegistry", "Limits"]
