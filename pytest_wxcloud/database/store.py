"""The document store: dumb, fast, copy-on-write.

Each collection is a dict ``_id -> document`` in insertion order, so ``doc(id)`` is a hash lookup
whatever the collection's size. Stored documents are never mutated in place: a write replaces the
document object. That makes transaction read views a shallow copy, and lets reads hand out copies
without locking for long. One re-entrant lock serialises writers and readers.

Collections are copy-on-write too: a snapshot shares the collection dicts with the store, and the
store copies a shared collection at its first write afterwards. Taking a snapshot and restoring
one therefore cost O(collections), whatever the number of documents, and one snapshot can be
restored into any number of stores (clouds) without any of them seeing another's writes.

A copy remembers the keys written since it was made. Restoring the snapshot it was copied from
puts those keys back in place instead of dropping the copy (whose freeing alone is O(documents)),
so the per-test cycle "restore, then write a few documents" stays O(writes) for a store that is
reset again and again.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Protocol

from ..errors import COLLECTION_NOT_EXIST_MESSAGE, DatabaseError
from .names import missing_collection_hint

Document = dict[str, Any]
Collection = dict[Any, Document]


class Snapshot(Mapping[str, Mapping[Any, Document]]):
    """The database at one moment: collection name -> read-only ``{_id: document}``.

    Its collection dicts are shared with every store that took or restored it, so it hands them
    out read-only; nothing ever writes into them (a store copies before its first write).
    """

    __slots__ = ("_collections",)

    def __init__(self, collections: Mapping[str, Collection]) -> None:
        self._collections = dict(collections)

    def __getitem__(self, name: str) -> Mapping[Any, Document]:
        return MappingProxyType(self._collections[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._collections)

    def __len__(self) -> int:
        return len(self._collections)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name!r}: {len(docs)}" for name, docs in self._collections.items())
        return f"Snapshot({{{sizes}}})"


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
        #: names whose collection dict is shared with a snapshot: copied before the next write
        self._shared: set[str] = set()
        #: name -> (the shared dict its collection was copied from, keys written since), while
        #: the copy still lists that dict's keys in that dict's order
        self._copied_from: dict[str, tuple[Collection, set[Any]]] = {}

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
            self._shared.discard(name)
            self._copied_from.pop(name, None)

    # --- committed writes (callers hold the lock) ---------------------------------------

    def put(self, name: str, key: Any, doc: Document) -> None:
        collection = self._writable(name, key, deleting=False)
        self._notify(name, key, collection.get(key))
        collection[key] = doc

    def delete(self, name: str, key: Any) -> None:
        collection = self._writable(name, key, deleting=True)
        self._notify(name, key, collection.get(key))
        del collection[key]

    def _writable(self, name: str, key: Any, deleting: bool) -> Collection:
        collection = self.collections[name]
        if name in self._shared:
            self._shared.discard(name)
            self._copied_from[name] = (collection, set())
            collection = self.collections[name] = dict(collection)
        origin = self._copied_from.get(name)
        if origin is not None:
            base, written = origin
            if (deleting and key in base) or len(written) >= len(base) // 2:
                # putting a deleted key back would move it to the end: the order is lost
                del self._copied_from[name]
            else:
                written.add(key)
        return collection

    def _notify(self, name: str, key: Any, previous: Document | None) -> None:
        if self.watchers:
            for watcher in list(self.watchers):  # a copy: a watcher may expire and leave meanwhile
                watcher.remember(name, key, previous)

    # --- state --------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        with self.lock:
            self._shared.update(self.collections)
            self._copied_from.clear()  # the copies are shared now: never repaired in place
            return Snapshot(self.collections)

    def restore(self, snapshot: Mapping[str, Mapping[Any, Document]]) -> None:
        """Make the database what ``snapshot`` holds (taken from this store or any other)."""
        if not isinstance(snapshot, Snapshot):  # a plain {name: {_id: doc}} built by hand
            snapshot = Snapshot({name: dict(docs) for name, docs in snapshot.items()})
        with self.lock:
            if self.watchers:  # open transactions keep what they read, document by document
                for name, docs in self.collections.items():
                    for key, doc in docs.items():
                        self._notify(name, key, doc)
            restored: dict[str, Collection] = {}
            copied_from: dict[str, tuple[Collection, set[Any]]] = {}
            for name, base in snapshot._collections.items():
                copy = self._repaired(name, base)
                if copy is None:
                    restored[name] = base
                else:
                    restored[name] = copy
                    copied_from[name] = (base, set())
            self.collections = restored
            self._shared = {name for name in restored if name not in copied_from}
            self._copied_from = copied_from

    def _repaired(self, name: str, base: Collection) -> Collection | None:
        """This store's copy of ``base`` with the written keys put back, or None if it has none
        (then ``base`` itself is shared)."""
        origin = self._copied_from.get(name)
        if origin is None or origin[0] is not base:
            return None
        copy = self.collections[name]
        for key in origin[1]:
            if key in base:
                copy[key] = base[key]  # an existing key keeps its place
            else:
                copy.pop(key, None)
        return copy

    def adopt(self, snapshot: Snapshot, name: str) -> bool:
        """Install the snapshot's collection ``name`` without copying a document; False (and
        nothing done) when this store has that collection already."""
        with self.lock:
            if name in self.collections:
                return False
            self.collections[name] = snapshot._collections[name]
            self._shared.add(name)
            return True

    def names(self) -> Iterator[str]:
        return iter(list(self.collections))
