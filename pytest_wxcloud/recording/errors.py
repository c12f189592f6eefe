"""What can go wrong with a cassette, split by who must see it.

Format and set-up problems are ordinary exceptions raised where the cassette is opened. A miss
or a failed recording happens *inside* a ``call_function`` the cassette answers, under code
that may catch ``Exception`` (or the ``CloudSDKError`` a failing call raises) and carry on. Those
two therefore derive from ``BaseException`` (as ``pytest.fail`` does), so they always reach the
test runner.
"""

from __future__ import annotations


class CassetteError(Exception):
    """A cassette that cannot be used: names the file, the entry and what is accepted."""


class CassetteFormatError(CassetteError):
    """A corrupt, hand-mangled or future-version cassette file."""


class CassetteLockedError(CassetteError):
    """Another writer held the cassette's lock for longer than we were willing to wait."""


class CassetteMiss(BaseException):
    """A call the cassette has no recorded answer for, in a mode that may not record it."""


class RecordingError(BaseException):
    """Recording was asked for but cannot happen (missing credentials, upstream failure)."""


__all__ = [
    "CassetteError",
    "CassetteFormatError",
    "CassetteLockedError",
    "CassetteMiss",
    "RecordingError",
]
