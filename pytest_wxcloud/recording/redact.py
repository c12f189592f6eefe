"""Keeping secrets and real user ids out of cassettes.

Secrets (``access_token``, ``cloudbase_access_token``, ``secret``/``appsecret``, session keys
and any key the user adds) are replaced by ``"<redacted>"`` wherever they appear: as the value
of such a key, as ``access_token=…`` inside a string, or as the literal token or secret the
recorder used.

User ids (the values of ``OPENID``/``UNIONID``/``FROM_OPENID``/``FROM_UNIONID`` keys in any
spelling — ``openid``, ``openId``, ``_openid`` … — and every id of the caller wherever it
occurs) become pseudonyms: an HMAC of the real id, shaped like it (same first character and
length). The same real id always gives the same pseudonym, in every cassette and every run, so
"the profile returned belongs to the caller" and "these two calls came from the same user"
survive redaction, and a replay can match a live request by pseudonymising it the same way.
Set ``WXCLOUD_PSEUDONYM_KEY`` to make pseudonyms unlinkable to anyone without that key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "<redacted>"

DEFAULT_SECRET_KEYS = (
    "access_token",
    "cloudbase_access_token",
    "authorizer_access_token",
    "secret",
    "appsecret",
    "session_key",
)
#: keys whose string value is a user id, compared without case, ``_`` or ``-``
ID_KEYS = frozenset({"openid", "unionid", "fromopenid", "fromunionid"})
IDENTITY_ID_FIELDS = ("openid", "unionid", "from_openid", "from_unionid")
DEFAULT_KEY = "pytest-wxcloud pseudonyms v1"
MIN_LITERAL_SECRET = 8

_URL_SECRET = re.compile(
    r"((?:cloudbase_|authorizer_)?access_token|appsecret|secret|session_key)=([^&\s\"']+)",
    re.IGNORECASE,
)


def normalise_key(key: str) -> str:
    return key.lower().replace("_", "").replace("-", "")


class Redactor:
    """Scrubs values before they are written; ``secret_keys`` adds keys to redact."""

    def __init__(self, secret_keys: Iterable[str] = (), key: str | None = None) -> None:
        extra = list(secret_keys)
        if any(not isinstance(k, str) or not k for k in extra):
            raise TypeError(f"redact keys must be non-empty strings; got {extra!r}")
        self.secret_keys = frozenset(normalise_key(k) for k in (*DEFAULT_SECRET_KEYS, *extra))
        chosen = key if key is not None else os.environ.get("WXCLOUD_PSEUDONYM_KEY", DEFAULT_KEY)
        self._key = chosen.encode("utf-8")

    def pseudonym(self, real: str) -> str:
        """The stable stand-in for a real id: same first character and length (at least 8)."""
        length = max(len(real), 8)
        body = ""
        counter = 0
        while len(body) < length:
            digest = hmac.new(self._key, f"{counter}:{real}".encode(), hashlib.sha256).digest()
            body += base64.urlsafe_b64encode(digest).decode().rstrip("=")
            counter += 1
        return (real[:1] or "u") + body[: length - 1]

    def identity_ids(self, identity: Mapping[str, Any] | None) -> dict[str, str]:
        """real id → pseudonym for the id fields of an identity record."""
        ids: dict[str, str] = {}
        for name in IDENTITY_ID_FIELDS:
            value = (identity or {}).get(name)
            if isinstance(value, str) and value:
                ids[value] = self.pseudonym(value)
        return ids

    def scrub(self, value: Any, ids: Mapping[str, str], secrets: Iterable[str] = ()) -> Any:
        """``value`` with secrets redacted and user ids pseudonymised (a new object)."""
        known = dict(ids)
        self._collect_ids(value, known)
        # very short "secrets" (test doubles) would shred ordinary text
        literal = [s for s in secrets if len(s) >= MIN_LITERAL_SECRET]
        return self._scrub(value, _ordered(known), sorted(literal, key=len, reverse=True))

    def _collect_ids(self, value: Any, known: dict[str, str]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if normalise_key(str(key)) in ID_KEYS and isinstance(item, str) and item:
                    known.setdefault(item, self.pseudonym(item))
                else:
                    self._collect_ids(item, known)
        elif isinstance(value, list):
            for item in value:
                self._collect_ids(item, known)

    def _scrub(self, value: Any, ids: list[tuple[str, str]], secrets: list[str]) -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                # keys too: a map keyed by openid (scores per user, say) names its users there
                name = _replace_text(key, ids, secrets) if isinstance(key, str) else key
                if normalise_key(str(key)) in self.secret_keys and item not in (None, ""):
                    out[name] = REDACTED
                else:
                    out[name] = self._scrub(item, ids, secrets)
            return out
        if isinstance(value, list):
            return [self._scrub(item, ids, secrets) for item in value]
        if isinstance(value, str):
            return _replace_text(value, ids, secrets)
        return value


def pseudonym(real_id: str, key: str | None = None) -> str:
    """The pseudonym a recorded cassette holds for ``real_id`` (an OPENID, UNIONID …).

    For writing cassettes by hand: put ``pseudonym(alice.openid)`` where a recording would have
    put it, and replay turns it back into the live caller's id. ``key`` defaults to
    ``WXCLOUD_PSEUDONYM_KEY`` (else the built-in key), exactly as when recording.
    """
    if not isinstance(real_id, str) or not real_id:
        raise TypeError(f"pseudonym() takes a non-empty id string; got {real_id!r}")
    return Redactor(key=key).pseudonym(real_id)


def redact_text(text: str) -> str:
    """``text`` with ``access_token=…``-style parameters redacted (URLs in log lines, say)."""
    return _URL_SECRET.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


def restore(value: Any, pseudonyms: Mapping[str, str]) -> Any:
    """Put real ids back for pseudonyms the caller knows (pseudonym → real id)."""
    if not pseudonyms:
        return value
    pairs = _ordered(pseudonyms)
    return _restore(value, pairs)


def _restore(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, dict):
        return {_restore(key, pairs): _restore(item, pairs) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, pairs) for item in value]
    if isinstance(value, str):
        for old, new in pairs:
            if old in value:
                value = value.replace(old, new)
        return value
    return value


def _replace_text(text: str, ids: list[tuple[str, str]], secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = redact_text(text)
    for real, stand_in in ids:
        if real in text:
            text = text.replace(real, stand_in)
    return text


def _ordered(mapping: Mapping[str, str]) -> list[tuple[str, str]]:
    # longest first, so an id that contains another id is replaced whole
    return sorted(mapping.items(), key=lambda pair: len(pair[0]), reverse=True)


__all__ = [
    "DEFAULT_SECRET_KEYS",
    "ID_KEYS",
    "REDACTED",
    "Redactor",
    "normalise_key",
    "pseudonym",
    "redact_text",
    "restore",
]
