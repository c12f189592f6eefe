"""docs/server.md and its Chinese page name every CLI option and control endpoint there is, and no other."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_wxcloud import WxCloud
from pytest_wxcloud.server.cli import parser

DOCS = Path(__file__).parents[2] / "docs"
PAGES = [DOCS / "server.md", DOCS / "zh" / "server.md"]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_cli_option_is_documented(page: Path) -> None:
    doc = page.read_text(encoding="utf-8")
    serve = parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    options = {flag for action in serve._actions for flag in action.option_strings} - {
        "-h",
        "--help",
    }
    rows = [line for line in doc.splitlines() if line.startswith("| `--")]
    documented = {flag for row in rows for flag in re.findall(r"`(--[a-z-]+)", row.split("|")[1])}
    assert options == documented


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_every_control_endpoint_is_documented(page: Path) -> None:
    with WxCloud().serve() as server:
        control = server.faces[0]
        names = set(control._endpoints)  # type: ignore[attr-defined]
    documented = set(
        re.findall(
            r"^\| `(?:GET|POST) /_wxcloud/([a-z]+)", page.read_text(encoding="utf-8"), re.MULTILINE
        )
    )
    assert names == documented
