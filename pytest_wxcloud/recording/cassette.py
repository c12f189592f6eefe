"""A cassette in use: record modes, replay in recorded order, recording through the real cloud.

Record modes (as in vcrpy):

* ``none`` (default): replay only; a call with no recorded answer fails the test.
* ``once``: record when the cassette file does not exist yet (or was created earlier in this
  test run, by any pytest-xdist worker, so tests sharing a new cassette all record), else
  behave like ``none``.
* ``new_episodes``: replay what is recorded, record what is not, append it.
* ``all``: record every call again and rewrite the cassette.

Each recorded interaction answers one call; identical requests replay their interactions in the
order they were recorded (``allow_playback_repeats=True`` lets the last one answer again).
"""

from __future__ import annotations

import json
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ERR_CODE_TEXT
from ..functions.sources import RecordedFailure
from ..identity import Identity
from ..jsjson import iso_string
from . import format as cassette_format
from . import storage
from .diffing import show
from .errors import CassetteError, CassetteMiss, RecordingError
from .format import IDENTITY_FIELDS, Interaction
from .matching import (
    DEFAULT_MATCH_ON,
    Request,
    RequestMatcher,
    closest,
    describe_request,
    matches,
    resolve,
)
from .redact import Redactor, restore

if TYPE_CHECKING:
    from .upstream import Upstream

RECORD_MODES = ("none", "once", "new_episodes", "all")

BeforeRecord = Callable[[dict[str, Any]], "dict[str, Any] | None"]
UpstreamFactory = Callable[[], "Upstream"]


def check_record_mode(mode: Any, where: str) -> str:
    if mode not in RECORD_MODES:
        raise ValueError(
            f"{where}: record mode {mode!r} is not one of {', '.join(map(repr, RECORD_MODES))}"
        )
    return str(mode)


def identity_record(identity: Identity | None) -> dict[str, str] | None:
    """The fields of an identity a cassette keeps (before pseudonymisation)."""
    if identity is None:
        return None
    record = {name: getattr(identity, name) for name in IDENTITY_FIELDS}
    return {name: value for name, value in record.items() if value is not None}


class Cassette:
    """Recorded interactions of one file plus what this test run recorded or replayed."""

    def __init__(
        self,
        path: str | Path,
        *,
        record_mode: str = "none",
        match_on: Sequence[str] = DEFAULT_MATCH_ON,
        matchers: Mapping[str, RequestMatcher] | None = None,
        allow_playback_repeats: bool = False,
        provider_state: str | Sequence[str] | None = None,
        redact_keys: Iterable[str] = (),
        before_record: BeforeRecord | None = None,
        upstream: UpstreamFactory | None = None,
    ) -> None:
        self.path = Path(path)
        self.record_mode = check_record_mode(record_mode, str(self.path))
        self.match_on = tuple(match_on)
        self._matchers = resolve(self.match_on, matchers)
        if not isinstance(allow_playback_repeats, bool):
            raise TypeError(
                f"{self.path}: allow_playback_repeats must be True or False; "
                f"got {allow_playback_repeats!r}"
            )
        self.allow_playback_repeats = allow_playback_repeats
        self.provider_state = provider_state
        self.redactor = Redactor(redact_keys)
        self.before_record = before_record
        self._upstream_factory = upstream
        self._upstream: Upstream | None = None
        loaded = cassette_format.read(self.path)
        self.existed = loaded is not None
        self.interactions: list[Interaction] = loaded.interactions if loaded is not None else []
        self._loaded_text = loaded.text if loaded is not None else None
        self._created_in_run = loaded.created_in_run if loaded is not None else None
        self.new: list[Interaction] = []
        self.played: list[int] = []
        self.misses: list[str] = []
        self.answered = 0
        self._recorded_any = False
        self._warned_identity = False
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Cassette({str(self.path)!r}, record_mode={self.record_mode!r})"

    # ------------------------------------------------------------------ state

    @property
    def provider_state(self) -> tuple[str, ...]:
        """Provider state(s) written into interactions recorded from now on."""
        return self._provider_state

    @provider_state.setter
    def provider_state(self, value: str | Sequence[str] | None) -> None:
        states = (value,) if isinstance(value, str) else tuple(value or ())
        if not all(isinstance(s, str) and s for s in states):
            raise TypeError(f"provider_state must be a name or a list of names; got {value!r}")
        self._provider_state = states

    @property
    def records(self) -> bool:
        """Whether a call with no recorded answer is recorded (rather than failing)."""
        if self.record_mode == "once":
            return not self.existed or self._created_in_run == storage.RUN_ID
        return self.record_mode in ("new_episodes", "all")

    # ------------------------------------------------------------------ answering

    def play(
        self, name: str, data: dict[str, Any], identity: Identity | None, env: str, now: datetime
    ) -> Any:
        """Answer one live call: its (real-id) result, or its :class:`RecordedFailure`."""
        real_identity = identity_record(identity)
        ids = self.redactor.identity_ids(real_identity)
        live = Request(
            name,
            self.redactor.scrub(data, ids),
            env,
            self.redactor.scrub(real_identity, ids) if real_identity is not None else None,
        )
        with self._lock:
            interaction = self._replay(live)
            if interaction is None:
                if not self.records:
                    message = self._miss_message(live)
                    self.misses.append(message)
                    raise CassetteMiss(message)
                interaction = self._record(name, data, live, identity, now)
            self.answered += 1
        return _answer(interaction, {pseudonym: real for real, pseudonym in ids.items()})

    def _replay(self, live: Request) -> Interaction | None:
        if self.record_mode == "all":
            return None
        candidates = [
            i
            for i, interaction in enumerate(self.interactions)
            if matches(live, Request.of(interaction), self._matchers)
        ]
        fresh = [i for i in candidates if i not in self.played]
        if fresh:
            self.played.append(fresh[0])
            return self.interactions[fresh[0]]
        if candidates and self.allow_playback_repeats:
            self.played.append(candidates[-1])
            return self.interactions[candidates[-1]]
        return None

    def _record(
        self,
        name: str,
        data: dict[str, Any],
        live: Request,
        identity: Identity | None,
        now: datetime,
    ) -> Interaction:
        where = cassette_format.surrogate_at(data, "request.data")
        if where is not None:
            raise self._unstorable(name, where)
        upstream = self._connect()
        if identity is not None and identity.openid is not None and not self._warned_identity:
            self._warned_identity = True
            warnings.warn(
                f"recording {name!r} into {self.path}: invokecloudfunction carries no user, so the "
                "real function ran without OPENID (SOURCE wx_http); the cassette keeps the caller's "
                "pseudonymised identity for matching and verification",
                stacklevel=2,
            )
        answer = upstream.invoke(name, data)
        secrets = [s for s in (upstream.token, upstream.credentials.secret) if s]
        ids = self.redactor.identity_ids(identity_record(identity))
        interaction = Interaction(
            function=name,
            data=self.redactor.scrub(data, ids, secrets),
            response=self.redactor.scrub(answer.to_response(), ids, secrets),
            env=upstream.credentials.env,
            identity=live.identity,
            provider_state=self.provider_state,
            recorded_at=iso_string(now),
        )
        self._recorded_any = True
        stored = self._apply_hook(interaction)
        if stored is None:
            return interaction
        where = cassette_format.surrogate_at(stored.to_json())
        if where is not None:
            raise self._unstorable(name, where)
        self.new.append(stored)
        return stored  # the first run sees exactly what later replays will see

    def _unstorable(self, name: str, where: str) -> RecordingError:
        return RecordingError(
            f"cassette {self.path}: cannot record {name!r}: {where} holds a UTF-16 surrogate "
            "(such as a lone \\ud800), which a UTF-8 cassette cannot store; nothing was recorded"
        )

    def _apply_hook(self, interaction: Interaction) -> Interaction | None:
        if self.before_record is None:
            return interaction
        entry = self.before_record(interaction.to_json())
        if entry is None:
            return None
        where = f"{self.path}: the entry before_record returned"
        try:
            entry = json.loads(json.dumps(entry))
        except (TypeError, ValueError) as exc:
            raise CassetteError(f"{where} is not JSON: {exc}") from None
        return cassette_format.interaction_from_json(entry, where)

    def _connect(self) -> Upstream:
        if self._upstream is None:
            if self._upstream_factory is not None:
                self._upstream = self._upstream_factory()
            else:
                from .upstream import Upstream, credentials_from_environ  # only when recording

                why = f"record mode {self.record_mode!r} for {self.path}"
                self._upstream = Upstream(credentials_from_environ(why))
        return self._upstream

    def _miss_message(self, live: Request) -> str:
        lines = [
            f"wxcloud cassette {self.path} (record mode {self.record_mode}): no recorded "
            f"interaction answers {describe_request(live)}"
            + (f" as {show(live.identity, 200)}" if "identity" in self.match_on else ""),
            f"matching on: {', '.join(self.match_on)}",
        ]
        if not self.existed:
            lines.append(
                "the cassette file does not exist; record it with --wxcloud-record-mode=once "
                "(needs WXCLOUD_APPID, WXCLOUD_SECRET and WXCLOUD_ENV)"
            )
            return "\n".join(lines)
        used = [
            i
            for i, interaction in enumerate(self.interactions)
            if matches(live, Request.of(interaction), self._matchers)
        ]
        if used:
            lines.append(
                f"it matches interaction(s) {', '.join(f'#{i}' for i in used)}, already replayed: "
                "each recorded interaction answers one call, in recorded order (record the repeat "
                "with --wxcloud-record-mode=new_episodes, or allow_playback_repeats=True)"
            )
            return "\n".join(lines)
        if not self.interactions:
            lines.append("the cassette holds no interactions")
        else:
            lines.append("closest recorded interactions:")
            for index, differences in closest(live, self.interactions, self._matchers):
                interaction = self.interactions[index]
                when = f", recorded {interaction.recorded_at}" if interaction.recorded_at else ""
                lines.append(f"  #{index} {interaction.function}{when}:")
                lines.extend(f"      {line}" for line in differences)
        lines.append("to record it: --wxcloud-record-mode=new_episodes")
        return "\n".join(lines)

    # ------------------------------------------------------------------ saving

    def save(self) -> bool:
        """Write what was recorded (merging with other writers); False when nothing changed."""
        with self._lock:
            if not self.new and not (self.record_mode == "all" and self._recorded_any):
                return False
            written = storage.save(
                self.path,
                self.new,
                loaded_text=self._loaded_text,
                rewrite=self.record_mode == "all",
            )
            self.new = []
            self._loaded_text = written.text
            self._created_in_run = written.created_in_run
            return True

    def close(self) -> None:
        if self._upstream is not None and self._upstream_factory is None:
            self._upstream.close()
        self._upstream = None


def _answer(interaction: Interaction, pseudonyms: dict[str, str]) -> Any:
    error = interaction.error
    if error is None:
        return restore(interaction.result, pseudonyms)
    code = error["errCode"]
    message = restore(error["errMsg"], pseudonyms)
    # The HTTP API puts the code's text before the backend's message; the invocation
    # pipeline shapes the backend's message for each caller (and the HTTP face adds it back).
    text = ERR_CODE_TEXT.get(code)
    if text is not None and message.startswith(f"{text}. "):
        message = message[len(text) + 2 :]
    return RecordedFailure(code, message)


__all__ = ["RECORD_MODES", "Cassette", "check_record_mode", "identity_record"]
