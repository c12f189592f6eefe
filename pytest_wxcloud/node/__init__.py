"""Real Node.js cloud functions, unmodified, run against the emulated cloud.

``cloud.functions.load("cloudfunctions")`` registers each ``index.js`` + ``package.json`` folder
as a :class:`~pytest_wxcloud.node.handler.NodeFunction`; calls reach it through the same
pipeline as Python handlers.

* :mod:`.handler` — one invocation: identity, token, env overlay, clock, result or failure;
* :mod:`.process` / ``worker.js`` — the persistent worker and its line protocol;
* :mod:`.pool` — one worker per function folder for the session;
* :mod:`.deps` — dependencies: the folder's own ``node_modules`` or a cached npm install;
* :mod:`.serving` — the loopback server the functions' wx-server-sdk talks to.

Only the light names are imported here: the pytest plugin imports this package at start-up.
"""

from .executables import NodeSetupError

__all__ = ["NodeSetupError"]
