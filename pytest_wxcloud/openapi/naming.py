"""camelCase ↔ snake_case, the way wx-server-sdk converts openapi parameters and results.

Parameters go out snake_case, recursively (``templateId`` → ``template_id``); results come back
camelCase, recursively (``trace_id`` → ``traceId``). Keys without the other spelling's marks
(``errcode``, ``touser``) pass through unchanged.
"""

from __future__ import annotations

import re
from typing import Any

_UPPER = re.compile(r"(?<=[a-z0-9])([A-Z])")
_UNDERSCORE = re.compile(r"_([a-z0-9])")


def to_snake(key: str) -> str:
    return _UPPER.sub(lambda m: "_" + m.group(1).lower(), key)


def to_camel(key: str) -> str:
    return _UNDERSCORE.sub(lambda m: m.group(1).upper(), key)


def snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {to_snake(k) if isinstance(k, str) else k: snake_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [snake_keys(v) for v in value]
    return value


def camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {to_camel(k) if isinstance(k, str) else k: camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


__all__ = ["camel_keys", "snake_keys", "to_camel", "to_snake"]
