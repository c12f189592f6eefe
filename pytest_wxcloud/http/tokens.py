"""Access tokens of ``/cgi-bin/token`` and ``/cgi-bin/stable_token`` (http-api.md §2).

Three families that never affect one another:

* ``token`` (getAccessToken): every call issues a new token; the previous one keeps working for
  a grace period (5 minutes) and then answers 40001.
* ``stable`` (getStableAccessToken): the same token until 5 minutes before expiry, when a
  successor is issued and both work until the old one expires. ``force_refresh`` replaces it at
  once, but at most 20 times a (Beijing) day and 30 s apart; beyond that it "does not refresh"
  and answers the current token.
* ``cloudbase``: the short-lived token a Cloud Run container receives in
  ``X-WX-CLOUDBASE-ACCESS-TOKEN``; only accepted as ``cloudbase_access_token`` (40001 otherwise).

Time is the cloud's clock, so ``cloud.clock.advance(...)`` expires tokens deterministically.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from ..clock import Clock
from .wire import ApiError

Family = Literal["token", "stable", "cloudbase"]

_ALPHABET = string.ascii_letters + string.digits + "_-"
_BEIJING = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class TokenPolicy:
    """Knobs for the parts of §2 that vary or are unconfirmed."""

    expires_in: int = 7200
    #: how long a superseded /cgi-bin/token token keeps working
    grace_seconds: int = 300
    #: the live API answers 40125 for a wrong secret; the documentation says 40001
    bad_secret_errcode: int = 40125
    stable_refresh_window: int = 300
    stable_force_interval: int = 30
    stable_force_per_day: int = 20
    cloudbase_expires_in: int = 1800


@dataclass
class _Token:
    family: Family
    expires_at: datetime
    superseded_at: datetime | None = None
    grace: timedelta = timedelta(0)


class TokenAuthority:
    """Issues and verifies the tokens of one appid; all state lives here, keyed by token string."""

    def __init__(self, appid: str, secret: str, clock: Clock, seed: int) -> None:
        self.appid = appid
        self.secret = secret
        self.clock = clock
        self._random = random.Random(f"tokens:{seed}")
        self._tokens: dict[str, _Token] = {}
        self._latest: dict[Family, str] = {}
        self._forced: list[datetime] = []

    # ------------------------------------------------------------------ issuing

    def check_credentials(self, params: dict[str, Any], policy: TokenPolicy) -> None:
        """The checks both token endpoints make, in the order the platform reports them."""
        grant_type = params.get("grant_type")
        appid = params.get("appid")
        secret = params.get("secret")
        if grant_type != "client_credential":
            raise ApiError(40002)
        if appid in (None, ""):
            raise ApiError(41002)
        if appid != self.appid:
            raise ApiError(40013)
        if secret in (None, ""):
            raise ApiError(41004)
        if secret != self.secret:
            raise ApiError(policy.bad_secret_errcode)

    def get_access_token(self, policy: TokenPolicy) -> dict[str, Any]:
        """A new ``token``-family token; the previous one enters its grace period."""
        token = self._issue("token", policy.expires_in, timedelta(seconds=policy.grace_seconds))
        return {"access_token": token, "expires_in": policy.expires_in}

    def get_stable_token(self, force_refresh: bool, policy: TokenPolicy) -> dict[str, Any]:
        now = self.clock.now()
        current = self._latest.get("stable")
        record = self._tokens.get(current) if current else None
        usable = record is not None and record.superseded_at is None and now < record.expires_at
        if force_refresh and self._may_force(now, policy):
            self._forced.append(now)
            current = self._issue("stable", policy.expires_in, timedelta(0))
        elif not usable or (
            record is not None
            and now >= record.expires_at - timedelta(seconds=policy.stable_refresh_window)
        ):
            # the predecessor stays valid until its own expiry: successor issued with no grace cut
            current = self._issue("stable", policy.expires_in, None)
        assert current is not None
        remaining = self._tokens[current].expires_at - now
        return {"access_token": current, "expires_in": int(remaining.total_seconds())}

    def cloudbase_token(self, policy: TokenPolicy | None = None) -> str:
        """The token a Cloud Run container gets in ``X-WX-CLOUDBASE-ACCESS-TOKEN``."""
        lifetime = (policy or TokenPolicy()).cloudbase_expires_in
        return self._issue("cloudbase", lifetime, None)

    def _may_force(self, now: datetime, policy: TokenPolicy) -> bool:
        today = now.astimezone(_BEIJING).date()
        todays = [t for t in self._forced if t.astimezone(_BEIJING).date() == today]
        if len(todays) >= policy.stable_force_per_day:
            return False
        return not todays or now - todays[-1] >= timedelta(seconds=policy.stable_force_interval)

    def _issue(self, family: Family, lifetime: int, supersede_grace: timedelta | None) -> str:
        now = self.clock.now()
        previous = self._latest.get(family)
        if previous is not None and supersede_grace is not None:
            old = self._tokens[previous]
            if old.superseded_at is None:
                old.superseded_at = now
                old.grace = supersede_grace
        token = self._new_token_text(family)
        self._tokens[token] = _Token(family, now + timedelta(seconds=lifetime))
        self._latest[family] = token
        return token

    def _new_token_text(self, family: Family) -> str:
        prefix = {"token": "84_", "stable": "85_", "cloudbase": "cb_"}[family]
        body = "".join(self._random.choice(_ALPHABET) for _ in range(124))
        return prefix + body

    # ------------------------------------------------------------------ verifying

    def verify(self, token: str, as_cloudbase: bool) -> None:
        """Raise the errcode of §2.3 for a token that may not be used now."""
        record = self._tokens.get(token)
        if record is None:
            raise ApiError(40014)
        if record.family == "cloudbase" and not as_cloudbase:
            raise ApiError(40001)
        now = self.clock.now()
        if record.superseded_at is not None and now >= record.superseded_at + record.grace:
            raise ApiError(40001)
        if now >= record.expires_at:
            raise ApiError(42001)


__all__ = ["Family", "TokenAuthority", "TokenPolicy"]
