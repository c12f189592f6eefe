"""Keeping the recorder's access token out of log records.

httpx logs every request at INFO (``HTTP Request: POST https://…?access_token=…``), and pytest
captures INFO records into its report, so while the recorder sends a request the ``httpx`` and
``httpcore`` loggers carry a filter that redacts ``access_token=…``-style parameters and the
literal token and secret in use. The WeChat API takes the token only in the query
string, so it cannot simply be left out of the URL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from .redact import REDACTED, redact_text

LOGGERS = ("httpx", "httpcore")


class SecretsFilter(logging.Filter):
    """Rewrites a record's message with every secret redacted; never drops a record."""

    def __init__(self, secrets: Callable[[], Iterable[str | None]]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_text(message)
        for secret in self._secrets():
            if secret and secret in clean:
                clean = clean.replace(secret, REDACTED)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_lock = threading.Lock()


@contextmanager
def filtering(log_filter: SecretsFilter) -> Iterator[None]:
    """``log_filter`` on the HTTP loggers for the duration of the block."""
    loggers = [logging.getLogger(name) for name in LOGGERS]
    with _lock:
        for logger in loggers:
            logger.addFilter(log_filter)
    try:
        yield
    finally:
        with _lock:
            for logger in loggers:
                logger.removeFilter(log_filter)


__all__ = ["LOGGERS", "SecretsFilter", "filtering"]
