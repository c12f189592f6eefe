"""Real Node.js cloud functions, unmodified, run against the emulated cloud.

``cloud.functions.load("cloudfunctions")`` registers each ``index.js`` + ``package.json`` folder
as a :class:`NodeFunction`; calls reach it through the same pipeline as Python handlers.

* :mod:`.handler` — one invocation: identity, token, env overlay, clock, result or failure;
* :mod:`.process` / ``worker.js`` — the persistent worker and its line protocol;
* :mod:`.pool` — one worker per function folder for the session;
* :mod:`.deps` — dependencies: the folder's own ``node_modules`` or a cached npm install;
* :mod:`.serving` — the loopback server the functions' wx-server-sdk talks to.
"""

from .executables import NodeSetupError
from .handler import NodeFunction
from .pool import POOL
from .serving import release, release_all

__all__ = ["POOL", "NodeFunction", "NodeSetupError", "release", "release_all"]
