"""The document store: dumb, fast, copy-on-write.

Each collection is a dict ``_id -> document`` in insertion order, so ``doc(id)`` is a hash lookup
whatever the collection's size. Stored documents are never mutated in place: a write replaces the
document object. That makes snapshots (and transaction read views) a shallow copy, and lets reads
hand out copies without locking for long. One re-entrant lock serialises writers and readers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import COLLECTION_NOT_EXIST_MESSAGE, DatabaseError

Document = dict[str, Any]
Collection = dict[Any, Document]
Snapshot = dict[str, Collection]


def id_key(doc_id: Any) -> Any:
    """``_id`` values the database accepts: strings and numbers (not booleans)."""
    cls = doc_id.__class__
    if cls is str or cls is int:
        return doc_id
    if cls is float:
        return int(doc_id) if doc_id.is_integer() else doc_id
    raise DatabaseError(
        -501007, f"_id must be a string or a number, got {doc_id!r} ({type(doc_id).__name__})"
    )


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.collections: dict[str, Collection] = {}
        #: called with (collection, _id, previous document or None) before any committed change;
        #: open transactions use it to keep their snapshot.
        self.watchers: list[Callable[[str, Any, Document | None], None]] = []
        #: (collection, _id) -> the open transaction that has written that document
        self.claims: dict[tuple[str, Any], object] = {}

    def get(self, name: str) -> Collection:
        collection = self.collections.get(name)
        if collection is None:
            raise DatabaseError(-502005, COLLECTION_NOT_EXIST_MESSAGE)
        return collection

    def exists(self, name: str) -> bool:
        return name in self.collections

    def create(self, name: str) -> bool:
        """Create an empty collection; False if it already existed."""
        with self.lock:
            if name in self.collections:
                return False
            self.collections[name] = {}
            return True

    def drop(self, name: str) -> None:
        with self.lock:
            collection = self.get(name)
            for key, doc in collection.items():
                self._notify(name, key, doc)
            del self.collections[name]

    # --- committed writes (callers hold the lock) ---------------------------------------

    def put(self, name: str, key: Any, doc: Document) -> None:
        collection = self.collections[name]
        self._notify(name, key, collection.get(key))
        collection[key] = doc

    def delete(self, name: str, key: Any) -> None:
        collection = self.collections[name]
        self._notify(name, key, collection.get(key))
        del collection[key]

    def _notify(self, name: str, key: Any, previous: Document | None) -> None:
        for watcher in self.watchers:
            watcher(name, key, previous)

    # --- state --------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self.lock:
            return {name: dict(docs) for name, docs in self.collections.items()}

    def restore(self, snapshot: Snapshot) -> None:
        with self.lock:
            for name, docs in self.collections.items():
                for key, doc in docs.items():
                    self._notify(name, key, doc)
            self.collections = {name: dict(docs) for name, docs in snapshot.items()}

    def names(self) -> Iterator[str]:
        return iter(list(self.collections))
