"""Load a ``cloudfunctions/`` folder of Python handlers, as the IDE lays out Node ones.

One sub-folder per function, holding ``index.py`` (or ``main.py``) with ``main(event, context)``
and optionally the function's ``config.json``; a sub-folder with ``index.js`` + ``package.json``
instead is a Node.js function, run unmodified by :mod:`pytest_wxcloud.node`. Each folder is imported as its own package, so a
handler may ``from . import helpers`` without colliding with another function's ``helpers``.
Modules are cached by file and modification time: a warm container keeps module state between
calls in production too, and re-importing per test would cost more than the test.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import DEFAULT_CONFIG, FunctionConfig, load_config

ENTRY_FILES = ("index.py", "main.py")
#: a folder holding both (and no Python entry) is a Node.js function
NODE_FILES = ("index.js", "package.json")


class LoadError(ValueError):
    """A function folder that cannot be loaded, naming the file and what is expected."""


@dataclass(frozen=True, slots=True)
class LoadedFunction:
    name: str
    handler: Callable[..., Any]
    config: FunctionConfig
    path: Path


_modules: dict[tuple[str, int], types.ModuleType] = {}
_configs: dict[tuple[str, int], FunctionConfig] = {}


def load_folder(path: str | Path) -> list[LoadedFunction]:
    """The functions under ``path`` (a ``cloudfunctions/`` folder, or one function's folder)."""
    root = Path(path)
    if not root.is_dir():
        raise LoadError(f"cannot load cloud functions from {root}: not a directory")
    if _loadable(root):
        return [load_function(root)]
    loaded = [
        load_function(child)
        for child in sorted(root.iterdir())
        if child.is_dir() and _loadable(child)
    ]
    if not loaded:
        raise LoadError(
            f"no cloud functions found in {root}: expected sub-folders each holding "
            f"{' or '.join(ENTRY_FILES)} with a main(event, context) function, or "
            f"{' + '.join(NODE_FILES)} (a Node.js function)"
        )
    return loaded


def load_function(folder: Path) -> LoadedFunction:
    entry = _entry_file(folder)
    if entry is None and _is_node_folder(folder):
        return _load_node_function(folder)
    if entry is None:
        raise LoadError(
            f"{folder} has no {' or '.join(ENTRY_FILES)} (nor {' + '.join(NODE_FILES)} "
            "of a Node.js function)"
        )
    module = _import(folder, entry)
    handler = getattr(module, "main", None)
    if not callable(handler):
        raise LoadError(f"{entry} must define main(event, context); found {handler!r}")
    return LoadedFunction(folder.name, handler, _config(folder / "config.json"), folder)


def _loadable(folder: Path) -> bool:
    return _entry_file(folder) is not None or _is_node_folder(folder)


def _is_node_folder(folder: Path) -> bool:
    return all((folder / name).is_file() for name in NODE_FILES)


def _load_node_function(folder: Path) -> LoadedFunction:
    """A Node.js folder, run by a worker process (see :mod:`pytest_wxcloud.node`)."""
    from ..node.executables import NodeSetupError
    from ..node.handler import NodeFunction

    config = _config(folder / "config.json")
    try:
        handler = NodeFunction(folder, config.env_variables)
    except NodeSetupError as exc:
        raise LoadError(str(exc)) from None
    return LoadedFunction(folder.name, handler, config, folder)


def _entry_file(folder: Path) -> Path | None:
    for name in ENTRY_FILES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _import(folder: Path, entry: Path) -> types.ModuleType:
    resolved = entry.resolve()
    key = (str(resolved), resolved.stat().st_mtime_ns)
    module = _modules.get(key)
    if module is not None:
        return module
    digest = hashlib.sha1(str(resolved.parent).encode()).hexdigest()[:12]
    package_name = f"_wxcloud_fn_{digest}"
    package = types.ModuleType(package_name)
    package.__path__ = [str(resolved.parent)]
    sys.modules[package_name] = package
    for stale in [m for m in sys.modules if m.startswith(package_name + ".")]:
        del sys.modules[stale]  # a changed file: its helpers are re-imported too
    module_name = f"{package_name}.{entry.stem}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise LoadError(f"cannot import {entry}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise LoadError(f"importing {entry} failed: {type(exc).__name__}: {exc}") from exc
    _modules[key] = module
    return module


def _config(path: Path) -> FunctionConfig:
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return DEFAULT_CONFIG
    key = (str(path), mtime)
    config = _configs.get(key)
    if config is None:
        config = load_config(path)
        _configs[key] = config
    return config


__all__ = [
    "ENTRY_FILES",
    "NODE_FILES",
    "LoadError",
    "LoadedFunction",
    "load_folder",
    "load_function",
]
