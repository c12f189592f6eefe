"""Where a Node.js function's ``require()`` finds its dependencies.

A folder with its own ``node_modules`` runs as deployed. A folder with only ``package.json``
(what repositories commit) gets its dependencies installed once, by npm, into a cache folder
keyed by the dependencies ``package.json`` declares (and ``package-lock.json`` when there is
one); the worker then finds them through ``NODE_PATH``. Folders asking for the same packages
share one installed tree but never one module instance: each folder has its own worker process, which is
what keeps wx-server-sdk's module-level ``cloud.init`` state apart (node-runtime.md §7.1).

The install is guarded by a file lock and lands in place by a rename, so xdist workers starting
together install once and nobody sees a half-written tree.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import progress
from .executables import NodeSetupError, npm_executable

log = logging.getLogger("pytest_wxcloud.node")

CACHE_ENV = "WXCLOUD_NODE_CACHE"
#: the package.json fields an install of production dependencies reads
INSTALL_FIELDS = ("dependencies", "optionalDependencies", "overrides")
#: npm's output kept for the error message when an install fails
NPM_TAIL = 4000


def cache_root() -> Path:
    """``$WXCLOUD_NODE_CACHE``, else ``$XDG_CACHE_HOME/pytest-wxcloud/node`` (``~/.cache``)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-wxcloud" / "node"


def read_package_json(folder: Path) -> dict[str, object]:
    """The parsed ``package.json``; a clear error naming the file when it does not parse."""
    path = folder / "package.json"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise NodeSetupError(f"cannot read {path}: {exc.strerror}") from None
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        raise NodeSetupError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise NodeSetupError(f"{path} must hold a JSON object, got {type(parsed).__name__}")
    return parsed


_resolved: dict[tuple[Path, int, int], Path | None] = {}


def node_path_for(folder: Path) -> Path | None:
    """The ``node_modules`` folder to put on ``NODE_PATH`` for ``folder``; None when the folder
    brings its own or needs nothing. Remembered per package.json version: suites load their
    functions for every test."""
    if (folder / "node_modules").is_dir():
        return None
    manifest = folder / "package.json"
    try:
        stat = manifest.stat()
    except OSError as exc:
        raise NodeSetupError(f"cannot read {manifest}: {exc.strerror}") from None
    key = (manifest, stat.st_mtime_ns, stat.st_size)
    if key in _resolved:
        known = _resolved[key]
        if known is None or known.is_dir():  # a cache folder removed meanwhile is reinstalled
            return known
    _resolved[key] = found = _resolve(folder)
    return found


def _resolve(folder: Path) -> Path | None:
    package = read_package_json(folder)
    dependencies = package.get("dependencies")
    if dependencies is None or dependencies == {}:
        return None
    if not isinstance(dependencies, dict):
        raise NodeSetupError(
            f"{folder / 'package.json'}: dependencies must be an object like "
            f'{{"wx-server-sdk": "~2.6.3"}}, got {dependencies!r}'
        )
    return installed(folder)


def cache_key(folder: Path) -> str:
    """What decides the installed tree: the dependency fields and the lock file, not the name
    or scripts, so every function of a repository asking for the same packages shares one."""
    package = read_package_json(folder)
    relevant = {field: package.get(field) for field in INSTALL_FIELDS}
    digest = hashlib.sha256(json.dumps(relevant, sort_keys=True).encode())
    lock = folder / "package-lock.json"
    if lock.is_file():
        digest.update(b"\0lock\0" + lock.read_bytes())
    return digest.hexdigest()[:20]


def installed(folder: Path) -> Path:
    """The cached ``node_modules`` for ``folder``'s ``package.json``, installing it if needed."""
    root = cache_root()
    target = root / cache_key(folder)
    modules = target / "node_modules"
    if (target / ".complete").is_file():
        return modules
    root.mkdir(parents=True, exist_ok=True)
    with open(root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").is_file():  # another process may have finished meanwhile
            _install(folder, target)
    return modules


def _install(folder: Path, target: Path) -> None:
    npm = npm_executable()
    staging = target.with_name(f"{target.name}.tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    command = [npm, "install", "--no-audit", "--no-fund", "--omit=dev"]
    if (folder / "package-lock.json").is_file():  # exactly what the lock says: copy both
        shutil.copyfile(folder / "package.json", staging / "package.json")
        shutil.copyfile(folder / "package-lock.json", staging / "package-lock.json")
        command[1] = "ci"
    else:  # only what decides the tree, so name or scripts of the folder do not matter
        package = read_package_json(folder)
        manifest = {"name": "wxcloud-node-deps", "private": True}
        manifest.update({f: _anchored(package[f], folder) for f in INSTALL_FIELDS if f in package})
        (staging / "package.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    announce(
        f"pytest-wxcloud: installing the npm dependencies of {folder / 'package.json'} "
        f"into {target} (once; later runs reuse it) ..."
    )
    started = time.perf_counter()
    done = subprocess.run(command, cwd=staging, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        output = (done.stdout + done.stderr).strip()[-NPM_TAIL:]
        raise NodeSetupError(
            f"`npm {command[1]}` of the dependencies in {folder / 'package.json'} "
            f"failed (npm exited with {done.returncode}). Fix the package.json, or run "
            f"`npm install` in {folder} yourself so the function has its own node_modules. "
            f"npm said:\n{output}"
        )
    (staging / ".complete").write_text(f"installed from {folder / 'package.json'}\n")
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    announce(f"pytest-wxcloud: npm dependencies installed in {time.perf_counter() - started:.1f} s")


def _anchored(specs: object, folder: Path) -> object:
    """Relative ``file:`` specs point from the function folder, wherever npm runs."""
    if not isinstance(specs, dict):
        return specs
    out = {}
    for name, spec in specs.items():
        if isinstance(spec, str) and spec.startswith("file:") and not spec[5:].startswith("/"):
            spec = f"file:{(folder / spec[5:]).resolve()}"
        out[name] = spec
    return out


def announce(message: str) -> None:
    """Tell the person waiting (npm installs take seconds): on pytest's terminal when a session
    is attached, else on stderr; always in the log."""
    log.info("%s", message)
    if not progress.show(message):
        print(message, file=sys.stderr, flush=True)


__all__ = [
    "CACHE_ENV",
    "cache_key",
    "cache_root",
    "installed",
    "node_path_for",
    "read_package_json",
]
