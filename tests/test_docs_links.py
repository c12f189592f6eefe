"""Every link between the project's pages leads somewhere: the file exists, and so does the heading.

Pages are renamed and headings reworded in two languages; a dead link is found here, not by a
reader. Anchors are checked as GitHub computes them (tests/docskit.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docskit import ROOT, anchors, chinese_pages, english_pages, relative_links

PAGES = [ROOT / "README.md", ROOT / "README.zh-CN.md", *english_pages(), *chinese_pages()]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_to_existing_files_and_headings(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    dead = []
    for target in relative_links(text):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        name = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
        if not file.exists():
            dead.append(f"{target}: no {name}")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text("utf-8")):
            dead.append(f"{target}: {name} has no heading with anchor #{anchor}")
    assert not dead, f"{page.relative_to(ROOT)} has dead links:\n" + "\n".join(dead)


def test_anchors_follow_githubs_rules() -> None:
    text = (
        "# A `b` (c)\n## Does x → y see the OPENID?\n## 相对路径：规则\n## A b c\n```\n# not\n```"
    )
    assert anchors(text) == {
        "a-b-c",
        "does-x--y-see-the-openid",
        "相对路径规则",
        "a-b-c-1",
    }
