"""Atomic writes and concurrent writers (as pytest-xdist workers would be)."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from pathlib import Path

import pytest

from pytest_wxcloud.recording import CassetteLockedError, storage
from pytest_wxcloud.recording.format import Interaction, loads


def _interaction(worker: int, n: int) -> Interaction:
    return Interaction(function="f", data={"worker": worker, "n": n}, response={"result": n})


def _writer(path: str, worker: int, count: int) -> None:
    for n in range(count):
        storage.save(Path(path), [_interaction(worker, n)], loaded_text=None, rewrite=False)


def test_processes_writing_one_cassette_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), w, 15)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert [w.exitcode for w in workers] == [0, 0, 0]
    entries = loads(path.read_text("utf-8"), path)
    assert sorted((e.data["worker"], e.data["n"]) for e in entries) == [
        (w, n) for w in range(3) for n in range(15)
    ]
    # each worker's own entries stay in the order it wrote them
    for w in range(3):
        assert [e.data["n"] for e in entries if e.data["worker"] == w] == list(range(15))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.json"]  # no temp or lock files


def test_threads_writing_one_cassette_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    threads = [threading.Thread(target=_writer, args=(str(path), w, 20)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = loads(path.read_text("utf-8"), path)
    assert len(entries) == 80
    assert {(e.data["worker"], e.data["n"]) for e in entries} == {
        (w, n) for w in range(4) for n in range(20)
    }


def test_rewrite_keeps_entries_other_writers_added_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.json"
    with monkeypatch.context() as earlier:
        earlier.setattr(storage, "RUN_ID", "an earlier run")
        storage.save(path, [_interaction(0, 0)], loaded_text=None, rewrite=False)
    opened_with = path.read_text("utf-8")
    # another worker appends after this one opened the cassette
    storage.save(path, [_interaction(1, 0)], loaded_text=None, rewrite=False)
    written = storage.save(path, [_interaction(2, 0)], loaded_text=opened_with, rewrite=True)
    assert [e.data["worker"] for e in written.interactions] == [0, 1, 2]


def test_rewrite_replaces_an_untouched_cassette_once_per_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.json"
    with monkeypatch.context() as earlier:
        earlier.setattr(storage, "RUN_ID", "an earlier run")
        storage.save(path, [_interaction(0, 0)], loaded_text=None, rewrite=False)
    old = path.read_text("utf-8")
    assert [
        e.data["worker"]
        for e in storage.save(
            path, [_interaction(1, 0)], loaded_text=old, rewrite=True
        ).interactions
    ] == [1]
    # a second test of the same run sharing the cassette adds to the new recording
    new = path.read_text("utf-8")
    assert [
        e.data["worker"]
        for e in storage.save(
            path, [_interaction(2, 0)], loaded_text=new, rewrite=True
        ).interactions
    ] == [1, 2]


def test_failed_write_leaves_the_old_cassette(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.json"
    storage.atomic_write(path, '{"version": 1, "interactions": []}\n')

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        storage.atomic_write(path, "half")
    assert json.loads(path.read_text("utf-8")) == {"version": 1, "interactions": []}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


def test_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with (
        storage.locked(path),
        pytest.raises(CassetteLockedError) as caught,
        storage.locked(path, timeout=0),
    ):
        pass
    message = str(caught.value)
    assert str(path) in message and f"held by process {os.getpid()}" in message
    assert "delete the lock file" in message


@pytest.mark.skipif(os.name != "posix", reason="stale-lock detection uses POSIX process checks")
def test_lock_left_by_a_dead_process_is_broken(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    context = multiprocessing.get_context("spawn")
    dead = context.Process(target=int)
    dead.start()
    dead.join()
    import socket

    storage.lock_path(path).write_text(f"{dead.pid} {socket.gethostname()}\n")
    written = storage.save(path, [_interaction(0, 0)], loaded_text=None, rewrite=False)
    assert len(written.interactions) == 1
    assert not storage.lock_path(path).exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_new_cassette_is_readable_by_others_and_modes_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    storage.atomic_write(path, "{}\n")
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o664)
    storage.atomic_write(path, "{}\n")
    assert path.stat().st_mode & 0o777 == 0o664


def _hammer(path: str, counter: str, rounds: int) -> None:
    """Between increments, a child takes the lock and dies holding it, leaving a stale lock
    that this process and the other hammers all find at once."""
    for _ in range(rounds):
        child = os.fork()
        if child == 0:  # pragma: no cover - runs in the forked child
            try:
                with storage.locked(Path(path)):
                    os._exit(0)  # dies holding the lock: no clean-up runs
            finally:
                os._exit(1)
        os.waitpid(child, 0)
        for _ in range(3):
            with storage.locked(Path(path)):
                shared = Path(counter)
                value = int(shared.read_text())
                time.sleep(0.001)  # widen the window a second holder would fall into
                shared.write_text(str(value + 1))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="children dying while holding the lock")
def test_locks_left_by_dead_holders_never_let_two_writers_in(tmp_path: Path) -> None:
    path, counter = tmp_path / "c.json", tmp_path / "counter"
    counter.write_text("0")
    context = multiprocessing.get_context("spawn")
    hammers = [
        context.Process(target=_hammer, args=(str(path), str(counter), 40)) for _ in range(6)
    ]
    for hammer in hammers:
        hammer.start()
    for hammer in hammers:
        hammer.join()
    assert [h.exitcode for h in hammers] == [0] * len(hammers)
    assert int(counter.read_text()) == len(hammers) * 40 * 3  # no increment lost to a second holder


def _killed_mid_save(path: str) -> None:
    """A writer killed after writing its temporary file, before replacing the cassette."""
    import signal

    def die(src: str, dst: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    os.replace = die  # type: ignore[assignment]
    storage.save(Path(path), [_interaction(9, 9)], loaded_text=None, rewrite=False)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="SIGKILL")
def test_the_next_save_removes_temporaries_of_killed_writers(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    storage.save(path, [_interaction(0, 0)], loaded_text=None, rewrite=False)
    context = multiprocessing.get_context("spawn")
    for _ in range(3):
        killed = context.Process(target=_killed_mid_save, args=(str(path),))
        killed.start()
        killed.join()
        assert killed.exitcode == -9
    # each killed writer's own save already removed the previous one's temporary
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]) == 1
    unrelated = tmp_path / ".c.json.notes.tmp"  # not a name atomic_write makes
    unrelated.write_text("mine")
    storage.save(path, [_interaction(1, 1)], loaded_text=None, rewrite=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".c.json.notes.tmp", "c.json"]
    entries = loads(path.read_text("utf-8"), path)
    assert [e.data for e in entries] == [{"worker": 0, "n": 0}, {"worker": 1, "n": 1}]


def test_a_live_writers_temporary_is_never_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The live writer holds the lock while its temporary exists; a second writer waits for the
    lock before it looks for temporaries."""
    path = tmp_path / "c.json"
    waiting = threading.Event()
    real_try_lock = storage._try_lock

    def try_lock(lock: Path) -> int | None:
        fd = real_try_lock(lock)
        if fd is None:
            waiting.set()
        return fd

    monkeypatch.setattr(storage, "_try_lock", try_lock)
    second = threading.Thread(
        target=storage.save,
        args=(path, [_interaction(2, 2)]),
        kwargs={"loaded_text": None, "rewrite": False},
    )
    with storage.locked(path):
        live = tmp_path / ".c.json.abcd1234.tmp"
        live.write_text(json.dumps({"version": 1, "interactions": []}))
        second.start()
        assert waiting.wait(10)
        assert live.exists()
        os.replace(live, path)  # the live writer finishes its save
    second.join()
    entries = loads(path.read_text("utf-8"), path)
    assert [e.data for e in entries] == [{"worker": 2, "n": 2}]
