"""databasecollectionadd / delete / get and updateindex (http-api.md §3.8, §3.10).

Indexes are recorded (they show in ``index_count``) but not enforced: the in-memory engine needs
none to answer queries. Every collection has the implicit ``_id_`` index.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from ..database.bson_size import document_size
from .cloud_errors import collection_not_exist
from .incoming import optional_int, required_string, tcb_body
from .wire import ApiError

if TYPE_CHECKING:
    from .router import HttpFace

#: bytes reported per index (the live value depends on the storage engine; unconfirmed)
INDEX_BYTES = 16384
_DIRECTIONS = ("1", "-1", "2dsphere")


def collection_add(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    name = required_string(body, "collection_name")
    if face.cloud._store.exists(name):
        raise ApiError(-502013, f"create collection failed: collection {name!r} already exists")
    face.cloud.database().create_collection(name)
    return {}


def collection_delete(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    name = required_string(body, "collection_name")
    store = face.cloud._store
    if not store.exists(name):
        raise collection_not_exist()
    store.drop(name)
    face.state.indexes.pop(name, None)
    return {}


def collection_get(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    limit = optional_int(body, "limit", 10, minimum=1)
    offset = optional_int(body, "offset", 0)
    store = face.cloud._store
    names = sorted(store.names())
    listed = []
    for name in names[offset : offset + limit]:
        docs = list(store.get(name).values())
        index_count = 1 + len(face.state.indexes.get(name, {}))
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
    if not face.cloud._store.exists(name):
        raise collection_not_exist()
    creates = [_index_spec(item) for item in _list_field(body, "create_indexes")]
    drops = [_index_name(item) for item in _list_field(body, "drop_indexes")]
    indexes = face.state.indexes.setdefault(name, {})
    for spec in creates:
        indexes[spec["name"]] = spec
    for dropped in drops:
        # dropping an unknown name is tolerated: wechatpy sends create_indexes as drop_indexes
        if dropped not in {spec["name"] for spec in creates}:
            indexes.pop(dropped, None)
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


__all__ = ["collection_add", "collection_delete", "collection_get", "update_index"]
