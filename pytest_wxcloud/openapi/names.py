"""Python attribute names → WeChat's API names (``subscribe_message.send`` →
``subscribeMessage.send``, ``wxacode.create_qr_code`` → ``wxacode.createQRCode``).

Plain camelCasing gets acronyms wrong (``createQrCode``), so a name matching a known API without
regard to case and underscores takes that API's spelling; other names are camelCased.
"""

from __future__ import annotations

from collections.abc import Iterable

from .naming import to_camel


def _fold(name: str) -> str:
    return name.replace("_", "").lower()


def wire_name(category: str, method: str, known: Iterable[str]) -> str:
    dotted = f"{to_camel(category)}.{to_camel(method)}"
    folded = _fold(dotted)
    for api in known:
        if _fold(api) == folded:
            return api
    return dotted


__all__ = ["wire_name"]
