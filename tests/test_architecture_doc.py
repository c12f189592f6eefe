"""docs/architecture.md is the contributor's map: every module it names must exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "docs" / "architecture.md", *sorted((ROOT / "docs" / "zh").glob("architecture.md"))]


def test_every_module_the_architecture_page_names_exists() -> None:
    for page in PAGES:
        named = set(re.findall(r"`(pytest_wxcloud/[\w/]+\.py)`", page.read_text(encoding="utf-8")))
        assert len(named) >= 20, f"{page} should map the package's modules"
        missing = sorted(path for path in named if not (ROOT / path).is_file())
        assert not missing, f"{page.name} names modules that do not exist: {missing}"
