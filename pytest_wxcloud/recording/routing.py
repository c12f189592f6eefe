"""Plugging a cassette into a cloud's function routing, as an answer source.

The cassette answers every call that nothing local answers: registered handlers and canned
routes keep precedence, so a test can run the function under test locally while the functions
it calls are replayed. Calls from the test (``cloud.call_function``), from handlers calling
other functions, and from ``invokecloudfunction`` over HTTP all pass the same dispatcher, so
all three are served, and a recorded failure reaches each caller in the shape a live failure
with the recorded code would take.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..functions.calls import Caller
from ..functions.sources import NULL_RESULT
from ..identity import Identity
from .cassette import Cassette
from .errors import RecordingError

if TYPE_CHECKING:
    from ..cloud import WxCloud


class CassetteSource:
    """``cloud.functions.sources`` entry answering from ``cassette`` (recording per its mode)."""

    def __init__(self, cloud: WxCloud, cassette: Cassette) -> None:
        self.cloud = cloud
        self.cassette = cassette
        self.label = f"cassette {cassette.path}"

    def __repr__(self) -> str:
        return f"CassetteSource({str(self.cassette.path)!r})"

    def __call__(
        self, name: str, data: dict[str, Any], identity: Identity, caller: Caller, request_id: str
    ) -> Any:
        cloud, cassette = self.cloud, self.cassette
        try:
            answer = cassette.play(name, data, identity, cloud.env, cloud.clock.now())
        except Exception as exc:
            # the cassette's problem (a before_record hook, say), not the function's: it must
            # not be an Exception the code under test could catch and swallow
            raise RecordingError(f"cassette {cassette.path}: {type(exc).__name__}: {exc}") from exc
        return NULL_RESULT if answer is None else answer

    def detach(self) -> None:
        sources = self.cloud.functions.sources
        if self in sources:
            sources.remove(self)


def attach(cloud: WxCloud, cassette: Cassette) -> CassetteSource:
    """Make ``cassette`` answer ``cloud``'s calls that nothing local answers."""
    source = CassetteSource(cloud, cassette)
    cloud.functions.sources.append(source)
    return source


@contextmanager
def use_cassette(cloud: WxCloud, path: str | Path, **options: Any) -> Iterator[Cassette]:
    """Replay (and, per ``record_mode``, record) ``cloud``'s calls with the cassette at ``path``.

    Options are those of :class:`Cassette`. What was recorded is saved when the block ends.
    """
    cassette = Cassette(path, **options)
    source = attach(cloud, cassette)
    try:
        yield cassette
    finally:
        source.detach()
        try:
            cassette.save()
        finally:
            cassette.close()


__all__ = ["CassetteSource", "attach", "use_cassette"]
