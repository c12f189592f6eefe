"""Fail when a cassette contains something that looks like a secret.

    python -m pytest_wxcloud.recording.check tests examples

Arguments are cassette files or folders (searched recursively for ``*.json`` files that are
cassettes, i.e. objects with ``version`` and ``interactions``). Exit status: 0 clean, 1 findings,
2 unreadable or invalid cassette. Looks for:

* a secret-named key (``access_token``, ``secret``, ``session_key`` …) whose value is not
  ``"<redacted>"``;
* ``access_token=…``-style parameters inside strings;
* WeChat access-token shapes (``<digits>_<80+ token characters>``) and session-key shapes
  (24 base64 characters ending in ``==``) anywhere;
* the literal values of ``WXCLOUD_SECRET`` and of any ``--forbid`` argument.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CassetteFormatError
from .format import loads
from .redact import DEFAULT_SECRET_KEYS, REDACTED, normalise_key

_SECRET_KEYS = frozenset(normalise_key(k) for k in DEFAULT_SECRET_KEYS)
_ACCESS_TOKEN = re.compile(r"\b\d{1,4}_[A-Za-z0-9_-]{80,}")
_SESSION_KEY = re.compile(r"[A-Za-z0-9+/]{22}==")
_PARAMETER = re.compile(
    r"(?:cloudbase_|authorizer_)?access_token=(?!<redacted>|&|$)|(?:app)?secret=(?!<redacted>|&|$)"
    r"|session_key=(?!<redacted>|&|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.where}: {self.reason}"


def scan_value(value: Any, where: str, forbidden: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(location, reason) for every secret-looking part of a JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            place = f"{where}.{key}" if where else str(key)
            if normalise_key(str(key)) in _SECRET_KEYS and item not in (None, "", REDACTED):
                yield place, f"secret-named key {key!r} holds a value that is not {REDACTED!r}"
            else:
                yield from scan_value(item, place, forbidden)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from scan_value(item, f"{where}.{index}" if where else str(index), forbidden)
    elif isinstance(value, str):
        for secret in forbidden:
            if secret and secret in value:
                yield where, "contains a forbidden literal secret"
        if _PARAMETER.search(value):
            yield where, "contains an access_token/secret/session_key parameter"
        if _ACCESS_TOKEN.search(value):
            yield where, "looks like a WeChat access token"
        if _SESSION_KEY.fullmatch(value):
            yield where, "looks like a session_key"


def check_file(path: Path, forbidden: Sequence[str]) -> list[Finding]:
    text = path.read_text(encoding="utf-8")
    interactions = loads(text, path)  # a cassette must at least be valid
    findings: list[Finding] = []
    for index, interaction in enumerate(interactions):
        entry = interaction.to_json()
        for where, reason in scan_value(entry, "", forbidden):
            findings.append(Finding(path, f"interactions[{index}].{where}", reason))
    return findings


def cassette_files(target: Path) -> Iterator[Path]:
    if target.is_file():
        yield target
        return
    for candidate in sorted(target.rglob("*.json")):
        if any(part.startswith(".") for part in candidate.relative_to(target).parts):
            continue
        if _looks_like_cassette(candidate):
            yield candidate


def _looks_like_cassette(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and "interactions" in document and "version" in document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pytest_wxcloud.recording.check",
        description="Fail when wxcloud cassettes contain token- or secret-like strings.",
    )
    parser.add_argument("paths", nargs="+", type=Path, help="cassette files or folders")
    parser.add_argument(
        "--forbid", action="append", default=[], help="a literal value that must not appear"
    )
    args = parser.parse_args(argv)
    forbidden = [*args.forbid, os.environ.get("WXCLOUD_SECRET", "")]
    findings: list[Finding] = []
    checked = 0
    for target in args.paths:
        if not target.exists():
            print(f"{target}: no such file or folder", file=sys.stderr)
            return 2
        for path in cassette_files(target):
            try:
                findings.extend(check_file(path, forbidden))
            except (CassetteFormatError, OSError, UnicodeDecodeError) as exc:
                print(f"invalid cassette: {exc}", file=sys.stderr)
                return 2
            checked += 1
    for finding in findings:
        print(finding)
    verdict = "secret-like content found" if findings else "no secrets found"
    print(f"checked {checked} cassette(s): {verdict}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
