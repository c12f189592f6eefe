"""Plugging a cassette into a cloud's function routing.

The cassette answers every call that nothing local answers: registered handlers and canned
routes keep precedence, so a test can run the function under test locally while the functions
it calls are replayed. Calls from the test (``cloud.call_function``), from handlers calling
other functions, and from ``invokecloudfunction`` over HTTP all pass the same dispatcher, so
all three are served.

The registry has no hook for "a source of answers", so the cassette uses two public pieces: a
route that never answers but, as the dispatcher walks past it, registers a replaying handler
(``cloud.functions.register``) for a name nothing else answers; the handler then runs like any
function, with the caller's identity current, which the cassette needs for matching and for
recording the identity.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import CloudSDKError
from ..functions.registry import CloudFunction
from ..functions.routes import Route
from ..identity import current_frame
from .cassette import Cassette
from .errors import RecordingError

if TYPE_CHECKING:
    from ..cloud import WxCloud

#: generous: a recording waits for the real cloud (the HTTP API's own limit is 5 s)
HANDLER_TIMEOUT = 60.0


class CassetteGate(Route):
    """A route that never matches; it hands names nothing else answers to the cassette."""

    def __init__(self, cloud: WxCloud, cassette: Cassette) -> None:
        super().__init__(name=f"cassette {cassette.path}")
        self.cloud = cloud
        self.cassette = cassette
        self.claimed: dict[str, CloudFunction] = {}
        self._claiming = threading.Lock()

    def matches(self, name: str, event: Mapping[str, Any]) -> bool:
        registry = self.cloud.functions
        if name in self.claimed or name in registry.functions:
            return False
        if any(r is not self and r.matches(name, event) for r in registry.routes):
            return False
        with self._claiming:
            if name not in self.claimed and name not in registry.functions:
                self.claimed[name] = registry.register(
                    name, self._replayer(name), timeout=HANDLER_TIMEOUT
                )
        return False

    def describe(self) -> str:
        return f"cassette {self.cassette.path}"

    def _replayer(self, name: str) -> Any:
        cloud, cassette = self.cloud, self.cassette

        def replay(event: dict[str, Any], context: Any) -> Any:
            frame = current_frame()
            identity = frame.identity if frame is not None else None
            data = dict(event)
            if identity is not None and data.get("userInfo") == identity.user_info():
                del data["userInfo"]  # the platform adds it; the caller never sent it
            try:
                result = cassette.play(name, data, identity, cloud.env, cloud.clock.now())
            except CloudSDKError:
                raise  # a recorded error: the pipeline reports it as the function failing
            except Exception as exc:
                # anything else is the cassette's problem, not the function's: it must not
                # become a CloudSDKError the code under test could catch
                raise RecordingError(
                    f"cassette {cassette.path}: {type(exc).__name__}: {exc}"
                ) from exc
            self.calls += 1
            return result

        replay.__qualname__ = f"cassette_replay[{name}]"
        return replay

    def detach(self) -> None:
        registry = self.cloud.functions
        if self in registry.routes:
            registry.routes.remove(self)
        for name, function in self.claimed.items():
            if registry.functions.get(name) is function:
                del registry.functions[name]
        self.claimed.clear()


def attach(cloud: WxCloud, cassette: Cassette) -> CassetteGate:
    """Make ``cassette`` answer ``cloud``'s calls that nothing local answers."""
    gate = CassetteGate(cloud, cassette)
    cloud.functions.routes.append(gate)
    return gate


@contextmanager
def use_cassette(cloud: WxCloud, path: str | Path, **options: Any) -> Iterator[Cassette]:
    """Replay (and, per ``record_mode``, record) ``cloud``'s calls with the cassette at ``path``.

    Options are those of :class:`Cassette`. What was recorded is saved when the block ends.
    """
    cassette = Cassette(path, **options)
    gate = attach(cloud, cassette)
    try:
        yield cassette
    finally:
        gate.detach()
        try:
            cassette.save()
        finally:
            cassette.close()


__all__ = ["CassetteGate", "attach", "use_cassette"]
