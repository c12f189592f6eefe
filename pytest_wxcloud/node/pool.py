"""The session's Node.js workers: one per (function folder, env, dependency tree, env vars).

One worker per folder keeps each function's wx-server-sdk module instance, and so its first
``cloud.init``, apart (node-runtime.md §7.1); the env is in the key because a function may read
``process.env.TCB_ENV`` once at load (§3.2). Workers start on first use, serve every test of the
session, are replaced when they die, and stop when the session (or the interpreter) ends.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..server.node_env import node_env
from .executables import node_executable
from .process import WorkerProcess

#: variables the platform sets per invocation: never inherited from the pytest process
PLATFORM_PREFIXES = ("WX_", "TCB_", "SCF_", "TENCENTCLOUD_", "TRIGGER_SRC")


@dataclass(frozen=True, slots=True)
class WorkerKey:
    folder: Path
    env: str
    node_path: Path | None
    variables: tuple[tuple[str, str], ...]


def base_environ(key: WorkerKey) -> dict[str, str]:
    """The worker's real environment: the host's minus anything platform-shaped, plus what a
    function may read at load time. Per-invocation values arrive in an overlay."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_PREFIXES)}
    static = node_env("", key.env)
    static.pop("TCB_CONTEXT_CNFG")
    environ.update(static)
    environ["TZ"] = "UTC"  # as the function's container (sdk.md §3.9)
    environ.update(dict(key.variables))
    if key.node_path is not None:
        inherited = environ.get("NODE_PATH")
        environ["NODE_PATH"] = (
            f"{key.node_path}{os.pathsep}{inherited}" if inherited else str(key.node_path)
        )
    return environ


class WorkerPool:
    def __init__(self) -> None:
        self._workers: dict[WorkerKey, WorkerProcess] = {}
        self._starting: dict[WorkerKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def worker(self, key: WorkerKey) -> WorkerProcess:
        """A live, loaded worker for ``key`` (started now if there is none)."""
        with self._lock:
            worker = self._workers.get(key)
            if worker is not None and worker.alive:
                return worker
            starting = self._starting.setdefault(key, threading.Lock())
        with starting:  # concurrent first calls start one worker, not several
            with self._lock:
                worker = self._workers.get(key)
            if worker is not None and worker.alive:
                return worker
            worker = WorkerProcess(node_executable(), key.folder, base_environ(key))
            try:
                worker.wait_ready()
            except BaseException:
                worker.kill()
                raise
            with self._lock:
                self._workers[key] = worker
            return worker

    def discard(self, key: WorkerKey, worker: WorkerProcess) -> None:
        """Forget (and kill) a worker that died or hung, so the next call starts a fresh one."""
        with self._lock:
            if self._workers.get(key) is worker:
                del self._workers[key]
        worker.kill()

    def workers(self) -> Mapping[WorkerKey, WorkerProcess]:
        with self._lock:
            return dict(self._workers)

    def stop_all(self) -> None:
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.stop()


POOL = WorkerPool()
atexit.register(POOL.stop_all)

__all__ = ["POOL", "WorkerKey", "WorkerPool", "base_environ"]
