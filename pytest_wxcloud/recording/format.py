"""The cassette file: one JSON document, one entry per interaction, a format version.

JSON rather than YAML keeps the package dependency-free; sorted keys, two-space indentation and
one interaction per list entry keep ``git diff`` readable::

    {
      "interactions": [
        {
          "env": "prod-4g7x",
          "function": "getUserProfile",
          "identity": {"appid": "wx…", "openid": "oPseudonym…", "source": "wx_client"},
          "provider_state": "alice has a profile",
          "recorded_at": "2024-05-01T08:00:00.000Z",
          "request": {"data": {"fields": ["nickName"]}},
          "response": {"result": {"nickName": "Alice"}}
        }
      ],
      "created_in_run": "5f0c…",
      "version": 1
    }

``created_in_run`` (optional) names the test run that created the file or rewrote it from
scratch: record mode ``once`` keeps recording into a cassette its own run created, even when
another pytest-xdist worker created it. ``response`` holds either ``result`` (the function's return value) or ``error`` with the
``errCode``/``errMsg`` the platform answered. Reading is strict: a hand edit that leaves an
unknown key, a wrong type or a duplicate key is reported with the file and the entry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .errors import CassetteFormatError

FORMAT_VERSION = 1

#: Identity fields a cassette keeps (client IPs are personal data and never recorded).
IDENTITY_FIELDS = (
    "openid",
    "appid",
    "unionid",
    "source",
    "from_openid",
    "from_appid",
    "from_unionid",
)
TOP_LEVEL_KEYS = ("version", "interactions", "created_in_run")
REQUIRED_KEYS = ("function", "request", "response")
OPTIONAL_KEYS = ("env", "identity", "provider_state", "recorded_at")


@dataclass(frozen=True)
class Interaction:
    """One recorded call and its answer, in the (pseudonymised) form stored on disk."""

    function: str
    data: dict[str, Any]
    response: dict[str, Any]
    env: str | None = None
    identity: dict[str, str] | None = None
    provider_state: tuple[str, ...] = ()
    recorded_at: str | None = None

    @property
    def is_error(self) -> bool:
        return "error" in self.response

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def error(self) -> dict[str, Any] | None:
        error: dict[str, Any] | None = self.response.get("error")
        return error

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "function": self.function,
            "request": {"data": self.data},
            "response": self.response,
        }
        if self.env is not None:
            entry["env"] = self.env
        if self.identity is not None:
            entry["identity"] = self.identity
        if self.provider_state:
            states = self.provider_state
            entry["provider_state"] = states[0] if len(states) == 1 else list(states)
        if self.recorded_at is not None:
            entry["recorded_at"] = self.recorded_at
        return entry


class CassetteFile(NamedTuple):
    """A cassette as read from disk."""

    interactions: list[Interaction]
    text: str
    created_in_run: str | None


def dumps(interactions: Sequence[Interaction], created_in_run: str | None = None) -> str:
    """The file's text: stable key order and indentation, UTF-8 kept readable, final newline."""
    document: dict[str, Any] = {
        "version": FORMAT_VERSION,
        "interactions": [i.to_json() for i in interactions],
    }
    if created_in_run is not None:
        document["created_in_run"] = created_in_run
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


_SURROGATE = re.compile("[\ud800-\udfff]")


def surrogate_at(value: Any, where: str = "") -> str | None:
    """Where in ``value`` a string (or key) holds a UTF-16 surrogate, e.g.
    ``response.result.items[2].name``; None if nowhere. A cassette is UTF-8, which cannot
    encode one (a lone ``\\ud800`` from a JSON escape, say)."""
    if isinstance(value, str):
        return (where or "(the value)") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            label = key if isinstance(key, str) and key.isidentifier() else repr(key)
            path = f"{where}.{label}" if where else label
            if isinstance(key, str) and _SURROGATE.search(key):
                return f"{path} (the key)"
            found = surrogate_at(item, path)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = surrogate_at(item, f"{where}[{index}]")
            if found is not None:
                return found
    return None


def loads(text: str, source: str | Path) -> list[Interaction]:
    """Parse and validate a cassette's text; ``source`` names the file in error messages."""
    return _parse(text, source).interactions


def _parse(text: str, source: str | Path) -> CassetteFile:
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as exc:
        raise CassetteFormatError(f"{source}: duplicate key {exc.key!r} in one object") from None
    except json.JSONDecodeError as exc:
        raise CassetteFormatError(
            f"{source}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(document, dict):
        raise CassetteFormatError(
            f"{source}: a cassette is a JSON object with 'version' and 'interactions'; "
            f"found a JSON {type(document).__name__}"
        )
    unknown = sorted(set(document) - set(TOP_LEVEL_KEYS))
    if unknown:
        raise CassetteFormatError(
            f"{source}: unknown top-level key(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(map(repr, TOP_LEVEL_KEYS))}"
        )
    version = document.get("version")
    if version != FORMAT_VERSION or isinstance(version, bool):
        raise CassetteFormatError(
            f"{source}: cassette format version {version!r} is not supported; this "
            f"pytest-wxcloud reads version {FORMAT_VERSION} (upgrade pytest-wxcloud, or re-record "
            "the cassette with --wxcloud-record-mode=all)"
        )
    entries = document.get("interactions")
    if not isinstance(entries, list):
        raise CassetteFormatError(
            f"{source}: 'interactions' must be a list of interaction objects; got {entries!r}"
        )
    run = document.get("created_in_run")
    if run is not None and (not isinstance(run, str) or not run):
        raise CassetteFormatError(
            f"{source}: 'created_in_run' must be a non-empty string (a test run's id); got {run!r}"
        )
    interactions = [
        _interaction(entry, f"{source}: interactions[{i}]") for i, entry in enumerate(entries)
    ]
    return CassetteFile(interactions, text, run)


def read(path: Path) -> CassetteFile | None:
    """The cassette at ``path``; None when there is no file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise CassetteFormatError(f"{path}: not UTF-8 text ({exc.reason})") from None
    return _parse(text, path)


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def interaction_from_json(entry: Any, where: str) -> Interaction:
    """One validated entry; ``where`` names it in error messages."""
    return _interaction(entry, where)


def _interaction(entry: Any, where: str) -> Interaction:
    if not isinstance(entry, dict):
        raise CassetteFormatError(f"{where}: must be an object; got {entry!r}")
    name = entry.get("function")
    if isinstance(name, str) and name:
        where = f"{where} ({name})"
    unknown = sorted(set(entry) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise CassetteFormatError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; accepted: "
            f"{', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"
        )
    missing = [key for key in REQUIRED_KEYS if key not in entry]
    if missing:
        raise CassetteFormatError(f"{where}: missing {', '.join(map(repr, missing))}")
    if not isinstance(name, str) or not name:
        raise CassetteFormatError(f"{where}: 'function' must be a non-empty string; got {name!r}")
    request = entry["request"]
    if not isinstance(request, dict) or set(request) != {"data"}:
        raise CassetteFormatError(
            f"{where}: 'request' must be {{\"data\": {{...}}}}; got {_short(request)}"
        )
    data = request["data"]
    if not isinstance(data, dict):
        raise CassetteFormatError(
            f"{where}: request.data must be an object (the event); got {_short(data)}"
        )
    return Interaction(
        function=name,
        data=data,
        response=_response(entry["response"], where),
        env=_optional_str(entry, "env", where),
        identity=_identity(entry.get("identity"), where),
        provider_state=_states(entry.get("provider_state"), where),
        recorded_at=_optional_str(entry, "recorded_at", where),
    )


def _response(response: Any, where: str) -> dict[str, Any]:
    if (
        not isinstance(response, dict)
        or len(response) != 1
        or not set(response)
        & {
            "result",
            "error",
        }
    ):
        raise CassetteFormatError(
            f"{where}: 'response' must be {{\"result\": ...}} or "
            f'{{"error": {{"errCode": -504002, "errMsg": "..."}}}}; got {_short(response)}'
        )
    if "error" in response:
        error = response["error"]
        if (
            not isinstance(error, dict)
            or set(error) != {"errCode", "errMsg"}
            or isinstance(error["errCode"], bool)
            or not isinstance(error["errCode"], int)
            or not isinstance(error["errMsg"], str)
        ):
            raise CassetteFormatError(
                f'{where}: response.error must be {{"errCode": <int>, "errMsg": <str>}}; '
                f"got {_short(error)}"
            )
    return dict(response)


def _identity(identity: Any, where: str) -> dict[str, str] | None:
    if identity is None:
        return None
    if not isinstance(identity, dict):
        raise CassetteFormatError(
            f"{where}: 'identity' must be an object or null; got {identity!r}"
        )
    unknown = sorted(set(identity) - set(IDENTITY_FIELDS))
    if unknown:
        raise CassetteFormatError(
            f"{where}: identity has unknown field(s) {', '.join(map(repr, unknown))}; "
            f"accepted: {', '.join(IDENTITY_FIELDS)}"
        )
    for key, value in identity.items():
        if not isinstance(value, str) or not value:
            raise CassetteFormatError(
                f"{where}: identity.{key} must be a non-empty string; got {value!r}"
            )
    return dict(identity)


def _states(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    states = [value] if isinstance(value, str) else value
    if not isinstance(states, list) or not all(isinstance(s, str) and s for s in states):
        raise CassetteFormatError(
            f"{where}: 'provider_state' must be a state name or a list of names; got {value!r}"
        )
    return tuple(states)


def _optional_str(entry: Mapping[str, Any], key: str, where: str) -> str | None:
    value = entry.get(key)
    if value is not None and not isinstance(value, str):
        raise CassetteFormatError(f"{where}: {key!r} must be a string; got {value!r}")
    return value


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if _jsonable(value) else repr(value)
    return text if len(text) <= 120 else text[:119] + "…"


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


__all__ = [
    "FORMAT_VERSION",
    "IDENTITY_FIELDS",
    "CassetteFile",
    "Interaction",
    "dumps",
    "interaction_from_json",
    "loads",
    "read",
]
