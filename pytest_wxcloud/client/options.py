"""Choices for behaviour client.md marks unconfirmed. Defaults are the stricter reading.

Each option names both readings; docs/security-rules.md explains them. The default is the one
that denies more (or errs louder), so a test that passes here does not depend on a guess that
production might be lenient.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

CHOICES: dict[str, tuple[Any, ...]] = {
    # doc(id).get/update/remove under rules: doc = {_id} only (WeChat) or the stored document
    "doc_id_mode": ("strict", "fetch"),
    # the '{openid}' placeholder: only as the value of _openid, or of any field
    "placeholder_fields": ("_openid", "any"),
    # client limit() above 20: an error, or silently 20
    "client_limit": ("error", "clamp"),
    # preset remove() reaching others' documents: denied, or filtered to the caller's
    "preset_remove": ("deny", "filter"),
    # create rules: doc and request.data are the (stamped) data, or only request.data is
    "create_doc_binding": ("data", "request_only"),
    # a client add() under rules naming _openid: always refused, or accepted when it equals
    # the caller's
    "client_openid": ("reject", "allow_equal"),
    # '+', '===' and '!==' in rules (vendor examples only)
    "rule_extensions": (False, True),
    # 未登录模式 (production default: off): anonymous clients fail -501023 when off
    "allow_unauthenticated": (False, True),
    # a denied file in getTempFileURL / deleteFile: the whole call refused before anything runs,
    # or a per-file status -503002 entry while the allowed files proceed
    "storage_list_denial": ("reject", "item"),
    # a collection with no permission set: an error naming it, or treated as this preset
    "default_permission": (None, "PRIVATE", "READONLY", "ADMINWRITE", "ADMINONLY"),
}


@dataclass(frozen=True, slots=True)
class RuleOptions:
    doc_id_mode: str = "strict"
    placeholder_fields: str = "_openid"
    client_limit: str = "error"
    preset_remove: str = "deny"
    create_doc_binding: str = "data"
    client_openid: str = "reject"
    rule_extensions: bool = False
    allow_unauthenticated: bool = False
    default_permission: str | None = None
    storage_list_denial: str = "reject"

    def changed(self, **changes: Any) -> RuleOptions:
        names = [f.name for f in fields(self)]
        for name, value in changes.items():
            if name not in CHOICES:
                raise TypeError(
                    f"unknown permissions option {name!r}; accepted: {', '.join(names)}"
                )
            if value not in CHOICES[name]:
                raise ValueError(
                    f"permissions option {name}={value!r} is not one of "
                    f"{', '.join(repr(c) for c in CHOICES[name])}"
                )
        return replace(self, **changes)


__all__ = ["CHOICES", "RuleOptions"]
