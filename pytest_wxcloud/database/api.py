"""The SDK-shaped database API: ``cloud.database()`` as a cloud function sees it.

Builders are immutable (each call returns a new object) and validate their arguments at once
with the SDK's messages; operations serialize the condition exactly as wx-server-sdk does, run
it on the engine under the store lock, and shape the result or error with WeChat's keys.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import (
    DatabaseError,
    SDKTypeError,
    SDKUsageError,
    api_error,
    api_failure,
    to_api_error,
)
from . import aggregate as _aggregate  # noqa: F401 - registers the $expr evaluator
from .commands import Command
from .engine import Engine
from .guard import InputShapeError, check_input
from .names import collection_name_problem, shown
from .serialize import (
    check_update_data,
    contains_command,
    serialize_projection,
    serialize_update,
    serialize_where,
)
from .store import Document, Store
from .values import MISSING, Geo, RegExp, ServerDate, to_caller, to_stored

if TYPE_CHECKING:
    from .aggregate.builder import Aggregate
    from .transaction import Transaction

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
AGGREGATE_DEFAULT_LIMIT = 20


class RemoveOptionsWarning(UserWarning):
    """``remove()`` ignores skip/limit/orderBy/field, as the SDK warns on the console."""


class Runtime:
    """What a :class:`Database` needs from its cloud: store, clock, id sources, defaults."""

    def __init__(
        self,
        store: Store,
        now: Callable[[], datetime],
        new_id: Callable[[], str],
        request_id: Callable[[], str],
        rng: Callable[[], Any],
        count_matched: bool = False,
    ) -> None:
        self.store = store
        self.engine = Engine(store)
        self.now = now
        self.new_id = new_id
        self.request_id = request_id
        self.rng = rng
        #: ``stats.updated`` counts matched documents instead of changed ones
        self.count_matched = count_matched
        self.forced_conflicts = 0

    def updated(self, matched: int, modified: int) -> int:
        return matched if self.count_matched else modified


def _call(api: str, operation: Callable[[], Any]) -> Any:
    try:
        return operation()
    except DatabaseError as exc:
        raise to_api_error(api, exc) from None


def _stored(api: str, data: Any, now: Callable[[], datetime]) -> Any:
    """Caller data → stored form; unstorable input is rejected like a backend INVALID_PARAM."""
    try:
        return to_stored(data, now)
    except (SDKUsageError, SDKTypeError) as exc:
        raise api_error(api, -501007, str(exc)) from None


def _guarded(api: str, value: Any, path: str) -> None:
    """The shared input guard (depth, cycles, lone surrogates) as a backend INVALID_PARAM,
    before any recursive serializer sees the value."""
    try:
        check_input(value, path)
    except InputShapeError as exc:
        raise api_error(api, -501007, str(exc)) from None


def _integer(name: str, value: Any) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (isinstance(value, float) and not value.is_integer())
    ):
        raise SDKUsageError(f"{name}must be integer")
    return int(value)


class Database:
    """``cloud.database()``. Also the handle a transaction's collections run through."""

    Geo = Geo

    def __init__(
        self,
        runtime: Runtime,
        *,
        env: str | None = None,
        throw_on_not_found: bool = True,
        transaction: Transaction | None = None,
    ) -> None:
        self._runtime = runtime
        self.command = Command(runtime.now)
        self.env = env
        self.throw_on_not_found = throw_on_not_found
        self._transaction = transaction

    @property
    def _now(self) -> Callable[[], datetime]:
        return self._runtime.now

    def collection(self, name: str) -> CollectionReference:
        if not isinstance(name, str) or not name:
            raise SDKUsageError("Collection name is required")
        return CollectionReference(self, name)

    def create_collection(self, name: str) -> dict[str, Any]:
        if not isinstance(name, str) or not name:
            raise SDKUsageError("Collection name is required")
        problem = collection_name_problem(name, self.env or "")
        if problem is not None:
            raise api_error(
                "createCollection", -501007, f"invalid collection name {shown(name)}: {problem}"
            )
        request_id = self._runtime.request_id()
        if not self._runtime.store.create(name):
            raise api_failure(
                "createCollection",
                f"[ResourceInUse] Table exist. (collection {name!r} already exists)",
                code="DATABASE_COLLECTION_ALREADY_EXIST",
                request_id=request_id,
            )
        return {"errMsg": "createCollection:ok", "requestId": request_id}

    def server_date(self, offset: int | float = 0) -> ServerDate:
        return ServerDate(offset)

    def RegExp(self, regexp: Any = MISSING, options: str = "") -> RegExp:
        if not isinstance(regexp, str):
            raise SDKTypeError("regexp must be a string")
        return RegExp(regexp, options)

    # --- transactions -------------------------------------------------------------------

    def start_transaction(self) -> Transaction:
        from .transaction import Transaction

        return Transaction(self)

    def run_transaction(self, fn: Callable[[Transaction], Any], times: int = 3) -> Any:
        from .transaction import run_transaction

        return run_transaction(self, fn, times)

    # --- aggregation (called by the aggregate builder) ----------------------------------

    def _execute_aggregate(
        self, collection: str, stages: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        from .aggregate.stages import run_pipeline

        runtime = self._runtime
        with runtime.store.lock:
            try:
                docs = list(runtime.store.get(collection).values())
                result = run_pipeline(stages, docs, source=self._source, rng=runtime.rng())
            except DatabaseError as exc:
                raise _aggregate_error(exc, runtime.request_id()) from None
        if not any("$limit" in stage for stage in stages):
            result = result[:AGGREGATE_DEFAULT_LIMIT]
        return {"list": [to_caller(d) for d in result], "errMsg": "collection.aggregate:ok"}

    def _source(self, name: str) -> list[Document]:
        return list(self._runtime.store.get(name).values())


def _aggregate_error(exc: DatabaseError, request_id: str) -> Exception:
    """aggregate().end() failures take the SDK's "Error instance" path: errCode -1 (sdk.md §3.4)."""
    from ..errors import TCB_ERR_CODE, UnknownOperatorError, UnsupportedOperatorSDKError

    code = next(
        (name for name, number in TCB_ERR_CODE.items() if number == exc.err_code), "SYS_ERR"
    )
    if isinstance(exc, UnknownOperatorError):
        return UnsupportedOperatorSDKError(
            -1, f"collection.aggregate:fail {exc.detail}", code=code, request_id=request_id
        )
    failure = api_failure("collection.aggregate", exc.detail, code=code, request_id=request_id)
    failure.message += exc.hint
    return failure


def _engine_of(db: Database) -> Any:
    """The open transaction when there is one (it offers the engine's methods), else the store's
    engine: one code path per operation either way."""
    tx = db._transaction
    return tx if tx is not None else db._runtime.engine


def _check_projection(projection: Any) -> None:
    if not isinstance(projection, Mapping):
        raise SDKUsageError(f"field() takes an object like {{'title': True}}, got {projection!r}")


class Query:
    """``where / order_by / skip / limit / field`` and the operations on their result."""

    __slots__ = ("_condition", "_db", "_limit", "_name", "_order", "_projection", "_skip")

    def __init__(
        self,
        db: Database,
        name: str,
        condition: Any = None,
        order: tuple[tuple[str, int], ...] = (),
        skip: int = 0,
        limit: int = 0,
        projection: Mapping[str, Any] | None = None,
    ) -> None:
        self._db = db
        self._name = name
        self._condition = condition
        self._order = order
        self._skip = skip
        self._limit = limit
        self._projection = projection

    def _copy(self, **changes: Any) -> Query:
        fields = {
            "condition": self._condition,
            "order": self._order,
            "skip": self._skip,
            "limit": self._limit,
            "projection": self._projection,
        }
        fields.update(changes)
        return Query(self._db, self._name, **fields)

    # --- builders -----------------------------------------------------------------------

    def where(self, condition: Any) -> Query:
        """Replaces any earlier condition (the SDK does not AND chained ``where`` calls)."""
        from .commands import ExprCommand, LogicCommand

        if isinstance(condition, (LogicCommand, ExprCommand)):
            return self._copy(condition=condition)
        if not isinstance(condition, Mapping):
            raise SDKUsageError("查询参数必须为对象")
        if condition and all(v is MISSING for v in condition.values()):
            raise SDKUsageError("查询参数对象值不能均为undefined")
        return self._copy(condition=condition)

    def order_by(self, field_path: str, direction: str = MISSING) -> Query:
        """Accumulates: a repeated field keeps its first position and takes the last direction.

        The direction is required, as in the SDK (``orderBy('price')`` throws there too)."""
        if direction not in ("asc", "desc"):
            raise SDKUsageError("排序字符不合法")
        if (
            not isinstance(field_path, str)
            or not field_path
            or not (field_path[0].isascii() and (field_path[0].isalnum() or field_path[0] in "-_."))
        ):
            raise SDKUsageError(
                f"order_by: invalid field path {field_path!r} (the SDK throws an Error with an "
                "empty message; a field path must start with a letter, digit, '-', '_' or '.')"
            )
        sign = 1 if direction == "asc" else -1
        order = dict(self._order)
        order[field_path] = sign
        return self._copy(order=tuple(order.items()))

    def skip(self, offset: int) -> Query:
        return self._copy(skip=_integer("offset", offset))

    def limit(self, max_count: int) -> Query:
        return self._copy(limit=_integer("limit", max_count))

    def field(self, projection: Mapping[str, Any]) -> Query:
        _check_projection(projection)
        return self._copy(projection=projection)

    # --- helpers ------------------------------------------------------------------------

    def _query(self, api: str) -> dict[str, Any]:
        _guarded(api, self._order, "orderBy")
        if self._condition is None:
            return {}
        _guarded(api, self._condition, "where")
        return serialize_where(self._condition, self._db._now)

    def _effective_limit(self) -> int:
        limit = abs(self._limit)
        if limit == 0:
            return DEFAULT_LIMIT
        return min(limit, MAX_LIMIT)

    def _bypass(self, api: str) -> Any:
        """where().update/remove and count() run outside any transaction (sdk.md §3.11)."""
        if self._db._transaction is not None:
            warnings.warn(
                f"{api} inside a transaction runs outside it, as wx-server-sdk sends it without the "
                "transaction id: a rollback will not undo it (sdk.md §3.11)",
                UserWarning,
                stacklevel=3,
            )
        return self._db._runtime.engine

    # --- operations ---------------------------------------------------------------------

    def get(self) -> dict[str, Any]:
        if self._skip < 0:
            raise api_error(
                "collection.get", -501007, f"skip must be a non-negative integer, got {self._skip}"
            )
        query = self._query("collection.get")
        projection = _projection("collection.get", self._projection, self._db._now)
        engine = _engine_of(self._db)
        runtime = self._db._runtime
        with runtime.store.lock:
            found = _call(
                "collection.get",
                lambda: engine.find(
                    self._name, query, self._order, self._skip, self._effective_limit(), projection
                ),
            )
            data = [to_caller(d) for d in found]
        return {"data": data, "errMsg": "collection.get:ok"}

    def count(self) -> dict[str, Any]:
        query = self._query("collection.count")
        engine = self._bypass("collection.count")
        with self._db._runtime.store.lock:
            total = _call("collection.count", lambda: engine.count(self._name, query))
        return {"total": total, "errMsg": "collection.count:ok"}

    def update(self, data: Any = MISSING, multi: bool = True) -> dict[str, Any]:
        api = "collection.update"
        data = check_update_data(api, data)
        query = self._query(api)
        ops = _serialize_update(api, data, self._db._now)
        engine = self._bypass(api)
        with self._db._runtime.store.lock:
            matched, modified = _call(api, lambda: engine.update(self._name, query, ops, multi))
        updated = self._db._runtime.updated(matched, modified)
        return {"stats": {"updated": updated}, "errMsg": "collection.update:ok"}

    def remove(self, multi: bool = True) -> dict[str, Any]:
        if self._skip or self._limit or self._order or self._projection:
            warnings.warn(
                "`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation",
                RemoveOptionsWarning,
                stacklevel=2,
            )
        query = self._query("collection.remove")
        engine = self._bypass("collection.remove")
        with self._db._runtime.store.lock:
            removed = _call("collection.remove", lambda: engine.remove(self._name, query, multi))
        return {"stats": {"removed": removed}, "errMsg": "collection.remove:ok"}


def _serialize_update(
    api: str, data: Mapping[str, Any], now: Callable[[], datetime]
) -> dict[str, Any]:
    _guarded(api, data, "data")
    try:
        return serialize_update(data, now)
    except (SDKUsageError, SDKTypeError) as exc:
        raise api_error(api, -501007, str(exc)) from None


def _projection(
    api: str, projection: Mapping[str, Any] | None, now: Callable[[], datetime]
) -> dict[str, Any] | None:
    if not projection:
        return None
    _guarded(api, projection, "field")
    return serialize_projection(projection, now)


class CollectionReference(Query):
    """``db.collection(name)``: a query over the whole collection, plus doc/add/aggregate."""

    __slots__ = ()

    def __init__(self, db: Database, name: str) -> None:
        super().__init__(db, name)

    @property
    def name(self) -> str:
        return self._name

    def doc(self, doc_id: str | int) -> DocumentReference:
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int, float)):
            raise SDKUsageError("docId必须为字符串或数字")
        return DocumentReference(self._db, self._name, doc_id)

    def add(self, data: Any = MISSING) -> dict[str, Any]:
        """One document → ``{_id}``; a list (server SDK batch add) → ``{_ids}``."""
        api = "collection.add"
        if data is MISSING:
            raise api_failure(api, "Cannot read properties of undefined (reading 'data')")
        runtime = self._db._runtime
        batch = isinstance(data, (list, tuple))
        items = list(data) if batch else [data]
        docs = []
        for item in items:
            if not isinstance(item, Mapping):
                raise api_error(api, -501007, f"each document must be an object, got {item!r}")
            doc = _stored(api, item, runtime.now)
            if "_id" not in doc:
                doc = {"_id": runtime.new_id(), **doc}
            docs.append(doc)
        engine = _engine_of(self._db)
        with runtime.store.lock:
            ids = _call(api, lambda: engine.insert(self._name, docs))
        if batch:
            return {"_ids": ids, "errMsg": "collection.add:ok"}
        return {"_id": ids[0], "errMsg": "collection.add:ok"}

    def aggregate(self) -> Aggregate:
        from .aggregate.builder import Aggregate

        return Aggregate(self._db, self._name)


class DocumentReference:
    """``collection.doc(id)``."""

    __slots__ = ("_db", "_id", "_name", "_projection")

    def __init__(
        self,
        db: Database,
        name: str,
        doc_id: str | int | float,
        projection: Mapping[str, Any] | None = None,
    ) -> None:
        self._db = db
        self._name = name
        self._id = doc_id
        self._projection = projection

    @property
    def id(self) -> str | int | float:
        return self._id

    def field(self, projection: Mapping[str, Any]) -> DocumentReference:
        _check_projection(projection)
        return DocumentReference(self._db, self._name, self._id, projection)

    def get(self) -> dict[str, Any]:
        api = "document.get"
        _guarded(api, self._id, "_id")
        projection = _projection(api, self._projection, self._db._now)
        engine = _engine_of(self._db)
        with self._db._runtime.store.lock:
            found = _call(
                api, lambda: engine.find(self._name, {"_id": self._id}, (), 0, 1, projection)
            )
            data = to_caller(found[0]) if found else None
        if data is None and self._db.throw_on_not_found:
            raise api_failure(api, f"document with _id {self._id} does not exist")
        return {"data": data, "errMsg": "document.get:ok"}

    def set(self, data: Any = MISSING) -> dict[str, Any]:
        """Replaces the whole document (keeping ``_id``), creating it if missing."""
        api = "document.set"
        data = check_update_data(api, data)
        _guarded(api, self._id, "_id")
        _guarded(api, data, "data")
        if contains_command(data):
            raise api_error(api, -502001, "update operator complicit")
        runtime = self._db._runtime
        doc = {"_id": self._id, **_stored(api, data, runtime.now)}
        engine = _engine_of(self._db)
        with runtime.store.lock:
            updated, created = _call(api, lambda: engine.replace(self._name, self._id, doc))
        if self._db._transaction is not None:
            created = 0  # the backend answers upserted:[...] in a transaction (sdk.md §3.11)
        return {
            "_id": self._id,
            "errMsg": "document.set:ok",
            "stats": {"updated": updated, "created": created},
        }

    def update(self, data: Any = MISSING) -> dict[str, Any]:
        api = "document.update"
        data = check_update_data(api, data)
        _guarded(api, self._id, "_id")
        ops = _serialize_update(api, data, self._db._now)
        engine = _engine_of(self._db)
        with self._db._runtime.store.lock:
            matched, modified = _call(
                api, lambda: engine.update(self._name, {"_id": self._id}, ops, False)
            )
        updated = self._db._runtime.updated(matched, modified)
        return {"stats": {"updated": updated}, "errMsg": "document.update:ok"}

    def remove(self) -> dict[str, Any]:
        api = "document.remove"
        _guarded(api, self._id, "_id")
        engine = _engine_of(self._db)
        with self._db._runtime.store.lock:
            removed = _call(api, lambda: engine.remove(self._name, {"_id": self._id}, False))
        return {"stats": {"removed": removed}, "errMsg": "document.remove:ok"}


__all__ = [
    "AGGREGATE_DEFAULT_LIMIT",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CollectionReference",
    "Database",
    "DocumentReference",
    "Query",
    "RemoveOptionsWarning",
    "Runtime",
]
