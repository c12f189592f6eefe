"""The README's usage example is the first code a user copies: it must run as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_usage_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has a python example"
    namespace: dict[str, object] = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)  # our own document, not user input
    page = namespace["page"]
    assert isinstance(page, dict) and len(page["data"]) == 2


def test_readme_opens_with_the_two_commands_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)\n```", text, re.S)[:2]
    assert commands[0].endswith("python -m pytest -q examples")
    assert commands[1].endswith("python -m pytest -q -n 2 tests")
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "run_pytest -q examples" in ci and "run_pytest -q -n 2 tests" in ci
