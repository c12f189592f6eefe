"""The loopback server a cloud's Node.js functions talk to, started on their first call.

wx-server-sdk speaks HTTP, so a cloud whose Node functions run must be served on a real port
(``cloud.serve()``). The server starts lazily with the first Node invocation of a cloud and
stops when the pytest fixture that made the cloud ends (or with the session for clouds made by
hand, or with :func:`release`). One server per cloud: its ``/admin`` URL reaches each
invocation through ``TCB_CONTEXT_CNFG``, so one worker can serve the clouds of many tests.
"""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..cloud import WxCloud
    from ..server.loopback import LoopbackServer

_servers: dict[int, tuple[WxCloud, LoopbackServer]] = {}
_lock = threading.Lock()


def server_for(cloud: WxCloud) -> LoopbackServer:
    with _lock:
        held = _servers.get(id(cloud))
        if held is None:
            held = _servers[id(cloud)] = (cloud, cloud.serve())
        return held[1]


def release(cloud: WxCloud) -> None:
    """Stop the server started for ``cloud``'s Node functions, if any."""
    with _lock:
        held = _servers.pop(id(cloud), None)
    if held is not None:
        held[1].stop()


def release_all() -> None:
    with _lock:
        held = list(_servers.values())
        _servers.clear()
    for _, server in held:
        server.stop()


atexit.register(release_all)

__all__ = ["release", "release_all", "server_for"]
