"""The cloud's clock: one time source for serverDate, tokens and timers, so tests can pin it."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

UTC = timezone.utc


def to_utc_ms(moment: datetime) -> datetime:
    """Normalise to what the database stores: an aware UTC instant with millisecond precision.

    A naive datetime is read as UTC, as ``new Date(y, m, d)`` is inside a cloud function (the
    function process runs in UTC, reference sdk.md §3.9).
    """
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    else:
        moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class Clock:
    """Real time by default; ``freeze`` pins it and ``advance`` moves it (frozen or not)."""

    def __init__(self, now: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = to_utc_ms(now) if now is not None else None
        self._offset = timedelta(0)

    def now(self) -> datetime:
        frozen = self._frozen
        if frozen is not None:
            return frozen
        return to_utc_ms(datetime.now(UTC) + self._offset)

    def timestamp_ms(self) -> int:
        return int(self.now().timestamp() * 1000)

    def freeze(self, at: datetime | None = None) -> datetime:
        with self._lock:
            self._frozen = to_utc_ms(at) if at is not None else self.now()
            return self._frozen

    def unfreeze(self) -> None:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - datetime.now(UTC)
            self._frozen = None

    def advance(self, delta: timedelta | float) -> datetime:
        """Move time forward; a number is seconds."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        with self._lock:
            if self._frozen is not None:
                self._frozen = to_utc_ms(self._frozen + step)
            else:
                self._offset += step
        return self.now()

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
