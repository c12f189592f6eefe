"""Collection names: the ones MongoDB refuses, and the closest ones to a name that is missing.

MongoDB refuses an empty name, ``$`` and NUL anywhere, the reserved ``system.`` prefix, and a
namespace (``<database>.<collection>``, the database being the environment) over 255 bytes;
text UTF-8 cannot encode (a lone surrogate) cannot be a name either. A missing collection gets
production's exact -502005 message, so the name and its closest existing neighbours are offered
beside it, where pytest shows the failure.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from ..errors import CloudSDKError
from .guard import has_surrogate

#: MongoDB's limit on a namespace, ``<database>.<collection>``, in UTF-8 bytes
MAX_NAMESPACE_BYTES = 255


def collection_name_problem(name: str, env: str) -> str | None:
    """Why production refuses ``name`` as a collection of ``env``, or None if it is fine."""
    if not name:
        return "a collection name must not be empty"
    if has_surrogate(name):
        return "it contains a lone UTF-16 surrogate, which UTF-8 cannot encode"
    if "$" in name:
        return "collection names must not contain '$'"
    if "\x00" in name:
        return "collection names must not contain the NUL character"
    if name.startswith("system."):
        return "the 'system.' prefix is reserved for MongoDB's own collections"
    room = MAX_NAMESPACE_BYTES - len(env.encode()) - 1
    size = len(name.encode())
    if size > room:
        return (
            f"it is {size} bytes long; with the environment {env!r} the namespace "
            f"'<env>.<collection>' allows at most {room} bytes ({MAX_NAMESPACE_BYTES} in all)"
        )
    return None


def shown(name: Any) -> str:
    """The name as it can be printed (escapes for what UTF-8 cannot carry)."""
    if not isinstance(name, str):
        return repr(name)
    return repr(name.encode("utf-8", "backslashreplace").decode())


def unknown_env(env: Any, own: str) -> CloudSDKError:
    """What production answers for an environment that does not exist (http-api.md §3)."""
    err_msg = "[100003] env not exists"
    return CloudSDKError(
        -501000,
        err_msg,
        message=f"{err_msg}: {shown(env)} (this cloud's env is {own!r}; omit env or pass it)",
    )


def missing_collection_hint(name: str, existing: Iterable[str]) -> str:
    names = sorted(existing)
    hint = f" (collection {shown(name)} does not exist in this cloud;"
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        return hint + f" closest existing: {', '.join(close)})"
    if names:
        more = " …" if len(names) > 10 else ""
        return hint + f" existing: {', '.join(names[:10])}{more})"
    return hint + " there are none: seed it or call create_collection first)"


__all__ = [
    "MAX_NAMESPACE_BYTES",
    "collection_name_problem",
    "missing_collection_hint",
    "shown",
    "unknown_env",
]
