"""The READMEs' examples are the first code a user copies: they must run as written.

Both READMEs are checked the same way (their code blocks are identical, see
test_docs_translations.py): a python block whose first line names a test file (``# test_x.py``)
is written under that name and run by pytest in a fresh folder, as a user's first suite runs with
the plugin installed; any other python block is executed as a script.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docskit import DOCS, ROOT, ZH, fences

READMES = [ROOT / "README.md", ROOT / "README.zh-CN.md"]
TEST_FILE = re.compile(r"# (test_\w+\.py)\n")


def python_blocks(readme: Path) -> list[str]:
    return [f.code for f in fences(readme.read_text(encoding="utf-8")) if f.language == "python"]


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_usage_example_runs(readme: Path) -> None:
    scripts = [code for code in python_blocks(readme) if not TEST_FILE.match(code)]
    assert scripts, "the README has a python example"
    namespace: dict[str, object] = {}
    exec(compile(scripts[0], str(readme), "exec"), namespace)  # our own document, not user input
    page = namespace["page"]
    assert isinstance(page, dict) and len(page["data"]) == 2


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.name)
def test_readme_quick_start_test_passes_under_pytest(readme: Path, tmp_path: Path) -> None:
    files = {}
    for code in python_blocks(readme):
        named = TEST_FILE.match(code)
        if named:
            files[named.group(1)] = code
    assert files, "the quick start has a first test to copy"
    for name, code in files.items():
        (tmp_path / name).write_text(code, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"\b[1-9]\d* passed\b", run.stdout), run.stdout
    assert not re.search(r"\b(failed|skipped|error)", run.stdout), run.stdout


def test_readme_opens_with_the_two_commands_ci_runs() -> None:
    text = READMES[0].read_text(encoding="utf-8")
    commands = re.findall(r"```bash\n(.*?)\n```", text, re.S)[:2]
    assert commands[0].endswith("python -m pytest -q examples")
    assert commands[1].endswith("python -m pytest -q -n 2 tests")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "run_pytest -q examples" in ci and "run_pytest -q -n 2 tests" in ci


@pytest.mark.parametrize(
    ("readme", "docs"), [(READMES[0], DOCS), (READMES[1], ZH)], ids=lambda p: p.name
)
def test_readme_lists_every_page_and_every_example(readme: Path, docs: Path) -> None:
    """The README is where a reader finds the rest: a page or example it never names stays unread."""
    text = readme.read_text(encoding="utf-8")
    pages = [page.relative_to(ROOT).as_posix() for page in sorted(docs.glob("*.md"))]
    examples = [
        f"`examples/{folder.name}`"
        for folder in sorted((ROOT / "examples").iterdir())
        if folder.is_dir() and any(folder.glob("test_*.py"))
    ]
    assert pages and examples
    missing = [p for p in pages if f"]({p})" not in text] + [e for e in examples if e not in text]
    assert not missing, f"{readme.name} does not list: {', '.join(missing)}"
