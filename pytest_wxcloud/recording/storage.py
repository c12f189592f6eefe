"""Writing cassettes safely: a lock file per cassette, atomic replacement, merge on save.

Two pytest-xdist workers may record into the same cassette. Each save therefore takes the
cassette's lock (``flock`` on a ``<name>.lock`` file; where there is no ``flock``, the file's
creation with ``O_CREAT | O_EXCL``), re-reads what is on disk now, adds its own new
interactions and replaces the file atomically (temporary file in the same folder, then
``os.replace``). A reader never sees half a cassette and no writer drops another's entries.

A writer killed between creating its temporary file and the replacement leaves that file
behind. Temporaries are only ever written under the cassette's lock, so whoever holds the lock
knows any temporary of that cassette on disk belongs to a dead writer, and deletes it.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path

from . import format as cassette_format
from .errors import CassetteLockedError, RecordingError
from .format import CassetteFile, Interaction

LOCK_TIMEOUT = 60.0
_TEMP_SUFFIX = ".tmp"
_POLL = 0.01

#: Identifies this test run; the pytest plugin sets it per session, to the controller's
#: ``testrunuid`` on pytest-xdist workers, so every worker of one run gives the same answer to
#: "did this run create the cassette?" (it is written into the file as ``created_in_run``).
RUN_ID = uuid.uuid4().hex


def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the cassette's lock; a holder that dies releases it (POSIX) with its process."""
    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        fd = _try_lock(lock)
        if fd is not None:
            break
        if time.monotonic() >= deadline:
            raise CassetteLockedError(
                f"{path}: could not take the lock {lock} within {timeout:g} s "
                f"(held by {_holder(lock)}); delete the lock file if no test run is writing "
                "this cassette"
            ) from None
        time.sleep(_POLL)
    try:
        os.write(fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        yield
    finally:
        _release(lock, fd)


if sys.platform == "win32":

    def _try_lock(lock: Path) -> int | None:
        """Without ``flock`` the lock is the file's existence (``O_EXCL``); a lock left by a
        crashed run stays until it is deleted by hand (the timeout error says so)."""
        try:
            return os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return None

    def _release(lock: Path, fd: int) -> None:
        os.close(fd)  # Windows cannot delete a file that is still open
        _remove(lock)

else:
    import fcntl

    def _try_lock(lock: Path) -> int | None:
        """``flock`` the lock file that is at ``lock`` now, or None while another holds it.

        The kernel drops a dead process's lock, so no one ever has to judge a lock stale and
        break it (two processes breaking one stale lock could both get in). Holders delete the
        file on release; a waiter that locked a deleted file tries again on the new one.
        """
        while True:
            fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                return None
            except BaseException:
                os.close(fd)
                raise
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                current = False
            if current:
                os.ftruncate(fd, 0)  # a dead holder's "pid host" line
                return fd
            os.close(fd)

    def _release(lock: Path, fd: int) -> None:
        # deleted while still held: a waiter that opened this file finds it gone and retries
        _remove(lock)
        os.close(fd)


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: readers see the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
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
) -> CassetteFile:
    """Add ``new`` to the cassette on disk and return what was written.

    ``rewrite`` (record mode ``all``) drops what the file held when this cassette was opened,
    unless this run (any worker of it) already created or rewrote the file: then the entries
    other writers of this run added are kept.
    """
    with locked(path):
        _remove_stale_temporaries(path)
        current = cassette_format.read(path)
        if current is None or (
            rewrite and current.created_in_run != RUN_ID and current.text == loaded_text
        ):
            base: list[Interaction] = []
            run: str | None = RUN_ID
        else:
            base, run = current.interactions, current.created_in_run
        written = [*base, *new]
        for index, interaction in enumerate(new, start=len(base)):
            where = cassette_format.surrogate_at(interaction.to_json())
            if where is not None:
                raise RecordingError(
                    f"{path}: interactions[{index}] ({interaction.function}): {where} holds a "
                    "UTF-16 surrogate, which a UTF-8 cassette cannot store; nothing was written"
                )
        text = cassette_format.dumps(written, created_in_run=run)
        atomic_write(path, text)
        return CassetteFile(written, text, run)


def _remove_stale_temporaries(path: Path) -> None:
    """Delete temporaries of dead writers; only call while holding ``path``'s lock."""
    # mkstemp's names: the prefix, 8 random characters, the suffix
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]{{8}}{re.escape(_TEMP_SUFFIX)}")
    with suppress(FileNotFoundError):
        for entry in os.scandir(path.parent):
            if pattern.fullmatch(entry.name):
                _remove(Path(entry.path))


def _mode_of(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o644


def _holder(lock: Path) -> str:
    try:
        pid, host = lock.read_text().split()
    except (OSError, ValueError):
        return "an unknown process"
    return f"process {pid} on {host}"


def _remove(path: Path) -> None:
    with suppress(FileNotFoundError):
        os.unlink(path)


__all__ = [
    "LOCK_TIMEOUT",
    "RUN_ID",
    "atomic_write",
    "lock_path",
    "locked",
    "save",
]
