"""Run pytest on generated test files in a subprocess, the way a user's suite runs the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Outcome:
    returncode: int
    output: str


RunPytest = Callable[..., Outcome]


@pytest.fixture
def run_pytest(tmp_path: Path) -> RunPytest:
    """``run_pytest({"test_x.py": source, "pytest.ini": ini}, *args)`` → exit code and output."""

    def run(files: dict[str, str], *args: str, cache: bool = False) -> Outcome:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text), encoding="utf-8")
        if not any(name.endswith(".ini") or name.endswith(".toml") for name in files):
            (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_XDIST", "PYTEST_CURRENT", "WX_", "TCB_"))
        }
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                *([] if cache else ["-p", "no:cacheprovider"]),
                "-q",
                "-rA",
                *args,
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Outcome(completed.returncode, completed.stdout + completed.stderr)

    return run
