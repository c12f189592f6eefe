"""docs/server.md names every CLI option and control endpoint there is, and no other."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_wxcloud import WxCloud
from pytest_wxcloud.server.cli import parser

DOC = (Path(__file__).parents[2] / "docs" / "server.md").read_text(encoding="utf-8")


def test_every_cli_option_is_documented() -> None:
    serve = parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    options = {flag for action in serve._actions for flag in action.option_strings} - {
        "-h",
        "--help",
    }
    rows = [line for line in DOC.splitlines() if line.startswith("| `--")]
    documented = {flag for row in rows for flag in re.findall(r"`(--[a-z-]+)", row.split("|")[1])}
    assert options == documented


def test_every_control_endpoint_is_documented() -> None:
    with WxCloud().serve() as server:
        control = server.faces[0]
        names = set(control._endpoints)  # type: ignore[attr-defined]
    documented = set(re.findall(r"^\| `(?:GET|POST) /_wxcloud/([a-z]+)", DOC, re.MULTILINE))
    assert names == documented
