"""The database backend every face talks to: MongoDB form in, backend results out.

This is what the real cloud's database service is to wx-server-sdk: it receives filters, update
operators, projections, orders and pipelines already serialized (the SDK face serializes with the
official builder's quirks; the CloudBase /admin face decodes EJSON; the HTTP face replays its
query language through the SDK builders), runs them under the store lock, and answers with plain
results (documents and totals, inserted ids, matched/modified counts, deleted counts). It owns
locking, id generation, validation of stored values, collection administration (indexes included)
and the table of open transactions keyed by id, so a wire protocol can drive them.

Failures are :class:`~pytest_wxcloud.errors.DatabaseError`: an errCode with its backend code
string (``DATABASE_COLLECTION_NOT_EXIST`` …) and the backend's message. Each face renders them in
its own shape; none parses a message back.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import CloudSDKError, DatabaseError, SDKTypeError, SDKUsageError
from .engine import Engine, Order
from .names import collection_name_problem, shown
from .store import Document, Store
from .transaction import CONFLICT_MESSAGE
from .values import to_stored

if TYPE_CHECKING:
    from .api import Database, Runtime
    from .transaction import Transaction

#: documents ``aggregate`` returns when the pipeline has no ``$limit`` stage (sdk.md §3.8)
AGGREGATE_DEFAULT_LIMIT = 20
COLLECTION_EXISTS_CODE = "DATABASE_COLLECTION_ALREADY_EXIST"


class EngineOps(Protocol):
    """What both the live :class:`~.engine.Engine` and an open
    :class:`~.transaction.Transaction` offer, so each operation has one code path."""

    def find(
        self,
        name: str,
        query: Mapping[str, Any],
        order: Order = (),
        skip: int = 0,
        limit: int | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]: ...

    def insert(self, name: str, docs: list[Document]) -> list[Any]: ...

    def update(
        self, name: str, query: Mapping[str, Any], update: Mapping[str, Any], multi: bool
    ) -> tuple[int, int]: ...

    def replace(self, name: str, key: Any, doc: Document) -> tuple[int, int]: ...

    def remove(self, name: str, query: Mapping[str, Any], multi: bool) -> int: ...


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """``modifyDocument`` with update operators: how many matched and how many changed."""

    matched: int
    modified: int


@dataclass(frozen=True, slots=True)
class ReplaceResult:
    """``modifyDocument`` as ``doc.set`` (replace, upsert): ``upserted_id`` when it created."""

    updated: int
    upserted_id: Any = None

    @property
    def created(self) -> int:
        return 0 if self.upserted_id is None else 1


class DatabaseService:
    """One cloud's database backend. Thread-safe: every operation takes the store lock."""

    def __init__(self, runtime: Runtime, env: str = "") -> None:
        self.runtime = runtime
        #: the env the collections live in (a collection's full name is ``<env>.<name>``)
        self.env = env
        self.store: Store = runtime.store
        self.engine: Engine = runtime.engine
        self.now = runtime.now
        self.new_id = runtime.new_id
        self.request_id = runtime.request_id
        #: collection -> index name -> spec, as the index endpoints received them
        self._indexes: dict[str, dict[str, dict[str, Any]]] = {}
        self._transactions: weakref.WeakValueDictionary[str, Transaction] = (
            weakref.WeakValueDictionary()
        )
        self._held: dict[str, Transaction] = {}

    # --- documents ----------------------------------------------------------------------

    def find(
        self,
        collection: str,
        query: Mapping[str, Any],
        *,
        order: Order = (),
        skip: int = 0,
        limit: int | None = None,
        projection: Mapping[str, Any] | None = None,
        transaction: str | None = None,
    ) -> list[Document]:
        """Matching documents, sorted, skipped, limited and projected. They are the stored
        objects (or projections of them): callers copy before handing them out."""
        if skip < 0:
            raise DatabaseError(-501007, f"offset must be a non-negative integer, got {skip}")
        with self.store.lock:
            ops = self._ops(transaction)
            return ops.find(collection, query, order, skip, limit, projection)

    def count(self, collection: str, query: Mapping[str, Any]) -> int:
        with self.store.lock:
            total: int = self.engine.count(collection, query)
        return total

    def insert(
        self,
        collection: str,
        documents: Sequence[Mapping[str, Any]],
        *,
        transaction: str | None = None,
    ) -> list[Any]:
        """Store new documents (an ``_id`` is generated where missing); all or nothing."""
        docs = []
        for index, item in enumerate(documents):
            if not isinstance(item, Mapping):
                raise DatabaseError(
                    -501007, f"document {index} must be an object, got {type(item).__name__}"
                )
            doc = self.stored(item)
            if "_id" not in doc:
                doc = {"_id": self.new_id(), **doc}
            docs.append(doc)
        with self.store.lock:
            return self._ops(transaction).insert(collection, docs)

    def update(
        self,
        collection: str,
        query: Mapping[str, Any],
        update: Mapping[str, Any],
        *,
        multi: bool,
        transaction: str | None = None,
    ) -> UpdateResult:
        """Apply MongoDB update operators to every match (``multi``) or the first."""
        with self.store.lock:
            matched, modified = self._ops(transaction).update(collection, query, update, multi)
        return UpdateResult(matched, modified)

    def stats_updated(self, result: UpdateResult) -> int:
        """What ``stats.updated`` reports for ``result``: changed documents by default, matched
        ones with ``WxCloud(updated_counts="matched")`` (unconfirmed in the reference)."""
        return self.runtime.updated(result.matched, result.modified)

    def replace(
        self,
        collection: str,
        doc_id: Any,
        document: Mapping[str, Any],
        *,
        transaction: str | None = None,
    ) -> ReplaceResult:
        """Replace the document ``doc_id`` (keeping its ``_id``), creating it if missing."""
        doc = {"_id": doc_id, **{k: v for k, v in self.stored(document).items() if k != "_id"}}
        with self.store.lock:
            updated, created = self._ops(transaction).replace(collection, doc_id, doc)
        return ReplaceResult(updated, doc_id if created else None)

    def remove(
        self,
        collection: str,
        query: Mapping[str, Any],
        *,
        multi: bool,
        transaction: str | None = None,
    ) -> int:
        with self.store.lock:
            return self._ops(transaction).remove(collection, query, multi)

    def aggregate(self, collection: str, stages: Sequence[Mapping[str, Any]]) -> list[Document]:
        """Run a MongoDB-form pipeline; without a ``$limit`` stage only the first
        :data:`AGGREGATE_DEFAULT_LIMIT` results come back, as the backend does."""
        from .aggregate.stages import run_pipeline

        with self.store.lock:
            docs = list(self.store.get(collection).values())
            result = run_pipeline(stages, docs, source=self._source, rng=self.runtime.rng())
        if not any("$limit" in stage for stage in stages):
            result = result[:AGGREGATE_DEFAULT_LIMIT]
        return result

    def _source(self, name: str) -> list[Document]:
        return list(self.store.get(name).values())

    def stored(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A caller's document in stored form; unstorable input is INVALID_PARAM."""
        try:
            doc = to_stored(document, self.now)
        except (SDKUsageError, SDKTypeError) as exc:
            raise DatabaseError(-501007, str(exc)) from None
        if not isinstance(doc, dict):
            raise DatabaseError(-501007, f"a document must be an object, got {document!r}")
        return doc

    # --- collections --------------------------------------------------------------------

    def create_collection(self, name: str) -> None:
        problem = collection_name_problem(name, self.env)
        if problem is not None:
            raise DatabaseError(
                -501007, f"invalid collection name {shown(name)}: {problem}", code="INVALID_PARAM"
            )
        if not self.store.create(name):
            raise DatabaseError(
                -501001,
                f"[ResourceInUse] Table exist. (collection {name!r} already exists)",
                code=COLLECTION_EXISTS_CODE,
            )

    def drop_collection(self, name: str) -> None:
        with self.store.lock:
            self.store.drop(name)
            self._indexes.pop(name, None)

    def exists(self, name: str) -> bool:
        return self.store.exists(name)

    def collection_names(self) -> list[str]:
        return list(self.store.names())

    def documents(self, name: str) -> list[Document]:
        """Every stored document of a collection, in insertion order (not copied)."""
        with self.store.lock:
            return list(self.store.get(name).values())

    def indexes(self, name: str) -> dict[str, dict[str, Any]]:
        """Index name -> spec (the implicit ``_id_`` index is not listed)."""
        with self.store.lock:
            self.store.get(name)
            return dict(self._indexes.get(name, {}))

    def change_indexes(
        self, name: str, create: Sequence[Mapping[str, Any]], drop: Sequence[str]
    ) -> None:
        """Record created and dropped indexes. They are not enforced: the engine needs none."""
        with self.store.lock:
            self.store.get(name)
            specs = self._indexes.setdefault(name, {})
            for spec in create:
                specs[str(spec["name"])] = dict(spec)
            for index_name in drop:
                specs.pop(index_name, None)

    # --- transactions -------------------------------------------------------------------

    def start_transaction(self, database: Database | None = None) -> Transaction:
        """Open a transaction and name it. ``database`` is the Python SDK handle starting it
        (its env and ``throw_on_not_found`` carry over); the Python caller holds the transaction,
        so the table only refers to it weakly. A wire protocol passes none and drives the
        transaction by id: the table then holds it until commit or abort."""
        from .api import Database
        from .transaction import Transaction

        with self.store.lock:
            for stale in [t for t in self._held.values() if t.ended()]:  # abandoned on the wire
                self._forget(stale.id)
            tx = Transaction(database if database is not None else Database(self))
            self._transactions[tx.id] = tx
            if database is None:
                self._held[tx.id] = tx
        return tx

    def transaction(self, transaction_id: str) -> Transaction:
        tx = self._transactions.get(transaction_id)
        if tx is None:
            raise DatabaseError(
                -501007,
                f"no transaction {transaction_id!r}: it was never started here, or it has ended",
                code="INVALID_PARAM",
            )
        return tx

    def commit_transaction(self, transaction_id: str) -> None:
        tx = self.transaction(transaction_id)
        try:
            tx.commit()
        except CloudSDKError as exc:
            raise DatabaseError(exc.err_code, CONFLICT_MESSAGE, code=exc.code) from None
        finally:
            self._forget(transaction_id)

    def abort_transaction(self, transaction_id: str, reason: Any = None) -> None:
        tx = self.transaction(transaction_id)
        try:
            tx.rollback(reason)
        finally:
            self._forget(transaction_id)

    def _forget(self, transaction_id: str) -> None:
        self._transactions.pop(transaction_id, None)
        self._held.pop(transaction_id, None)

    def _ops(self, transaction: str | None) -> EngineOps:
        return self.engine if transaction is None else self.transaction(transaction)


__all__ = [
    "AGGREGATE_DEFAULT_LIMIT",
    "DatabaseService",
    "ReplaceResult",
    "UpdateResult",
]
