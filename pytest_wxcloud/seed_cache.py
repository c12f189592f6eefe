"""Export files read and validated once per session, then shared by every test that seeds them.

Real suites seed thousands of documents from a console export into hundreds of tests. Reading
and validating the file costs far more than a test, so the first test that seeds a file turns it
into a :class:`Snapshot` and every later one adopts that snapshot's collection, in O(1) whatever
its size. Stored documents and collections are copy-on-write, so every test starts from the same
data and none sees another's writes.

The cache is keyed by path and content: a file whose size, mtime or ctime changed is read and
hashed again, and new content is parsed again. Files with documents lacking ``_id`` are parsed
once but seeded per test, so the generated ids come from each test's own seed, as without the
cache.

Given a folder (the plugin passes one inside pytest's cache directory, ``.pytest_cache``), the
validated collection is also kept on disk under the SHA-256 of the file's content, the
collection name and this package's version, so the next session starts from it instead of
parsing the export again: a 10,000-document export then costs a session about a tenth of its
first read. The folder is the user's own (``pytest --cache-clear`` empties it), written
atomically, and read only for an exact content match.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cloud import WxCloud
from .database.loading import read_export
from .database.store import Snapshot


@dataclass(frozen=True)
class _Seed:
    signature: tuple[int, ...]
    digest: str
    #: the validated collection, when every document has an ``_id``
    snapshot: Snapshot | None
    #: the parsed documents otherwise (seeded per test)
    documents: tuple[dict[str, Any], ...]


class SeedCache:
    """Seeds clouds from export files, reading each (path, content) once."""

    def __init__(self, folder: Path | None = None) -> None:
        self._seeds: dict[tuple[Path, str], _Seed] = {}
        self._folder = folder

    def load(self, cloud: WxCloud, path: Path, collection: str | None = None) -> None:
        """``cloud.load(path, collection)``, from the cache when the file is unchanged."""
        name = collection or path.stem
        seed = self._prepared(path.resolve(), name)
        if seed.snapshot is not None:
            cloud.seed(seed.snapshot)
        else:
            cloud.seed({name: seed.documents})

    def _prepared(self, path: Path, name: str) -> _Seed:
        key = (path, name)
        known = self._seeds.get(key)
        signature = _signature(path)
        if known is not None and known.signature == signature:
            return known
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if known is not None and known.digest == digest:
            seed = _Seed(signature, digest, known.snapshot, known.documents)
        else:
            seed = self._stored(name, digest) or _build(path, name, signature, digest)
            seed = _Seed(signature, digest, seed.snapshot, seed.documents)
            self._keep(name, seed)
            # the shared documents live as long as the session: taken out of the cyclic garbage
            # collector's view, so its full collections stop walking them after every test
            gc.freeze()
        self._seeds[key] = seed
        return seed

    def _disk_path(self, name: str, digest: str) -> Path | None:
        if self._folder is None:
            return None
        key = hashlib.sha256(f"{digest}\0{name}\0{_validator_version()}".encode()).hexdigest()
        return self._folder / f"{key}.pickle"

    def _stored(self, name: str, digest: str) -> _Seed | None:
        """The validated seed an earlier session kept for exactly this content, if any."""
        path = self._disk_path(name, digest)
        if path is None or not path.is_file():
            return None
        try:
            with path.open("rb") as handle:
                kept = pickle.load(handle)
        except Exception:  # unreadable or from another Python: parse the export again
            return None
        return kept if isinstance(kept, _Seed) else None

    def _keep(self, name: str, seed: _Seed) -> None:
        path = self._disk_path(name, seed.digest)
        if path is None or path.is_file():
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                pickle.dump(seed, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:  # a read-only checkout: the in-session cache still works
            return


@functools.cache
def _validator_version() -> str:
    """Changes whenever the code that reads and validates exports does, so a kept seed is
    never one an older (or newer) validation produced."""
    source = Path(__file__).parent / "database"
    digest = hashlib.sha256(sys.version.encode())
    for module in ("loading.py", "ejson.py", "values.py", "store.py"):
        digest.update((source / module).read_bytes())
    return digest.hexdigest()


def _signature(path: Path) -> tuple[int, ...]:
    """What changes whenever the file is written: ctime cannot be set back, unlike mtime."""
    stat = path.stat()
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def _build(path: Path, name: str, signature: tuple[int, ...], digest: str) -> _Seed:
    documents = read_export(path)
    if not all("_id" in doc for doc in documents):
        return _Seed(signature, digest, None, tuple(documents))
    scratch = WxCloud()
    scratch.seed({name: documents})  # validates, with the errors cloud.load gives
    return _Seed(signature, digest, scratch.snapshot().database, ())


__all__ = ["SeedCache"]
