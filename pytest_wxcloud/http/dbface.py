"""The database object a ``query`` string runs against over HTTP.

The query language interpreter replays the JS chain on the Python database API. The HTTP API
differs from that API in a few places, and those differences live here, in a thin wrapper the
interpreter cannot tell from the real ``Database``:

* a chain must end in the method its endpoint serves (``databasecount`` takes ``.count()``);
  anything else is rejected *before* it runs, so a wrong endpoint never writes;
* ``get()`` defaults to 10 records, refuses ``limit`` above the configured maximum and reports a
  ``pager`` whose ``Total`` counts every match, ignoring skip and limit;
* results use the HTTP field names: ``id_list``, ``matched``/``modified``/``id``, ``deleted``,
  ``count``, and ``data`` as a list of JSON strings (relaxed EJSON, canonical for aggregation);
* ``doc(id).get()`` of a missing document answers an empty ``data`` instead of failing.
"""

from __future__ import annotations

from typing import Any, Literal

from ..database import ejson
from ..database.values import MISSING
from .cloud_errors import invalid_parameter
from .options import DEFAULT_LIMIT, HttpOptions

Endpoint = Literal[
    "databasequery",
    "databasecount",
    "databaseadd",
    "databaseupdate",
    "databasedelete",
    "databaseaggregate",
]

#: which chain ending each endpoint accepts (http-api.md §4.4)
TERMINALS: dict[Endpoint, tuple[str, ...]] = {
    "databasequery": ("get",),
    "databasecount": ("count",),
    "databaseadd": ("add",),
    "databaseupdate": ("update", "set"),
    "databasedelete": ("remove",),
    "databaseaggregate": ("end",),
}


class Run:
    """One request's context: the endpoint and the options it runs under."""

    def __init__(self, endpoint: Endpoint, options: HttpOptions) -> None:
        self.endpoint = endpoint
        self.options = options

    def terminal(self, method: str) -> None:
        accepted = TERMINALS[self.endpoint]
        if method not in accepted:
            expected = " or ".join(f".{name}()" for name in accepted)
            raise invalid_parameter(
                f"{self.endpoint} runs a query ending in {expected}; this one ends in .{method}()"
            )


class HttpDatabase:
    """Stands in for ``cloud.database()``; everything but ``collection`` is the real database's."""

    def __init__(self, db: Any, run: Run) -> None:
        self._db = db
        self._run = run

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def collection(self, name: Any) -> HttpQuery:
        real = self._db.collection(name)
        return HttpQuery(self._run, real, real, real, None)


class HttpQuery:
    """``db.collection(name)[.where()…]``: the real builder, plus what the pager needs."""

    def __init__(
        self, run: Run, collection: Any, matching: Any, full: Any, limit: int | None, skip: int = 0
    ) -> None:
        self._run = run
        self._collection = collection
        self._matching = matching  # collection + where only: what Total and matched count
        self._full = full
        self._limit = limit
        self._skip = skip

    def _with(self, full: Any, **changes: Any) -> HttpQuery:
        values: dict[str, Any] = {
            "matching": self._matching,
            "limit": self._limit,
            "skip": self._skip,
        }
        values.update(changes)
        return HttpQuery(
            self._run, self._collection, values["matching"], full, values["limit"], values["skip"]
        )

    def where(self, condition: Any) -> HttpQuery:
        return self._with(self._full.where(condition), matching=self._collection.where(condition))

    def order_by(self, field: Any, direction: Any = MISSING) -> HttpQuery:
        # no default of our own: the SDK rejects orderBy(field) without a direction
        return self._with(self._full.order_by(field, direction))

    def skip(self, offset: Any) -> HttpQuery:
        return self._with(self._full.skip(offset), skip=offset)

    def limit(self, count: Any) -> HttpQuery:
        maximum = self._run.options.max_limit
        # the database reads limit(-n) as n, so the cap applies to the magnitude
        if isinstance(count, (int, float)) and not isinstance(count, bool) and abs(count) > maximum:
            raise invalid_parameter(
                f"MgoLimit 校验失败: limit({count}) is above the HTTP API maximum {maximum} "
                "(cloud.mock_http(max_limit=...) changes it)"
            )
        full = self._full.limit(count)
        # limit(0) is "no limit given": the HTTP default applies
        return self._with(full, limit=abs(int(count)) or None)

    def field(self, projection: Any) -> HttpQuery:
        return self._with(self._full.field(projection))

    def doc(self, doc_id: Any) -> HttpDocument:
        return HttpDocument(self._run, self._collection.doc(doc_id))

    def aggregate(self) -> HttpAggregate:
        return HttpAggregate(self._run, self._collection.aggregate())

    # ---------------------------------------------------------------- terminals

    def get(self) -> dict[str, Any]:
        self._run.terminal("get")
        limit = self._limit if self._limit is not None else DEFAULT_LIMIT
        full = self._full if self._limit is not None else self._full.limit(limit)
        records = full.documents()
        skipped = self._skip or 0
        if 0 < len(records) < limit or (not records and not skipped):
            total = skipped + len(records)  # a short page is the last one: no second scan needed
        else:
            total = self._matching.total()
        return {
            "pager": {"Offset": self._skip or 0, "Limit": limit, "Total": total},
            "data": _relaxed(records, self._run.options),
        }

    def count(self) -> dict[str, Any]:
        self._run.terminal("count")
        return {"count": self._matching.total()}

    def add(self, data: Any = None, **extra: Any) -> dict[str, Any]:
        self._run.terminal("add")
        result = self._collection.add(data=data, **extra)
        ids = result["_ids"] if "_ids" in result else [result["_id"]]
        return {"id_list": list(ids)}

    def update(self, data: Any = None, **extra: Any) -> dict[str, Any]:
        self._run.terminal("update")
        result = self._matching.update_result(data=data, **extra)
        return {"matched": result.matched, "modified": result.modified, "id": ""}

    def remove(self, **extra: Any) -> dict[str, Any]:
        self._run.terminal("remove")
        result = self._matching.remove(**extra)
        return {"deleted": result["stats"].get("removed", 0)}


class HttpDocument:
    """``db.collection(name).doc(id)`` with the HTTP result shapes."""

    def __init__(self, run: Run, document: Any) -> None:
        self._run = run
        self._document = document

    def field(self, projection: Any) -> HttpDocument:
        return HttpDocument(self._run, self._document.field(projection))

    def get(self) -> dict[str, Any]:
        self._run.terminal("get")
        record = self._document.get()["data"]
        records = [] if record is None else [record]
        return {
            "pager": {"Offset": 0, "Limit": 1, "Total": len(records)},
            "data": _relaxed(records, self._run.options),
        }

    def update(self, data: Any = None, **extra: Any) -> dict[str, Any]:
        self._run.terminal("update")
        result = self._document.update_result(data=data, **extra)
        return {"matched": result.matched, "modified": result.modified, "id": ""}

    def set(self, data: Any = None, **extra: Any) -> dict[str, Any]:
        self._run.terminal("set")
        result = self._document.set_result(data=data, **extra)
        created = result.upserted_id is not None
        return {
            "matched": result.updated,
            "modified": result.updated,
            "id": str(result.upserted_id) if created else "",
        }

    def remove(self, **extra: Any) -> dict[str, Any]:
        self._run.terminal("remove")
        result = self._document.remove(**extra)
        return {"deleted": result["stats"].get("removed", 0)}


class HttpAggregate:
    """``collection.aggregate()…end()``: stages pass through; ``end`` encodes canonically."""

    def __init__(self, run: Run, aggregate: Any) -> None:
        self._run = run
        self._aggregate = aggregate

    def __getattr__(self, stage: str) -> Any:
        method = getattr(self._aggregate, stage)

        def add_stage(*args: Any, **kwargs: Any) -> HttpAggregate:
            return HttpAggregate(self._run, method(*args, **kwargs))

        return add_stage

    def end(self) -> dict[str, Any]:
        self._run.terminal("end")
        records = self._aggregate.end()["list"]
        return {"data": [ejson.dumps(record, canonical=True) for record in records]}


def _relaxed(records: list[Any], options: HttpOptions) -> list[str]:
    date_format = options.query_date_format
    return [ejson.dumps(record, date_format=date_format) for record in records]


__all__ = ["TERMINALS", "Endpoint", "HttpDatabase", "Run"]
