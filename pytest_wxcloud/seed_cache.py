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
"""

from __future__ import annotations

import hashlib
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

    def __init__(self) -> None:
        self._seeds: dict[tuple[Path, str], _Seed] = {}

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
            seed = _build(path, name, signature, digest)
        self._seeds[key] = seed
        return seed


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
    return _Seed(signature, digest, scratch.snapshot(), ())


__all__ = ["SeedCache"]
