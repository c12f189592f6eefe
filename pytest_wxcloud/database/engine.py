"""Executing MongoDB-form operations on a collection view.

:class:`Engine` runs against the live :class:`Store`; :class:`~.transaction.Transaction` offers
the same methods over its snapshot, so the SDK-shaped layer has one way to run an operation
whether or not a transaction is involved. Everything here raises :class:`DatabaseError`; the
caller adds the ``<api>:fail`` prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ..errors import DatabaseError
from .matching import compile_query, near_sort_key
from .ordering import sort_documents
from .projection import compile_projection
from .store import Collection, Document, Store, id_key
from .updating import compile_update

Predicate = Callable[[Document], bool]
Order = Sequence[tuple[str, int]]


def duplicate_key(name: str, key: Any) -> DatabaseError:
    shown = f'"{key}"' if isinstance(key, str) else str(key)
    return DatabaseError(
        -502001,
        f"E11000 duplicate key error collection: {name} index: _id_ dup key: {{ _id: {shown} }}",
    )


def _id_lookup(query: Mapping[str, Any]) -> tuple[bool, Any]:
    """``{_id: scalar, ...}`` can be answered by a hash lookup instead of a scan."""
    if "_id" in query:
        value = query["_id"]
        cls = value.__class__
        if cls is str or cls is int or (cls is float and value == value):
            return True, id_key(value)
    return False, None


def candidates(collection: Collection, query: Mapping[str, Any]) -> Iterable[Document]:
    by_id, key = _id_lookup(query)
    if by_id:
        doc = collection.get(key)
        return () if doc is None else (doc,)
    return collection.values()


def select(
    collection: Collection,
    query: Mapping[str, Any],
    order: Order,
    skip: int,
    limit: int | None,
) -> list[Document]:
    """Matching stored documents, sorted, skipped and limited (not copied, not projected)."""
    predicate = compile_query(query)
    docs = candidates(collection, query)
    if not order:
        near = near_sort_key(query)
        if near is not None:
            matched = sorted((d for d in docs if predicate(d)), key=near)
            return matched[skip : None if limit is None else skip + limit]
        if limit is None:
            return [d for d in docs if predicate(d)][skip:]
        wanted = skip + limit
        out: list[Document] = []
        for doc in docs:
            if predicate(doc):
                out.append(doc)
                if len(out) >= wanted:
                    break
        return out[skip:]
    matched = [d for d in docs if predicate(d)]
    ordered = sort_documents(matched, order)
    return ordered[skip : None if limit is None else skip + limit]


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
        found = select(self.collection(name), query, order, skip, limit)
        if projection:
            project = compile_projection(projection)
            return [project(d) for d in found]
        return found

    def count(self, name: str, query: Mapping[str, Any]) -> int:
        predicate = compile_query(query)
        return sum(1 for d in candidates(self.collection(name), query) if predicate(d))

    def get_by_id(self, name: str, key: Any) -> Document | None:
        return self.collection(name).get(id_key(key))

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
        predicate = compile_query(query)
        changes: list[tuple[Any, Document]] = []
        matched = 0
        for doc in candidates(collection, query):
            if predicate(doc):
                matched += 1
                new = apply(doc)
                if new != doc or not _same_types(new, doc):
                    changes.append((id_key(doc["_id"]), new))
                if not multi:
                    break
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
        predicate = compile_query(query)
        doomed = []
        for doc in candidates(collection, query):
            if predicate(doc):
                doomed.append(id_key(doc["_id"]))
                if not multi:
                    break
        for key in doomed:
            self.store.delete(name, key)
        return len(doomed)


def _same_types(a: Any, b: Any) -> bool:
    """``1 == 1.0 == True`` in Python; a write that changes only the type is still a change."""
    if a.__class__ is not b.__class__:
        return False
    if a.__class__ is dict:
        return a.keys() == b.keys() and all(_same_types(a[k], b[k]) for k in a)
    if a.__class__ is list:
        return all(_same_types(x, y) for x, y in zip(a, b))
    return True
