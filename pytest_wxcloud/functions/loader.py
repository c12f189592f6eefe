"""Load a ``cloudfunctions/`` folder of Python handlers, as the IDE lays out Node ones.

One sub-folder per function, holding ``index.py`` (or ``main.py``) with ``main(event, context)``
and optionally the function's ``config.json``; a sub-folder with ``index.js`` + ``package.json``
instead is a Node.js function, run unmodified by :mod:`pytest_wxcloud.node`. Each folder is imported as its own package, so a
handler may ``from . import helpers`` without colliding with another function's ``helpers``.
Modules are cached by the content of the folder's Python files: a warm container keeps module
state between calls in production too, and re-importing per test would cost more than the test.
Content, not modification time, decides, and function modules are compiled from source without
``__pycache__``: CPython validates bytecode by mtime in whole seconds plus size, so an edit of the
same size within the same second would otherwise run the old code.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import sys
import traceback
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..paths import describe_missing
from .config import DEFAULT_CONFIG, FunctionConfig, load_config
from .current import NoCurrentCloudError

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


#: every function folder is imported as a package named this prefix plus a digest of its path
PACKAGE_PREFIX = "_wxcloud_fn_"

_modules: dict[tuple[str, str], types.ModuleType] = {}
_configs: dict[tuple[str, bytes], FunctionConfig] = {}


class _SourceOnlyLoader(importlib.machinery.SourceFileLoader):
    """Compiles the file as it is now, never from (nor into) ``__pycache__``."""

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


class _FunctionModuleFinder:
    """Finds the helpers a handler imports (``from . import helpers``) with the source-only
    loader, so an edited helper is as fresh as an edited entry file."""

    @staticmethod
    def find_spec(
        fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(PACKAGE_PREFIX) or not path:
            return None
        suffixes = importlib.machinery.SOURCE_SUFFIXES
        for entry in path:
            finder = importlib.machinery.FileFinder(entry, (_SourceOnlyLoader, suffixes))
            spec = finder.find_spec(fullname, target)
            if spec is not None:
                return spec
        return None

    @staticmethod
    def invalidate_caches() -> None:
        """Nothing to forget: a fresh ``FileFinder`` looks at the folder on every import."""


def _install_finder() -> None:
    if not any(isinstance(finder, _FunctionModuleFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _FunctionModuleFinder())


def load_folder(path: str | Path) -> list[LoadedFunction]:
    """The functions under ``path`` (a ``cloudfunctions/`` folder, or one function's folder)."""
    root = Path(path)
    if not root.is_dir():
        raise LoadError(f"cannot load cloud functions: {describe_missing(root, 'directory')}")
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


def _source_digest(folder: Path) -> str:
    """A digest of every Python file under the function's folder, names and bytes."""
    digest = hashlib.sha1()
    for source in sorted(folder.rglob("*.py")):
        digest.update(str(source.relative_to(folder)).encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    return digest.hexdigest()


def _import(folder: Path, entry: Path) -> types.ModuleType:
    resolved = entry.resolve()
    key = (str(resolved), _source_digest(resolved.parent))
    module = _modules.get(key)
    if module is not None:
        return module
    _install_finder()
    digest = hashlib.sha1(str(resolved.parent).encode()).hexdigest()[:12]
    package_name = f"{PACKAGE_PREFIX}{digest}"
    package = types.ModuleType(package_name)
    package.__path__ = [str(resolved.parent)]
    sys.modules[package_name] = package
    for stale in [m for m in sys.modules if m.startswith(package_name + ".")]:
        del sys.modules[stale]  # a changed file: its helpers are re-imported too
    module_name = f"{package_name}.{entry.stem}"
    loader = _SourceOnlyLoader(module_name, str(resolved))
    spec = importlib.util.spec_from_file_location(module_name, resolved, loader=loader)
    if spec is None:
        raise LoadError(f"cannot import {entry}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise LoadError(_import_failure(entry, resolved.parent, exc)) from exc
    for old in [k for k in _modules if k[0] == key[0]]:
        del _modules[old]  # an edited file's old module is never handed out again
    _modules[key] = module
    return module


def _import_failure(entry: Path, folder: Path, exc: Exception) -> str:
    """Name the file and line that failed; for ``current_cloud()`` at module level, say where
    it belongs (a module is imported once, before any invocation, and shared by all calls)."""
    message = f"importing {entry} failed: {type(exc).__name__}: {exc}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if Path(frame.filename).resolve().is_relative_to(folder):
            message += f" (at {frame.filename}, line {frame.lineno})"
            break
    if isinstance(exc, NoCurrentCloudError):
        message += (
            "; current_cloud() was called while the module was being imported, when no function "
            "runs: call it inside main(event, context) (e.g. db = current_cloud().database() as "
            "the first line of main), not at module level"
        )
    return message


def _config(path: Path) -> FunctionConfig:
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return DEFAULT_CONFIG
    key = (str(path), content)
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
