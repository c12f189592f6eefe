"""Executing MongoDB-form operations on a collection view.

:class:`Engine` runs against the live :class:`Store`; :class:`~.transaction.Transaction` offers
the same methods over its snapshot, so the SDK-shaped layer has one way to run an operation
whether or not a transaction is involved. Everything here raises :class:`DatabaseError`; the
caller adds the ``<api>:fail`` prefix.
"""

from __future__ import annotations

from collections.abc import Collection as SizedDocuments
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

from ..errors import DatabaseError
from .matching import Filter, compile_filter, near_sort_key
from .ordering import sort_documents
from .projection import compile_projection
from .store import Collection, Document, Store, id_key
from .updating import compile_update

Order = Sequence[tuple[str, int]]


def duplicate_key(name: str, key: Any) -> DatabaseError:
    shown = f'"{key}"' if isinstance(key, str) else "NaN" if key != key else str(key)
    return DatabaseError(
        -502001,
        f"E11000 duplicate key error collection: {name} index: _id_ dup key: {{ _id: {shown} }}",
    )


def id_lookup(query: Mapping[str, Any]) -> tuple[bool, Any]:
    """``{_id: scalar, ...}`` can be answered by a hash lookup instead of a scan."""
    if "_id" in query:
        value = query["_id"]
        cls = value.__class__
        if cls is str or cls is int or (cls is float and value == value):
            return True, id_key(value)
    return False, None


def candidates(collection: Collection, query: Mapping[str, Any]) -> SizedDocuments[Document]:
    by_id, key = id_lookup(query)
    if by_id:
        doc = collection.get(key)
        return () if doc is None else (doc,)
    return collection.values()


def first_matches(docs: SizedDocuments[Document], matching: Filter, wanted: int) -> list[Document]:
    """The first ``wanted`` matches. A probe chunk measures how selective the query is, then one
    more pass takes about as many documents as should be needed (or all the rest, without
    copying): full scans run at list-comprehension speed, while ``limit(1)`` on a large
    collection still stops early."""
    iterator = iter(docs)
    probe = list(islice(iterator, 1024))
    scanned, remaining = len(probe), len(docs) - len(probe)
    out = matching(probe)
    while len(out) < wanted and remaining > 0:
        rate = len(out) / scanned
        needed = int((wanted - len(out)) / rate * 1.5) + 64 if rate else remaining
        if needed >= remaining:
            out.extend(matching(iterator))
            break
        chunk = list(islice(iterator, needed))
        scanned, remaining = scanned + len(chunk), remaining - len(chunk)
        out.extend(matching(chunk))
    return out[:wanted]


def select(
    collection: Collection,
    query: Mapping[str, Any],
    order: Order,
    skip: int,
    limit: int | None,
) -> list[Document]:
    """Matching stored documents, sorted, skipped and limited (not copied, not projected)."""
    matching = compile_filter(query)
    docs = candidates(collection, query)
    if not order:
        near = near_sort_key(query)
        if near is not None:
            return sorted(matching(docs), key=near)[skip : None if limit is None else skip + limit]
        if limit is None:
            return matching(docs)[skip:]
        return first_matches(docs, matching, skip + limit)[skip:]
    ordered = sort_documents(matching(docs), order)
    return ordered[skip : None if limit is None else skip + limit]


def projected(found: list[Document], projection: Mapping[str, Any] | None) -> list[Document]:
    if not projection:
        return found
    project = compile_projection(projection)
    return [project(d) for d in found]


class Engine:
    """Operations on the live store. Callers hold ``store.lock`` around each call."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def collection(self, name: str) -> Collection:
        return self.store.get(name)

    def find(
        self,
        name: str,
        query: Mapping[str, Any],
        order: Order = (),
        skip: int = 0,
        limit: int | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        return projected(select(self.collection(name), query, order, skip, limit), projection)

    def count(self, name: str, query: Mapping[str, Any]) -> int:
        return len(compile_filter(query)(candidates(self.collection(name), query)))

    def insert(self, name: str, docs: list[Document]) -> list[Any]:
        collection = self.collection(name)
        keys = [id_key(d["_id"]) for d in docs]
        seen: set[Any] = set()
        for key in keys:
            if key in collection or key in seen:
                raise duplicate_key(name, key)
            seen.add(key)
        for key, doc in zip(keys, docs):
            self.store.put(name, key, doc)
        return [d["_id"] for d in docs]

    def update(
        self, name: str, query: Mapping[str, Any], update: Mapping[str, Any], multi: bool
    ) -> tuple[int, int]:
        """Apply to every match (or the first), all or nothing. Returns (matched, modified)."""
        collection = self.collection(name)
        apply = compile_update(update)
        matching = compile_filter(query)
        docs = candidates(collection, query)
        targets = matching(docs) if multi else first_matches(docs, matching, 1)
        changes: list[tuple[Any, Document]] = []
        for doc in targets:
            new = apply(doc)
            if changed(new, doc):
                changes.append((id_key(doc["_id"]), new))
        matched = len(targets)
        for key, new in changes:
            self.store.put(name, key, new)
        return matched, len(changes)

    def replace(self, name: str, key: Any, doc: Document) -> tuple[int, int]:
        """``doc.set``: replace or create. Returns (updated, created)."""
        collection = self.collection(name)
        key = id_key(key)
        existed = key in collection
        self.store.put(name, key, doc)
        return (1, 0) if existed else (0, 1)

    def remove(self, name: str, query: Mapping[str, Any], multi: bool) -> int:
        collection = self.collection(name)
        matching = compile_filter(query)
        docs = candidates(collection, query)
        targets = matching(docs) if multi else first_matches(docs, matching, 1)
        doomed = [id_key(doc["_id"]) for doc in targets]
        for key in doomed:
            self.store.delete(name, key)
        return len(doomed)


def changed(new: Document, old: Document) -> bool:
    """What ``stats.updated`` counts by default: a write that changes only a value's type
    (``1`` → ``1.0``) is a change, though Python calls the two equal."""
    return new != old or not _same_types(new, old)


def _same_types(a: Any, b: Any) -> bool:
    """``1 == 1.0 == True`` in Python; a write that changes only the type is still a change."""
    if a.__class__ is not b.__class__:
        return False
    if a.__class__ is dict:
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if a.__class__ is list:
        return all(_same_types(x, y) for x, y in zip(a, b))
    return True
