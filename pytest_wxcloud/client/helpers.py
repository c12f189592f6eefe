"""Firebase-style assertions: ``assert_denied`` (Firebase's ``assertFails``) and
``assert_allowed`` (``assertSucceeds``).

Python has no promises, so both take a callable (and its arguments), or work as a ``with``
block. ``assert_denied`` passes only for a permission refusal (-502003, -503002, -501023,
-402002), never for any other error, so a typo in the test cannot pass for a denial.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import CloudSDKError
from .decisions import DENIAL_CODES


def assert_denied(operation: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
    """The refusal (a ``CloudSDKError``) of ``operation(*args, **kwargs)``; fails otherwise.

    Without ``operation``, a context manager: ``with assert_denied() as denial: ...`` and then
    ``denial.error``."""
    if operation is None:
        return _denied_block()
    try:
        result = operation(*args, **kwargs)
    except CloudSDKError as exc:
        _check_denial(exc)
        return exc
    raise AssertionError(f"expected a permission denial, but the call was allowed: {result!r}")


class Denial:
    """What ``with assert_denied() as denial`` holds after the block."""

    error: CloudSDKError | None = None


@contextmanager
def _denied_block() -> Iterator[Denial]:
    denial = Denial()
    try:
        yield denial
    except CloudSDKError as exc:
        _check_denial(exc)
        denial.error = exc
        return
    raise AssertionError("expected a permission denial, but the block completed")


def _check_denial(exc: CloudSDKError) -> None:
    if exc.err_code not in DENIAL_CODES:
        raise AssertionError(
            f"expected a permission denial (errCode {', '.join(map(str, DENIAL_CODES))}), "
            f"got another error: {exc}"
        ) from exc


def assert_allowed(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``operation(*args, **kwargs)``'s result; a denial fails the test with its explanation."""
    try:
        return operation(*args, **kwargs)
    except CloudSDKError as exc:
        if exc.err_code in DENIAL_CODES:
            notes = "\n".join(getattr(exc, "__notes__", ()))
            raise AssertionError(f"expected the call to be allowed, but: {exc}\n{notes}") from exc
        raise


__all__ = ["Denial", "assert_allowed", "assert_denied"]
