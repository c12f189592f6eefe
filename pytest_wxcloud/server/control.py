"""``/_wxcloud/*``: the test-control endpoints, in the spirit of moto's ``/moto-api/``.

A test suite in another language has no ``cloud`` object to call; these give it the same
isolation tools over HTTP: reset to the starting data, seed, snapshot and restore, dump. Bodies
and dumps are Extended JSON as the console exports it (``{"$date": ms}``), so a seed file and a
dump read the same. Failures are ``{"error": "..."}`` with a 4xx status; nothing is stored by a
request that fails.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ..database import ejson
from .faces import json_reply

if TYPE_CHECKING:
    from ..database.store import Snapshot
    from .loopback import LoopbackServer

PREFIX = "/_wxcloud/"


class ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ControlFace:
    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.cloud = server.cloud
        self._snapshots: dict[str, Snapshot] = {}
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self._endpoints: dict[str, tuple[str, Callable[[httpx.Request], Any]]] = {
            "info": ("GET", self.info),
            "reset": ("POST", self.reset),
            "seed": ("POST", self.seed),
            "snapshot": ("POST", self.snapshot),
            "restore": ("POST", self.restore),
            "dump": ("GET", self.dump),
        }

    def answer(self, request: httpx.Request) -> httpx.Response | None:
        path = request.url.path
        if not path.startswith(PREFIX):
            return None
        name = path[len(PREFIX) :]
        try:
            entry = self._endpoints.get(name)
            if entry is None:
                raise ControlError(
                    404, f"no control endpoint {path}; known: {', '.join(self._endpoints)}"
                )
            method, endpoint = entry
            if request.method != method:
                raise ControlError(405, f"{path} takes {method}, got {request.method}")
            return json_reply(200, endpoint(request))
        except ControlError as error:
            return json_reply(error.status, {"error": error.message})

    # --- endpoints ----------------------------------------------------------------------

    def info(self, request: httpx.Request) -> dict[str, Any]:
        cloud = self.cloud
        return {
            "url": self.server.url,
            "adminUrl": self.server.admin_url,
            "env": cloud.env,
            "appid": cloud.appid,
            "secret": cloud.secret,
            "collections": cloud.collections(),
        }

    def reset(self, request: httpx.Request) -> dict[str, Any]:
        """Back to the data the server started with (the CLI's ``--data``), snapshots kept."""
        self.cloud.restore(self.server.initial_snapshot)
        return {"ok": True}

    def seed(self, request: httpx.Request) -> dict[str, Any]:
        body = _json_object(request)
        before = self.cloud.snapshot()
        try:
            self.cloud.seed(body)
        except (TypeError, ValueError) as error:
            self.cloud.restore(before)  # all collections or none
            raise ControlError(400, f"seed: {error}") from None
        return {"ok": True, "inserted": {name: len(docs) for name, docs in body.items()}}

    def snapshot(self, request: httpx.Request) -> dict[str, Any]:
        with self._lock:
            snapshot_id = f"snapshot-{next(self._numbers)}"
            self._snapshots[snapshot_id] = self.cloud.snapshot()
        return {"id": snapshot_id}

    def restore(self, request: httpx.Request) -> dict[str, Any]:
        snapshot_id = _json_object(request).get("id")
        with self._lock:
            snapshot = self._snapshots.get(snapshot_id) if isinstance(snapshot_id, str) else None
            known = list(self._snapshots)
        if snapshot is None:
            raise ControlError(
                404, f"no snapshot {snapshot_id!r}; taken: {known} (POST {PREFIX}snapshot)"
            )
        self.cloud.restore(snapshot)
        return {"ok": True}

    def dump(self, request: httpx.Request) -> dict[str, Any]:
        name = request.url.params.get("collection")
        if name is None:
            return {"collections": {c: self._dump(c) for c in self.cloud.collections()}}
        return {"data": self._dump(name)}

    def _dump(self, name: str) -> list[Any]:
        try:
            return [ejson.encode(doc) for doc in self.cloud.dump(name)]
        except KeyError:
            raise ControlError(
                404, f"no collection {name!r}; collections: {self.cloud.collections()}"
            ) from None


def _json_object(request: httpx.Request) -> dict[str, Any]:
    try:
        value = ejson.decode(json.loads(request.content or b"{}"))
    except (ValueError, RecursionError) as error:
        raise ControlError(400, f"the body must be JSON: {error}") from None
    if not isinstance(value, dict):
        raise ControlError(400, f"the body must be a JSON object, got {type(value).__name__}")
    return value


__all__ = ["PREFIX", "ControlFace"]
