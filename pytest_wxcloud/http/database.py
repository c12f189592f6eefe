"""The ``/tcb/database*`` endpoints that carry a ``query`` string (http-api.md §3.2–3.7).

Each one checks the envelope (POST, JSON object, ``env``, ``query``), then lets the query
language interpreter run the string against :class:`~.dbface.HttpDatabase`, which answers in the
endpoint's own field names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ..database.api import Database
from . import query_language
from .dbface import TERMINALS, Endpoint, HttpDatabase, Run
from .incoming import required_string, tcb_body
from .jsparse import QueryLanguageError
from .wire import ApiError

if TYPE_CHECKING:
    from ..cloud import WxCloud
    from .router import Handler, HttpFace


def _run(face: HttpFace, request: httpx.Request, endpoint: Endpoint) -> dict[str, Any]:
    body = tcb_body(request, face.cloud.env)
    if endpoint == "databaseaggregate" and "query" not in body and "Query" in body:
        body["query"] = body["Query"]  # the documentation's parameter table spells it Query
    query = required_string(body, "query")
    run = Run(endpoint, face.options)
    database = HttpDatabase(_database(face.cloud), run)
    try:
        fields: dict[str, Any] = query_language.run(query, database, now=face.cloud.clock.now)
    except QueryLanguageError as error:
        errcode, errmsg = query_language.error_response(error)
        raise ApiError(errcode, errmsg) from None
    return fields


def _database(cloud: WxCloud) -> Database:
    """The cloud's database as the HTTP API sees it: a missing ``doc(id)`` reads as no record.
    Updates report the backend's matched and modified counts (``dbface``), so the Python API's
    ``updated_counts`` option does not apply here."""
    return Database(cloud.database_service, env=cloud.env, throw_on_not_found=False)


def endpoint(name: Endpoint) -> Callable[[HttpFace, httpx.Request], dict[str, Any]]:
    """The handler of ``/tcb/<name>``: the six endpoints differ only in the chain ending."""

    def handle(face: HttpFace, request: httpx.Request) -> dict[str, Any]:
        return _run(face, request, name)

    return handle


#: the six query-string endpoints; each differs only in the chain ending it accepts
ENDPOINTS: dict[str, Handler] = {f"/tcb/{name}": endpoint(name) for name in TERMINALS}

__all__ = ["ENDPOINTS", "endpoint"]
