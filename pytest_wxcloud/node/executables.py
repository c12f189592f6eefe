"""Finding ``node`` and ``npm``, and the one error that says what to install or run."""

from __future__ import annotations

import shutil


class NodeSetupError(RuntimeError):
    """Node.js functions cannot run here: no node or npm, a failed install, a bad package.json.

    The message says what to install, fix or run.
    """


def node_executable() -> str:
    found = shutil.which("node")
    if found is None:
        raise NodeSetupError(
            "pytest-wxcloud runs Node.js cloud functions with `node`, which is not on PATH. "
            "Install Node.js 18 or later (https://nodejs.org, or `apt-get install nodejs npm`), "
            "or test only the Python functions."
        )
    return found


def npm_executable() -> str:
    found = shutil.which("npm")
    if found is None:
        raise NodeSetupError(
            "pytest-wxcloud installs a Node.js function's dependencies with `npm`, which is not "
            "on PATH. Install npm (it ships with Node.js), or run `npm install` in the function "
            "folder yourself so it has its own node_modules."
        )
    return found


__all__ = ["NodeSetupError", "node_executable", "npm_executable"]
