"""WxCloud: one emulated cloud environment tying identities, database and functions together."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import fakedata
from .clock import Clock
from .database.api import Database, Runtime
from .database.loading import read_export
from .database.names import collection_name_problem, shown, unknown_env
from .database.service import DatabaseService
from .database.store import Snapshot, Store
from .database.values import to_caller, to_stored
from .errors import DatabaseError
from .functions import FunctionRegistry, invoke
from .identity import UNSET, Frame, Identity, current_frame, entered, make_user
from .paths import describe_missing
from .storage.model import StorageSnapshot

if TYPE_CHECKING:
    from .client import Client, Permissions
    from .cloudbase import CloudBaseState
    from .openapi import OpenApi
    from .openapi.pay import CloudPay
    from .storage import StorageService

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


@dataclass(frozen=True)
class CloudSnapshot(Mapping[str, Mapping[Any, dict[str, Any]]]):
    """A whole cloud's data at one moment: the database's snapshot and the bucket's files.

    As a mapping it reads like the database snapshot (collection name -> read-only
    ``{_id: document}``), as ``cloud.snapshot()`` always has."""

    database: Snapshot
    storage: StorageSnapshot = field(default_factory=dict)

    def __getitem__(self, name: str) -> Mapping[Any, dict[str, Any]]:
        return self.database[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.database)

    def __len__(self) -> int:
        return len(self.database)


class WxCloud:
    """An emulated 云开发 environment. Cheap to create: suites make thousands of them.

    Everything is deterministic from ``seed`` (ids, identities, fake data); ``now`` starts the
    clock frozen at that instant.
    """

    def __init__(
        self,
        env: str = "test-env",
        appid: str | None = None,
        secret: str | None = None,
        seed: int = 0,
        now: datetime | None = None,
        throw_on_not_found: bool = True,
        updated_counts: str = "modified",
    ) -> None:
        self.seed_value = seed
        self._random = random.Random(seed)
        self.env = env
        self.appid = appid if appid is not None else fakedata.appid(self._random)
        self.secret = secret if secret is not None else f"{self._random.getrandbits(128):032x}"
        self.clock = Clock(now)
        self.throw_on_not_found = throw_on_not_found
        if updated_counts not in ("modified", "matched"):
            raise ValueError(
                f"updated_counts must be 'modified' or 'matched', got {updated_counts!r}"
            )
        #: what ``stats.updated`` counts (unconfirmed in the reference; see docs/database.md)
        self.updated_counts = updated_counts
        self._store = Store()
        self._runtime: Runtime | None = None

    def __repr__(self) -> str:
        return f"WxCloud(env={self.env!r}, appid={self.appid!r})"

    # --- database ----------------------------------------------------------------------

    def _db_runtime(self) -> Runtime:
        runtime = self._runtime
        if runtime is None:
            ids = random.Random(self.seed_value * 7919 + 1)
            sample = random.Random(self.seed_value * 7919 + 2)
            requests = random.Random(self.seed_value * 7919 + 3)
            runtime = self._runtime = Runtime(
                self._store,
                now=self.clock.now,
                new_id=lambda: self._fresh_id(ids),
                request_id=lambda: f"{requests.getrandbits(128):032x}",
                rng=lambda: sample,
                count_matched=self.updated_counts == "matched",
            )
        return runtime

    @cached_property
    def database_service(self) -> DatabaseService:
        """The database backend every face runs on (MongoDB form in, backend results out)."""
        return DatabaseService(self._db_runtime(), env=self.env)

    @cached_property
    def cloudbase(self) -> CloudBaseState:
        """The CloudBase protocol's per-cloud state: invocation tokens, request ids."""
        from .cloudbase import CloudBaseState

        return CloudBaseState(self.seed_value)

    def _fresh_id(self, ids: random.Random) -> str:
        """The next generated ``_id`` no collection holds: documents restored or seeded from
        another cloud with the same seed hold the ids this cloud's stream would give next."""
        while True:
            candidate = f"{ids.getrandbits(128):032x}"
            if not any(candidate in docs for docs in self._store.collections.values()):
                return candidate

    def database(self, env: str | None = None, throw_on_not_found: bool | None = None) -> Database:
        """``cloud.database()``; ``throw_on_not_found`` here wins over the cloud-wide default.

        ``env`` may be omitted or name this cloud's own env; any other env does not exist here,
        and fails as production fails for an env that does not exist (-501000, ``[100003] env
        not exists``), at once rather than at the first operation."""
        if env is not None and env != self.env:
            raise unknown_env(env, self.env)
        flag = self.throw_on_not_found if throw_on_not_found is None else throw_on_not_found
        return Database(self.database_service, env=self.env, throw_on_not_found=flag)

    def seed(
        self, collections: Mapping[str, Iterable[Mapping[str, Any]]] | Snapshot | CloudSnapshot
    ) -> None:
        """Store documents exactly as given (``_id`` kept, generated when absent), creating the
        collections. Seeding an ``_id`` that exists already is an error, as an insert would be.

        A snapshot (from any cloud; of a :class:`CloudSnapshot`, its database) adds its
        collections: one this cloud lacks is shared as it is, in O(1) whatever its size
        (copy-on-write); one it has gets the documents inserted.
        """
        if isinstance(collections, CloudSnapshot):
            collections = collections.database
        if isinstance(collections, Snapshot):
            self._seed_snapshot(collections)
            return
        runtime = self._db_runtime()
        for name, docs in collections.items():
            problem = (
                collection_name_problem(name, self.env)
                if isinstance(name, str)
                else "collection names are strings"
            )
            if problem is not None:
                raise ValueError(f"seed({shown(name)}): invalid collection name: {problem}")
            if isinstance(docs, Mapping):
                raise TypeError(f"seed({{{name!r}: ...}}) needs a list of documents, got one dict")
            stored = []
            for doc in docs:
                item = to_stored(doc, self.clock.now)
                if not isinstance(item, dict):
                    raise TypeError(f"seed: documents of {name!r} must be dicts, got {doc!r}")
                if "_id" not in item:
                    item = {"_id": runtime.new_id(), **item}
                stored.append(item)
            self._insert_seed(name, stored)

    def _seed_snapshot(self, snapshot: Snapshot) -> None:
        for name, docs in snapshot.items():
            if not self._store.adopt(snapshot, name):
                # stored documents are never mutated in place: sharing them is safe
                self._insert_seed(name, list(docs.values()))

    def _insert_seed(self, name: str, stored: list[dict[str, Any]]) -> None:
        runtime = self._db_runtime()
        with self._store.lock:
            self._store.create(name)
            try:
                runtime.engine.insert(name, stored)
            except DatabaseError as exc:
                raise ValueError(f"seed({name!r}): {exc.detail}") from None

    def load(
        self, path: str | Path, collection: str | None = None, file_format: str | None = None
    ) -> int:
        """Seed a collection from a console / migrate export file (JSON Lines, concatenated
        objects, a JSON array, or CSV with a header row). Returns the number of documents.

        A relative path is read from the working directory, as ``open()`` reads it."""
        source = Path(path)
        if not source.is_file():
            raise FileNotFoundError(f"cloud.load: {describe_missing(source, 'file')}")
        docs = read_export(source, file_format)
        self.seed({collection or source.stem: docs})
        return len(docs)

    def dump(self, collection: str) -> list[dict[str, Any]]:
        """Every document of a collection, in insertion order, as the SDK would return them."""
        with self._store.lock:
            try:
                docs = list(self._store.get(collection).values())
            except DatabaseError as exc:
                raise KeyError(f"no collection {collection!r}: {exc.detail}") from None
            return [to_caller(d) for d in docs]

    def collections(self) -> list[str]:
        return list(self._store.names())

    def snapshot(self) -> CloudSnapshot:
        """The database and the bucket at this moment, in O(collections): documents,
        collections and files are copy-on-write, so the snapshot stays as it is whatever this
        cloud does next."""
        storage = self.__dict__.get("storage")
        return CloudSnapshot(
            self._store.snapshot(), storage.snapshot() if storage is not None else {}
        )

    def restore(self, snapshot: CloudSnapshot | Snapshot) -> None:
        """Make the database (and the bucket) exactly what ``snapshot`` holds, in
        O(collections). The snapshot may come from another cloud: clouds restoring one snapshot
        never see each other's writes. A bare database snapshot restores the database only; no
        snapshot holds functions, the clock or indexes."""
        if isinstance(snapshot, CloudSnapshot):
            self._store.restore(snapshot.database)
            if snapshot.storage or "storage" in self.__dict__:
                self.storage.restore(snapshot.storage)
            return
        self._store.restore(snapshot)

    def force_transaction_conflict(self, times: int = 1) -> None:
        """Make the next ``times`` transaction commits fail with DATABASE_TRANSACTION_CONFLICT,
        to exercise retry logic deterministically."""
        self._db_runtime().forced_conflicts += times

    # --- identities and functions -------------------------------------------------------

    @cached_property
    def functions(self) -> FunctionRegistry:
        """Registered handlers, canned routes, call options and ``calls`` (the call log)."""
        return FunctionRegistry(self)

    @cached_property
    def faker(self) -> Any:
        """A zh_CN + en_US ``Faker`` seeded from this cloud's seed, with ``wx_openid()`` & co.

        Built on first use: Faker takes ~150 ms to import.
        """
        from .fakedata.provider import make_faker

        return make_faker(self.seed_value)

    @cached_property
    def _identity_random(self) -> random.Random:
        # Its own stream, so making users never shifts database ids and vice versa.
        return random.Random(f"{self.seed_value}/identities")

    def user(
        self,
        openid: str | None = UNSET,
        *,
        unionid: str | None = UNSET,
        appid: str | None = UNSET,
        env: str | None = UNSET,
        source: str | None = "wx_client",
        client_ip: str | None = UNSET,
        client_ipv6: str | None = UNSET,
        from_openid: str | None = None,
        from_appid: str | None = None,
        from_unionid: str | None = None,
    ) -> Identity:
        """A mini-program user: every field can be given (``None`` = absent), the rest are
        realistic and deterministic from the seed. ``appid``/``env`` default to the cloud's."""
        return make_user(
            self._identity_random,
            appid=self.appid if appid is UNSET else appid,
            env=self.env if env is UNSET else env,
            openid=openid,
            unionid=unionid,
            source=source,
            client_ip=client_ip,
            client_ipv6=client_ipv6,
            from_openid=from_openid,
            from_appid=from_appid,
            from_unionid=from_unionid,
        )

    @contextmanager
    def as_user(self, user: Identity) -> Iterator[Identity]:
        """Act as ``user`` in the mini program: ``get_wx_context()`` returns theirs and
        ``call_function`` calls as them, in this thread / asyncio task only."""
        if not isinstance(user, Identity):
            raise TypeError(f"as_user() takes an Identity (from cloud.user()); got {user!r}")
        identity = user if user.env is not None else user.replace(env=self.env)
        with entered(Frame(self, identity, invocation=False)):
            yield identity

    def get_wx_context(self) -> dict[str, Any]:
        """``cloud.getWXContext()``: the current invocation's context, ``{}`` outside any."""
        frame = current_frame()
        if frame is None or frame.cloud is not self:
            return {}
        return frame.identity.wx_context()

    def function(
        self,
        name: str,
        *,
        timeout: float | None = None,
        config: Mapping[str, Any] | None = None,
        replace: bool = False,
    ) -> Callable[[_Handler], _Handler]:
        """Decorator registering ``main(event, context)`` as the cloud function ``name``."""
        return self.functions.function(name, timeout=timeout, config=config, replace=replace)

    def call_function(
        self,
        name: str,
        data: Mapping[str, Any] | None = None,
        *,
        as_user: Identity | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """``cloud.callFunction``: ``{"result", "errMsg", "requestID"}`` or ``CloudSDKError``.

        ``as_user`` calls from the mini program as that user; inside a handler the call is
        function-to-function; otherwise it is an HTTP-API call with no user. ``timeout``
        (seconds) is the caller's own limit (default 15 s server-side, 5 s over HTTP).
        """
        return invoke.call_function(self.functions, name, data, as_user=as_user, timeout=timeout)

    def trigger(self, name: str, trigger_name: str | None = None) -> Any:
        """Fire ``name``'s timer trigger (source ``wx_trigger``, no user); returns its result."""
        return invoke.trigger(self.functions, name, trigger_name)

    # --- the mini-program side ---------------------------------------------------------

    @cached_property
    def permissions(self) -> Permissions:
        """Collection presets / security rules, storage rules, the decision log and coverage."""
        from .client import Permissions

        return Permissions(self)

    def client(self, identity: Identity | None, *, base_library: str = "3.0.0") -> Client:
        """What ``identity``'s mini program sees through wx.cloud (``None``: not logged in);
        every call passes ``cloud.permissions`` first."""
        from .client import Client

        return Client(self, identity, base_library)

    # --- cloud storage ------------------------------------------------------------------

    @cached_property
    def storage(self) -> StorageService:
        """The bucket: ``files()`` with size, content type and owner, ``put``, ``seed_folder``,
        ``dump``; the backend every storage face runs on."""
        from .storage import StorageService

        return StorageService(self)

    def upload_file(self, cloud_path: Any = None, file_content: Any = None) -> dict[str, Any]:
        """``cloud.uploadFile``: ``{"fileID", "statusCode": -1, "errMsg": "uploadFile:ok"}``
        (``statusCode`` is -1 in wx-server-sdk 4.0.2). A path in use is overwritten."""
        from .storage import sdk

        return sdk.upload_file(self.storage, cloud_path, file_content)

    def download_file(self, file_id: Any = None) -> dict[str, Any]:
        """``cloud.downloadFile``: ``{"fileContent": bytes, "statusCode": 200, "errMsg"}``."""
        from .storage import sdk

        return sdk.download_file(self.storage, file_id)

    def get_temp_file_url(self, file_list: Any = None) -> dict[str, Any]:
        """``cloud.getTempFileURL``: fileIDs or ``{"fileID", "maxAge"}`` dicts, at most 50."""
        from .storage import sdk

        return sdk.get_temp_file_url(self.storage, file_list)

    def delete_file(self, file_list: Any = None) -> dict[str, Any]:
        """``cloud.deleteFile``: per-file ``status`` (-503003 for a missing file), at most 50."""
        from .storage import sdk

        return sdk.delete_file(self.storage, file_list)

    # --- openapi (云调用) ---------------------------------------------------------------

    @cached_property
    def openapi(self) -> OpenApi:
        """``cloud.openapi.<category>.<method>(**params)``; ``.calls`` is the outbox."""
        from .openapi import OpenApi

        return OpenApi(self)

    def get_open_data(self, list: Any = None) -> dict[str, Any]:
        """``cloud.getOpenData({list})``: each CloudID's ``{"cloudID", "data"}``; tests mint
        CloudIDs with ``cloud.openapi.open_data.cloud_id_for(user, data)``."""
        return self.openapi.get_open_data(list)

    @cached_property
    def cloud_pay(self) -> CloudPay:
        """``cloud.cloudPay``: ``unified_order`` / ``query_order`` / ``refund``; a test pays an
        order with ``complete(out_trade_no)``, which calls the order's callback function."""
        from .openapi.pay import CloudPay

        return CloudPay(self)

    # --- HTTP API ----------------------------------------------------------------------

    #: built on first use by :meth:`http_state`, so a cloud that never speaks HTTP pays nothing
    _http_state: Any = None

    def mock_http(self, **options: Any) -> Any:
        """Answer httpx and requests calls to ``api.weixin.qq.com`` from this cloud in a block.

        Yields the ``respx.MockRouter``; other hosts pass through (or reach the test's own respx
        routes and ``responses`` mocks). The block belongs to the thread or asyncio task that
        enters it, so clouds used side by side each answer their own. While it is open, no other
        client may reach the real WeChat hosts (see ``http/network_guard.py``). Options: see
        :class:`pytest_wxcloud.http.options.HttpOptions`.
        """
        from .http.options import HttpOptions
        from .http.router import mock_http

        return mock_http(self, self.http_state(), HttpOptions(**options))

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        open_interface: bool = False,
        max_body_bytes: int | None = None,
        **options: Any,
    ) -> Any:
        """Serve this cloud on a real port from a thread; use as ``with cloud.serve() as server``.

        ``port=0`` picks a free port (``server.url`` names it). ``open_interface=True`` serves
        token-less ``/tcb/*`` calls as the Cloud Run open-interface service does; off, they get
        41001. Other options as for :meth:`mock_http`. See docs/server.md.
        """
        from .http.options import HttpOptions
        from .server.loopback import MAX_BODY_BYTES, LoopbackServer

        http_options = HttpOptions(
            open_interface=open_interface, open_interface_by="listener", **options
        )
        limit = MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes
        return LoopbackServer(self, host, port, http_options=http_options, max_body_bytes=limit)

    def http_state(self) -> Any:
        """Tokens and request ids of the HTTP face (kept across ``mock_http()`` blocks)."""
        if self._http_state is None:
            from .http.state import HttpState

            self._http_state = HttpState(self)
        return self._http_state


__all__ = ["CloudSnapshot", "WxCloud"]
