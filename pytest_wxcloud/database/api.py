"""The SDK-shaped database API: ``cloud.database()`` as a cloud function sees it.

Builders are immutable (each call returns a new object) and validate their arguments at once
with the SDK's messages; operations serialize the condition exactly as wx-server-sdk does, run
it on the engine under the store lock, and shape the result or error with WeChat's keys.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
from .serialize import (
    check_update_data,
    contains_command,
    serialize_projection,
    serialize_update,
    serialize_where,
)
from .service import AGGREGATE_DEFAULT_LIMIT, DatabaseService, ReplaceResult, UpdateResult
from .store import Document, Store
from .values import MISSING, Geo, RegExp, ServerDate, to_caller

if TYPE_CHECKING:
    from .aggregate.builder import Aggregate
    from .transaction import Transaction

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class FindPlan:
    """A serialized query: what ``database.getDocument`` carries on the wire."""

    collection: str
    query: dict[str, Any]
    order: tuple[tuple[str, int], ...]
    skip: int
    limit: int
    projection: dict[str, Any] | None


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
        service: DatabaseService,
        *,
        env: str | None = None,
        throw_on_not_found: bool = True,
        transaction: Transaction | None = None,
    ) -> None:
        self._service = service
        self._runtime = service.runtime
        self.command = Command(service.now)
        self.env = env
        self.throw_on_not_found = throw_on_not_found
        self._transaction = transaction

    @property
    def _now(self) -> Callable[[], datetime]:
        return self._runtime.now

    @property
    def _transaction_id(self) -> str | None:
        return None if self._transaction is None else self._transaction.id

    def collection(self, name: str) -> CollectionReference:
        if not isinstance(name, str) or not name:
            raise SDKUsageError("Collection name is required")
        return CollectionReference(self, name)

    def create_collection(self, name: str) -> dict[str, Any]:
        if not isinstance(name, str) or not name:
            raise SDKUsageError("Collection name is required")
        request_id = self._runtime.request_id()
        try:
            self._service.create_collection(name)
        except DatabaseError as exc:
            if exc.err_code == -501007:  # refused before the backend: the SDK's mapped path
                raise to_api_error("createCollection", exc) from None
            # the backend's failure takes the SDK's Error-instance path: errCode -1 (sdk.md §3.4)
            raise api_failure(
                "createCollection", exc.detail, code=exc.code, request_id=request_id
            ) from None
        return {"errMsg": "createCollection:ok", "requestId": request_id}

    def server_date(self, offset: int | float = 0) -> ServerDate:
        return ServerDate(offset)

    def RegExp(self, regexp: Any = MISSING, options: str = "") -> RegExp:
        if not isinstance(regexp, str):
            raise SDKTypeError("regexp must be a string")
        return RegExp(regexp, options)

    # --- transactions -------------------------------------------------------------------

    def start_transaction(self) -> Transaction:
        return self._service.start_transaction(self)

    def run_transaction(self, fn: Callable[[Transaction], Any], times: int = 3) -> Any:
        from .transaction import run_transaction

        return run_transaction(self, fn, times)

    # --- aggregation (called by the aggregate builder) ----------------------------------

    def _execute_aggregate(
        self, collection: str, stages: Sequence[Mapping[str, Any]]
    ) -> dict[str, Any]:
        try:
            result = self._service.aggregate(collection, stages)
        except DatabaseError as exc:
            raise _aggregate_error(exc, self._runtime.request_id()) from None
        return {"list": [to_caller(d) for d in result], "errMsg": "collection.aggregate:ok"}


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

    @property
    def name(self) -> str:
        """The collection this query reads."""
        return self._name

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

    def plan(self) -> FindPlan:
        """This query as the SDK sends it: MongoDB form, ready for the database service. Faces
        built on the SDK's builders (the HTTP query language, the mini-program client) take it
        from here, so every face serializes exactly as the official builder does."""
        projection = _projection("collection.get", self._projection, self._db._now)
        return FindPlan(
            self._name,
            self._query("collection.get"),
            self._order,
            self._skip,
            self._effective_limit(),
            projection,
        )

    def _effective_limit(self) -> int:
        limit = abs(self._limit)
        if limit == 0:
            return DEFAULT_LIMIT
        return min(limit, MAX_LIMIT)

    def _bypass(self, api: str) -> None:
        """where().update/remove and count() run outside any transaction (sdk.md §3.11)."""
        if self._db._transaction is not None:
            warnings.warn(
                f"{api} inside a transaction runs outside it, as wx-server-sdk sends it without the "
                "transaction id: a rollback will not undo it (sdk.md §3.11)",
                UserWarning,
                stacklevel=4,
            )

    # --- operations ---------------------------------------------------------------------

    def get(self) -> dict[str, Any]:
        if self._skip < 0:
            raise api_error(
                "collection.get", -501007, f"skip must be a non-negative integer, got {self._skip}"
            )
        return {"data": [to_caller(d) for d in self.documents()], "errMsg": "collection.get:ok"}

    def documents(self) -> list[Document]:
        """The stored documents ``get()`` finds, in the backend's form (not copied: a face
        encodes or copies them before anyone can change them)."""
        plan = self.plan()
        db = self._db
        return _call(  # type: ignore[no-any-return]
            "collection.get",
            lambda: db._service.find(
                plan.collection,
                plan.query,
                order=plan.order,
                skip=plan.skip,
                limit=plan.limit,
                projection=plan.projection,
                transaction=db._transaction_id,
            ),
        )

    def count(self) -> dict[str, Any]:
        self._bypass("collection.count")
        return {"total": self.total(), "errMsg": "collection.count:ok"}

    def total(self) -> int:
        """How many documents match the condition (skip, limit and order ignored)."""
        query = self._query("collection.count")
        return _call("collection.count", lambda: self._db._service.count(self._name, query))  # type: ignore[no-any-return]

    def update(self, data: Any = MISSING, multi: bool = True) -> dict[str, Any]:
        self._bypass("collection.update")
        result = self.update_result(data, multi)
        updated = self._db._service.stats_updated(result)
        return {"stats": {"updated": updated}, "errMsg": "collection.update:ok"}

    def update_result(self, data: Any = MISSING, multi: bool = True) -> UpdateResult:
        """``update`` as the backend answers it (matched and modified), for faces that report
        both; always outside any transaction, as the SDK sends it."""
        api = "collection.update"
        data = check_update_data(api, data)
        query = self._query(api)
        ops = _serialize_update(api, data, self._db._now)
        service = self._db._service
        return _call(api, lambda: service.update(self._name, query, ops, multi=multi))  # type: ignore[no-any-return]

    def remove(self, multi: bool = True) -> dict[str, Any]:
        if self._skip or self._limit or self._order or self._projection:
            warnings.warn(
                "`offset`, `limit`, `projection`, `orderBy` are not supported in remove() operation",
                RemoveOptionsWarning,
                stacklevel=2,
            )
        query = self._query("collection.remove")
        self._bypass("collection.remove")
        service = self._db._service
        removed = _call("collection.remove", lambda: service.remove(self._name, query, multi=multi))
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

    def doc(self, doc_id: str | int) -> DocumentReference:
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int, float)):
            raise SDKUsageError("docId必须为字符串或数字")
        return DocumentReference(self._db, self._name, doc_id)

    def add(self, data: Any = MISSING) -> dict[str, Any]:
        """One document → ``{_id}``; a list (server SDK batch add) → ``{_ids}``."""
        api = "collection.add"
        if data is MISSING:
            raise api_failure(api, "Cannot read properties of undefined (reading 'data')")
        batch = isinstance(data, (list, tuple))
        items = list(data) if batch else [data]
        for item in items:
            if not isinstance(item, Mapping):
                raise api_error(api, -501007, f"each document must be an object, got {item!r}")
        db = self._db
        ids = _call(
            api, lambda: db._service.insert(self._name, items, transaction=db._transaction_id)
        )
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
        db = self._db
        _guarded(api, self._id, "_id")
        projection = _projection(api, self._projection, db._now)
        found = _call(
            api,
            lambda: db._service.find(
                self._name,
                {"_id": self._id},
                limit=1,
                projection=projection,
                transaction=db._transaction_id,
            ),
        )
        data = to_caller(found[0]) if found else None
        if data is None and db.throw_on_not_found:
            raise api_failure(api, f"document with _id {self._id} does not exist")
        return {"data": data, "errMsg": "document.get:ok"}

    def set(self, data: Any = MISSING) -> dict[str, Any]:
        """Replaces the whole document (keeping ``_id``), creating it if missing."""
        result = self.set_result(data)
        # the backend answers upserted:[...] in a transaction, so the SDK sees created 0 there
        created = 0 if self._db._transaction is not None else result.created
        return {
            "_id": self._id,
            "errMsg": "document.set:ok",
            "stats": {"updated": result.updated, "created": created},
        }

    def set_result(self, data: Any = MISSING) -> ReplaceResult:
        """``set`` as the backend answers it (updated, and the upserted id when it created)."""
        api = "document.set"
        data = check_update_data(api, data)
        _guarded(api, self._id, "_id")
        _guarded(api, data, "data")
        if contains_command(data):
            raise api_error(api, -502001, "update operator complicit")
        db = self._db
        return _call(  # type: ignore[no-any-return]
            api,
            lambda: db._service.replace(
                self._name, self._id, dict(data), transaction=db._transaction_id
            ),
        )

    def update(self, data: Any = MISSING) -> dict[str, Any]:
        updated = self._db._service.stats_updated(self.update_result(data))
        return {"stats": {"updated": updated}, "errMsg": "document.update:ok"}

    def update_result(self, data: Any = MISSING) -> UpdateResult:
        """``update`` as the backend answers it (matched and modified)."""
        api = "document.update"
        data = check_update_data(api, data)
        _guarded(api, self._id, "_id")
        db = self._db
        ops = _serialize_update(api, data, db._now)
        return _call(  # type: ignore[no-any-return]
            api,
            lambda: db._service.update(
                self._name, {"_id": self._id}, ops, multi=False, transaction=db._transaction_id
            ),
        )

    def remove(self) -> dict[str, Any]:
        db = self._db
        _guarded("document.remove", self._id, "_id")
        removed = _call(
            "document.remove",
            lambda: db._service.remove(
                self._name, {"_id": self._id}, multi=False, transaction=db._transaction_id
            ),
        )
        return {"stats": {"removed": removed}, "errMsg": "document.remove:ok"}


__all__ = [
    "AGGREGATE_DEFAULT_LIMIT",
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "CollectionReference",
    "Database",
    "DocumentReference",
    "FindPlan",
    "Query",
    "RemoveOptionsWarning",
    "Runtime",
]
