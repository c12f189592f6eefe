"""The outbox: every openapi call that reached an API, whichever face sent it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..identity import Identity


@dataclass(frozen=True, slots=True)
class OpenApiCall:
    """One call. ``params`` are the wire's snake_case keys with decoded values (media as
    :class:`~.outcome.Media`); ``caller`` is the user the calling invocation runs as (``None``
    for test code, the HTTP API and timer triggers); ``function`` the calling function's name;
    ``face`` is ``"sdk"``, ``"http"`` or ``"admin"``; ``errcode`` 0 when the API accepted it."""

    api: str
    params: dict[str, Any]
    caller: Identity | None
    function: str | None
    face: str
    errcode: int
    at: datetime

    @property
    def ok(self) -> bool:
        return self.errcode == 0


__all__ = ["OpenApiCall"]
