"""Who is calling: identities, the current invocation, and the three ways code reads them.

Production hands a cloud function its caller through environment variables (``WX_OPENID``…,
read by ``getWXContext()``, reference sdk.md §1.1) and a Cloud Run service through ``X-WX-*``
headers (http-api.md §5.1). :class:`Identity` renders all three from one record, so a test
states the caller once and every face agrees.

The current invocation lives in a context variable, not a global: nested calls, threads and
asyncio tasks each see their own caller.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from . import fakedata

#: Keys getWXContext() never returns (sdk.md §1.1 step 2).
TOKEN_KEYS = frozenset(
    {"API_TOKEN", "TRIGGER_API_TOKEN_V0", "WX_API_TOKEN", "WX_TRIGGER_API_TOKEN_V0"}
)

_INTEGER = re.compile(r"-?[0-9]+")

# (attribute, env var) in the order the platform lists them in WX_CONTEXT_KEYS (LAB, §1.1);
# the API token sits between the IPs and the FROM_* keys.
_BEFORE_TOKEN = (
    ("openid", "WX_OPENID"),
    ("appid", "WX_APPID"),
    ("unionid", "WX_UNIONID"),
    ("client_ip", "WX_CLIENTIP"),
    ("client_ipv6", "WX_CLIENTIPV6"),
)
_AFTER_TOKEN = (
    ("from_openid", "WX_FROM_OPENID"),
    ("from_appid", "WX_FROM_APPID"),
    ("from_unionid", "WX_FROM_UNIONID"),
)
_HEADERS = (
    ("openid", "X-WX-OPENID"),
    ("appid", "X-WX-APPID"),
    ("unionid", "X-WX-UNIONID"),
    ("from_openid", "X-WX-FROM-OPENID"),
    ("from_appid", "X-WX-FROM-APPID"),
    ("from_unionid", "X-WX-FROM-UNIONID"),
    ("env", "X-WX-ENV"),
    ("source", "X-WX-SOURCE"),
)

#: The header that carries :func:`environ_turn` to the loopback server.
TURN_HEADER = "X-WxCloud-Environ-Turn"

#: Every variable :meth:`Identity.environ` may set: what an invocation clears and restores.
ENVIRON_KEYS = (
    "WX_CONTEXT_KEYS",
    *(var for _, var in _BEFORE_TOKEN),
    "WX_API_TOKEN",
    "WX_TRIGGER_API_TOKEN_V0",
    *(var for _, var in _AFTER_TOKEN),
    "TCB_ENV",
    "SCF_NAMESPACE",
    "TCB_SOURCE",
    "TRIGGER_SRC",
)

_FIELDS = (
    "openid",
    "appid",
    "unionid",
    "env",
    "source",
    "client_ip",
    "client_ipv6",
    "from_openid",
    "from_appid",
    "from_unionid",
)


@dataclass(frozen=True, slots=True)
class Identity:
    """One caller as the platform describes it. ``None`` means the field is absent.

    Make them with ``cloud.user(...)``, which fills realistic, seed-determined values; build one
    directly when every field should be spelled out.
    """

    openid: str | None = None
    appid: str | None = None
    unionid: str | None = None
    env: str | None = None
    source: str | None = "wx_client"
    client_ip: str | None = None
    client_ipv6: str | None = None
    from_openid: str | None = None
    from_appid: str | None = None
    from_unionid: str | None = None

    def __post_init__(self) -> None:
        for name in _FIELDS:
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise TypeError(
                    f"Identity.{name} must be a non-empty str or None (absent); got {value!r}"
                )

    def replace(self, **changes: Any) -> Identity:
        """A copy with some fields changed (``None`` removes a field)."""
        return replace(self, **changes)

    def environ(self) -> dict[str, str]:
        """The variables the platform injects into the function process for this caller."""
        keys: list[str] = []
        out: dict[str, str] = {}
        for attr, var in _BEFORE_TOKEN:
            value = getattr(self, attr)
            if value is not None:
                keys.append(var)
                out[var] = value
        timer = self.source is not None and self.source.split(",", 1)[0] == "wx_trigger"
        token = "WX_TRIGGER_API_TOKEN_V0" if timer else "WX_API_TOKEN"
        keys.append(token)
        out[token] = f"wxcloud-fake-token:{self.env or ''}"
        for attr, var in _AFTER_TOKEN:
            value = getattr(self, attr)
            if value is not None:
                keys.append(var)
                out[var] = value
        environ = {"WX_CONTEXT_KEYS": ",".join(keys), **out}
        if self.env is not None:
            environ["TCB_ENV"] = self.env
            environ["SCF_NAMESPACE"] = self.env
        if self.source is not None:
            environ["TCB_SOURCE"] = self.source
        if timer:
            environ["TRIGGER_SRC"] = "timer"
        return environ

    def wx_context(self) -> dict[str, Any]:
        """Exactly what ``getWXContext()`` returns inside an invocation by this caller."""
        return context_from_environ(self.environ())

    def headers(self) -> dict[str, str]:
        """The ``X-WX-*`` headers a Cloud Run (云托管) service receives for this caller."""
        out = {header: value for attr, header in _HEADERS if (value := getattr(self, attr))}
        if self.client_ip is not None:
            out["X-Forwarded-For"] = self.client_ip
            out["X-Original-Forwarded-For"] = self.client_ip
        return out

    def user_info(self) -> dict[str, str]:
        """The legacy ``event.userInfo`` the platform injects (``appId``/``openId``, sdk.md §1.4)."""
        info: dict[str, str] = {}
        if self.appid is not None:
            info["appId"] = self.appid
        if self.openid is not None:
            info["openId"] = self.openid
        return info


def context_from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """wx-server-sdk 4.0.2's ``getWXContext`` algorithm over an environment (sdk.md §1.1).

    Kept separate from :class:`Identity` so the quirks (dropped tokens, digit strings becoming
    numbers, the ``WX_`` prefix rule, ENV and SOURCE last) apply to any environment a test
    builds by hand.
    """
    listed = environ.get("WX_CONTEXT_KEYS")
    if not listed:
        return {}
    context: dict[str, Any] = {}
    for key in listed.split(","):
        if not key or key in TOKEN_KEYS:
            continue
        value = environ.get(key)
        if value is None:
            continue
        name = key[3:] if key.startswith("WX_") and len(key) > 3 else key
        context[name] = int(value) if _INTEGER.fullmatch(value) else value
    env = environ.get("TCB_ENV") or environ.get("SCF_NAMESPACE")
    if env is not None:
        context["ENV"] = env
    source = environ.get("TCB_SOURCE")
    if source:
        context["SOURCE"] = source
    return context


class _Unset:
    """Marks a field the caller of :func:`make_user` did not give (``None`` means absent)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def make_user(
    rng: random.Random,
    *,
    appid: str | None,
    env: str | None,
    openid: str | None = UNSET,
    unionid: str | None = UNSET,
    source: str | None = "wx_client",
    client_ip: str | None = UNSET,
    client_ipv6: str | None = UNSET,
    from_openid: str | None = None,
    from_appid: str | None = None,
    from_unionid: str | None = None,
) -> Identity:
    """A mini-program user with realistic values for every field not given.

    The generator is always advanced by the same amount, so the n-th user of a seed is the same
    whether or not earlier calls spelled out some fields.
    """
    made_openid = fakedata.openid(rng)
    made_unionid = fakedata.unionid(rng)
    made_ip = fakedata.client_ip(rng)
    ip = made_ip if client_ip is UNSET else client_ip
    if client_ipv6 is UNSET:
        client_ipv6 = f"::ffff:{ip}" if ip is not None else None
    return Identity(
        openid=made_openid if openid is UNSET else openid,
        appid=appid,
        unionid=made_unionid if unionid is UNSET else unionid,
        env=env,
        source=source,
        client_ip=ip,
        client_ipv6=client_ipv6,
        from_openid=from_openid,
        from_appid=from_appid,
        from_unionid=from_unionid,
    )


# --------------------------------------------------------------------------- current invocation


@dataclass(frozen=True, slots=True)
class Frame:
    """What is running now: a handler invocation, or test code acting as a user (``as_user``)."""

    cloud: Any
    identity: Identity
    invocation: bool
    function_name: str | None = None


_current: ContextVar[Frame | None] = ContextVar("pytest_wxcloud_frame", default=None)


def current_frame() -> Frame | None:
    return _current.get()


@contextmanager
def entered(frame: Frame) -> Iterator[Frame]:
    """Make ``frame`` current for this context (thread / asyncio task) until the block ends."""
    token = _current.set(frame)
    try:
        yield frame
    finally:
        _current.reset(token)


# The process environment is one per process, so invocations that write it take turns. The
# turn belongs to a call chain, not to a thread: a synchronous handler may call an async one
# that runs on a helper thread (see functions.invoke) while the handler's thread waits, and
# that helper's own synchronous callees must not wait for the lock their caller holds. The
# context variable, copied into the helper thread with the rest of the context, names the turn
# the chain holds.
#
# A request answered by the loopback server arrives on a server thread with a fresh context, and
# its caller may be a handler that holds the turn and now waits for that very answer. Waiting
# for the turn there would wait forever, so such a request either joins the turn it names (see
# environ_turn) or runs with os.environ patching off (see answering_remote_request).
_environ_lock = threading.Lock()
_holding_environ: ContextVar[str | None] = ContextVar("pytest_wxcloud_environ_turn", default=None)
_environ_untouched: ContextVar[bool] = ContextVar("pytest_wxcloud_environ_off", default=False)
_turn_numbers = itertools.count(1)
#: the id of the turn that holds ``_environ_lock`` now (written only by the holder)
_turn_holder: str | None = None

# os.environ encodes every key on every access; reading CPython's encoded-key store directly
# (keys encoded once) makes "is it set, to what" cheap, so only real changes pay for putenv.
_environ_store: dict[Any, Any] | None = getattr(os.environ, "_data", None)
_encode_key: Any = getattr(os.environ, "encodekey", None)
_encoded_keys: dict[str, Any] = {}
_MANAGED = frozenset(ENVIRON_KEYS)


def _current_value(key: str) -> str | None:
    if _environ_store is None or _encode_key is None:
        return os.environ.get(key)
    encoded = _encoded_keys.get(key)
    if encoded is None:
        encoded = _encoded_keys[key] = _encode_key(key)
    return None if encoded not in _environ_store else os.environ[key]


@contextmanager
def _environ_turn() -> Iterator[None]:
    global _turn_holder
    if _holding_environ.get() is not None:  # an outer invocation of this call chain has the turn
        yield
        return
    with _environ_lock:
        turn = f"turn-{next(_turn_numbers)}"
        _turn_holder = turn
        token = _holding_environ.set(turn)
        try:
            yield
        finally:
            _holding_environ.reset(token)
            _turn_holder = None


def environ_turn() -> str | None:
    """The id of the os.environ turn this call chain holds (None outside patched handlers).

    Sent as the ``X-WxCloud-Environ-Turn`` header of a request to the loopback server, it lets
    the handlers that request runs patch os.environ as nested in-process calls do.
    """
    return _holding_environ.get()


@contextmanager
def answering_remote_request(turn: str | None = None) -> Iterator[None]:
    """Run code for a request that arrived from outside this call chain (a server thread).

    If ``turn`` names the turn held right now, the request joins that chain: its caller waits for
    the answer, so its handlers take turns inside the caller's, as nested calls do. Otherwise
    handlers run without patching os.environ (they read their caller from ``get_wx_context()``):
    the turn's holder may be the very caller waiting for this answer, and waiting for it would
    deadlock.
    """
    if turn is not None and turn == _turn_holder:
        joined = _holding_environ.set(turn)
        try:
            yield
        finally:
            _holding_environ.reset(joined)
        return
    off = _environ_untouched.set(True)
    try:
        yield
    finally:
        _environ_untouched.reset(off)


@contextmanager
def patched_environ(wanted: Mapping[str, str]) -> Iterator[None]:
    """Make ``os.environ`` show an invocation's variables (``Identity.environ()`` plus the
    function's ``envVariables``), then restore it.

    Variables an outer invocation set but this caller lacks are removed for the duration, so
    ``os.environ.get("WX_UNIONID")`` never shows the previous caller's value.
    """
    if _environ_untouched.get():
        yield
        return
    keys: tuple[str, ...] = ENVIRON_KEYS
    if not _MANAGED.issuperset(wanted):
        keys = (*ENVIRON_KEYS, *(k for k in wanted if k not in _MANAGED))
    environ = os.environ
    with _environ_turn():
        changed: dict[str, str | None] = {}
        try:
            for key in keys:
                value = wanted.get(key)
                old = _current_value(key)
                if value == old:
                    continue
                changed[key] = old
                if value is None:
                    del environ[key]
                else:
                    environ[key] = value
            yield
        finally:
            for key, old in changed.items():
                if old is None:
                    del environ[key]
                else:
                    environ[key] = old


__all__ = [
    "ENVIRON_KEYS",
    "TOKEN_KEYS",
    "TURN_HEADER",
    "Frame",
    "Identity",
    "answering_remote_request",
    "context_from_environ",
    "current_frame",
    "entered",
    "environ_turn",
    "make_user",
    "patched_environ",
]
