"""The document store: dumb, fast, copy-on-write.

Each collection is a dict ``_id -> document`` in insertion order, so ``doc(id)`` is a hash lookup
whatever the collection's size. Stored documents are never mutated in place: a write replaces the
document object. That makes snapshots (and transaction read views) a shallow copy, and lets reads
hand out copies without locking for long. One re-entrant lock serialises writers and readers.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterator
from typing import Any, Protocol

from ..errors import COLLECTION_NOT_EXIST_MESSAGE, DatabaseError
from .names import missing_collection_hint

Document = dict[str, Any]
Collection = dict[Any, Document]
Snapshot = dict[str, Collection]

#: the one key every NaN ``_id`` is stored under: NaN equals NaN in MongoDB's _id index, while
#: two Python NaN objects are different dict keys
NAN_ID = math.nan


class Watcher(Protocol):
    """An open transaction: told the previous version of any document changed under it."""

    def remember(self, name: str, key: Any, previous: Document | None) -> None: ...


def id_key(doc_id: Any) -> Any:
    """``_id`` values the database accepts: strings and numbers (not booleans)."""
    cls = doc_id.__class__
    if cls is str or cls is int:
        return doc_id
    if cls is float:
        if doc_id != doc_id:
            return NAN_ID
        return int(doc_id) if doc_id.is_integer() else doc_id
    raise DatabaseError(
        -501007, f"_id must be a string or a number, got {doc_id!r} ({type(doc_id).__name__})"
    )


class Store:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.collections: dict[str, Collection] = {}
        #: told (collection, _id, previous document or None) before any committed change; open
        #: transactions use it to keep their snapshot. Weak: an abandoned transaction nobody
        #: references any more stops costing every write.
        self.watchers: weakref.WeakSet[Watcher] = weakref.WeakSet()
        #: (collection, _id) -> the open transaction that has written that document; weak, so a
        #: transaction dropped without commit or rollback does not lock the document forever
        self.claims: weakref.WeakValueDictionary[tuple[str, Any], Any] = (
            weakref.WeakValueDictionary()
        )

    def get(self, name: str) -> Collection:
        collection = self.collections.get(name)
        if collection is None:
            hint = missing_collection_hint(name, self.collections)
            raise DatabaseError(-502005, COLLECTION_NOT_EXIST_MESSAGE, hint)
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
        if self.watchers:
            for watcher in list(self.watchers):  # a copy: a watcher may expire and leave meanwhile
                watcher.remember(name, key, previous)

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
