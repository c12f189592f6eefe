"""databasecollectionadd / delete / get and updateindex (http-api.md §3.8, §3.10).

Indexes are recorded (they show in ``index_count``) but not enforced: the in-memory engine needs
none to answer queries. Every collection has the implicit ``_id_`` index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..database.bson_size import document_size
from ..database.service import COLLECTION_EXISTS_CODE
from ..errors import DatabaseError
from .cloud_errors import collection_not_exist
from .incoming import optional_int, required_string, tcb_body
from .wire import ApiError

if TYPE_CHECKING:
    from .router import Handler, HttpFace

#: bytes reported per index (the live value depends on the storage engine; unconfirmed)
INDEX_BYTES = 16384
_DIRECTIONS = ("1", "-1", "2dsphere")


def collection_add(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    name = required_string(body, "collection_name")
    try:
        face.cloud.database_service.create_collection(name)
    except DatabaseError as error:
        if error.code == COLLECTION_EXISTS_CODE:
            raise ApiError(
                -502013, f"create collection failed: collection {name!r} already exists"
            ) from None
        raise
    return {}


def collection_delete(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    name = required_string(body, "collection_name")
    try:
        face.cloud.database_service.drop_collection(name)
    except DatabaseError as error:
        if error.err_code == -502005:
            raise collection_not_exist() from None
        raise
    return {}


def collection_get(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    limit = optional_int(body, "limit", 10, minimum=1)
    offset = optional_int(body, "offset", 0)
    service = face.cloud.database_service
    with service.store.lock:  # one consistent listing, even while other threads write
        names = sorted(service.collection_names())
        shown = [
            (name, service.documents(name), service.indexes(name))
            for name in names[offset : offset + limit]
        ]
    listed = []
    for name, docs, indexes in shown:
        index_count = 1 + len(indexes)
        listed.append(
            {
                "name": name,
                "count": len(docs),
                "size": sum(document_size(doc) for doc in docs),
                "index_count": index_count,
                "index_size": INDEX_BYTES * index_count,
            }
        )
    return {
        "collections": listed,
        "pager": {"Offset": offset, "Limit": limit, "Total": len(names)},
    }


def update_index(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    name = required_string(body, "collection_name")
    service = face.cloud.database_service
    if not service.exists(name):
        raise collection_not_exist()
    creates = [_index_spec(item) for item in _list_field(body, "create_indexes")]
    created = {spec["name"] for spec in creates}
    # dropping an unknown name is tolerated: wechatpy sends create_indexes as drop_indexes
    drops = [n for n in map(_index_name, _list_field(body, "drop_indexes")) if n not in created]
    service.change_indexes(name, creates, drops)
    return {}


def _list_field(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ApiError(40097, f"invalid args, {name} must be an array, got {value!r}")
    return value


def _index_name(item: Any) -> str:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise ApiError(40097, f"invalid args, an index needs a non-empty string name, got {item!r}")
    name: str = item["name"]
    if name == "_id_":
        raise ApiError(40097, "invalid args, the _id_ index cannot be dropped or redefined")
    return name


def _index_spec(item: Any) -> dict[str, Any]:
    name = _index_name(item)
    unique = item.get("unique", False)
    keys = item.get("keys")
    if not isinstance(unique, bool):
        raise ApiError(40097, f"invalid args, unique must be true or false, got {unique!r}")
    if not isinstance(keys, list) or not keys:
        raise ApiError(40097, f"invalid args, index {name!r} needs a non-empty keys array")
    for key in keys:
        if (
            not isinstance(key, dict)
            or not isinstance(key.get("name"), str)
            or not key["name"]
            or key.get("direction") not in _DIRECTIONS
        ):
            raise ApiError(
                40097,
                f"invalid args, index key {key!r}: expected {{name, direction}} with direction "
                'one of "1", "-1", "2dsphere" (strings)',
            )
    return {"name": name, "unique": unique, "keys": [dict(k) for k in keys]}


ENDPOINTS: dict[str, Handler] = {
    "/tcb/databasecollectionadd": collection_add,
    "/tcb/databasecollectiondelete": collection_delete,
    "/tcb/databasecollectionget": collection_get,
    "/tcb/updateindex": update_index,
}

__all__ = ["ENDPOINTS", "collection_add", "collection_delete", "collection_get", "update_index"]
