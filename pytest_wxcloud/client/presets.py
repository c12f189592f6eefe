"""The four basic permission presets (基础权限) and the names the consoles have given them.

Management APIs call them by ACL tag; the WeChat console, its older versions and the CloudBase
console each word them differently (client.md §2.1). Any of those names is accepted; anything
else is refused with the closest names, since a typo must never leave a collection open.
"""

from __future__ import annotations

import difflib

from .rules_parser import RulesError

READONLY = "READONLY"
PRIVATE = "PRIVATE"
ADMINWRITE = "ADMINWRITE"
ADMINONLY = "ADMINONLY"
PRESETS = (READONLY, PRIVATE, ADMINWRITE, ADMINONLY)

#: console wordings (current WeChat, older WeChat, CloudBase, newest CloudBase) -> ACL tag
CONSOLE_NAMES = {
    "所有用户可读，仅创建者可写": READONLY,
    "仅创建者可写，所有人可读": READONLY,
    "所有用户可读，仅创建者及管理员可写": READONLY,
    "读取全部数据，修改本人数据": READONLY,
    "仅创建者可读写": PRIVATE,
    "仅创建者及管理员可读写": PRIVATE,
    "读取和修改本人数据": PRIVATE,
    "所有用户可读": ADMINWRITE,
    "仅管理端可写，所有人可读": ADMINWRITE,
    "所有用户可读，仅管理员可写": ADMINWRITE,
    "读取全部数据，不可修改数据": ADMINWRITE,
    "所有用户不可读写": ADMINONLY,
    "仅管理端可读写": ADMINONLY,
    "仅管理员可读写": ADMINONLY,
    "无权限": ADMINONLY,
}

#: the security rule each preset grants the same access as (not the same behaviour: presets
#: filter queries, rules validate them), for the database and for storage
DATABASE_EQUIVALENT: dict[str, dict[str, bool | str]] = {
    READONLY: {"read": True, "write": "doc._openid == auth.openid"},
    PRIVATE: {"read": "doc._openid == auth.openid", "write": "doc._openid == auth.openid"},
    ADMINWRITE: {"read": True, "write": False},
    ADMINONLY: {"read": False, "write": False},
}
STORAGE_EQUIVALENT: dict[str, dict[str, bool | str]] = {
    READONLY: {"read": True, "write": "resource.openid == auth.openid"},
    PRIVATE: {
        "read": "resource.openid == auth.openid",
        "write": "resource.openid == auth.openid",
    },
    ADMINWRITE: {"read": True, "write": False},
    ADMINONLY: {"read": False, "write": False},
}


def preset_tag(name: str) -> str:
    """The ACL tag ``name`` stands for (tags in any case, or a console wording)."""
    if name.upper() in PRESETS:
        return name.upper()
    if name.strip() in CONSOLE_NAMES:
        return CONSOLE_NAMES[name.strip()]
    if name.upper() == "CUSTOM":
        raise RulesError(
            "'CUSTOM' needs its rule: pass the rule object itself, e.g. "
            "{'read': 'auth != null', 'write': 'doc._openid == auth.openid'}"
        )
    candidates = [*PRESETS, *CONSOLE_NAMES]
    close = difflib.get_close_matches(name.upper(), PRESETS, n=2, cutoff=0.5) or (
        difflib.get_close_matches(name, candidates, n=2, cutoff=0.5)
    )
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise RulesError(
        f"unknown permission preset {name!r}; accepted: {', '.join(PRESETS)} (or a console "
        f"wording such as '仅创建者可读写'), or a security-rule object{hint}"
    )


__all__ = [
    "ADMINONLY",
    "ADMINWRITE",
    "CONSOLE_NAMES",
    "DATABASE_EQUIVALENT",
    "PRESETS",
    "PRIVATE",
    "READONLY",
    "STORAGE_EQUIVALENT",
    "preset_tag",
]
