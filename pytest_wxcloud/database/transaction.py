"""Transactions: snapshot reads, buffered writes, conflicts where MongoDB reports them.

A transaction sees the store as it was when it started plus its own writes; nothing it writes is
visible outside before ``commit``. Instead of copying the store, it registers a watcher that keeps
the previous version of any document someone else changes while it is open (the store is
copy-on-write, so that is one reference per change).

Conflicts: writing a document that another open transaction has written, or that changed since
this one started, fails at the write with -501001 and no conflict code — what wx-server-sdk 4.0.2
turns MongoDB's WriteConflict into, so ``run_transaction`` does not retry it (sdk.md §3.11). A
document this transaction wrote that is changed outside before commit fails the commit with code
``DATABASE_TRANSACTION_CONFLICT``, which ``run_transaction`` retries, as the SDK does.

Lifetime: MongoDB aborts a transaction that stays open longer than
``transactionLifetimeLimitSeconds`` (60 s); here the cloud's clock decides (``cloud.clock.advance``
moves it). An expired transaction stops watching the store and releases the documents it wrote;
any later operation on it, ``commit`` and ``rollback`` included, fails with MongoDB's
``NoSuchTransaction`` text. The store holds open transactions weakly: one dropped without
``commit``/``rollback`` costs nothing once nobody references it.

Production quirks kept (sdk.md §3.11): only ``add`` and ``doc()`` operations and ``where().get()``
run inside; ``where().update/remove`` and ``count`` silently run outside (we warn); ``doc.set``
reports ``created: 0``; ``run_transaction`` rejects with the raw ``rollback()`` argument.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..errors import CloudSDKError, DatabaseError, api_failure
from .engine import changed, duplicate_key, id_lookup, projected, select
from .store import Collection, Document, id_key
from .updating import compile_update

if TYPE_CHECKING:
    from .api import CollectionReference, Database

CONFLICT_CODE = "DATABASE_TRANSACTION_CONFLICT"
CONFLICT_MESSAGE = (
    "[ResourceUnavailable.TransactionConflict] Transaction is conflict, maybe resource operated "
    "by others. Please check your request, but if the problem persists, contact us."
)
_DELETED = object()

#: MongoDB's transactionLifetimeLimitSeconds default
LIFETIME_SECONDS = 60


class TransactionRollback(Exception):
    """``run_transaction`` re-raises what ``rollback(reason)`` was given; a non-exception
    reason (JavaScript rejects with any value) arrives wrapped in this, as ``.reason``."""

    def __init__(self, reason: Any) -> None:
        self.reason = reason
        super().__init__(reason)


def conflict_error(api: str) -> CloudSDKError:
    return api_failure(api, CONFLICT_MESSAGE, code=CONFLICT_CODE)


class Transaction:
    def __init__(self, database: Database) -> None:

        runtime = database._runtime
        self._runtime = runtime
        self._store = runtime.store
        self.id = runtime.request_id()
        self._writes: dict[tuple[str, Any], Any] = {}
        self._preimages: dict[tuple[str, Any], Document | None] = {}
        self._state = "active"
        self._expired = False
        self._deadline = runtime.now() + timedelta(seconds=LIFETIME_SECONDS)
        self.abort_reason: Any = None
        self._service = database._service
        # options, not a Database: a Database pointing back here would make a reference cycle,
        # keeping an abandoned transaction alive until a full garbage collection
        self._env = database.env
        self._throw_on_not_found = database.throw_on_not_found
        with self._store.lock:
            self._store.watchers.add(self)

    def remember(self, name: str, key: Any, previous: Document | None) -> None:
        """Store watcher: keep the version this transaction's snapshot sees."""
        if self._expire_if_due():
            return
        self._preimages.setdefault((name, key), previous)

    def _expire_if_due(self) -> bool:
        """Abort an active transaction past its lifetime; True if it is (now) expired."""
        if self._state == "active" and self._runtime.now() >= self._deadline:
            self._expired = True
            self._close("aborted")
            self._writes.clear()
        return self._expired

    def collection(self, name: str) -> CollectionReference:
        from .api import Database

        database = Database(
            self._service,
            env=self._env,
            throw_on_not_found=self._throw_on_not_found,
            transaction=self,
        )
        return database.collection(name)

    def ended(self) -> bool:
        """Committed, rolled back, or past its lifetime (which aborts it now)."""
        return self._expire_if_due() or self._state != "active"

    @property
    def state(self) -> str:
        """``active``, ``committed`` or ``aborted``."""
        return self._state

    # --- the engine interface (see engine.Engine) ---------------------------------------

    def _check_active(self) -> None:
        if self._expire_if_due():
            raise DatabaseError(-501001, self._expired_message())
        if self._state != "active":
            raise DatabaseError(
                -501001, f"transaction {self.id} is already {self._state}; start a new one"
            )

    def _expired_message(self) -> str:
        return (
            f"NoSuchTransaction: Transaction {self.id} has been aborted: it was open longer than "
            f"transactionLifetimeLimitSeconds ({LIFETIME_SECONDS} s on the cloud clock)"
        )

    def _read(self, name: str, key: Any) -> Document | None:
        if (name, key) in self._writes:
            doc = self._writes[(name, key)]
            return None if doc is _DELETED else doc  # type: ignore[no-any-return]
        if (name, key) in self._preimages:
            return self._preimages[(name, key)]
        return self._store.get(name).get(key)

    def _view(self, name: str) -> Collection:
        view = dict(self._store.get(name))
        for (coll, key), previous in self._preimages.items():
            if coll == name:
                if previous is None:
                    view.pop(key, None)
                else:
                    view[key] = previous
        for (coll, key), doc in self._writes.items():
            if coll == name:
                if doc is _DELETED:
                    view.pop(key, None)
                else:
                    view[key] = doc
        return view

    def find(
        self,
        name: str,
        query: Mapping[str, Any],
        order: Any = (),
        skip: int = 0,
        limit: int | None = None,
        projection: Mapping[str, Any] | None = None,
    ) -> list[Document]:
        self._check_active()
        self._store.get(name)
        by_id, key = id_lookup(query)
        if by_id:  # doc().get(): one document, no copy of the whole collection view
            doc = self._read(name, key)
            view: Collection = {} if doc is None else {key: doc}
        else:
            view = self._view(name)
        return projected(select(view, query, order, skip, limit), projection)

    def _write(self, name: str, key: Any, doc: Any) -> None:
        """Buffer a write, or fail as MongoDB does at the write itself: the document changed
        since this transaction's snapshot, or another open transaction has written it. The SDK
        reports that as -501001 without the conflict code, so run_transaction does not retry it
        (sdk.md §3.11)."""
        claims = self._store.claims
        owner = claims.get((name, key))
        if owner is not None and owner is not self and owner._expire_if_due():
            owner = None  # expired: its claims are released
        if (name, key) in self._preimages or (owner is not None and owner is not self):
            raise DatabaseError(-501001, CONFLICT_MESSAGE)
        claims[(name, key)] = self
        self._writes[(name, key)] = doc

    def insert(self, name: str, docs: list[Document]) -> list[Any]:
        self._check_active()
        self._store.get(name)
        for doc in docs:
            key = id_key(doc["_id"])
            if self._read(name, key) is not None:
                raise duplicate_key(name, key)
        for doc in docs:
            self._write(name, id_key(doc["_id"]), doc)
        return [d["_id"] for d in docs]

    def update(
        self, name: str, query: Mapping[str, Any], update: Mapping[str, Any], multi: bool
    ) -> tuple[int, int]:
        self._check_active()
        self._store.get(name)
        key = id_key(query["_id"])
        doc = self._read(name, key)
        if doc is None:
            return 0, 0
        new = compile_update(update)(doc)
        self._write(name, key, new)
        return 1, int(changed(new, doc))

    def replace(self, name: str, key: Any, doc: Document) -> tuple[int, int]:
        self._check_active()
        self._store.get(name)
        key = id_key(key)
        existed = self._read(name, key) is not None
        self._write(name, key, doc)
        return (1, 0) if existed else (0, 1)

    def remove(self, name: str, query: Mapping[str, Any], multi: bool) -> int:
        self._check_active()
        self._store.get(name)
        key = id_key(query["_id"])
        if self._read(name, key) is None:
            return 0
        self._write(name, key, _DELETED)
        return 1

    # --- ending -------------------------------------------------------------------------

    def _close(self, state: str) -> None:
        self._state = state
        self._store.watchers.discard(self)
        claims = self._store.claims
        for key in self._writes:
            if claims.get(key) is self:
                del claims[key]

    def _check_open(self, api: str) -> None:
        if self._expire_if_due():
            raise api_failure(api, self._expired_message())
        if self._state != "active":
            raise api_failure(api, f"transaction {self.id} is already {self._state}")

    def commit(self) -> dict[str, Any]:
        """Apply every buffered write at once, or none (conflict)."""
        store = self._store
        with store.lock:
            self._check_open("commitTransaction")
            conflicted = any(key in self._preimages for key in self._writes)
            if self._runtime.forced_conflicts > 0:
                self._runtime.forced_conflicts -= 1
                conflicted = True
            if conflicted:
                self._close("aborted")
                raise conflict_error("commitTransaction")
            self._close("committed")
            for (name, key), doc in self._writes.items():
                if name not in store.collections:
                    continue  # dropped meanwhile: nothing to write into
                if doc is _DELETED:
                    if key in store.collections[name]:
                        store.delete(name, key)
                else:
                    store.put(name, key, doc)
        return {"requestId": self._runtime.request_id()}

    def rollback(self, reason: Any = None) -> dict[str, Any]:
        with self._store.lock:
            self._check_open("abortTransaction")
            self.abort_reason = reason
            self._close("aborted")
            self._writes.clear()
        return {"requestId": self._runtime.request_id()}


def run_transaction(database: Database, fn: Callable[[Transaction], Any], times: int = 3) -> Any:
    """Run ``fn(tx)``, commit, return its value; retry on conflict, ``times`` more attempts at most."""
    attempts_left = times
    while True:
        tx = database.start_transaction()
        try:
            result = fn(tx)
            if hasattr(result, "__await__"):
                getattr(result, "close", lambda: None)()  # no "never awaited" warning on top
                tx.rollback()
                raise TypeError(
                    "run_transaction got a coroutine: the Python API is synchronous, so pass a "
                    "plain function (call the database without await inside it)"
                )
            if tx.state == "aborted":
                raise _rollback_reason(tx.abort_reason)
            tx.commit()
            return result
        except CloudSDKError as exc:
            if tx.state == "active":
                tx.rollback()
            if exc.code == CONFLICT_CODE and attempts_left > 0:
                attempts_left -= 1
                continue
            raise
        except BaseException:
            if tx.state == "active":
                tx.rollback()
            raise


def _rollback_reason(reason: Any) -> BaseException:
    if isinstance(reason, BaseException):
        return reason
    return TransactionRollback(reason)
