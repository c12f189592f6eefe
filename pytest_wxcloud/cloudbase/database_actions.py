"""``database.*`` actions: the CloudBase protocol's database calls on the database service.

Bodies as @cloudbase/database 1.4.x sends them (sdk.md §4.2, node-runtime.md §2.2) and the reply
each SDK call reads: ``data.list`` of EJSON strings, ``data.total``, ``data.insertedIds``,
``data.updated`` (+ ``upsert_id`` when ``doc.set`` created), ``data.deleted``, a top-level
``transactionId``. ``updated`` counts like the SDK face's ``stats.updated`` (the cloud's
``updated_counts`` option), so both faces agree.
"""

from __future__ import annotations

from typing import Any

from ..database.api import DEFAULT_LIMIT, MAX_LIMIT
from ..database.service import DatabaseService
from .request import Action, AdminRequest
from .wire import (
    BadRequest,
    bool_field,
    documents_out,
    ejson_field,
    int_field,
    object_field,
    string_field,
)


def _service(request: AdminRequest) -> DatabaseService:
    return request.cloud.database_service


def _transaction(request: AdminRequest) -> str | None:
    value = request.body.get("transactionId")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadRequest(f"transactionId must be a string, got {value!r}")
    return value


def _query(request: AdminRequest) -> dict[str, Any]:
    query = object_field(request.body, "query", request.cloud.clock.now)
    if request.body.get("queryType", "WHERE") == "DOC" and "_id" not in query:
        raise BadRequest(f'queryType DOC needs a query {{"_id": …}}, got {query!r}')
    return query


def _in_transaction_by_id(request: AdminRequest, query: dict[str, Any]) -> str | None:
    """Inside a transaction only single-document operations run (sdk.md §3.11)."""
    transaction = _transaction(request)
    if transaction is not None and (request.body.get("queryType") != "DOC" or "_id" not in query):
        raise BadRequest(
            "inside a transaction only single-document operations (queryType DOC) are allowed"
        )
    return transaction


def _order(request: AdminRequest) -> list[tuple[str, int]]:
    order = object_field(request.body, "order", request.cloud.clock.now)
    pairs = []
    for field, direction in order.items():
        if direction not in (1, -1) or isinstance(direction, bool):
            raise BadRequest(f"order: direction of {field!r} must be 1 or -1, got {direction!r}")
        pairs.append((field, int(direction)))
    return pairs


def get_document(request: AdminRequest) -> dict[str, Any]:
    body = request.body
    query = _query(request)
    limit = abs(int_field(body, "limit", DEFAULT_LIMIT)) or DEFAULT_LIMIT
    projection = ejson_field(body, "projection", request.cloud.clock.now)
    if projection is not None and not isinstance(projection, dict):
        raise BadRequest(f"projection must hold a JSON object, got {projection!r}")
    found = _service(request).find(
        string_field(body, "collectionName"),
        query,
        order=_order(request),
        skip=int_field(body, "offset", 0),
        limit=min(limit, MAX_LIMIT),
        projection=projection or None,
        transaction=_transaction(request),
    )
    return {"data": {"list": documents_out(found)}}


def calculate_document(request: AdminRequest) -> dict[str, Any]:
    total = _service(request).count(string_field(request.body, "collectionName"), _query(request))
    return {"data": {"total": total}}


def insert_document(request: AdminRequest) -> dict[str, Any]:
    body = request.body
    texts = body.get("data")
    if not isinstance(texts, list) or not texts:
        raise BadRequest(f"data must be a non-empty list of EJSON document strings, got {texts!r}")
    docs = []
    for index, text in enumerate(texts):
        doc = ejson_field({"data": text}, "data", request.cloud.clock.now)
        if not isinstance(doc, dict):
            raise BadRequest(f"data[{index}] must hold a JSON object, got {doc!r}")
        docs.append(doc)
    ids = _service(request).insert(
        string_field(body, "collectionName"), docs, transaction=_transaction(request)
    )
    return {"data": {"insertedIds": ids}}


def modify_document(request: AdminRequest) -> dict[str, Any]:
    """``merge: true`` applies update operators (``doc.update``, ``where.update``);
    ``merge: false`` replaces the document, creating it with ``upsert: true`` (``doc.set``)."""
    body = request.body
    name = string_field(body, "collectionName")
    query = _query(request)
    data = object_field(body, "data", request.cloud.clock.now)
    service = _service(request)
    transaction = _in_transaction_by_id(request, query) if _transaction(request) else None
    if bool_field(body, "merge", True):
        if not data or not all(key.startswith("$") for key in data):
            raise BadRequest(
                f"with merge: true, data must hold update operators ($set, $inc, …), got {data!r}"
            )
        result = service.update(
            name, query, data, multi=bool_field(body, "multi", False), transaction=transaction
        )
        updated = service.stats_updated(result)
        return {"data": {"updated": updated}}
    if body.get("queryType") != "DOC" or not bool_field(body, "upsert", False):
        raise BadRequest("merge: false (a replacement) needs queryType DOC and upsert: true")
    if any(key.startswith("$") for key in data):
        raise BadRequest(f"a replacement document must not hold update operators, got {data!r}")
    replaced = service.replace(name, query["_id"], data, transaction=transaction)
    reply: dict[str, Any] = {"updated": replaced.updated}
    if replaced.upserted_id is not None:
        if transaction is None:
            reply["upsert_id"] = replaced.upserted_id
        else:  # what a transaction answers instead; the SDK then reports created: 0
            reply["upserted"] = [{"index": 0, "_id": replaced.upserted_id}]
    return {"data": reply}


def remove_document(request: AdminRequest) -> dict[str, Any]:
    body = request.body
    query = _query(request)
    transaction = _in_transaction_by_id(request, query) if _transaction(request) else None
    deleted = _service(request).remove(
        string_field(body, "collectionName"),
        query,
        multi=bool_field(body, "multi", False),
        transaction=transaction,
    )
    return {"data": {"deleted": deleted}}


def aggregate_documents(request: AdminRequest) -> dict[str, Any]:
    body = request.body
    raw = body.get("stages")
    if not isinstance(raw, list):
        raise BadRequest(f"stages must be a list of {{stageKey, stageValue}}, got {raw!r}")
    stages = []
    for index, stage in enumerate(raw):
        key = stage.get("stageKey") if isinstance(stage, dict) else None
        if not isinstance(key, str) or not key.startswith("$"):
            raise BadRequest(f'stages[{index}] needs a stageKey like "$match", got {stage!r}')
        value = ejson_field(stage, "stageValue", request.cloud.clock.now)
        stages.append({key: value})
    found = _service(request).aggregate(string_field(body, "collectionName"), stages)
    return {"data": {"list": documents_out(found)}}


def add_collection(request: AdminRequest) -> dict[str, Any]:
    _service(request).create_collection(string_field(request.body, "collectionName"))
    return {}


def start_transaction(request: AdminRequest) -> dict[str, Any]:
    return {"transactionId": _service(request).start_transaction().id}


def commit_transaction(request: AdminRequest) -> dict[str, Any]:
    _service(request).commit_transaction(string_field(request.body, "transactionId"))
    return {}


def abort_transaction(request: AdminRequest) -> dict[str, Any]:
    _service(request).abort_transaction(string_field(request.body, "transactionId"))
    return {}


ACTIONS: dict[str, Action] = {
    "database.getDocument": get_document,
    "database.calculateDocument": calculate_document,
    "database.insertDocument": insert_document,
    "database.modifyDocument": modify_document,
    "database.removeDocument": remove_document,
    "database.aggregateDocuments": aggregate_documents,
    "database.addCollection": add_collection,
    "database.startTransaction": start_transaction,
    "database.commitTransaction": commit_transaction,
    "database.abortTransaction": abort_transaction,
}

__all__ = ["ACTIONS"]
