"""One Node.js worker process and the line protocol spoken with ``worker.js``.

Requests go down the worker's stdin, replies come back on a pipe of their own (its descriptor
number is the worker's second argument), so a
function printing to stdout cannot corrupt the protocol. The worker exits when its stdin
closes, which the OS does when pytest dies for any reason: a leaked worker cannot outlive the
run. Invocations overlap freely (the server thread answering one function's ``callFunction``
invokes the callee's worker while the caller's reply is still pending); each waits on its own
slot.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: how long a worker may take to load its function (require of wx-server-sdk is ~0.3 s alone)
START_TIMEOUT = 60.0
#: how long a worker whose invocation timed out may take to answer a ping before it is
#: considered hung in synchronous code and killed
PING_TIMEOUT = 1.0
#: bytes of stray output (printed outside any invocation) kept for error messages
STRAY_LIMIT = 8192


class WorkerDied(Exception):
    """The worker process ended (a crash, ``process.exit``, a kill) before answering."""


class WorkerLoadFailed(Exception):
    """The function folder could not be loaded: the message names the file (and line)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """The worker's answer to one invocation."""

    ok: bool
    result_json: str | None  # JSON.stringify of the return value; None for undefined
    logs: str
    how: str = ""  # threw | rejected | uncaught | result
    detail: str = ""
    stack: str = ""


class _Slot:
    __slots__ = ("event", "message")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.message: dict[str, Any] | None = None


class WorkerProcess:
    """A started worker; :meth:`invoke` is safe to call from many threads at once."""

    def __init__(self, node: str, folder: Path, environ: Mapping[str, str]) -> None:
        self.folder = folder
        script = resources.files("pytest_wxcloud.node").joinpath("worker.js")
        read_end, write_end = os.pipe()
        try:
            self._process = subprocess.Popen(
                [node, str(script), str(folder), str(write_end)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=folder,
                env=dict(environ),
                pass_fds=(write_end,),
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
        self._replies = os.fdopen(read_end, "rb")
        self._slots: dict[int, _Slot] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._numbers = 0
        self._ready = threading.Event()
        self._load_error: dict[str, Any] | None = None
        self._stray: collections.deque[str] = collections.deque()
        self._stray_size = 0
        self.started = time.perf_counter()
        threading.Thread(
            target=self._read_replies, name="wxcloud-node-replies", daemon=True
        ).start()
        threading.Thread(target=self._read_output, name="wxcloud-node-output", daemon=True).start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        """Block until the function is loaded; raise what went wrong otherwise."""
        if not self._ready.wait(timeout):
            self.kill()
            raise WorkerDied(
                f"the Node.js worker for {self.folder} did not start within {timeout:g} s"
            )
        if self._load_error is not None:
            raise WorkerLoadFailed(str(self._load_error.get("detail", "")))
        if not self.alive and not self._slots:
            raise WorkerDied(self.death_note())

    def invoke(self, message: Mapping[str, Any], timeout: float) -> Reply | None:
        """Send one invocation; None when it did not answer within ``timeout`` seconds."""
        with self._lock:
            self._numbers += 1
            number = self._numbers
            slot = self._slots[number] = _Slot()
        try:
            self._send({**message, "op": "invoke", "id": number})
            if not slot.event.wait(timeout):
                self._send({"op": "abandon", "id": number})
                return None
        finally:
            with self._lock:
                self._slots.pop(number, None)
        answer = slot.message
        if answer is None:
            raise WorkerDied(self.death_note())
        result = answer.get("result")
        return Reply(
            ok=bool(answer.get("ok")),
            result_json=result if isinstance(result, str) else None,
            logs=str(answer.get("logs", "")),
            how=str(answer.get("how", "")),
            detail=str(answer.get("detail", "")),
            stack=str(answer.get("stack", "")),
        )

    def responsive(self, timeout: float = PING_TIMEOUT) -> bool:
        """Whether the event loop still turns (a function stuck in a loop blocks it)."""
        with self._lock:
            self._numbers += 1
            number = self._numbers
            slot = self._slots[number] = _Slot()
        try:
            self._send({"op": "ping", "id": number})
            return slot.event.wait(timeout) and slot.message is not None
        except WorkerDied:
            return False
        finally:
            with self._lock:
                self._slots.pop(number, None)

    def death_note(self) -> str:
        """Why the worker is gone, with what it printed last (Node's crash report is there)."""
        code = self._process.poll()
        how = "was killed" if code is None or code < 0 else f"exited with code {code}"
        stray = self.stray_output().strip()
        tail = f"; it printed:\n{stray}" if stray else ""
        return f"the Node.js worker for {self.folder} {how} (process.exit or a crash){tail}"

    def stray_output(self) -> str:
        with self._lock:
            return "".join(self._stray)

    def stop(self) -> None:
        """Close stdin (the worker exits by itself), then make sure it did."""
        try:
            if self._process.stdin is not None:
                self._process.stdin.close()
        except OSError:
            pass
        try:
            self._process.wait(2.0)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        if self.alive:
            self._process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(5.0)

    # ---------------------------------------------------------------- plumbing

    def _send(self, message: Mapping[str, Any]) -> None:
        line = json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n"
        stdin = self._process.stdin
        if stdin is None:
            raise WorkerDied(self.death_note())
        with self._write_lock:
            try:
                stdin.write(line.encode("utf-8", "surrogatepass"))
                stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                raise WorkerDied(self.death_note()) from None

    def _read_replies(self) -> None:
        for raw in self._replies:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            op = message.get("op")
            if op == "ready":
                self._ready.set()
            elif op == "loadError":
                self._load_error = message
                self._ready.set()
            else:
                with self._lock:
                    slot = self._slots.get(message.get("id"))
                if slot is not None:
                    slot.message = message
                    slot.event.set()
        self._replies.close()
        self._process.wait()
        with self._lock:
            pending = list(self._slots.values())
        self._ready.set()
        for slot in pending:  # their message stays None: the worker died under them
            slot.event.set()

    def _read_output(self) -> None:
        stdout = self._process.stdout
        if stdout is None:
            return
        for raw in stdout:
            text = raw.decode("utf-8", "replace")
            with self._lock:
                self._stray.append(text)
                self._stray_size += len(text)
                while self._stray_size > STRAY_LIMIT and len(self._stray) > 1:
                    self._stray_size -= len(self._stray.popleft())


__all__ = ["Reply", "WorkerDied", "WorkerLoadFailed", "WorkerProcess"]
