"""One collection's (or the bucket's) permission setting, checked and compiled at set time.

A setting is a :class:`Preset` or a :class:`RuleSet` (ACL tag ``CUSTOM``). Rule sets are accepted
in the three shapes users hold them in: the rule object itself, its JSON text, or the management
API's ``{"AclTag": "CUSTOM", "Rule": "<json>"}``. Keys and values are checked here, so a rule the
console would refuse never reaches a request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .presets import preset_tag
from .rules_compile import CompiledExpression, compile_expression
from .rules_parser import RulesError

DATABASE_KEYS = ("read", "write", "create", "update", "delete")
STORAGE_KEYS = ("read", "write")
#: operation kind -> the rule keys consulted, in order (client.md §3.1: write is the fallback)
FALLBACKS = {
    "read": ("read",),
    "create": ("create", "write"),
    "update": ("update", "write"),
    "delete": ("delete", "write"),
    "write": ("write",),
}


@dataclass(frozen=True, slots=True)
class Preset:
    tag: str

    def describe(self) -> str:
        return f"preset {self.tag}"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Compiled rules: key -> ``True``/``False`` or an expression."""

    rules: Mapping[str, bool | CompiledExpression]

    def describe(self) -> str:
        return "security rules"

    def rule_for(self, kind: str) -> tuple[str | None, bool | CompiledExpression]:
        """The key that governs ``kind`` and its value; ``(None, False)`` when none applies."""
        for key in FALLBACKS[kind]:
            if key in self.rules:
                return key, self.rules[key]
        return None, False


Setting = Preset | RuleSet


def make_setting(value: Any, *, storage: bool = False, extensions: bool = False) -> Setting:
    """A preset name or a rule (object, JSON text, or ``{"AclTag", "Rule"}``) -> a setting."""
    if isinstance(value, str) and not value.lstrip().startswith("{"):
        return Preset(preset_tag(value))
    if isinstance(value, str):
        value = _json(value)
    if isinstance(value, Mapping) and "AclTag" in value:
        return _from_acl(value, storage=storage, extensions=extensions)
    if not isinstance(value, Mapping):
        raise RulesError(
            f"a permission is a preset name (READONLY, PRIVATE, ADMINWRITE, ADMINONLY) or a rule "
            f"object like {{'read': true, 'write': 'doc._openid == auth.openid'}}; got {value!r}"
        )
    return compile_rules(value, storage=storage, extensions=extensions)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RulesError(
            f"the rule is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); "
            "production stores strict JSON: no comments, no repeated keys"
        ) from None


def _from_acl(value: Mapping[str, Any], *, storage: bool, extensions: bool) -> Setting:
    unknown = set(value) - {"AclTag", "Rule"}
    if unknown:
        raise RulesError(f"unknown keys {sorted(unknown)} next to AclTag; accepted: AclTag, Rule")
    tag = value["AclTag"]
    if not isinstance(tag, str):
        raise RulesError(f"AclTag must be a string, got {tag!r}")
    if tag.upper() != "CUSTOM":
        if "Rule" in value:
            raise RulesError(f"AclTag {tag!r} takes no Rule; only CUSTOM does")
        return Preset(preset_tag(tag))
    rule = value.get("Rule")
    if isinstance(rule, str):
        rule = _json(rule)
    if not isinstance(rule, Mapping):
        raise RulesError(f"AclTag CUSTOM needs Rule: a JSON object (or its text), got {rule!r}")
    return compile_rules(rule, storage=storage, extensions=extensions)


def compile_rules(rules: Mapping[str, Any], *, storage: bool, extensions: bool) -> RuleSet:
    accepted = STORAGE_KEYS if storage else DATABASE_KEYS
    compiled: dict[str, bool | CompiledExpression] = {}
    for key, value in rules.items():
        if key not in accepted:
            raise RulesError(f"unknown rule key {key!r}; accepted: {', '.join(accepted)}")
        if isinstance(value, bool):
            compiled[key] = value
        elif isinstance(value, str):
            try:
                compiled[key] = compile_expression(value, storage=storage, extensions=extensions)
            except RulesError as exc:
                raise RulesError(f"rule {key!r}: {exc}") from exc
        else:
            raise RulesError(
                f"rule {key!r} must be true, false or an expression string, got {value!r}"
            )
    return RuleSet(compiled)


__all__ = ["FALLBACKS", "Preset", "RuleSet", "Setting", "compile_rules", "make_setting"]
