"""WxCloud: one emulated cloud environment tying identities, database and functions together."""

from __future__ import annotations

import random

# identities and functions (issue 3)
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from . import fakedata
from .clock import Clock
from .database.api import Database, Runtime
from .database.loading import read_export
from .database.names import collection_name_problem, shown, unknown_env
from .database.store import Snapshot, Store
from .database.values import to_caller, to_stored
from .errors import DatabaseError
from .functions import FunctionRegistry, invoke
from .identity import UNSET, Frame, Identity, current_frame, entered, make_user

_Handler = TypeVar("_Handler", bound=Callable[..., Any])


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

    # --- database (issue 2) -------------------------------------------------------------

    def _db_runtime(self) -> Runtime:
        runtime = self._runtime
        if runtime is None:
            ids = random.Random(self.seed_value * 7919 + 1)
            sample = random.Random(self.seed_value * 7919 + 2)
            requests = random.Random(self.seed_value * 7919 + 3)
            runtime = self._runtime = Runtime(
                self._store,
                now=self.clock.now,
                new_id=lambda: f"{ids.getrandbits(128):032x}",
                request_id=lambda: f"{requests.getrandbits(128):032x}",
                rng=lambda: sample,
                count_matched=self.updated_counts == "matched",
            )
        return runtime

    def database(self, env: str | None = None, throw_on_not_found: bool | None = None) -> Database:
        """``cloud.database()``; ``throw_on_not_found`` here wins over the cloud-wide default.

        ``env`` may be omitted or name this cloud's own env; any other env does not exist here,
        and fails as production fails for an env that does not exist (-501000, ``[100003] env
        not exists``), at once rather than at the first operation."""
        if env is not None and env != self.env:
            raise unknown_env(env, self.env)
        flag = self.throw_on_not_found if throw_on_not_found is None else throw_on_not_found
        return Database(self._db_runtime(), env=self.env, throw_on_not_found=flag)

    def seed(self, collections: Mapping[str, Iterable[Mapping[str, Any]]]) -> None:
        """Store documents exactly as given (``_id`` kept, generated when absent), creating the
        collections. Seeding an ``_id`` that exists already is an error, as an insert would be."""
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
        objects, a JSON array, or CSV with a header row). Returns the number of documents."""
        source = Path(path)
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

    def snapshot(self) -> Snapshot:
        """The whole database at this moment, cheaply (documents are copy-on-write)."""
        return self._store.snapshot()

    def restore(self, snapshot: Snapshot) -> None:
        self._store.restore(snapshot)

    def force_transaction_conflict(self, times: int = 1) -> None:
        """Make the next ``times`` transaction commits fail with DATABASE_TRANSACTION_CONFLICT,
        to exercise retry logic deterministically."""
        self._db_runtime().forced_conflicts += times

    # --- identities and functions (issue 3) ---------------------------------------------

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

    # --- HTTP API (issue 4) -------------------------------------------------------------

    #: built on first use by :meth:`http_state`, so a cloud that never speaks HTTP pays nothing
    _http_state: Any = None

    def mock_http(self, **options: Any) -> Any:
        """Answer httpx requests to ``api.weixin.qq.com`` from this cloud inside a ``with`` block.

        Yields the ``respx.MockRouter``; other hosts pass through (or reach the test's own respx
        routes). Options: see :class:`pytest_wxcloud.http.options.HttpOptions`.
        """
        from .http.options import HttpOptions
        from .http.router import mock_http

        return mock_http(self, self.http_state(), HttpOptions(**options))

    def http_state(self) -> Any:
        """Tokens and request ids of the HTTP face (kept across ``mock_http()`` blocks)."""
        if self._http_state is None:
            from .http.state import HttpState

            self._http_state = HttpState(self)
        return self._http_state


__all__ = ["WxCloud"]
