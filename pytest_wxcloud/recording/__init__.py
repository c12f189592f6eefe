"""Recorded callFunction responses: cassettes, record modes, matchers, redaction, verification.

    from pytest_wxcloud.recording import use_cassette, verify, match

    with use_cassette(cloud, "cassettes/profile.json", record_mode="none"):
        cloud.call_function("getUserProfile", {}, as_user=alice)

    verify("cassettes/profile.json", main, states={...}, matchers={...}).assert_passed()

In pytest, ``@pytest.mark.wxcloud_cassette(...)`` and ``--wxcloud-record-mode`` do the same for
the ``wxcloud`` fixture; see docs/recording.md.
"""

from __future__ import annotations

from . import match
from .cassette import RECORD_MODES, Cassette
from .errors import (
    CassetteError,
    CassetteFormatError,
    CassetteLockedError,
    CassetteMiss,
    RecordingError,
)
from .format import FORMAT_VERSION, Interaction
from .local import local_upstream
from .matching import Request, register_matcher
from .redact import REDACTED, Redactor, pseudonym
from .routing import use_cassette
from .verify import InteractionResult, VerificationReport, verify

__all__ = [
    "FORMAT_VERSION",
    "RECORD_MODES",
    "REDACTED",
    "Cassette",
    "CassetteError",
    "CassetteFormatError",
    "CassetteLockedError",
    "CassetteMiss",
    "Interaction",
    "InteractionResult",
    "RecordingError",
    "Redactor",
    "Request",
    "VerificationReport",
    "local_upstream",
    "match",
    "pseudonym",
    "register_matcher",
    "use_cassette",
    "verify",
]
