"""Reading Markdown the way GitHub renders it: fenced code blocks, heading anchors, links.

The documentation tests compare pages by these parts, so they are parsed once, here, by the same
rules for every page: a link or heading inside a code block is code, not Markdown.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ZH = DOCS / "zh"

FENCE = re.compile(r"^(`{3,}|~{3,})([^\n`]*)\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^()\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
INLINE_CODE = re.compile(r"`[^`\n]*`")


@dataclass(frozen=True)
class Fence:
    """One fenced code block: its info string (``python``, ``console``, empty) and its text."""

    language: str
    code: str


def fences(text: str) -> list[Fence]:
    """Every fenced code block of a page, in order."""
    return [Fence(m.group(2).strip(), m.group(3)) for m in FENCE.finditer(text)]


def prose(text: str) -> str:
    """The page without its fenced code blocks (whose lines must not read as headings or links)."""
    return FENCE.sub("", text)


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the page's headings.

    GitHub lowercases the heading's text, drops every character that is not a letter, mark,
    number, connector, space or hyphen (Chinese characters are letters and stay; full-width
    punctuation goes), turns spaces into hyphens and numbers repeats ``-1``, ``-2``.
    """
    seen: dict[str, int] = {}
    out: set[str] = set()
    for heading in HEADING.findall(prose(text)):
        plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
        kept = "".join(
            ch
            for ch in plain
            if ch in " -"
            or unicodedata.category(ch)[0] in "LMN"
            or unicodedata.category(ch) == "Pc"
        )
        slug = kept.replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def relative_links(text: str) -> list[str]:
    """Targets of the page's links that point into the repository (not URLs, not mail)."""
    targets = LINK.findall(INLINE_CODE.sub("", prose(text)))
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:", t)]


def english_pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def chinese_pages() -> list[Path]:
    return sorted(ZH.glob("*.md"))
