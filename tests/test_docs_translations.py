"""Every page of the documentation exists in Chinese, with the same code, and says so at the top.

Most users of WeChat cloud development read Chinese first, so docs/zh/ is not a courtesy copy:
a page added to docs/ without its Chinese counterpart fails the build. The Chinese prose is
written for its readers, not rendered word for word, but the code blocks must be the English
page's, character for character and in the same order. Some English pages' code blocks are run
by tests (tests/test_readme.py, tests/http/test_docs_examples.py, the query-language examples);
being identical, the Chinese pages' blocks are tested by those runs too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docskit import DOCS, ROOT, ZH, Fence, chinese_pages, english_pages, fences

PAIRS = [(page, ZH / page.name) for page in english_pages()] + [
    (ROOT / "README.md", ROOT / "README.zh-CN.md")
]


def pair_id(pair: tuple[Path, Path]) -> str:
    return pair[0].relative_to(ROOT).as_posix()


def test_there_are_pages_to_compare() -> None:
    assert len(english_pages()) >= 12


@pytest.mark.parametrize("english", english_pages(), ids=lambda p: p.name)
def test_every_english_page_has_a_chinese_page(english: Path) -> None:
    assert (ZH / english.name).is_file(), (
        f"docs/{english.name} has no Chinese page: write docs/zh/{english.name} "
        "(same code blocks, prose for Chinese readers)"
    )


@pytest.mark.parametrize("chinese", chinese_pages(), ids=lambda p: p.name)
def test_every_chinese_page_has_an_english_page(chinese: Path) -> None:
    assert (DOCS / chinese.name).is_file(), f"docs/zh/{chinese.name} translates no English page"


def describe(blocks: list[Fence], index: int) -> str:
    if index >= len(blocks):
        return "(no block)"
    block = blocks[index]
    return f"```{block.language}\n{block.code}```"


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_code_blocks_are_identical_and_in_order(pair: tuple[Path, Path]) -> None:
    english, chinese = pair
    if not chinese.is_file():
        pytest.fail(f"{chinese.relative_to(ROOT)} is missing")
    ours = fences(english.read_text(encoding="utf-8"))
    theirs = fences(chinese.read_text(encoding="utf-8"))
    for index in range(max(len(ours), len(theirs))):
        assert index < len(ours) and index < len(theirs) and ours[index] == theirs[index], (
            f"code block #{index + 1} differs between {english.relative_to(ROOT)} "
            f"({len(ours)} blocks) and {chinese.relative_to(ROOT)} ({len(theirs)} blocks):\n"
            f"English:\n{describe(ours, index)}\nChinese:\n{describe(theirs, index)}"
        )


def second_line(page: Path) -> str:
    lines = [line for line in page.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[1]


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_each_page_links_to_the_other_at_the_top(pair: tuple[Path, Path]) -> None:
    """The language switch is the line under the title, where a reader looks first."""
    english, chinese = pair
    if not chinese.is_file():
        pytest.fail(f"{chinese.relative_to(ROOT)} is missing")
    to_chinese = Path(os.path.relpath(chinese, english.parent)).as_posix()
    to_english = Path(os.path.relpath(english, chinese.parent)).as_posix()
    assert f"]({to_chinese})" in second_line(english), f"{english.name}: link to {to_chinese}"
    assert f"]({to_english})" in second_line(chinese), f"{chinese.name}: link to {to_english}"
