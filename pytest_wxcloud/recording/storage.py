"""Writing cassettes safely: a lock file per cassette, atomic replacement, merge on save.

Two pytest-xdist workers may record into the same cassette. Each save therefore takes the
cassette's lock (a ``<name>.lock`` file created with ``O_CREAT | O_EXCL``, which works across
processes and threads on every platform), re-reads what is on disk now, adds its own new
interactions and replaces the file atomically (temporary file in the same folder, then
``os.replace``). A reader never sees half a cassette and no writer drops another's entries.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from . import format as cassette_format
from .errors import CassetteLockedError
from .format import Interaction

LOCK_TIMEOUT = 60.0
_POLL = 0.01

#: Identifies this test run; xdist workers of one run share it, so "rewritten in this run" is
#: the same question in every worker.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
_rewritten: set[tuple[str, Path]] = set()
_created: set[tuple[str, Path]] = set()


def created_in_this_run(path: Path) -> bool:
    """Whether this process's run wrote ``path`` when it did not exist: record mode ``once``
    keeps recording into it, so tests sharing a new cassette all get to record."""
    return (RUN_ID, path.resolve()) in _created


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the cassette's lock file; a lock left by a dead process on this host is broken."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    owner = f"{os.getpid()} {socket.gethostname()}\n".encode()
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if _stale(lock):
                _remove(lock)
                continue
            if time.monotonic() >= deadline:
                raise CassetteLockedError(
                    f"{path}: could not take the lock {lock} within {timeout:g} s "
                    f"(held by {_holder(lock)}); delete the lock file if no test run is writing "
                    "this cassette"
                ) from None
            time.sleep(_POLL)
            continue
        try:
            os.write(fd, owner)
        finally:
            os.close(fd)
        break
    try:
        yield
    finally:
        _remove(lock)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600; a cassette is an ordinary project file
        os.chmod(temporary, _mode_of(path))
        os.replace(temporary, path)
    except BaseException:
        _remove(Path(temporary))
        raise


def save(
    path: Path,
    new: Sequence[Interaction],
    *,
    loaded_text: str | None,
    rewrite: bool,
) -> list[Interaction]:
    """Add ``new`` to the cassette on disk and return what was written.

    ``rewrite`` (record mode ``all``) drops what the file held when this cassette was opened;
    entries that other writers of this run added meanwhile are kept.
    """
    with locked(path):
        current = cassette_format.read(path)
        current_entries, current_text = current if current is not None else ([], None)
        key = (RUN_ID, path.resolve())
        if rewrite and key not in _rewritten and current_text == loaded_text:
            base: list[Interaction] = []
        else:
            base = current_entries
        written = [*base, *new]
        atomic_write(path, cassette_format.dumps(written))
        if rewrite:
            _rewritten.add(key)
        if current is None:
            _created.add(key)
        return written


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def _stale(lock: Path) -> bool:
    if os.name != "posix":
        return False
    try:
        pid_text, host = lock.read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return False
    if host != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _holder(lock: Path) -> str:
    try:
        pid, host = lock.read_text().split()
    except (OSError, ValueError):
        return "an unknown process"
    return f"process {pid} on {host}"


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


__all__ = ["LOCK_TIMEOUT", "atomic_write", "lock_path", "locked", "save"]
