"""A cloud function's ``config.json``: timeout, timer triggers and openapi permissions.

Validated when loaded, so a typo (a 5-field cron, ``"trigger"`` for ``"triggers"``) fails the
test that loads it with the file, the key and what is accepted, instead of silently running a
function without its trigger.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The platform's default function timeout and the WeChat console's maximum (sdk.md §7).
DEFAULT_TIMEOUT = 3.0
MAX_TIMEOUT = 60.0

_TRIGGER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")
_KNOWN_KEYS = (
    "permissions",
    "triggers",
    "timeout",
    "envVariables",
    "memorySize",
    "runtime",
    "handler",
    "installDependency",
)


class ConfigError(ValueError):
    """A ``config.json`` (or ``register(config=...)``) the platform would not deploy."""


@dataclass(frozen=True, slots=True)
class TimerTrigger:
    """A ``{"name", "type": "timer", "config": "<7-field cron>"}`` entry."""

    name: str
    cron: str


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    timeout: float = DEFAULT_TIMEOUT
    triggers: tuple[TimerTrigger, ...] = ()
    openapi: tuple[str, ...] = ()
    env_variables: tuple[tuple[str, str], ...] = ()


DEFAULT_CONFIG = FunctionConfig()


def parse_config(raw: Any, origin: str = "config") -> FunctionConfig:
    """Validate a decoded ``config.json``; ``origin`` names it in error messages."""
    if not isinstance(raw, Mapping):
        raise ConfigError(f'{origin} must be a JSON object like {{"triggers": [...]}}; got {raw!r}')
    unknown = sorted(set(raw) - set(_KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{origin}: unknown key(s) {', '.join(map(repr, unknown))}; accepted: {', '.join(_KNOWN_KEYS)}"
        )
    return FunctionConfig(
        timeout=_timeout(raw.get("timeout", DEFAULT_TIMEOUT), origin),
        triggers=_triggers(raw.get("triggers", []), origin),
        openapi=_openapi(raw.get("permissions", {}), origin),
        env_variables=_env_variables(raw.get("envVariables", {}), origin),
    )


def load_config(path: Path) -> FunctionConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None
    return parse_config(raw, str(path))


def _timeout(value: Any, origin: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_TIMEOUT
    ):
        raise ConfigError(
            f"{origin}: timeout must be a number of seconds in (0, {MAX_TIMEOUT:g}]; got {value!r}"
        )
    return float(value)


def _triggers(value: Any, origin: str) -> tuple[TimerTrigger, ...]:
    shape = '[{"name": "myTrigger", "type": "timer", "config": "0 0 2 1 * * *"}]'
    if not isinstance(value, list):
        raise ConfigError(f"{origin}: triggers must be a list like {shape}; got {value!r}")
    if len(value) > 1:
        raise ConfigError(
            f"{origin}: a cloud function supports only one timer trigger; got {len(value)} "
            f"({', '.join(repr(t.get('name')) if isinstance(t, Mapping) else repr(t) for t in value)})"
        )
    triggers: list[TimerTrigger] = []
    for index, entry in enumerate(value):
        where = f"{origin}: triggers[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"name", "type", "config"}:
            raise ConfigError(
                f"{where} must have exactly the keys name, type, config (as in {shape}); got {entry!r}"
            )
        name, kind, cron = entry["name"], entry["type"], entry["config"]
        if not isinstance(name, str) or not _TRIGGER_NAME.fullmatch(name):
            raise ConfigError(
                f"{where}: name {name!r} must start with a letter and use only a-z, A-Z, 0-9, - and _ "
                "(at most 60 characters)"
            )
        if kind != "timer":
            raise ConfigError(
                f"{where}: type {kind!r} is not supported; the only trigger type is 'timer'"
            )
        if not isinstance(cron, str) or len(cron.split()) != 7:
            raise ConfigError(
                f"{where}: config {cron!r} is not a 7-field cron expression "
                "(second minute hour day month weekday year), e.g. '0 0 2 1 * * *'"
            )
        triggers.append(TimerTrigger(name, cron))
    return tuple(triggers)


def _openapi(value: Any, origin: str) -> tuple[str, ...]:
    shape = '{"openapi": ["wxacode.get", "subscribeMessage.send"]}'
    if not isinstance(value, Mapping):
        raise ConfigError(f"{origin}: permissions must be an object like {shape}; got {value!r}")
    apis = value.get("openapi", [])
    if not isinstance(apis, list) or not all(isinstance(a, str) and a for a in apis):
        raise ConfigError(
            f"{origin}: permissions.openapi must be a list of API names like {shape}; got {apis!r}"
        )
    return tuple(apis)


def _env_variables(value: Any, origin: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ConfigError(
            f'{origin}: envVariables must map names to strings, e.g. {{"MODE": "test"}}; got {value!r}'
        )
    return tuple(value.items())


__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_TIMEOUT",
    "MAX_TIMEOUT",
    "ConfigError",
    "FunctionConfig",
    "TimerTrigger",
    "load_config",
    "parse_config",
]
