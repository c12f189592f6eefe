"""A stand-in database that records, as Python source, every call the interpreter makes on it.

Each attribute read or call returns a new :class:`Recorder` whose ``source`` is the Python
expression that produced it, so a test can compare a replayed JavaScript query with the Python
chain a user would have written by hand.
"""

from __future__ import annotations

from typing import Any


class Recorder:
    def __init__(
        self,
        source: str = "db",
        calls: list[str] | None = None,
        arguments: list[tuple[str, tuple[Any, ...], dict[str, Any]]] | None = None,
    ) -> None:
        self.source = source
        #: every call made, as Python source
        self.calls: list[str] = [] if calls is None else calls
        #: every call made, as (callee source, positional arguments, keyword arguments)
        self.arguments: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = (
            [] if arguments is None else arguments
        )

    def __getattr__(self, name: str) -> Recorder:
        if name.startswith("_"):
            raise AttributeError(name)
        return type(self)(f"{self.source}.{name}", self.calls, self.arguments)

    def __call__(self, *args: Any, **kwargs: Any) -> Recorder:
        parts = [repr(arg) for arg in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
        source = f"{self.source}({', '.join(parts)})"
        self.calls.append(source)
        self.arguments.append((self.source, args, kwargs))
        return type(self)(source, self.calls, self.arguments)

    def __repr__(self) -> str:
        return self.source
