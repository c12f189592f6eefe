"""Finding ``node`` and ``npm``, and the one error that says what to install or run."""

from __future__ import annotations

import shutil


class NodeSetupError(RuntimeError):
    """Node.js functions cannot run here: no node or npm, a failed install, a bad package.json.

    The message says what to install, fix or run.
    """


def node_executable() -> str:
    return _which(
        "node",
        "pytest-wxcloud runs Node.js cloud functions with `node`",
        "Install Node.js 18 or later (https://nodejs.org, or `apt-get install nodejs npm`), "
        "or test only the Python functions.",
    )


def npm_executable() -> str:
    return _which(
        "npm",
        "pytest-wxcloud installs a Node.js function's dependencies with `npm`",
        "Install npm (it ships with Node.js), or run `npm install` in the function folder "
        "yourself so it has its own node_modules.",
    )


def _which(tool: str, why: str, advice: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise NodeSetupError(f"{why}, which is not on PATH. {advice}")
    return found


__all__ = ["NodeSetupError", "node_executable", "npm_executable"]
