"""The one rule for relative paths, and the error that teaches it.

Paths written in pytest configuration are relative to the file they are written in: the
marker's ``data=`` to the test file's folder (or the ``wxcloud_data_dir`` ini option), ini
options to the ini file's folder. Paths passed to Python calls (``cloud.load``,
``cloud.functions.load``) are relative to the working directory, as ``open()``'s are. A suite
run from another folder then fails on a call's relative path, so the error says where it
looked and how to anchor the path to the test file.
"""

from __future__ import annotations

import os
from pathlib import Path


def describe_missing(path: Path, kind: str) -> str:
    """``path`` is not an existing ``kind`` (``"file"`` or ``"directory"``): say where we looked."""
    if path.is_absolute():
        return f"{path} is not an existing {kind}"
    return (
        f"{path} is not an existing {kind}; relative paths are read from the working directory "
        f"{os.getcwd()} (looked at {Path.cwd() / path}). To read it next to the test file "
        f"whatever the working directory, pass Path(__file__).parent / {str(path)!r}"
    )


__all__ = ["describe_missing"]
