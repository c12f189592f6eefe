"""The client database face: ``cloud.client(alice).database()``, what wx.cloud.database() is in
alice's mini program.

It reuses the server SDK's builders for validation and serialization (``Query.plan()``,
``serialize_update``), applies the client's own rules (20/20 limits, ``_openid`` stamped on add and
protected on update, the ``'{openid}'`` placeholder, no transactions, base-library gates), asks
``cloud.permissions`` for a grant, and only then calls the database service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..database.aggregate.builder import Aggregate
from ..database.api import CollectionReference, Database, Query
from ..database.serialize import check_update_data, contains_command, serialize_update
from ..database.values import MISSING, to_caller
from ..errors import (
    CloudSDKError,
    DatabaseError,
    SDKTypeError,
    SDKUsageError,
    api_failure,
    assertion_error,
)
from .authorize import Grant, Request

if TYPE_CHECKING:
    from .client import Client

#: wx.cloud's limit: default and maximum documents per get() (WX-LIMIT)
CLIENT_LIMIT = 20
#: base-library versions that gate client APIs (WX-UPD, WX-AGG)
QUERY_WRITES_SINCE = (2, 9, 4)
AGGREGATE_SINCE = (2, 7, 4)
SERVER_ONLY = {
    "run_transaction": "transactions",
    "start_transaction": "transactions",
    "create_collection": "createCollection",
}


def backend_error(exc: DatabaseError) -> CloudSDKError:
    """A backend failure as the client shows it: ``errCode: <n> <text> | errMsg: <message>``."""
    return assertion_error(exc.detail, exc.err_code)


def _openid_error() -> CloudSDKError:
    return assertion_error("invalid key name: _openid", -501007)


class ClientDatabase:
    """``wx.cloud.database()`` for one client. No transactions: "仅可在云函数中使用"."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._builders = Database(client.cloud.database_service)
        self.command = self._builders.command
        self.Geo = self._builders.Geo

    def __getattr__(self, name: str) -> Any:
        if name in SERVER_ONLY:
            raise AttributeError(
                f"the mini-program database has no {name}: {SERVER_ONLY[name]} are only "
                "available in cloud functions (cloud.database())"
            )
        raise AttributeError(name)

    def collection(self, name: str) -> ClientCollection:
        return ClientCollection(self._client, self._builders.collection(name))

    def server_date(self, offset: int | float = 0) -> Any:
        return self._builders.server_date(offset)

    def RegExp(self, regexp: Any = MISSING, options: str = "") -> Any:
        return self._builders.RegExp(regexp, options)


class ClientQuery:
    """``where / order_by / skip / limit / field`` and their operations, checked first."""

    def __init__(self, client: Client, inner: Query, limit: int | None = None) -> None:
        self._client = client
        self._inner = inner
        self._limit = limit

    def _with(self, inner: Query, limit: int | None = None) -> ClientQuery:
        return ClientQuery(self._client, inner, self._limit if limit is None else limit)

    def where(self, condition: Any) -> ClientQuery:
        return self._with(self._inner.where(condition))

    def order_by(self, field_path: str, direction: str = MISSING) -> ClientQuery:
        return self._with(self._inner.order_by(field_path, direction))

    def skip(self, offset: int) -> ClientQuery:
        return self._with(self._inner.skip(offset))

    def limit(self, max_count: int) -> ClientQuery:
        inner = self._inner.limit(max_count)
        return self._with(inner, abs(int(max_count)))

    def field(self, projection: Mapping[str, Any]) -> ClientQuery:
        return self._with(self._inner.field(projection))

    @property
    def _name(self) -> str:
        return self._inner.name

    def _client_limit(self) -> int:
        requested = self._limit or CLIENT_LIMIT
        if requested <= CLIENT_LIMIT:
            return requested
        if self._client.cloud.permissions.options.client_limit == "clamp":
            return CLIENT_LIMIT
        raise assertion_error(
            f"limit({requested}) exceeds the mini program's maximum of {CLIENT_LIMIT} documents "
            "per get(); page with skip(), or query from a cloud function (limit up to 1000). "
            "(Whether production errs or clamps is unconfirmed: "
            "cloud.permissions.configure(client_limit='clamp') clamps.)",
            -501007,
        )

    def _query(self) -> dict[str, Any]:
        return self._client.substitute(self._inner.plan().query)

    def get(self) -> dict[str, Any]:
        plan = self._inner.plan()
        limit = self._client_limit()
        query = self._client.substitute(plan.query)
        grant = self._client.grant(Request("collection.get", "read", plan.collection, query))
        found = self._client.run(
            lambda s: s.find(
                plan.collection,
                grant.query,
                order=plan.order,
                skip=plan.skip,
                limit=limit,
                projection=plan.projection,
            )
        )
        return {"data": [to_caller(d) for d in found], "errMsg": "collection.get:ok"}

    def count(self) -> dict[str, Any]:
        name = self._name
        grant = self._client.grant(Request("collection.count", "read", name, self._query()))
        total = self._client.run(lambda s: s.count(name, grant.query))
        return {"total": total, "errMsg": "collection.count:ok"}

    def update(self, data: Any = MISSING) -> dict[str, Any]:
        self._client.require(QUERY_WRITES_SINCE, "query.update")
        api = "collection.update"
        data = check_update_data(api, data)
        ops = _update_ops(api, data, self._client)
        name = self._name
        grant = self._client.grant(Request(api, "update", name, self._query(), data=data))
        result = self._client.run(lambda s: s.update(name, grant.query, ops, multi=True))
        updated = self._client.cloud.database_service.stats_updated(result)
        return {"stats": {"updated": updated}, "errMsg": "collection.update:ok"}

    def remove(self) -> dict[str, Any]:
        self._client.require(QUERY_WRITES_SINCE, "query.remove")
        name = self._name
        grant = self._client.grant(Request("collection.remove", "delete", name, self._query()))
        removed = self._client.run(lambda s: s.remove(name, grant.query, multi=True))
        return {"stats": {"removed": removed}, "errMsg": "collection.remove:ok"}


def _update_ops(api: str, data: Mapping[str, Any], client: Client) -> dict[str, Any]:
    try:
        ops = serialize_update(data, client.cloud.clock.now)
    except (SDKUsageError, SDKTypeError) as exc:
        raise assertion_error(str(exc), -501007) from None
    for fields in ops.values():
        paths = fields if isinstance(fields, Mapping) else {}
        if any(p == "_openid" or str(p).startswith("_openid.") for p in paths):
            raise _openid_error()
    return ops


class ClientCollection(ClientQuery):
    def __init__(self, client: Client, inner: CollectionReference) -> None:
        super().__init__(client, inner)
        self._reference = inner

    @property
    def name(self) -> str:
        return self._reference.name

    def doc(self, doc_id: str | int) -> ClientDocument:
        self._reference.doc(doc_id)  # the SDK's argument check
        return ClientDocument(self._client, self.name, doc_id)

    def add(self, data: Any = MISSING) -> dict[str, Any]:
        """One document; ``_openid`` is the caller's (stamped, never taken from the data)."""
        api = "collection.add"
        if data is MISSING:
            raise api_failure(api, "Cannot read properties of undefined (reading 'data')")
        if not isinstance(data, Mapping):
            raise assertion_error(f"the document to add must be an object, got {data!r}", -501007)
        document = self._client.stamp(self.name, data)
        self._client.grant(Request(api, "create", self.name, {}, data=document, document=document))
        ids = self._client.run(lambda s: s.insert(self.name, [document]))
        return {"_id": ids[0], "errMsg": "collection.add:ok"}

    def aggregate(self) -> Aggregate:
        self._client.require(AGGREGATE_SINCE, "collection.aggregate")
        return Aggregate(_AggregateRunner(self._client), self.name)


class _AggregateRunner:
    """What the aggregate builder calls on ``end()``: the check, then the service."""

    def __init__(self, client: Client) -> None:
        self._client = client
        self._now = client.cloud.clock.now

    def _execute_aggregate(self, collection: str, stages: list[Any]) -> dict[str, Any]:
        first = stages[0] if stages else {}
        match = first.get("$match") if isinstance(first, Mapping) else None
        query = self._client.substitute(match) if isinstance(match, Mapping) else {}
        grant = self._client.grant(Request("collection.aggregate", "read", collection, query))
        pipeline = list(stages)
        if isinstance(match, Mapping):
            pipeline[0] = {"$match": query}
        added = grant.decision.added_filter
        if added:
            pipeline.insert(0, {"$match": dict(added)})
        found = self._client.run(lambda s: s.aggregate(collection, pipeline))
        return {"list": [to_caller(d) for d in found], "errMsg": "collection.aggregate:ok"}


class ClientDocument:
    """``collection.doc(id)`` in the mini program."""

    def __init__(
        self, client: Client, name: str, doc_id: Any, projection: Mapping[str, Any] | None = None
    ) -> None:
        self._client = client
        self._name = name
        self._id = doc_id
        self._projection = projection

    @property
    def id(self) -> Any:
        return self._id

    def field(self, projection: Mapping[str, Any]) -> ClientDocument:
        return ClientDocument(self._client, self._name, self._id, projection)

    def _request(self, api: str, kind: str, **extra: Any) -> Grant:
        return self._client.grant(
            Request(api, kind, self._name, {"_id": self._id}, doc_id=self._id, **extra)
        )

    def get(self) -> dict[str, Any]:
        api = "document.get"
        grant = self._request(api, "read")
        projection = dict(self._projection) if self._projection else None
        found = self._client.run(
            lambda s: s.find(self._name, grant.query, limit=1, projection=projection)
        )
        if not found:
            raise api_failure(api, f"document with _id {self._id} does not exist")
        return {"data": to_caller(found[0]), "errMsg": "document.get:ok"}

    def update(self, data: Any = MISSING) -> dict[str, Any]:
        api = "document.update"
        data = check_update_data(api, data)
        ops = _update_ops(api, data, self._client)
        grant = self._request(api, "update", data=data)
        result = self._client.run(lambda s: s.update(self._name, grant.query, ops, multi=False))
        updated = self._client.cloud.database_service.stats_updated(result)
        return {"stats": {"updated": updated}, "errMsg": "document.update:ok"}

    def remove(self) -> dict[str, Any]:
        api = "document.remove"
        grant = self._request(api, "delete")
        removed = self._client.run(lambda s: s.remove(self._name, grant.query, multi=False))
        return {"stats": {"removed": removed}, "errMsg": "document.remove:ok"}

    def set(self, data: Any = MISSING) -> dict[str, Any]:
        """Replace (or create) the document; it stays (or becomes) the caller's."""
        api = "document.set"
        data = check_update_data(api, data)
        if contains_command(data):
            raise assertion_error("update operator complicit", -502001)
        document = {"_id": self._id, **self._client.stamp(self._name, data)}
        self._request(api, "set", data=document, document=document)
        result = self._client.run(lambda s: s.replace(self._name, self._id, document))
        return {
            "_id": self._id,
            "errMsg": "document.set:ok",
            "stats": {"updated": result.updated, "created": result.created},
        }


__all__ = ["CLIENT_LIMIT", "ClientCollection", "ClientDatabase", "ClientDocument", "ClientQuery"]
