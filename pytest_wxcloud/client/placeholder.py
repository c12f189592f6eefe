"""The ``'{openid}'`` placeholder: the backend replaces it in client query conditions with the
caller's openid, so a mini program can ask for "my rows" without knowing its openid (§3.7).

Only conditions are substituted, never written data. Which fields it applies to is unconfirmed:
``placeholder_fields="_openid"`` (default, the older wording) or ``"any"`` (newer examples).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PLACEHOLDER = "{openid}"


def substitute(query: Mapping[str, Any], openid: str | None, fields: str) -> dict[str, Any]:
    """``query`` with every applicable ``'{openid}'`` value replaced (unchanged when anonymous)."""
    if openid is None:
        return dict(query)
    return {key: _value(key, value, openid, fields) for key, value in query.items()}


def _value(key: str, value: Any, openid: str, fields: str) -> Any:
    if key in ("$and", "$or", "$nor") and isinstance(value, list):
        return [
            substitute(sub, openid, fields) if isinstance(sub, Mapping) else sub for sub in value
        ]
    if key.startswith("$"):
        return value
    if fields != "any" and key != "_openid":
        return value
    return _operand(value, openid)


def _operand(value: Any, openid: str) -> Any:
    if value == PLACEHOLDER:
        return openid
    if isinstance(value, Mapping) and any(str(k).startswith("$") for k in value):
        out: dict[str, Any] = {}
        for op, operand in value.items():
            if op in ("$eq", "$ne"):
                out[op] = openid if operand == PLACEHOLDER else operand
            elif op in ("$in", "$nin") and isinstance(operand, list):
                out[op] = [openid if item == PLACEHOLDER else item for item in operand]
            elif op in ("$and", "$or") and isinstance(operand, list):
                out[op] = [_operand(item, openid) for item in operand]
            else:
                out[op] = operand
        return out
    return value


__all__ = ["PLACEHOLDER", "substitute"]
