"""A Node.js function folder as a handler of the functions pipeline.

The pipeline (``functions/invoke.py``) decides the caller, the identity, the event and the
error shapes exactly as for a Python handler, then calls this handler inside the invocation.
The handler hands the invocation to the folder's worker with the environment production would
inject (node-runtime.md §3): the identity's ``WX_*`` variables, a fresh ``WX_API_TOKEN`` naming
this invocation (so the function's own SDK calls and nested ``callFunction``s are attributed to
it, §0.6), ``TCB_*``/``SCF_NAMESPACE`` for the cloud's env, ``TCB_CONTEXT_CNFG`` pointing at
the cloud's server, and the cloud clock for ``Date``. The token is revoked when the invocation
ends, so a write the function started but a timeout cut off cannot land later.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ..functions.calls import current_report
from ..functions.context import InvocationContext
from ..functions.failures import HandlerFailed, HandlerTimedOut
from ..identity import current_frame
from . import serving
from .deps import node_path_for
from .executables import node_executable
from .pool import POOL, WorkerKey
from .process import WorkerDied, WorkerLoadFailed, WorkerProcess

TOKEN_KEYS = ("WX_API_TOKEN", "WX_TRIGGER_API_TOKEN_V0")
#: when the cloud clock is within this of real time, Date inside the function is left real
CLOCK_SLACK_MS = 2


class NodeFunction:
    """``main(event, context)`` of a Node.js function folder (index.js + package.json)."""

    #: the pipeline leaves ``os.environ`` alone: the worker gets the variables per invocation
    out_of_process = True

    def __init__(self, folder: Path, variables: tuple[tuple[str, str], ...] = ()) -> None:
        self.folder = folder.resolve()
        self.variables = variables
        node_executable()  # no node: say so when the folder is loaded, not at the first call
        self.node_path = node_path_for(self.folder)

    def __repr__(self) -> str:
        return f"<Node.js function {self.folder}>"

    def __call__(self, event: dict[str, Any], context: InvocationContext) -> Any:
        frame = current_frame()
        if frame is None:
            raise RuntimeError(f"{self!r} runs only inside an invocation (cloud.call_function)")
        cloud, identity = frame.cloud, frame.identity
        key = WorkerKey(self.folder, cloud.env, self.node_path, self.variables)
        report = current_report()
        preparing = time.perf_counter()
        try:
            worker = POOL.worker(key)
        except WorkerLoadFailed as exc:
            raise HandlerFailed(str(exc)) from None
        except WorkerDied as exc:
            raise HandlerFailed(str(exc)) from None
        server = serving.server_for(cloud)
        if report is not None:
            report.setup_seconds += time.perf_counter() - preparing
        environ = server.node_env(identity)
        token = cloud.cloudbase.tokens.issue(identity, context.function_name)
        for name in TOKEN_KEYS:
            if name in environ:
                environ[name] = token
        environ.update(self.variables)
        message = {
            "event": event,
            "context": _scf_context(context, environ),
            "env": environ,
            "clock": _clock(cloud.clock),
        }
        try:
            reply = worker.invoke(message, context.time_limit_in_ms / 1000)
        except WorkerDied as exc:
            POOL.discard(key, worker)
            raise HandlerFailed(str(exc), _explain(context, str(exc), "")) from None
        finally:
            cloud.cloudbase.tokens.revoke(token)
        if reply is None:
            _stop_if_hung(key, worker)
            raise HandlerTimedOut(f"{context.function_name} did not finish in time")
        _report_output(context.function_name, reply.logs)
        if not reply.ok:
            raise HandlerFailed(reply.detail, _explain(context, reply.stack, reply.logs))
        return None if reply.result_json is None else json.loads(reply.result_json)


def _scf_context(context: InvocationContext, environ: dict[str, str]) -> dict[str, Any]:
    """The SCF context object of a Node.js invocation (node-runtime.md §1, sdk.md §1.4)."""
    return {
        "request_id": context.request_id,
        "function_name": context.function_name,
        "namespace": context.namespace,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "time_limit_in_ms": context.time_limit_in_ms,
        "function_version": context.function_version,
        "environment": json.dumps(environ, ensure_ascii=False),
    }


def _clock(clock: Any) -> dict[str, Any]:
    now = clock.timestamp_ms()
    if clock.frozen:
        return {"frozen": True, "ms": now, "offset": 0}
    offset = now - int(time.time() * 1000)
    return {"frozen": False, "ms": now, "offset": 0 if abs(offset) <= CLOCK_SLACK_MS else offset}


def _stop_if_hung(key: WorkerKey, worker: WorkerProcess) -> None:
    """A timed-out invocation is abandoned; a worker whose event loop no longer turns (a
    synchronous endless loop) is killed and replaced, as production kills the instance."""
    if not worker.responsive():
        POOL.discard(key, worker)


def _report_output(function_name: str, logs: str) -> None:
    """Into the call log, and onto stdout so pytest shows it with a failing test."""
    if not logs:
        return
    report = current_report()
    if report is not None:
        report.output.append(logs)
    prefix = f"[{function_name}] "
    lines = logs.splitlines()
    sys.stdout.write("".join(f"{prefix}{line}\n" for line in lines))


def _explain(context: InvocationContext, stack: str, logs: str) -> str:
    text = f"cloud function {context.function_name!r} (Node.js) failed:\n{stack}"
    if logs:
        text += f"\n--- its console output ---\n{logs.rstrip()}"
    return text


__all__ = ["NodeFunction"]
